"""The index format (index/codec.py): posting lists of one document kept in the term dictionary,
larger blocks and positions kept apart give the same postings, searches and merges as Whoosh's own
format, in less space, alone or mixed with segments in Whoosh's format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.archive import Archive
from index.codec import FolioCodec, whoosh_codec
from index.search import SearchRequest
from tests.conftest import load_peps

QUERIES = ("python", '"standard library"', "author:guido", "title:unicode", "published:2001..2005", "lambda~1",
           '"python enhancement proposal"', "typ*")


def build(root: Path, codecs: tuple) -> Archive:
    """PEPs in three batches (three segments), written with ``codecs`` in turn, some deleted."""
    archive = Archive(root)
    for limit, codec in zip((40, 80, 160), codecs):
        archive.engine.codec = codec
        load_peps(archive, limit=limit)
    for doc_id in archive.catalog.ids()[0:40:4]:
        archive.delete(doc_id)
    return archive


def every_posting(archive: Archive) -> dict:
    reader = archive.engine.searcher().reader()
    out = {}
    for fieldname, text in reader.all_terms():
        m = reader.postings(fieldname, text)
        items = []
        while m.is_active():
            items.append((m.id(), round(m.weight(), 4), m.value() or b""))
            m.next()
        out[fieldname, text] = items
    return out


def inlined_terms(archive: Archive) -> int:
    count = 0
    for segment, _ in archive.engine.searcher().reader().leaf_readers():
        for fieldname, text in segment.all_terms():
            count += segment.term_info(fieldname, text).is_inlined()
    return count


def index_bytes(root: Path) -> int:
    return sum(f.stat().st_size for f in (root / "index").iterdir() if f.is_file())


def answers(archive: Archive) -> list:
    return [[(h.id, h.snippet) for h in archive.search(SearchRequest(q=q, per_page=50)).hits] for q in QUERIES]


def test_same_postings_and_answers_as_whoosh_format_before_and_after_merging(tmp_path):
    ours = build(tmp_path / "ours", (FolioCodec(),) * 3)
    mixed = build(tmp_path / "mixed", (whoosh_codec(), FolioCodec(), whoosh_codec()))
    theirs = build(tmp_path / "theirs", (whoosh_codec(),) * 3)
    try:
        for merged in (False, True):
            assert len(ours.engine.searcher().reader().leaf_readers()) == (1 if merged else 3)
            expected = every_posting(theirs)
            assert every_posting(ours) == expected and every_posting(mixed) == expected
            assert answers(ours) == answers(theirs) == answers(mixed) and all(answers(ours))
            assert inlined_terms(ours) > 1000 and inlined_terms(theirs) == 0
            assert index_bytes(tmp_path / "ours") < 0.95 * index_bytes(tmp_path / "theirs")
            for archive in (ours, mixed, theirs):  # merge every segment into one
                archive.engine.codec = FolioCodec() if archive is not theirs else whoosh_codec()
                archive.engine.bulk_load([])
    finally:
        for archive in (ours, mixed, theirs):
            archive.close()


def test_small_blocks_are_stored_as_they_are_and_larger_ones_compressed(tmp_path):
    from index.codec import COMPRESSION, INLINE_LIMIT

    archive = Archive(tmp_path / "a")
    load_peps(archive, limit=120)
    reader = archive.engine.searcher().reader()
    kinds = set()
    for fieldname, text in reader.all_terms():
        if reader.doc_frequency(fieldname, text) >= INLINE_LIMIT:  # a block in the postings file
            kinds.add(reader.postings(fieldname, text)._compression)  # the first block's
    assert kinds == {0, COMPRESSION}
    archive.close()


def test_terms_file_opened_at_once_reads_as_whooshs_reader_does(tmp_path):
    """`index.termsfile` reads a term dictionary's directory in one go: the same tables, extras,
    keys and entries as Whoosh's reader of the same file."""
    from whoosh.filedb.filetables import OrderedHashReader

    from index.termsfile import TermsHashReader

    archive = Archive(tmp_path / "a")
    for limit in (15, 30):  # two segments
        load_peps(archive, limit=limit)
    storage = archive.engine.ix.storage
    checked = 0
    for segment in archive.engine.ix._segments():
        files = segment.open_compound_file(storage) if segment.is_compound() else storage
        name = segment.make_filename(FolioCodec.TERMS_EXT)
        length = files.file_length(name)
        ours, whooshs = TermsHashReader(files.open_file(name), length), OrderedHashReader(files.open_file(name), length)
        assert ours.tables == whooshs.tables and len(ours.tables) == 256
        assert ours.extras == whooshs.extras and (ours.startofdata, ours.endofdata) == (whooshs.startofdata, whooshs.endofdata)
        keys = list(whooshs.keys())
        assert list(ours.keys()) == keys and len(keys) > 100
        assert all(ours[key] == whooshs[key] for key in keys[::37])
        assert ours.closest_key(keys[len(keys) // 2]) == keys[len(keys) // 2]
        checked += 1
    assert checked == 2
    archive.close()


@pytest.mark.parametrize("count", [0, 3, 5000])
def test_terms_file_is_written_byte_for_byte_as_whooshs_writer_does(tmp_path, count):
    """`index.termsfile.TermsHashWriter` counts places and writes in fewer steps: the same file as
    Whoosh's writer of the same terms, with empty, shared and crowded hash tables."""
    import random

    from whoosh.filedb.filetables import OrderedHashWriter

    from index.files import PreadStorage
    from index.termsfile import TermsHashReader, TermsHashWriter

    rng = random.Random(count)
    keys = sorted({bytes([0, rng.randrange(3)]) + rng.randbytes(rng.randrange(1, 9)) for _ in range(count)})
    values = [rng.randbytes(rng.randrange(0, 40)) for _ in keys]
    storage = PreadStorage(str(tmp_path))
    written = {}
    for kind in (OrderedHashWriter, TermsHashWriter):
        writer = kind(storage.create_file(kind.__name__))
        writer.extras["fieldmap"] = {"text": 0}
        for key, value in zip(keys, values):
            writer.add(key, value)
        writer.close()
        written[kind] = (tmp_path / kind.__name__).read_bytes()
    assert written[TermsHashWriter] == written[OrderedHashWriter]
    reader = TermsHashReader(storage.open_file(TermsHashWriter.__name__), len(written[TermsHashWriter]))
    assert list(reader.keys()) == keys
    assert all(reader[key] == value for key, value in zip(keys[::50], values[::50]))
    writer = TermsHashWriter(storage.create_file("disordered"))
    writer.add(b"b", b"")
    with pytest.raises(ValueError):
        writer.add(b"a", b"")


@pytest.mark.parametrize("count", [3, 5000])  # tables of a key or none; crowded ones, probed past their end
def test_terms_file_lookups_find_what_whooshs_reader_finds(tmp_path, count):
    """`TermsHashReader` looks a key up in fewer reads (`value_of`, `ranges_for_key`, ``in``): the
    same answers as Whoosh's reader for every key, for values longer than it reads at first, and
    for keys the file does not have."""
    import random

    from whoosh.filedb.filetables import OrderedHashReader

    from index.files import PreadStorage
    from index.termsfile import TermsHashReader, TermsHashWriter

    rng = random.Random(count)
    keys = sorted({bytes([0, rng.randrange(3)]) + rng.randbytes(rng.randrange(1, 9)) for _ in range(count)})
    values = [rng.randbytes(rng.choice((0, 1, 40, 63, 64, 65, 300))) for _ in keys]
    storage = PreadStorage(str(tmp_path))
    writer = TermsHashWriter(storage.create_file("terms"))
    writer.extras["fieldmap"] = {"text": 0}
    for key, value in zip(keys, values):
        writer.add(key, value)
    writer.close()
    length = (tmp_path / "terms").stat().st_size
    ours = TermsHashReader(storage.open_file("terms"), length)
    whooshs = OrderedHashReader(storage.open_file("terms"), length)
    for key, value in zip(keys, values):
        assert ours.value_of(key) == value == whooshs[key]
        assert list(ours.ranges_for_key(key)) == list(whooshs.ranges_for_key(key))
        assert key in ours
    present = set(keys)
    absent = [k for k in ({bytes([0, rng.randrange(3)]) + rng.randbytes(rng.randrange(1, 9)) for _ in range(3000)}
                          | {key[:-1] + bytes([(key[-1] + 1) % 256]) for key in keys}) if k not in present]
    assert len(absent) > 1000
    for key in absent:
        assert ours.value_of(key) is None and key not in ours and not list(ours.ranges_for_key(key))
        assert key not in whooshs


def test_terms_file_that_is_not_one_is_refused(tmp_path):
    from whoosh.filedb.filetables import FileFormatError

    from index.files import PreadStorage
    from index.termsfile import TermsHashReader

    (tmp_path / "x.trm").write_bytes(b"NOPE" + bytes(5000))
    storage = PreadStorage(str(tmp_path))
    with pytest.raises(FileFormatError):
        TermsHashReader(storage.open_file("x.trm"), 5004)


def test_columns_of_a_compound_segment_are_not_looked_for_on_disk(archive):
    """A field without lengths has no column; a reader of a compound segment knows that from the
    compound file alone, without asking the file system beside it."""
    from tests.index.test_segments import note

    for i in range(2):
        archive.add(note(i), f"n{i}.txt")
    storage = archive.engine.ix.storage
    asked = []
    file_exists = storage.file_exists
    storage.file_exists = lambda name: asked.append(name) or file_exists(name)
    reader = archive.engine.ix.reader()
    try:
        leaves = reader.leaf_readers()
        assert leaves
        for leaf, _ in leaves:
            assert leaf.doc_field_length(0, "id") == 0  # no lengths kept for ids
            assert leaf.doc_field_length(0, "text") > 0
    finally:
        reader.close()
    assert not [name for name in asked if name.endswith(".col")], asked


@pytest.mark.parametrize("pickled", [False, True])  # heads packed, or pickled as in earlier segments
@pytest.mark.parametrize("count", [1, 2, 511, 512, 513, 1500])  # inlined, one block, several blocks
def test_a_terms_whole_list_and_its_values_are_what_its_matcher_reads(tmp_path, monkeypatch, count, pickled):
    import random

    import index.codec
    from index.codec import values_in_list, whole_list

    if pickled:
        monkeypatch.setattr(index.codec, "_pack_head", pickled_head)

    archive = Archive(tmp_path / "a")
    storage, codec = archive.engine.ix.storage, FolioCodec()
    fieldobj = archive.engine.ix.schema["text"]
    rng = random.Random(count)
    try:
        for weighting in ((1.0,), (2.0,), (1, 1, 2, 3.5), (1, 2, 300)):  # all 1, all the same, mixed
            segment = codec.new_segment(storage, "MAIN")
            writer = codec.field_writer(storage, segment)
            writer.start_field("text", fieldobj)
            writer.start_term(b"word")
            for docnum in sorted(rng.sample(range(5000), count)):
                positions = sorted(rng.sample(range(900), rng.randint(1, 4)))
                writer.add(docnum, float(rng.choice(weighting)), fieldobj.format.encode(positions), 7)
            writer.finish_term()
            writer.finish_field()
            writer.close()
            terms = codec.terms_reader(storage, segment)
            m = terms.matcher("text", b"word", fieldobj.format)
            expected = []
            while m.is_active():
                expected.append((m.id(), m.weight(), m.value()))
                m.next()
            info = terms.term_info("text", b"word")
            ids, weights = whole_list(terms._postfile, info)
            assert len(expected) == count
            assert list(zip(ids.tolist(), weights.tolist())) == [(d, w) for d, w, _ in expected]
            assert ids.dtype == np.int64 and weights.dtype == np.float64
            for chosen in (expected, expected[::7], expected[-1:], expected[510:515]):  # first, some, last blocks
                docs = np.array([d for d, _, _ in chosen], dtype=np.int64)
                found = values_in_list(terms._postfile, info, fieldobj.format.fixed_value_size(), docs)
                assert found == [v for _, _, v in chosen]
            terms.close()
    finally:
        archive.close()


def pickled_head(mini_ids, mini_weights) -> bytes:
    """A block's numbers and weights as Whoosh, and Folio's segments written before packed heads,
    keep them: one pickle of a tuple of gaps and None, one number or a tuple of weights."""
    from pickle import dumps

    if mini_weights is not None and np.ndim(mini_weights):
        mini_weights = tuple(float(w) for w in mini_weights)
    elif mini_weights is not None:
        mini_weights = float(mini_weights)
    return dumps((tuple(int(g) for g in mini_ids), mini_weights), 2)


@pytest.mark.parametrize("top_gap", [0, 255, 256, 65535, 65536, 2**32 - 1])
@pytest.mark.parametrize("weights", [None, 1.0, 2.5, (1, 2, 3), (1, 255, 256), (1, 65535, 65536), (0.5, 1, 2),
                                     (1e-3, 3.0e38, 7)])
def test_packed_head_gives_back_the_gaps_and_weights_it_was_given(top_gap, weights):
    from index.codec import _pack_head, _unpack_head, block_weights

    gaps = [top_gap, 0, 1, top_gap // 2, 3][:3 if weights is not None and np.ndim(weights) else 5]
    if weights is not None and np.ndim(weights):
        weights = [float(np.float32(w)) for w in weights]  # single precision, as Whoosh keeps them
    packed = _pack_head(gaps, weights)
    got_gaps, got_weights = _unpack_head(packed, len(gaps))
    assert got_gaps.astype(np.int64).tolist() == gaps
    expected = np.ones(len(gaps)) if weights is None else np.asarray(np.broadcast_to(weights, len(gaps)), np.float64)
    assert block_weights(got_weights, len(gaps)).tolist() == expected.tolist()
    # what Whoosh's pickle of the same block gives back, read by the same function
    old_gaps, old_weights = _unpack_head(pickled_head(gaps, weights), len(gaps))
    assert list(old_gaps) == gaps
    assert block_weights(old_weights, len(gaps)).tolist() == expected.tolist()


def head_marks(archive: Archive) -> set[int]:
    """The first byte of the numbers and weights of every block of the text field's terms."""
    import zlib

    from index.codec import _blocks, _term_bytes

    marks = set()
    for segment, _ in archive.engine.searcher().reader().leaf_readers():
        for fieldname, text in segment.all_terms():
            info = segment.term_info(fieldname, text)
            if fieldname == "text" and not info.is_inlined():
                data = _term_bytes(segment._terms._postfile, info)
                for _, _, comp, start, end, _ in _blocks(data):
                    marks.add((zlib.decompress(data[start:end]) if comp else data[start:end])[0])
    return marks


def test_packed_heads_are_smaller_than_pickled_ones_and_read_the_same(tmp_path, monkeypatch):
    import index.codec

    packed = build(tmp_path / "packed", (FolioCodec(),) * 3)
    with monkeypatch.context() as patched:  # segments as written before heads were packed
        patched.setattr(index.codec, "_pack_head", pickled_head)
        pickled = build(tmp_path / "pickled", (FolioCodec(),) * 3)
    try:
        assert index_bytes(tmp_path / "packed") < 0.97 * index_bytes(tmp_path / "pickled")
        assert head_marks(packed) == {0x4E} and head_marks(pickled) == {0x80}
        for merged in (False, True):
            assert every_posting(pickled) == every_posting(packed)
            assert answers(pickled) == answers(packed) and all(answers(packed))
            for archive in (packed, pickled):  # merging rewrites the pickled segments packed
                archive.engine.bulk_load([])
        assert head_marks(pickled) == {0x4E}
    finally:
        packed.close()
        pickled.close()
