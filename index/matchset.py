"""The set of documents a query matches, as a sorted numpy array, without scoring anything.

Whoosh's ``docs_for_query`` walks every match one Python call at a time, through matchers that also
decode weights and positions; a common word in 100,000 articles costs hundreds of milliseconds that
way. Totals and facet counts need only the document numbers, so here the common query shapes —
terms, phrases, AND, OR, NOT and ranges over ``published`` — are evaluated per segment on whole posting
blocks with numpy. Anything else (prefixes, fuzzy words) falls back to Whoosh's matcher
for that part of the query only. The result is the same set Whoosh would find: deleted documents
are removed the same way.
"""

from __future__ import annotations


import numpy as np
from whoosh import fields
from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.util.numeric import to_sortable

from index.arrays import distinct, sorted_intersection
from index.phrases import phrase_docs
from index.postings import PerSegment, PostingsCache, read_postings, segment_part

EMPTY = np.zeros(0, dtype=np.int64)
#: big-endian numbers of Whoosh's numeric columns, by struct typecode (unsigned: sortable values)
_COLUMN_TYPES = {"I": ">u4", "Q": ">u8"}


def matched_docnums(searcher, q, ranges: "RangeCache | None" = None, within: np.ndarray | None = None,
                    postings: "PostingsCache | None" = None) -> np.ndarray:
    """Sorted global document numbers of the live documents ``q`` matches; only those in
    ``within`` (sorted global document numbers) when given. Posting lists come from ``postings``
    when given (ranking has usually just read the same ones)."""
    if q is wq.NullQuery:
        return EMPTY
    parts = []
    for sub, offset in searcher.leaf_searchers():
        segment = _Segment(sub, ranges, postings)
        if within is None:
            local = segment.docs(q)
        else:
            part = segment_part(within, offset, segment.reader.doc_count_all())
            if not len(part):
                continue
            local = segment.docs_within(q, part)
        if len(local):
            parts.append(local + offset)
    if not parts:
        return EMPTY
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


class _Segment:
    """Evaluates a query over one segment; document numbers are local to it."""

    def __init__(self, searcher, ranges, postings=None):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.ranges = ranges
        self.postings = postings
        self._live = None

    def live(self) -> np.ndarray:
        if self._live is None:
            n = self.reader.doc_count_all()
            ids = np.arange(n, dtype=np.int64)
            if self.reader.has_deletions():
                ids = ids[live_mask(n, self.reader)]
            self._live = ids
        return self._live

    def docs(self, q) -> np.ndarray:
        kind = type(q)
        if q is wq.NullQuery or kind.__name__ == "_NullQuery":
            return EMPTY
        if kind is wq.Term:
            return self.term(q.fieldname, q.text)
        if kind is wq.Every and not q.fieldname:
            return self.live()
        if kind is wq.And or kind is wq.Require:
            return self._all_of(q.subqueries if kind is wq.And else [q.a, q.b], None)
        if (kind is wq.Or and not q.minmatch) or kind is wq.DisjunctionMax or kind is wq.DefaultOr:
            found = [d for d in (self.docs(sub) for sub in q.subqueries) if len(d)]
            if not found:
                return EMPTY
            return found[0] if len(found) == 1 else distinct(np.concatenate(found))
        if kind is wq.Phrase:
            return phrase_docs(self.reader, q.fieldname, q.words, q.slop, cache=self.postings)
        if kind is wq.Not:
            return np.setdiff1d(self.live(), self.docs(q.query), assume_unique=True)
        if kind is wq.AndNot:
            return np.setdiff1d(self.docs(q.a), self.docs(q.b), assume_unique=True)
        if kind is wq.AndMaybe:
            return self.docs(q.a)
        if isinstance(q, wq.NumericRange) and self.ranges is not None:
            found = self.ranges.docs(self.reader, q)
            if found is not None:
                return found
        return self.fallback(q)

    def docs_within(self, q, within: np.ndarray) -> np.ndarray:
        """``docs(q)`` limited to ``within`` (sorted local document numbers)."""
        if type(q) is wq.And:
            return self._all_of(q.subqueries, within)
        return self._all_of([q], within)

    def _all_of(self, subs, result: np.ndarray | None) -> np.ndarray:
        for sub in sorted(subs, key=_cheap_first):
            if type(sub) is wq.Phrase and result is not None:  # positions read only where the rest matched
                found = phrase_docs(self.reader, sub.fieldname, sub.words, sub.slop, within=result, cache=self.postings)
            elif type(sub) is wq.Or and not sub.minmatch and result is not None and any(type(s) is wq.Phrase for s in sub.subqueries):
                found = distinct(np.concatenate([self.docs_within(s, result) for s in sub.subqueries] or [EMPTY]))
            else:
                found = self.docs(sub)
            result = found if result is None else sorted_intersection(result, found)
            if not len(result):
                return EMPTY
        return result if result is not None else EMPTY

    def term(self, fieldname: str, text) -> np.ndarray:
        reader = self.reader
        if fieldname not in reader.schema:
            return EMPTY
        if self.postings is None and (fieldname, text) not in reader:  # the cache knows absent words
            return EMPTY
        return read_postings(reader, fieldname, text, cache=self.postings).ids

    def fallback(self, q) -> np.ndarray:
        ids = np.fromiter(q.docs(self.searcher), dtype=np.int64)
        ids.sort()
        return ids


#: a range holding more than this share of a segment's documents is put in order through a mask
#: over the segment instead of by sorting its document numbers (in a segment of 25,000 the two
#: cost the same at about 1,500 documents)
MASK_SHARE = 1 / 16


def _sorted_distinct(docs: np.ndarray, n: int) -> np.ndarray:
    """``np.unique(docs)`` for document numbers below ``n``. A range's documents come in the order
    of their dates; a range of years holds most of a segment. Of 20,000 numbers, ``np.unique``
    took 4.7 ms, sorting them 0.24 ms, marking them in a mask and reading it back 0.06 ms."""
    if len(docs) <= MASK_SHARE * n:
        return distinct(docs)
    mask = np.zeros(n, dtype=bool)
    mask[docs] = True
    return np.flatnonzero(mask).astype(docs.dtype, copy=False)


def _cheap_first(q) -> int:
    """Terms first, so an AND usually shrinks before phrases or ranges are evaluated."""
    if type(q) is wq.Term:
        return 0
    if isinstance(q, (wq.Or, wq.And)):
        return 1
    return 2


def live_mask(n: int, reader) -> np.ndarray:
    """True for the live documents of a segment (its deletions are a small set kept by Whoosh)."""
    try:
        deleted = reader._perdoc.deleted_docs()
    except AttributeError:
        deleted = (d for d in range(n) if reader.is_deleted(d))
    keep = np.ones(n, dtype=bool)
    gone = np.fromiter(deleted, dtype=np.int64)
    keep[gone[gone < n]] = False
    return keep


class RangeCache:
    """Per segment, the full-precision values of numeric fields (``published``: day numbers, or
    microseconds in older archives) with their documents, so a date range is two comparisons
    instead of a walk over thousands of terms.

    Built once per segment and field from the index's own terms, so a document counts exactly when
    Whoosh's range query would match it; segments are immutable, so entries stay valid until merged.
    """

    def __init__(self):
        self._segments = PerSegment()

    def forget_except(self, live_keys: set[str]) -> None:
        self._segments.forget_except(live_keys)

    def _arrays(self, reader, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
        return self._segments.get(reader, fieldname, lambda: self._build(reader, fieldname))

    @classmethod
    def _build(cls, reader, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
        found = cls._from_column(reader, fieldname)
        return found if found is not None else cls._from_terms(reader, fieldname)

    @staticmethod
    def _from_column(reader, fieldname: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The values from the field's per-document column, one read per segment (None when the
        segment has no such column). Reading them from the terms costs a lookup and a posting list
        per distinct day, more than a second per 25,000 articles, in every server process.

        A NUMERIC column holds the same number as the full-precision term (both are Whoosh's
        ``to_sortable`` of the value), and the column's default (the type's largest number, which no
        date reaches) for documents without one. The DATETIME columns of older archives hold the raw
        number instead: those are read from the terms until 'folio reindex'."""
        field = reader.schema[fieldname]
        column = field.column_type
        perdoc = getattr(reader, "_perdoc", None)
        dtype = _COLUMN_TYPES.get(getattr(column, "_typecode", None))
        if (dtype is None or not isinstance(column, NumericColumn)
                or type(field).to_column_value is not fields.NUMERIC.to_column_value  # DATETIME: not sortable
                or perdoc is None or not hasattr(perdoc, "has_column") or not perdoc.has_column(fieldname)):
            return None
        creader = perdoc.column_reader(fieldname, column)
        count = min(creader._count, reader.doc_count_all())
        raw = creader._dbfile.get(creader._basepos, count * creader._fixedlen) if count else b""
        stored = np.frombuffer(raw, dtype=dtype).astype(np.uint64)
        docs = np.flatnonzero(stored != np.uint64(column._default))
        values = stored[docs]
        order = np.argsort(values, kind="stable")
        return docs[order].astype(np.int64), values[order]

    @staticmethod
    def _from_terms(reader, fieldname: str) -> tuple[np.ndarray, np.ndarray]:
        field = reader.schema[fieldname]
        docs, values = [], []
        for token in field.sortable_terms(reader, fieldname):
            ids = read_postings(reader, fieldname, token).ids
            docs.append(ids)
            values.append(np.full(len(ids), int.from_bytes(token[1:], "big"), dtype=np.uint64))
        if not docs:
            return EMPTY, np.zeros(0, dtype=np.uint64)
        docs_a, values_a = np.concatenate(docs), np.concatenate(values)
        order = np.argsort(values_a, kind="stable")
        return docs_a[order], values_a[order]

    @staticmethod
    def _sortable(field, value) -> int:
        """A bound as the unsigned number the terms hold, as Whoosh's own range query computes it."""
        return to_sortable(field.numtype, field.bits, field.signed, field.prepare_number(value))

    def docs(self, reader, q) -> np.ndarray | None:
        """Local document numbers in the range, or None when this range is not one we can read."""
        field = reader.schema[q.fieldname] if q.fieldname in reader.schema else None
        if field is None or not hasattr(field, "sortable_terms") or getattr(field, "shift_step", 0) == 0:
            return None
        try:
            lo = None if q.start is None else self._sortable(field, q.start)
            hi = None if q.end is None else self._sortable(field, q.end)
        except (ValueError, TypeError):
            return None
        docs, values = self._arrays(reader, q.fieldname)
        start = 0 if lo is None else np.searchsorted(values, np.uint64(lo), side="right" if q.startexcl else "left")
        end = len(values) if hi is None else np.searchsorted(values, np.uint64(hi), side="left" if q.endexcl else "right")
        found = _sorted_distinct(docs[start:end], reader.doc_count_all())
        if reader.has_deletions() and len(found):
            found = found[live_mask(reader.doc_count_all(), reader)[found]]
        return found
