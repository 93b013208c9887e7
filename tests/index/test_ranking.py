"""The ranker's shortcuts change nothing that is shown: whole-column field lengths equal Whoosh's
per-document ones, and the proximity bonus checked only near the top leaves the top in the same order."""

from __future__ import annotations

import numpy as np
import pytest

from index.postings import field_lengths
from tests.conftest import segmented_peps


@pytest.fixture(scope="module")
def peps(tmp_path_factory):
    with segmented_peps(tmp_path_factory.mktemp("ranking") / "data", (150, 300), slice(0, 40, 4)) as archive:
        yield archive


def test_field_lengths_equal_whoosh_per_document(peps):
    reader = peps.engine.searcher().reader()
    assert len(reader.leaf_readers()) > 1
    for leaf, _ in reader.leaf_readers():
        for fieldname in ("title", "text", "author", "publication", "tag"):
            expected = [leaf.doc_field_length(d, fieldname, 0) or 0 for d in range(leaf.doc_count_all())]
            assert field_lengths(leaf, fieldname).tolist() == expected
        assert field_lengths(leaf, "text").sum() > 0


def best(ranked, k):
    order = np.lexsort((ranked.docnums, -ranked.scores))[:k]
    return ranked.docnums[order].tolist(), np.round(ranked.scores[order], 9).tolist()


@pytest.mark.parametrize("words", [["python", "module"], ["type", "hints"], ["the", "import", "statement"],
                                   ["standard", "library", "module", "python"]])
def test_bonus_near_the_top_keeps_the_top_in_order(peps, words):
    s = peps.engine.searcher()
    ranker = peps.engine.ranker
    full = ranker.rank(s, words, require_all=False)
    assert len(full.docnums) > 40
    for need in (1, 10, 25):
        part = ranker.rank(s, words, require_all=False, need=need)
        assert sorted(part.docnums.tolist()) == sorted(full.docnums.tolist())
        assert best(part, need) == best(full, need)


@pytest.mark.parametrize("q", ["type hints", '"standard library" module', "python module import"])
def test_a_search_reads_each_list_from_the_index_once(peps, monkeypatch, q):
    """Ranking, the bonus for words standing close and phrase checks share the lists a search has
    read, short ones included; the answer is the one read afresh each time."""
    import index.postings
    from index.postings import PostingsCache
    from index.resultcache import ResultCache
    from index.search import SearchRequest

    engine = peps.engine
    expected = peps.search(SearchRequest(q=q, per_page=20)).hits
    monkeypatch.setattr(engine, "results", ResultCache())
    monkeypatch.setattr(engine.ranker, "postings", PostingsCache(min_length=10 ** 9))  # keeps no list
    reads = []
    real = index.postings._read_written
    monkeypatch.setattr(index.postings, "_read_written",
                        lambda reader, fieldname, term, values: reads.append((id(reader), fieldname, term, values))
                        or real(reader, fieldname, term, values))
    found = peps.search(SearchRequest(q=q, per_page=20)).hits
    assert [(h.id, h.score) for h in found] == [(h.id, h.score) for h in expected] and found
    lists = [r for r in reads if not r[3]]
    assert lists and len(lists) == len(set(lists))
