"""Snippets cut from the memo of analysed words are the ones Whoosh's highlighter gives with the
field analyzer itself (ties between equal fragments going to the earlier one)."""

from __future__ import annotations

import json

import pytest

from index.highlighting import MemoTokens, marked, reference_marked
from index.query import parse
from index.schema import build_schema, text_analyzer
from tests.conftest import PEPS

QUERIES = ["python", "import statements", '"type hints"', "generators coroutines", "unicode strings",
           "exceptions NOT warning", "modules loaded", "Guido's proposal", "résumé", "zzzz",
           "Löwis naïve", "don't", "O'Reilly", "x", "l'été"]


@pytest.fixture(scope="module")
def texts():
    with PEPS.open(encoding="utf-8") as f:
        return [json.loads(line) for _, line in zip(range(60), f)]


def words_for(query: str, fieldname: str) -> frozenset[str]:
    parsed = parse(query, build_schema())
    return frozenset(t.decode() if isinstance(t, bytes) else t
                     for f, t in parsed.text_query.iter_all_terms(phrases=True) if f == fieldname)


@pytest.mark.parametrize("query", QUERIES)
def test_memo_gives_the_analyzers_snippets(texts, query):
    memo = MemoTokens(text_analyzer())
    words = words_for(query, "text")
    found = 0
    for record in texts:
        for text, whole in ((record["body"], False), (record["title"], True)):
            expected = reference_marked(text, words, text_analyzer(), whole=whole)
            assert marked(text, words, memo, whole=whole) == expected
            found += "<mark>" in expected
    if query not in ("zzzz", "l'été", "x", "O'Reilly", "Löwis naïve"):
        assert found > 0


def test_apostrophes_accents_and_ligatures_at_the_start_of_words():
    text = ("L’été de Cuba’s ÉCONOMIE: O'Reilly wrote the ﬁle on Œuvres, `quoted` words, "
            "naïve Naïve NAÏVE and l'economie. " * 3)
    memo = MemoTokens(text_analyzer())
    for query in ["été", "cuba", "economie", "reilly", "oreilly", "file", "oeuvres", "quoted", "naive", "l'economie"]:
        words = words_for(query, "text")
        for whole in (False, True):
            assert marked(text, words, memo, whole=whole) == reference_marked(text, words, text_analyzer(), whole=whole)


def test_same_snippet_every_time_and_escaped():
    memo = MemoTokens(text_analyzer())
    text = ("<b>Boats</b> & harbours. " + "Filler words here. " * 20) * 3
    first = marked(text, frozenset({"boat"}), memo)
    assert first == marked(text, frozenset({"boat"}), MemoTokens(text_analyzer()))
    assert first.count("<mark>Boats</mark>") == 3 and "&lt;b&gt;" in first and "&amp;" in first
    assert "<b>" not in first


def test_memo_is_bounded():
    memo = MemoTokens(text_analyzer(), size=50)
    text = " ".join(f"word{i}" for i in range(500))
    assert marked(text, frozenset({"word7"}), memo).count("<mark>") == 1
    assert len(memo.memo) <= 50
