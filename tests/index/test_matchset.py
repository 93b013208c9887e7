"""The numpy match sets agree with Whoosh's own ``docs_for_query`` (the fast path behind totals and
facet counts), across segments and deletions."""

from __future__ import annotations

import numpy as np
import pytest

from index.matchset import RangeCache, matched_docnums
from index.postings import PostingsCache
from index.query import date_range_query, filter_query, parse
from tests.conftest import segmented_peps

QUERIES = [
    "python", "the", "import statement", '"type hints"', "generator OR coroutine", "async -await",
    "decorator NOT class", "typ*", "lambda~1", "author:guido", "title:unicode", "zzzznotaword",
    "published:2001..2005", "published:<2000-06", "python published:>=2010", "(pep OR python) AND module",
    '"python enhancement proposal"', '"the module"', '"import statement"~3', '"standard library" module',
    'python "type hints" generic', '"zzzznotaword python"', '"python python"', '"return value" OR "exit code"',
]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory):
    """PEPs added in three batches (three segments or more), with some documents deleted."""
    with segmented_peps(tmp_path_factory.mktemp("matchset") / "data", (40, 80, 120), slice(0, 30, 3)) as archive:
        yield archive


def whoosh_docs(searcher, q) -> np.ndarray:
    return np.array(sorted(searcher.docs_for_query(q)), dtype=np.int64)


@pytest.mark.parametrize("text", QUERIES)
def test_match_set_equals_whoosh(segmented, text):
    s = segmented.engine.searcher()
    assert len(s.reader().leaf_readers()) > 1 and s.reader().has_deletions()
    q = parse(text, s.schema).query
    expected = whoosh_docs(s, q)
    assert np.array_equal(matched_docnums(s, q, RangeCache()), expected)
    assert np.array_equal(matched_docnums(s, q), expected)
    cache = PostingsCache(min_length=1)  # lists read through the cache, then from it
    for _ in range(2):
        assert np.array_equal(matched_docnums(s, q, RangeCache(), postings=cache), expected)


@pytest.mark.parametrize("lo,hi,lo_excl,hi_excl", [
    ("1995", "2004", False, False), ("2001-03", None, False, False), (None, "2008-07-14", False, True),
    ("2003-02-01", "2003-02-01", True, False), ("1700", "1800", False, False),
])
def test_date_ranges_equal_whoosh(segmented, lo, hi, lo_excl, hi_excl):
    s = segmented.engine.searcher()
    q = date_range_query(lo, hi, lo_excl, hi_excl)
    expected = whoosh_docs(s, q)
    found = matched_docnums(s, q, RangeCache())
    assert np.array_equal(found, expected)
    if lo == "1995":
        assert len(found) > 0


def test_filters_and_every(segmented):
    s = segmented.engine.searcher()
    author = segmented.authors()[0][0]
    filt = filter_query({"author": [author], "year": ["2001", "2002"]}, "2000", None)
    queries = [filt, parse("python published:>=2001", s.schema).query, parse("* NOT python", s.schema).query,
               parse("python -generator", s.schema).query, date_range_query("2000-01-01", None)]
    for q in queries:
        assert np.array_equal(matched_docnums(s, q, RangeCache()), whoosh_docs(s, q))


@pytest.mark.parametrize("text", ['"standard library" module', '"import statement"~3', "python module"])
def test_match_set_within_candidates(segmented, text):
    """Limited to a set of candidates, the match set is the full one intersected with them."""
    s = segmented.engine.searcher()
    q = parse(text, s.schema).query
    everything = whoosh_docs(s, q)
    candidates = np.arange(0, s.reader().doc_count_all(), 3, dtype=np.int64)
    assert np.array_equal(matched_docnums(s, q, within=candidates), np.intersect1d(everything, candidates))
    assert len(everything)


@pytest.mark.parametrize("text", ['"python code"', '"standard library"', '"new module"', '"function call"~3',
                                  '"python enhancement proposal"'])
def test_phrases_of_words_in_several_blocks_equal_whoosh(peps, text):
    """Positions are read only from the blocks holding the candidates; words of the whole PEPs
    corpus fill more than one block."""
    from index.codec import BLOCK_LIMIT

    s = peps.engine.searcher()
    q = parse(text, s.schema).query
    assert s.doc_frequency("text", "python") > BLOCK_LIMIT  # in more than one block of each segment
    expected = whoosh_docs(s, q)
    assert len(expected) > 0
    assert np.array_equal(matched_docnums(s, q, RangeCache()), expected)


@pytest.mark.parametrize("legacy", [False, True])
def test_dates_read_from_columns_equal_the_terms(tmp_path, legacy):
    """Date ranges take each segment's dates from its column in one read; they are the numbers the
    index's own terms hold, for segments with undated and deleted documents, in both schemas."""
    import dataclasses

    from index.archive import Archive
    from index.engine import Engine
    from index.ingest.jsonl import iter_lines, read_line
    from tests.conftest import PEPS

    root = tmp_path / "data"
    Engine(root / "index", legacy_schema=legacy).close()
    with Archive(root) as archive:
        lines = [line for number, line in iter_lines(PEPS.read_bytes()) if number <= 90]
        for part in (lines[:40], lines[40:]):
            batch = []
            for number, line in enumerate(part):
                doc = read_line(line, "peps.jsonl", number)
                batch.append((dataclasses.replace(doc, published=None) if number % 7 == 0 else doc, line, {}))
            archive.add_many(batch)
        archive.delete(archive.catalog.ids()[3])
        undated = {doc_id for doc_id, doc in archive.catalog.get_many(archive.catalog.ids()).items()
                   if not doc.published}
        assert undated
        s = archive.engine.searcher()
        leaves = [leaf for leaf, _ in s.reader().leaf_readers()]
        assert len(leaves) >= 2
        for leaf in leaves:
            from_column = RangeCache._from_column(leaf, "published")
            docs, values = RangeCache._from_terms(leaf, "published")
            if legacy:  # DATETIME's column holds other numbers than its terms: read from the terms
                assert from_column is None and 0 < len(docs) < leaf.doc_count_all()
                continue
            assert from_column is not None
            live = np.array([not leaf.is_deleted(d) for d in from_column[0]], dtype=bool)  # the terms skip deleted ones
            assert np.array_equal(from_column[0][live], docs) and np.array_equal(from_column[1][live], values)
            assert 0 < len(docs) < leaf.doc_count_all()  # undated documents have no value
        assert any(leaf.has_deletions() for leaf in leaves)
        q = date_range_query("1990", None)
        assert np.array_equal(matched_docnums(s, q, RangeCache()), whoosh_docs(s, q))


def test_positions_read_together_equal_one_value_at_a_time():
    """Word positions are unpickled for many postings at once; the same positions as decoding each
    value, for empty, long and far-apart lists, and values in another layout are decoded one by one."""
    from types import SimpleNamespace

    from index.postings import position_decoder, positions_of
    from index.schema import build_schema

    schema = build_schema()
    fmt, decode = schema["text"].format, position_decoder(SimpleNamespace(schema=schema), "text")
    assert decode.gaps
    lists = [[0], [3, 10, 400, 70_000, 2**31 - 5], [], list(range(0, 3000, 2)), [7, 8], [1]]
    values = [fmt.encode(p) for p in lists]
    for chosen in (values, values[:1], values[1:3], values[2:3]):
        counts, positions = positions_of(chosen, decode)
        assert counts.tolist() == [len(decode(v)) for v in chosen]
        assert positions.tolist() == [x for v in chosen for x in decode(v)]
    odd = values[:2] + [values[4][:-1]]  # a value without its stop mark: decoded on its own
    assert positions_of(odd, decode)[1].tolist() == lists[0] + lists[1] + lists[4]


def test_words_absent_from_a_small_field_are_known_without_reading_the_index(segmented, monkeypatch):
    import index.postings
    from index.postings import read_postings, small_vocabulary

    leaf = segmented.engine.searcher().reader().leaf_readers()[0][0]
    authors = set(leaf.field_terms("author"))
    assert small_vocabulary(leaf, "author") == authors and authors
    assert small_vocabulary(leaf, "text") is None  # too many to keep
    present = sorted(authors)[0]
    expected = read_postings(leaf, "author", present)
    reads = []
    real = index.postings._read_written
    monkeypatch.setattr(index.postings, "_read_written", lambda *a: reads.append(a[2]) or real(*a))
    cache = PostingsCache(min_length=1)
    assert len(read_postings(leaf, "author", "zzzznotaname", cache=cache)) == 0
    assert reads == []
    found = read_postings(leaf, "author", present, cache=cache)
    assert reads == [present] and found.ids.tolist() == expected.ids.tolist() and len(found)


@pytest.mark.parametrize("size", [0, 1, 2, 159, 160, 161, 1000, 2560, 5000])
def test_range_documents_put_in_order_by_mask_or_sort_are_numpys_unique(size):
    from index.matchset import MASK_SHARE, _sorted_distinct

    n = 2560  # a range of more than MASK_SHARE * n documents goes through the mask
    rng = np.random.default_rng(size)
    docs = rng.integers(0, n, size).astype(np.int64)  # repeats among them
    found = _sorted_distinct(docs, n)
    assert found.tolist() == np.unique(docs).tolist() and found.dtype == np.int64
    assert (size > MASK_SHARE * n) == (size > 160)
