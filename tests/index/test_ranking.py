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
