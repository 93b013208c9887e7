"""Facet counting from cached per-segment arrays.

Whoosh's own ``groupedby`` facets score every match and rebuild per-document lists on each search.
Instead, for each immutable segment and facet field we build once two parallel arrays — document
number and value ordinal, one entry per (document, value) pair — and count a search's matches with
``numpy.bincount``. Segments never change after they are written, so the cache stays valid until
the segment is merged away; deleted documents never appear among matches, so they need no care.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.matchset import live_mask
from index.postings import PerSegment, segment_key, segment_part


#: below one match in this many documents of a segment, the matches' values are looked up document
#: by document instead of passing over every (document, value) entry of the segment
FEW_MATCHES = 8


@dataclass
class SegmentFacet:
    values: list[str]
    docnums: np.ndarray  # int32, local document numbers
    ordinals: np.ndarray  # int32, index into values
    #: int32, the same entries as ordinals but numbering the field's values over all segments
    global_ordinals: np.ndarray | None = None
    #: the global ordinals in document order, and where each document's run of them starts
    #: (one more than the segment's documents), to count a few matches without a pass over all
    by_doc: np.ndarray | None = None
    doc_starts: np.ndarray | None = None

    def ordinals_of(self, local: np.ndarray) -> np.ndarray:
        """The global ordinals of the values of documents ``local`` (sorted local numbers)."""
        starts, ends = self.doc_starts[local], self.doc_starts[local + 1]
        counts = ends - starts
        if not len(counts) or counts.max() <= 1:  # at most one value each, as for years and publications
            return self.by_doc[starts[counts > 0]]
        total = int(counts.sum())
        run_starts = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        return self.by_doc[run_starts + np.arange(total)]


def _build(reader, fieldname: str) -> SegmentFacet:
    values: list[str] = []
    doc_chunks: list[np.ndarray] = []
    ord_chunks: list[np.ndarray] = []
    if fieldname in reader.schema:
        try:
            lexicon = list(reader.lexicon(fieldname))
        except Exception:
            lexicon = []
        for term in lexicon:
            ids = np.fromiter(reader.postings(fieldname, term).all_ids(), dtype=np.int32)
            if not len(ids):
                continue
            doc_chunks.append(ids)
            ord_chunks.append(np.full(len(ids), len(values), dtype=np.int32))
            values.append(term.decode("utf-8") if isinstance(term, bytes) else term)
    if doc_chunks:
        return SegmentFacet(values, np.concatenate(doc_chunks), np.concatenate(ord_chunks))
    empty = np.zeros(0, dtype=np.int32)
    return SegmentFacet(values, empty, empty)


class _FieldValues:
    """Every value a facet field has had in any segment, numbered in order of first sight (only
    ever appended to, so numbers handed out stay valid), and their alphabetical ranks."""

    def __init__(self):
        self.values: list[str] = []
        self.number: dict[str, int] = {}
        self._ranks: np.ndarray | None = None

    def numbers_for(self, values: list[str]) -> np.ndarray:
        for value in values:
            if value not in self.number:
                self.number[value] = len(self.values)
                self.values.append(value)
                self._ranks = None
        return np.fromiter((self.number[v] for v in values), dtype=np.int32, count=len(values))

    def ranks(self) -> np.ndarray:
        ranks = self._ranks
        if ranks is None or len(ranks) != len(self.values):
            ranks = np.empty(len(self.values), dtype=np.int64)
            ranks[sorted(range(len(self.values)), key=self.values.__getitem__)] = np.arange(len(self.values))
            self._ranks = ranks
        return ranks


class FacetCache:
    """Per-segment facet arrays shared by all threads (built under a lock, read without one)."""

    def __init__(self):
        self._segments = PerSegment()
        self._lock = threading.Lock()  # numbering values: one segment at a time
        self._fields: dict[str, _FieldValues] = {}

    def segment_facet(self, reader, fieldname: str) -> SegmentFacet:
        return self._segments.get(reader, fieldname, lambda: self._numbered(_build(reader, fieldname), fieldname,
                                                                            reader.doc_count_all()))

    def _numbered(self, found: SegmentFacet, fieldname: str, doc_count: int) -> SegmentFacet:
        with self._lock:
            numbers = self._fields.setdefault(fieldname, _FieldValues()).numbers_for(found.values)
        found.global_ordinals = numbers[found.ordinals] if len(found.ordinals) else found.ordinals
        order = np.argsort(found.docnums, kind="stable")
        found.by_doc = found.global_ordinals[order]
        found.doc_starts = np.searchsorted(found.docnums[order], np.arange(doc_count + 1)).astype(np.int32)
        return found

    def forget_except(self, live_keys: set[str]) -> None:
        self._segments.forget_except(live_keys)

    def tallies(self, searcher, fieldnames, matched: np.ndarray | None) -> dict[str, tuple[np.ndarray, list[str]]]:
        """Per field: matched documents per value (an array over the field's global value numbers)
        and the value list; ``matched`` is sorted global docnums, None for every live document."""
        parts: dict[str, list[np.ndarray]] = {f: [] for f in fieldnames}
        for reader, offset in searcher.reader().leaf_readers():
            n = reader.doc_count_all()
            mask = None
            if matched is None:
                if reader.has_deletions():
                    mask = live_mask(n, reader)
            else:
                local = segment_part(matched, offset, n)
                if not len(local):
                    continue
                if len(local) * FEW_MATCHES > n:
                    mask = np.zeros(n, dtype=bool)
                    mask[local] = True
            for fieldname in fieldnames:
                facet = self.segment_facet(reader, fieldname)
                if not len(facet.docnums):
                    continue
                if matched is not None and mask is None:
                    parts[fieldname].append(facet.ordinals_of(local))
                else:
                    parts[fieldname].append(facet.global_ordinals if mask is None
                                            else facet.global_ordinals[mask[facet.docnums]])
        out = {}
        for fieldname in fieldnames:
            field_values = self._fields.get(fieldname)
            values = list(field_values.values) if field_values is not None else []
            chosen = np.concatenate(parts[fieldname]) if parts[fieldname] else np.zeros(0, dtype=np.int32)
            out[fieldname] = (np.bincount(chosen, minlength=len(values)), values)
        return out

    def top(self, searcher, fieldnames, matched: np.ndarray | None, limit: int | None) -> dict[str, list[tuple[str, int]]]:
        """Per field, the values with most matches first (ties alphabetical), at most ``limit``."""
        out = {}
        for fieldname, (tally, values) in self.tallies(searcher, fieldnames, matched).items():
            present = np.nonzero(tally)[0]
            ranks = self._fields[fieldname].ranks()[present] if len(present) else present
            order = present[np.lexsort((ranks, -tally[present]))]
            if limit:
                order = order[:limit]
            out[fieldname] = [(values[i], int(tally[i])) for i in order]
        return out

    def count(self, searcher, fieldname: str, matched: np.ndarray | None) -> Counter:
        """Value -> number of matched documents; ``matched`` is sorted global docnums, None for all."""
        tally, values = self.tallies(searcher, [fieldname], matched)[fieldname]
        return Counter({values[i]: int(tally[i]) for i in np.nonzero(tally)[0]})


def live_segment_keys(searcher) -> set[str]:
    return {segment_key(r) for r, _ in searcher.reader().leaf_readers()}
