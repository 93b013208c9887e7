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


@dataclass
class SegmentFacet:
    values: list[str]
    docnums: np.ndarray  # int32, local document numbers
    ordinals: np.ndarray  # int32, index into values


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


class FacetCache:
    """Per-segment facet arrays shared by all threads (built under a lock, read without one)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], SegmentFacet] = {}

    def segment_facet(self, reader, fieldname: str) -> SegmentFacet:
        key = (_segment_key(reader), fieldname)
        found = self._cache.get(key)
        if found is None:
            with self._lock:
                found = self._cache.get(key)
                if found is None:
                    found = _build(reader, fieldname)
                    self._cache[key] = found
        return found

    def forget_except(self, live_keys: set[str]) -> None:
        with self._lock:
            for key in [k for k in self._cache if k[0] not in live_keys]:
                del self._cache[key]

    def count(self, searcher, fieldname: str, matched: np.ndarray | None) -> Counter:
        """Value -> number of matched documents; ``matched`` is sorted global docnums, None for all."""
        counts: Counter = Counter()
        for reader, offset in searcher.reader().leaf_readers():
            facet = self.segment_facet(reader, fieldname)
            if not facet.values:
                continue
            if matched is None:
                live = facet.docnums
                sel_ords = facet.ordinals
                if reader.has_deletions():
                    keep = np.fromiter((not reader.is_deleted(d) for d in live), dtype=bool, count=len(live))
                    sel_ords = sel_ords[keep]
            else:
                lo, hi = np.searchsorted(matched, [offset, offset + reader.doc_count_all()])
                local = matched[lo:hi] - offset
                if not len(local):
                    continue
                mask = np.zeros(reader.doc_count_all(), dtype=bool)
                mask[local] = True
                sel_ords = facet.ordinals[mask[facet.docnums]]
            tally = np.bincount(sel_ords, minlength=len(facet.values))
            for i in np.nonzero(tally)[0]:
                counts[facet.values[i]] += int(tally[i])
        return counts


def _segment_key(reader) -> str:
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is not None:
        return segment.segment_id()
    return f"reader-{id(reader)}"


def live_segment_keys(searcher) -> set[str]:
    return {_segment_key(r) for r, _ in searcher.reader().leaf_readers()}
