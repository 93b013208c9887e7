"""Whoosh's on-disk format, with three changes for an archive's posting lists.

- **Single postings inlined.** Whoosh 2.7 writes every posting list to the postings file as a block
  with its own header and compressed body, about 57 bytes for a list of one posting (twice that with
  word positions). Its option to keep short lists in the term dictionary ("inlining") never takes
  effect: the check is ``len(postings) < inlinelimit`` with a default limit of 1, and the branch it
  guards calls a method that does not exist (``set_inline`` for ``set_inlined``). Most terms of an
  archive occur in one document (identifiers, dates, rare words, names in titles).
- **Larger blocks**, which share one header and compress better.
- **Positions apart.** A Whoosh block is one compressed pickle of document numbers, weights and
  values (word positions); reading which documents have a word, the most frequent step of a search,
  meant unpacking all positions too, about nine tenths of the work. Here a block holds the numbers
  and weights and, after them, the values, each compressed on its own (small blocks not at all);
  values are read when asked for.
  The values are one byte string with a table of lengths in front, not a pickled tuple: a phrase
  check needs the positions of a few documents of a block, and slicing them out costs a tenth of
  unpickling 512 byte strings (measured on the 100,000-article benchmark's frequent words).
- **Numbers and weights as arrays.** A block's document numbers (as gaps) and weights are packed
  as little-endian arrays of the narrowest width that holds them (`_pack_head`), not pickled:
  reading them is a slice instead of unpickling a tuple of Python numbers per block. Blocks
  pickled by Whoosh or by earlier Folio segments are still read (their first byte tells them apart).

The codec is stored with each segment (by its import path): keep this module and these class
names. Segments written by Whoosh's own codec stay readable; merging rewrites them in this format.
"""

from __future__ import annotations

import struct
import zlib
from io import BytesIO
from pickle import dumps, load, loads

import numpy as np

from whoosh.codec.whoosh3 import (WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PerDocReader,
                                  W3PerDocWriter, W3PostingsWriter)
from whoosh.filedb.filestore import OverlayStorage
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import _INT_SIZE, pack_int, pack_ushort, unpack_int
from whoosh.util.numeric import length_to_byte

from index.fieldterms import FieldTerms, TermStats, in_blocks
from index.termsfile import TermsHashWriter, open_terms

#: lists shorter than this are inlined; measured on 25,000 synthetic articles: 2 (single postings)
#: saves 2.1 MB of 78.6, 8 saves 0.2 MB and 32 makes the index 13 % larger (pickled, uncompressed)
INLINE_LIMIT = 2
#: postings per block (Whoosh: 128) and zlib level (Whoosh: 3). Posting lists are read whole (see
#: `index.postings`), so larger blocks cost no skipping; they share one header and compress better.
#: Same 25,000 articles, index size over text: Whoosh's 128/3 with the above 1.535, 256/3 1.506,
#: 512/3 1.483, 128/9 1.517, 512/6 1.460, 512/9 1.453. Level 6 was kept until indexing time mattered
#: more than size: its blocks are 6 % smaller, but deflating the blocks of 10,000 synthetic articles
#: took 1.10 s against 0.71 s at level 3, of a writer's 11 s.
BLOCK_LIMIT = 512
COMPRESSION = 3
#: blocks whose numbers, weights and values come to fewer bytes than this are stored as they are
#: (each block says whether it is compressed). Deflating the many small blocks of a bulk segment's
#: rare terms took about a tenth of writing it and saved little: on 20,000 synthetic articles, the
#: index is 6 % larger and its writer processes take 0.4 s less each (of 7.3).
COMPRESS_MIN = 256


def _block_bytes(head: bytes, tail: bytes, count: int, last_id: int, maxweight, compression: int,
                min_byte: int, max_byte: int, last: bool) -> bytes:
    """A block of postings as written: its length (negative for a term's last block), its
    information, then its numbers and weights (``head``, see `_pack_head`) and ``tail``, its
    values, each compressed unless together they are small."""
    comp = compression if len(head) + len(tail) >= COMPRESS_MIN else 0
    if comp:
        head, tail = zlib.compress(head, comp), zlib.compress(tail, comp)
    info = dumps((count, last_id, maxweight, comp, min_byte, max_byte), 2)
    size = len(info) + _INT_SIZE + len(head) + len(tail)
    return b"".join((pack_int(-size if last else size), info, pack_int(len(head)), head, tail))


#: the first byte of a block's numbers and weights packed as arrays (`_pack_head`); Whoosh, and
#: Folio's segments written before, pickle them (protocol 2, whose first byte is 0x80)
_PACKED_HEAD = 0x4E
#: widths of the numbers (the gaps between document numbers) and how the weights are kept
_GAP_TYPES = {1: "<u1", 2: "<u2", 4: "<u4"}
_ALL_ONE, _ALL_SAME, _BYTE_WEIGHTS, _SHORT_WEIGHTS, _FLOAT_WEIGHTS = range(5)
_WEIGHT_TYPES = {_BYTE_WEIGHTS: "<u1", _SHORT_WEIGHTS: "<u2", _FLOAT_WEIGHTS: "<f4"}


def _pack_head(mini_ids, mini_weights) -> bytes:
    """A block's numbers (gaps, the first from nought) and weights (Whoosh's: None when all are 1,
    one number when all are the same, else one each) as arrays: a mark, the numbers' width, the
    weights' kind, the numbers, the weights. Weights are single precision, as Whoosh keeps them;
    whole ones below 65,536 (term frequencies, the usual case) are kept as whole numbers.

    A block of 512 postings spread over 25,000 documents with weights of 1 to 3: unpickling its
    gaps and weights and making arrays of them took 55 µs, reading these 22 µs, and compressed it
    takes 880 bytes instead of 1,128. The benchmark's 100,000-article index: 173.6 MB, not 182.2."""
    gaps = np.asarray(mini_ids, dtype=np.int64)
    if mini_weights is None:
        weights, kind = np.ones(len(gaps), dtype=np.float32), 1
    elif np.ndim(mini_weights) == 0:
        weights, kind = np.full(len(gaps), mini_weights, dtype=np.float32), 2
    else:
        weights, kind = np.asarray(mini_weights, dtype=np.float32), 0
    return _PackedHeads(gaps, weights, np.zeros(1, dtype=np.int64), [kind]).head(0, 0, len(gaps))


class _PackedHeads:
    """The packed heads (see `_pack_head`) of many blocks at once: the widths and kinds of all
    blocks worked out together and each block's numbers and weights sliced from arrays converted
    once (bulk indexing writes hundreds of thousands of blocks, most of a few postings)."""

    def __init__(self, gaps: np.ndarray, weights: np.ndarray, starts: np.ndarray, kinds: list[int]):
        """``gaps`` (int64) and ``weights`` (float32) of all blocks' postings, ``starts`` where each
        block starts and ``kinds`` `TermStats.weights_kind` of each (1 all one, 2 all the same)."""
        if not len(starts):
            self.widths, self.kinds = [], []
            return
        top = np.maximum.reduceat(gaps, starts)
        widths = np.where(top < 1 << 8, 1, np.where(top < 1 << 16, 2, 4))
        whole = np.minimum.reduceat(((weights >= 0) & (weights == np.floor(weights))).astype(np.int8), starts) > 0
        heaviest = np.maximum.reduceat(weights, starts)
        kinds = np.asarray(kinds)
        packed = np.where(kinds == 1, _ALL_ONE, np.where(kinds == 2, _ALL_SAME, np.where(
            whole & (heaviest < 1 << 8), _BYTE_WEIGHTS, np.where(whole & (heaviest < 1 << 16), _SHORT_WEIGHTS,
                                                                _FLOAT_WEIGHTS))))
        self.widths, self.kinds = widths.tolist(), packed.tolist()
        self._gaps = {w: gaps.astype(_GAP_TYPES[w]).tobytes() for w in set(self.widths)}
        used = set(self.kinds)
        self._weights = {}
        if used & {_ALL_SAME, _FLOAT_WEIGHTS}:
            self._weights[_FLOAT_WEIGHTS] = weights.astype("<f4").tobytes()
        for kind, top_weight in ((_BYTE_WEIGHTS, 255), (_SHORT_WEIGHTS, 65535)):
            if kind in used:  # clipped: the blocks of this kind are within range, the others unused
                self._weights[kind] = np.clip(weights, 0, top_weight).astype(_WEIGHT_TYPES[kind]).tobytes()

    def head(self, j: int, a: int, b: int) -> bytes:
        """The packed head of block ``j``, postings ``a`` to ``b``."""
        width, kind = self.widths[j], self.kinds[j]
        mark = bytes((_PACKED_HEAD, width, kind))
        gaps = self._gaps[width][a * width:b * width]
        if kind == _ALL_ONE:
            return mark + gaps
        if kind == _ALL_SAME:
            return mark + gaps + self._weights[_FLOAT_WEIGHTS][4 * a:4 * a + 4]
        size = _WEIGHT_SIZES[kind]
        return mark + gaps + self._weights[kind][a * size:b * size]


_WEIGHT_SIZES = {_BYTE_WEIGHTS: 1, _SHORT_WEIGHTS: 2, _FLOAT_WEIGHTS: 4}


def _unpack_head(raw: bytes, count: int):
    """(gaps, weights) of a block of ``count`` postings, as `_pack_head` packed them (arrays, or
    None or a number for the weights) or as Whoosh pickled them (a tuple, or None or a number)."""
    if raw[0] != _PACKED_HEAD:
        return loads(raw)
    width, kind = raw[1], raw[2]
    gaps = np.frombuffer(raw, dtype=_GAP_TYPES[width], count=count, offset=3)
    at = 3 + width * count
    if kind == _ALL_ONE:
        return gaps, None
    if kind == _ALL_SAME:
        return gaps, float(np.frombuffer(raw, dtype="<f4", count=1, offset=at)[0])
    return gaps, np.frombuffer(raw, dtype=_WEIGHT_TYPES[kind], count=count, offset=at)


def _gaps_as_int64(mini_ids, count: int) -> np.ndarray:
    if isinstance(mini_ids, np.ndarray):
        return mini_ids.astype(np.int64)
    return np.fromiter(mini_ids, dtype=np.int64, count=count)


class FolioPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, with single postings inlined and values kept apart in each block."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # term vectors (not used by Folio's schema) are read by Whoosh directly, in its own layout
        self._separate_values = not self._byteids

    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def add_postings_at_once(self, ids, weights, values, lengths) -> None:
        """`add_posting` for a term's postings in document order, a block's worth at a time: the
        same blocks and statistics without a Python call per posting (bulk indexing)."""
        limit, start, count = self._blocklimit, 0, len(ids)
        while start < count:
            if len(self._ids) >= limit:
                self._write_block()
            end = min(count, start + limit - len(self._ids))
            self._ids.extend(ids[start:end])
            part = weights[start:end]
            self._weights.extend(part)
            self._maxweight = max(self._maxweight, max(part))
            self._values.extend(v for v in values[start:end] if v)
            present = [n for n in lengths[start:end] if n]
            if present:
                low = min(present)
                if self._minlength is None or low < self._minlength:
                    self._minlength = low
                self._maxlength = max(self._maxlength, max(present))
            start = end

    def _write_block(self, last=False):
        if not self._separate_values:
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        self._postfile.write(_block_bytes(_pack_head(self._mini_ids(), self._mini_weights()), self._values_bytes(), len(self._ids),
                                         self._ids[-1], self._maxweight, self._compression,
                                         length_to_byte(self._minlength), length_to_byte(self._maxlength), last))
        self._blockcount += 1
        self._new_block()

    def _mini_weights(self):
        """The block's weights as Whoosh stores them: None when all are 1, one number when all are equal."""
        weights = self._weights
        if all(w == 1.0 for w in weights):
            return None
        if all(w == weights[0] for w in weights):
            return weights[0]
        return tuple(weights)

    def _values_bytes(self) -> bytes:
        return self._joined_values(self._values, len(self._ids))

    def _joined_values(self, values: list[bytes], count: int) -> bytes:
        """Values of variable size as their lengths (little-endian uint32, one per posting) then the
        values; of fixed size simply joined; none for formats without values."""
        fixedsize = self._format.fixed_value_size()
        if not values or fixedsize == 0:
            return b""
        if fixedsize is None or fixedsize < 0:
            assert len(values) == count, "a value for every posting or none"
            return np.fromiter(map(len, values), dtype="<u4", count=len(values)).tobytes() + b"".join(values)
        return b"".join(values)


def _values_at(tail: bytes, n: int, fixedsize, indexes) -> list:
    """The values at ``indexes`` of a block of ``n`` postings, from its values as written (``tail``,
    decompressed): a table of lengths then the values, or values of ``fixedsize`` bytes each."""
    if fixedsize == 0:
        return [None] * len(indexes)
    if not tail:
        return [b""] * len(indexes)
    if fixedsize is None or fixedsize < 0:
        lengths = np.frombuffer(tail, dtype="<u4", count=n).astype(np.int64)
        ends = np.cumsum(lengths) + 4 * n
        starts = (ends - lengths).tolist()
        ends = ends.tolist()
        return [tail[starts[i]:ends[i]] for i in indexes]
    return [tail[i * fixedsize:(i + 1) * fixedsize] for i in indexes]


class SeparateValuesMatcher(W3LeafMatcher):
    """Reads blocks written with their values apart: numbers and weights first, values on demand."""

    def _goto(self, position):
        self._tail = None
        super()._goto(position)

    def _read_data(self):
        postfile, comp = self._postfile, self._compression
        headlength = unpack_int(postfile.get(self._dataoffset, _INT_SIZE))[0]
        head = postfile.get(self._dataoffset + _INT_SIZE, headlength)
        ids, weights = _head(head, comp, 0, headlength, self._blocklength)
        if isinstance(ids, np.ndarray):  # Whoosh's matcher works on tuples of Python numbers
            ids = tuple(ids.tolist())
            if isinstance(weights, np.ndarray):
                weights = tuple(weights.astype(np.float64).tolist())
        self._data = (ids, weights, None)
        self._valuesoffset = self._dataoffset + _INT_SIZE + headlength

    def _values_tail(self) -> bytes:
        if self._tail is None:
            if self._data is None:
                self._read_data()
            tail = self._postfile.get(self._valuesoffset, self._nextoffset - self._valuesoffset)
            self._tail = zlib.decompress(tail) if self._compression else tail
        return self._tail

    def values_at(self, indexes) -> list:
        """The values of the block's postings at ``indexes`` (positions within the block)."""
        return _values_at(self._values_tail(), self._blocklength, self._fixedsize, indexes)

    def _read_values(self):
        self._values = tuple(self.values_at(range(self._blocklength)))

    def remaining_blocks(self):
        """(ids, weights, values) of the rest of each block, a block at a time (what a merge of
        segments copies), instead of a few calls per posting."""
        while self.is_active():
            if self._ids is None:
                self._read_ids()
            if self._weights is None:
                self._read_weights()
            if self._values is None:
                self._read_values()
            i = self._i
            yield self._ids[i:], self._weights[i:], self._values[i:]
            self._next_block()


def _term_bytes(postfile, terminfo) -> bytes:
    """All of a term's postings as written (blocks after Whoosh's header), in one read."""
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # Whoosh reads an entry's length as a one-number tuple
        length = length[0]
    data = postfile.get(offset, length)
    if data[:len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"Block tag error {data[:4]!r}")
    return data


def _blocks(data: bytes):
    """(count, last document number, compression, where its numbers and weights start, where they
    end, where the next block starts) of each block of a term's postings (`_term_bytes`)."""
    view = BytesIO(data)
    at, last = len(WHOOSH3_HEADER_MAGIC), False
    while not last:
        size = _unpack_int_from(data, at)[0]
        last = size < 0
        view.seek(at + _INT_SIZE)
        count, last_id, _, comp, _, _ = load(view)
        head_at = view.tell() + _INT_SIZE
        at += _INT_SIZE + abs(size)
        yield count, last_id, comp, head_at, head_at + _unpack_int_from(data, head_at - _INT_SIZE)[0], at


def _head(data: bytes, comp, start: int, end: int, count: int):
    """A block's numbers (as gaps) and weights, as `_block_bytes` wrote them (see `_unpack_head`)."""
    head = data[start:end]
    return _unpack_head(zlib.decompress(head) if comp else head, count)


def block_weights(mini_weights, count: int) -> np.ndarray:
    """A block's weights as float64, from the way they are stored (see `_pack_head`)."""
    if mini_weights is None:
        return np.ones(count)
    if isinstance(mini_weights, np.ndarray):
        return mini_weights.astype(np.float64)
    if isinstance(mini_weights, float):
        return np.full(count, mini_weights)
    return np.fromiter(mini_weights, dtype=np.float64, count=count)


def whole_list(postfile, terminfo) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (int64, ascending) and weights (float64) of all of a term's postings as
    written by `FolioPostingsWriter`, deleted documents included.

    A matcher reads each block in four reads (its length, its information, the length of its
    numbers and weights, then those) through a chain of Python calls; ranking wants the whole list,
    so here the term's postings are read at once and their blocks taken apart in memory."""
    if terminfo.is_inlined():
        ids, weights, _ = terminfo.inlined_postings()
        return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
    data = _term_bytes(postfile, terminfo)
    gap_parts, weight_parts, counts = [], [], []
    for count, _, comp, start, end, _ in _blocks(data):
        mini_ids, mini_weights = _head(data, comp, start, end, count)
        gap_parts.append(_gaps_as_int64(mini_ids, count))
        counts.append(count)
        weight_parts.append(block_weights(mini_weights, count))
    ids = np.cumsum(gap_parts[0] if len(gap_parts) == 1 else np.concatenate(gap_parts))
    if len(counts) > 1:  # each block's numbers count from nought again
        ends = np.cumsum(counts)
        ids -= np.repeat(np.concatenate(([0], ids[ends[:-1] - 1])), counts)
    weights = weight_parts[0] if len(weight_parts) == 1 else np.concatenate(weight_parts)
    return ids, weights


def values_in_list(postfile, terminfo, fixedsize, docs: np.ndarray) -> list:
    """The values (positions) of a term's postings for ``docs`` (ascending document numbers, each
    known to have the term), from a list as `FolioPostingsWriter` writes it: read at once, and only
    the blocks that hold them taken apart (a phrase of common words is checked in a few documents)."""
    if terminfo.is_inlined():
        ids, _, values = terminfo.inlined_postings()
        where = np.searchsorted(np.asarray(ids, dtype=np.int64), docs).tolist()
        return [values[i] if values else b"" for i in where]
    data = _term_bytes(postfile, terminfo)
    out: list = []
    j, n = 0, len(docs)
    for count, last_id, comp, start, end, following in _blocks(data):
        if j >= n:
            break
        if docs[j] > last_id:
            continue
        k = j + int(np.searchsorted(docs[j:], last_id, side="right"))
        ids = np.cumsum(_gaps_as_int64(_head(data, comp, start, end, count)[0], count))
        tail = data[end:following]
        tail = zlib.decompress(tail) if comp else tail
        out.extend(_values_at(tail, count, fixedsize, np.searchsorted(ids, docs[j:k]).tolist()))
        j = k
    return out + [None] * (n - len(out))


def term_blocks(matcher):
    """A segment's postings of one term as blocks of (ids, weights, values), deleted documents
    included: Whoosh's filter for them is looked through (the caller's map of documents drops them)."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if isinstance(matcher, SeparateValuesMatcher):
        yield from matcher.remaining_blocks()
        return
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    if ids:
        yield ids, weights, values


class FolioPerDocReader(W3PerDocReader):
    """Whoosh's per-document reader, remembering which columns the segment has. Whoosh asks the
    file system each time for a column that is not there, so reading the length of a field without
    lengths (a merge reads every document's length in every field) was a system call each time. A
    written segment's files do not change.

    A compound segment's columns are all in its compound file (they are written with it), so one
    that is not there is not looked for on disk either, as Whoosh's reader (made to find files
    added to a segment later) would: each reader opened asked the file system about some twenty
    columns that no segment has (fields without lengths), each upload's commit a few times."""

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        self._has_column: dict[str, bool] = {}
        self._columns_in = storage.a if isinstance(storage, OverlayStorage) else storage

    def has_column(self, fieldname):
        found = self._has_column.get(fieldname)
        if found is None:
            filename = W3Codec.column_filename(self._segment, fieldname)
            found = self._has_column[fieldname] = self._columns_in.file_exists(filename)
        return found


class FolioPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer, which can be given lengths of fields indexed apart (a bulk
    writer indexes text fields for many documents at once, see `index.textbatch`): they are
    recorded as the document finishes, as if its writer had indexed those fields itself."""

    given_lengths: tuple | list = ()

    def finish_doc(self):
        for fieldname, fieldobj, length in self.given_lengths:
            self.add_field(fieldname, fieldobj, None, length)
        super().finish_doc()


class RememberedLengths:
    """A segment's field lengths, each (field, document) read from its column once. Writing postings
    asks for the length of the document of every posting, each time a read of the column file."""

    def __init__(self, lengths):
        self._lengths = lengths
        self._fieldname = None
        self._memo: dict[int, int] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        if fieldname != self._fieldname:  # postings arrive field by field
            self._fieldname, self._memo = fieldname, {}
        memo = self._memo
        if docnum not in memo:  # Whoosh's reader gives None for a length of 0: remember that too
            memo[docnum] = self._lengths.doc_field_length(docnum, fieldname, default)
        return memo[docnum]


_unpack_int_from = struct.Struct("!i").unpack_from  # as Whoosh packs an int (`pack_int`)
_TERMINFO = struct.Struct("!BfIBBfII")  # Whoosh's term entry (`W3TermInfo`), then the postings or their place
_BLOCK_ENTRY = struct.Struct("!BfIBBfIIqi")  # the entry of a term with postings in a block: its place and length
#: terms whose postings and entries `FolioFieldWriter.write_terms` writes at once, with at most
#: (unless one term has more) this many postings: their lists take some 100 bytes per posting
_TERMS_PER_WRITE = 4096
_POSTINGS_PER_WRITE = 200_000


def _lengths_at(doc_lengths, docnums: list[int]) -> list[int]:
    return doc_lengths[docnums].tolist() if doc_lengths is not None else [0] * len(docnums)


class FolioFieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment):
        """Whoosh's, with the terms written by a `TermsHashWriter`."""
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = TermsHashWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, RememberedLengths(lengths) if lengths else lengths, items)

    def write_term(self, btext: bytes, ids: list[int], weights: list[float], values: list[bytes],
                   lengths: list[int]) -> None:
        """`start_term`, `add_term_postings` and `finish_term` for a term whose postings (in document
        order, ``lengths`` their documents' lengths) are all given: `write_terms` for one term."""
        doc_lengths = np.zeros(ids[-1] + 1, dtype=np.int64)
        doc_lengths[ids] = [n or 0 for n in lengths]
        values_array = np.empty(len(values), dtype=object)
        values_array[:] = values
        self.write_terms(FieldTerms(terms=[btext], bounds=np.array([0, len(ids)]), docnums=np.array(ids, dtype=np.int64),
                                    weights=np.array(weights, dtype=np.float64), values=values_array), doc_lengths)

    def _write_by_blocks(self, btext: bytes, ids, weights, values, lengths) -> None:
        """A term through Whoosh's chain of calls (a block at a time): for postings this codec keeps
        in Whoosh's own layout, or values given for some postings only (which Whoosh refuses, or
        takes where each block has them for all its postings or none)."""
        self.start_term(btext)
        self.add_term_postings(ids, weights, values, lengths)
        self.finish_term()

    def write_terms(self, found: FieldTerms, doc_lengths: np.ndarray | None) -> None:
        """`write_term` for each of a field's terms (``doc_lengths``: each document's length in the
        field, None for a field without lengths): the same bytes, a few thousand terms at a time,
        with what their entries and blocks need worked out for all of them at once (`TermStats`),
        and their postings and entries written in one write each. A term of more than a block of
        postings is written here too, a block at a time (writing a segment of 20,000 articles took
        7.7-9.2 s with those terms through Whoosh's chain of calls, 6.1-7.1 s this way)."""
        if not found.terms:
            return
        if not self._postwriter._separate_values:
            for tbytes, ids, weights, values in found:
                self._write_by_blocks(tbytes, ids, weights, values, _lengths_at(doc_lengths, ids))
            return
        self._postwriter._format = self._format  # what `start_postings` sets for each term
        bounds, first = found.bounds, 0
        while first < len(found.terms):
            # a few thousand terms, fewer if they have many postings: their postings are made lists
            end = min(first + _TERMS_PER_WRITE, int(np.searchsorted(bounds, bounds[first] + _POSTINGS_PER_WRITE)) - 1)
            end = max(end, first + 1)
            offset, last = int(bounds[first]), int(bounds[end])
            self._write_some_terms(FieldTerms(terms=found.terms[first:end], bounds=bounds[first:end + 1] - offset,
                                              docnums=found.docnums[offset:last], weights=found.weights[offset:last],
                                              values=found.values[offset:last]), doc_lengths)
            first = end

    def _write_some_terms(self, found: FieldTerms, doc_lengths) -> None:
        """`write_terms` for a part of the field's terms."""
        postwriter = self._postwriter
        limit, inline, compression = postwriter._blocklimit, postwriter._inlinelimit, postwriter._compression
        stats, bounds = TermStats.of(found, doc_lengths), found.bounds.tolist()
        blocks = in_blocks(found, limit)  # terms of more than a block of postings cut into blocks
        block_stats = stats if blocks is found else TermStats.of(blocks, doc_lengths)
        block_bounds = blocks.bounds.tolist()
        # each term's first block (term i's blocks are firsts[i] to firsts[i + 1]): a term starts a block
        firsts = np.searchsorted(blocks.bounds, found.bounds).tolist()
        starts = blocks.bounds[:-1]
        deltas = np.diff(found.docnums, prepend=0)
        deltas[starts] = found.docnums[starts]  # a block's first number from 0
        docnums = found.docnums.tolist()
        single = found.weights.astype(np.float32)  # as Whoosh keeps them
        stored = single.astype(np.float64).tolist()
        heads = _PackedHeads(deltas, single, starts, block_stats.weights_kind)
        values = found.values.tolist()
        value_lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        value_ends = np.cumsum(value_lengths).tolist()
        value_lengths_bytes, joined = value_lengths.astype("<u4").tobytes(), b"".join(values)
        fixedsize = self._format.fixed_value_size()
        variable = fixedsize is None or fixedsize < 0
        fieldkey, postfile = pack_ushort(self._fieldid), self._postfile

        def block(j: int, last: bool) -> bytes:
            """Block ``j`` of ``blocks``: its length (negative for a term's last), information and data."""
            a, b = block_bounds[j], block_bounds[j + 1]
            if not block_stats.with_values[j] or fixedsize == 0:
                tail = b""
            else:
                tail = joined[value_ends[a] - len(values[a]):value_ends[b - 1]]
                if variable:
                    tail = value_lengths_bytes[4 * a:4 * b] + tail
            return _block_bytes(heads.head(j, a, b), tail, b - a, docnums[b - 1], block_stats.maxweights[j], compression,
                               block_stats.min_bytes[j], block_stats.max_bytes[j], last)

        pieces, entries, at = [], [], postfile.tell()
        for i, tbytes in enumerate(found.terms):
            a, b = bounds[i], bounds[i + 1]
            count, present = b - a, stats.with_values[i]
            first_block, j = firsts[i], firsts[i + 1]
            if variable and 0 < present < count:  # Whoosh's error, raised by its own chain of calls
                postfile.write(b"".join(pieces))
                self._tindex.add_many(entries)
                pieces, entries = [], []
                self._write_by_blocks(tbytes, docnums[a:b], found.weights[a:b].tolist(), values[a:b],
                                      _lengths_at(doc_lengths, docnums[a:b]))
                at = postfile.tell()
                continue
            total = stats.sums[i]
            if total is None:  # summed block by block, as Whoosh's entry adds up its blocks
                total = 0
                for k in range(first_block, j):
                    total += sum(stored[block_bounds[k]:block_bounds[k + 1]])
            maxweight, low, high = stats.maxweights[i], stats.min_bytes[i], stats.max_bytes[i]
            if count < inline:
                entry = _TERMINFO.pack(True, total, count, low, high, maxweight, docnums[a], docnums[b - 1]) + dumps(
                    (tuple(docnums[a:b]), tuple(stored[a:b]), tuple(v for v in values[a:b] if v)), 2)
            else:
                piece = WHOOSH3_HEADER_MAGIC + b"".join([block(k, k == j - 1) for k in range(first_block, j)])
                entry = _BLOCK_ENTRY.pack(False, total, count, low, high, maxweight, docnums[a], docnums[b - 1], at,
                                          len(piece))
                pieces.append(piece)
                at += len(piece)
            entries.append((fieldkey + tbytes, entry))
        postfile.write(b"".join(pieces))
        self._tindex.add_many(entries)

    def add_term_postings(self, ids, weights, values, lengths) -> None:
        """All postings of the current term at once (between `start_term` and `finish_term`)."""
        self._postwriter.add_postings_at_once(ids, weights, values, lengths)


class FolioCodec(W3Codec):
    def __init__(self, blocklimit: int = BLOCK_LIMIT, compression: int = COMPRESSION, inlinelimit: int = INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def new_segment(self, storage, indexname):
        segment = super().new_segment(storage, indexname)
        begin = getattr(storage, "begin_segment", None)  # `PreadStorage` may keep its parts in memory
        if begin is not None:
            begin(segment.make_filename(""))
        return segment

    def field_writer(self, storage, segment):
        return FolioFieldWriter(self, storage, segment)

    def per_document_writer(self, storage, segment):
        return FolioPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return FolioPerDocReader(storage, segment)

    def terms_reader(self, storage, segment):
        return open_terms(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return FolioPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if not terminfo.is_inlined():
            offset, length = terminfo.extent()
            return SeparateValuesMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
        # A field without values (identifiers, dates) has none inlined, and Whoosh's list matcher
        # would then give "" for each, where a merge of segments expects bytes.
        ids, weights, values = terminfo.inlined_postings()
        return ListMatcher(ids, weights, values or (b"",) * len(ids), format_, scorer=scorer, term=term,
                           terminfo=terminfo)


def whoosh_codec() -> W3Codec:
    """Whoosh's own codec, which archives written before this one used (tests compare the two)."""
    return W3Codec()
