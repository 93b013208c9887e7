"""A term's whole posting list in one segment as numpy arrays, read a block at a time.

Whoosh's matchers hand out one posting per Python call and decode delta-coded document numbers
with a generator; ranking, match sets and phrase checks need whole lists, so here each block's
pickled tuple (ids, weights, values) is unpacked once and its ids summed with numpy. Deleted
documents are removed as Whoosh's own matcher removes them. In segments of Folio's format a
term's list, or the blocks holding the positions asked for, are read at once and taken apart
without a matcher (`index.codec.whole_list`, `index.codec.values_in_list`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import accumulate, chain, islice
from pickle import loads
from typing import Any, Callable

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3TermsReader, _lenfield
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import ReaderClosed, TermNotFound
from whoosh.util.numeric import byte_to_length

from index.codec import FolioCodec, block_weights, values_in_list, whole_list

EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


@dataclass
class Postings:
    ids: np.ndarray  # int64, local document numbers, ascending
    weights: np.ndarray  # float64, the index-time weights (frequency times field boost)
    values: list | None = None  # encoded per-posting values (positions), when asked for

    def __len__(self) -> int:
        return len(self.ids)


NONE = Postings(EMPTY_IDS, EMPTY_WEIGHTS, [])


def segment_key(reader) -> str:
    """What caches of per-segment data are keyed by: segments never change once written."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else f"reader-{id(reader)}"


class PerSegment:
    """Values derived from one segment (per field), built once and shared by all threads; segments
    never change, so an entry stays right until its segment is merged away (`forget_except`)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str], Any] = {}

    def get(self, reader, fieldname: str, build: Callable[[], Any]) -> Any:
        key = (segment_key(reader), fieldname)
        found = self._items.get(key)
        if found is None:
            with self._lock:
                found = self._items.get(key)
                if found is None:
                    found = self._items[key] = build()
        return found

    def forget_except(self, live_keys: set[str]) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] not in live_keys]:
                del self._items[key]


def segment_part(docnums: np.ndarray, offset: int, count: int) -> np.ndarray:
    """The part of sorted global document numbers that falls in a segment, as its local numbers."""
    lo, hi = np.searchsorted(docnums, [offset, offset + count])
    return docnums[lo:hi] - offset


def read_postings(reader, fieldname: str, term, values: bool = False,
                  cache: "PostingsCache | None" = None) -> Postings:
    """Every live posting of ``term`` in ``fieldname`` of one segment reader; lists without
    their values come from ``cache`` when one is given."""
    if fieldname not in reader.schema:
        return NONE
    if cache is not None and not values:
        return cache.read(reader, fieldname, term)
    return _without(*_read_written(reader, fieldname, term, values))


def _matcher_as_written(reader, fieldname: str, term) -> tuple[object, object]:
    """The term's matcher over its postings as written (None when the term is absent), without the
    filter that hides deleted documents, and the reader's deleted set that filter held."""
    try:
        m = reader.postings(fieldname, term)
    except TermNotFound:
        return None, None
    deleted = None
    if isinstance(m, FilterMatcher):
        if m._exclude and m._ids:
            deleted = m._ids
        m = m.child
        m.reset()
    return m, deleted


def _read_written(reader, fieldname: str, term, values: bool) -> tuple[Postings, object]:
    """The postings as written, deleted documents included, and the reader's deleted set."""
    if not values and _in_folio_format(reader):
        return _read_whole(reader, fieldname, term)
    m, deleted = _matcher_as_written(reader, fieldname, term)
    if m is None:
        return NONE, None
    found = _read_blocks(m, values) if isinstance(m, W3LeafMatcher) else _read_one_by_one(m, values)
    return found, deleted


def _in_folio_format(reader) -> bool:
    """Whether a segment reader's postings are written by `index.codec` (not Whoosh's own codec)."""
    terms = getattr(reader, "_terms", None)
    return isinstance(terms, W3TermsReader) and isinstance(terms._codec, FolioCodec)


def _term_info(reader, fieldname: str, term):
    """A term's entry in a segment reader's term dictionary, None when the segment lacks it."""
    if reader.is_closed:
        raise ReaderClosed
    try:
        return reader._terms.term_info(fieldname, reader._text_to_bytes(fieldname, term))
    except TermNotFound:
        return None


def _read_whole(reader, fieldname: str, term) -> tuple[Postings, object]:
    """`_read_written` of a segment in Folio's format, without values: the term's entry, then its
    postings in one read (`index.codec.whole_list`), not through a matcher."""
    terminfo = _term_info(reader, fieldname, term)
    if terminfo is None:
        return NONE, None
    ids, weights = whole_list(reader._terms._postfile, terminfo)
    deleted = frozenset(reader._perdoc.deleted_docs()) if reader.has_deletions() else None
    return Postings(ids, weights), deleted


def _without(found: Postings, deleted) -> Postings:
    if not deleted:
        return found
    keep = ~np.isin(found.ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
    return Postings(found.ids[keep], found.weights[keep],
                    [v for v, k in zip(found.values, keep) if k] if found.values is not None else None)


class PostingsCache:
    """Decoded posting lists (document numbers and weights, not positions) of a block or more, and
    the words a segment does not have; the most recently used kept up to a total number of postings.

    Reading a common word means unpacking every block of its list in every segment, the largest
    part of ranking it, and looking a word up costs several reads per segment; words recur across
    searches. Lists are kept as written (segments never
    change), and each read removes the documents deleted as of the reader's own generation.
    """

    def __init__(self, max_postings: int = 2_000_000, min_length: int = 128):
        self.max_postings = max_postings
        self.min_length = min_length
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()
        self._size = 0
        self._vocabularies = PerSegment()

    def read(self, reader, fieldname: str, term) -> Postings:
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is None:
            return _without(*_read_written(reader, fieldname, term, False))
        if isinstance(term, str):
            vocabulary, = self._vocabularies.get(reader, fieldname, lambda: (small_vocabulary(reader, fieldname),))
            if vocabulary is not None and term not in vocabulary:
                return NONE
        key = (segment.segment_id(), fieldname, term)
        found = self._entries.get(key)
        if found is not None:
            with self._lock:
                if key in self._entries:
                    self._entries.move_to_end(key)
        else:
            found, _ = _read_written(reader, fieldname, term, False)
            if not len(found) or len(found) >= self.min_length:  # absent words are remembered too
                self._keep(key, found)
        if not len(found) or not segment.has_deletions():
            return found
        return _without(found, set(segment.deleted_docs()))

    def _keep(self, key, found: Postings) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = found
            self._size += max(1, len(found))
            while self._size > self.max_postings and self._entries:
                _, old = self._entries.popitem(last=False)
                self._size -= max(1, len(old))

    def forget_except(self, live_keys: set[str]) -> None:
        self._vocabularies.forget_except(live_keys)
        with self._lock:
            for key in [k for k in self._entries if k[0] not in live_keys]:
                self._size -= max(1, len(self._entries.pop(key)))


#: a field of a segment with at most this many terms has them all kept in memory (see `small_vocabulary`)
SMALL_VOCABULARY = 256


def small_vocabulary(reader, fieldname: str) -> frozenset[str] | None:
    """Every term of a field in one segment, or None when it has more than `SMALL_VOCABULARY`.

    Every word of a search is looked up in the author and publication fields too, whose few terms
    (names) most words are not among; finding a word absent in Whoosh's term dictionary takes a
    hash and a few reads, here a set lookup."""
    if fieldname not in reader.schema:
        return frozenset()
    terms = list(islice(reader.field_terms(fieldname), SMALL_VOCABULARY + 1))
    if len(terms) > SMALL_VOCABULARY or not all(isinstance(t, str) for t in terms):
        return None  # a large field, or one of numbers (whose terms are looked up as they are)
    return frozenset(terms)


class SearchPostings:
    """The posting lists one search has read, short ones included, in front of the shared
    `PostingsCache` (which keeps only lists of a block or more). Ranking a word, giving the bonus
    for words standing close and checking a phrase read the same words' lists in the same
    segments: without this, each read a short list again from the index."""

    def __init__(self, shared: PostingsCache | None = None):
        self.shared = shared
        self._found: dict = {}

    def read(self, reader, fieldname: str, term) -> Postings:
        key = (reader, fieldname, term)  # the reader itself: its deleted documents are part of the answer
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = (self.shared.read(reader, fieldname, term) if self.shared is not None
                                        else _without(*_read_written(reader, fieldname, term, False)))
        return found


def _read_blocks(m, values: bool) -> Postings:
    ids_parts, weight_parts, vals = [], [], ([] if values else None)
    while m.is_active():
        ids_parts.append(_block_ids(m))
        weight_parts.append(block_weights(m._data[1], m._blocklength))
        if values:
            m._read_values()
            vals.extend(m._values)
        m._next_block()
    if not ids_parts:
        return Postings(EMPTY_IDS, EMPTY_WEIGHTS, vals)
    return Postings(np.concatenate(ids_parts), np.concatenate(weight_parts), vals)


def _block_ids(m) -> np.ndarray:
    """The document numbers of the block a Whoosh leaf matcher is on (its data read once)."""
    if m._data is None:
        m._read_data()
    if m._byteids:
        m._read_ids()
        return np.fromiter(m._ids, dtype=np.int64, count=m._blocklength)
    return np.cumsum(np.fromiter(m._data[0], dtype=np.int64, count=m._blocklength))


def values_for(reader, fieldname: str, term, docs: np.ndarray) -> list:
    """The encoded values (positions) of ``term`` for ``docs`` (ascending local numbers, each known to
    have the term), reading only the blocks that hold them: a phrase of common words is checked in a
    few documents, and their positions are in a few of many blocks."""
    if _in_folio_format(reader):
        terminfo = _term_info(reader, fieldname, term)
        if terminfo is None:
            return [None] * len(docs)
        fixedsize = reader.schema[fieldname].format.fixed_value_size()
        return values_in_list(reader._terms._postfile, terminfo, fixedsize, docs)
    m, _ = _matcher_as_written(reader, fieldname, term)
    if m is None:
        return [None] * len(docs)
    if not isinstance(m, W3LeafMatcher):
        found = _read_one_by_one(m, True)
        return [found.values[i] for i in np.searchsorted(found.ids, docs)]
    out: list = []
    j, n = 0, len(docs)
    while m.is_active() and j < n:
        last = m._maxid  # the block's last document number, from its header
        if docs[j] > last:
            m._next_block()
            continue
        ids = _block_ids(m)
        k = j + int(np.searchsorted(docs[j:], last, side="right"))
        where = np.searchsorted(ids, docs[j:k]).tolist()
        if hasattr(m, "values_at"):  # index.codec's blocks: only these values are sliced out
            out.extend(m.values_at(where))
        else:
            m._read_values()
            out.extend(m._values[i] for i in where)
        j = k
        m._next_block()
    return out + [None] * (n - len(out))


def _read_one_by_one(m, values: bool) -> Postings:
    ids, weights, vals = [], [], ([] if values else None)
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if values:
            vals.append(m.value())
        m.next()
    return Postings(np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64), vals)


def position_decoder(reader, fieldname: str):
    """A function from an encoded posting value to its word positions, for fields that keep them."""
    fmt = reader.schema[fieldname].format
    if type(fmt) is formats.Positions:
        def decode(value: bytes) -> list[int]:
            return list(accumulate(loads(value[4:] if value.endswith(b".") else value[4:] + b".")))
        decode.gaps = True  # its values can be unpickled together (see `positions_of`)
        return decode
    if fmt.supports("positions"):
        return fmt.decode_positions
    return None


def positions_of(values: list, decode) -> tuple[np.ndarray, np.ndarray]:
    """The word positions in encoded posting values: how many each value holds, and all of them in
    order (int64). Values of Whoosh's Positions format (a count, then a pickled list of gaps) are
    unpickled together in one call instead of one call each."""
    if decode is None or not values:
        return np.zeros(len(values), dtype=np.int64), EMPTY_IDS
    gaps = _gap_lists(values) if getattr(decode, "gaps", False) else None
    lists = gaps if gaps is not None else [decode(v) if v is not None else [] for v in values]
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    if gaps is None:
        return counts, flat
    sums = np.concatenate(([0], np.cumsum(flat)))
    # each value's gaps add up from where the earlier values' gaps left off
    return counts, sums[1:] - np.repeat(sums[np.cumsum(counts) - counts], counts)


def _gap_lists(values: list) -> list | None:
    """Each value's list of gaps, from one pickle of them all; None when some value is not exactly
    a count, a protocol-2 pickle and its stop mark (the caller then decodes one at a time)."""
    try:
        lists = loads(b"\x80\x02(" + b"".join([v[6:-1] for v in values]) + b"t.")
        counts = np.frombuffer(b"".join([v[:4] for v in values]), dtype=">u4")
    except Exception:
        return None
    if len(lists) != len(values) or not all(type(x) is list for x in lists) \
            or not np.array_equal(np.fromiter(map(len, lists), dtype=np.int64, count=len(lists)), counts):
        return None
    return lists


#: Whoosh keeps a field's length per document as one byte (a logarithmic code); its decoding table
_LENGTH_OF_CODE = np.array([0.0] + [float(byte_to_length(code)) for code in range(1, 256)])


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in ``fieldname`` (float64, 0 where absent) for one segment, read as
    one block of bytes instead of a call per document."""
    n = reader.doc_count_all()
    column = None
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None or getattr(column, "_fixedlen", None) != 1:
        return np.fromiter((reader.doc_field_length(d, fieldname, 0) or 0 for d in range(n)),
                           dtype=np.float64, count=n)
    count = min(column._count, n)
    codes = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8) if count else np.zeros(0, np.uint8)
    out = np.zeros(n)
    out[:count] = _LENGTH_OF_CODE[codes]
    return out
