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


def _random_text(rng, length: int) -> str:
    """Words of every length (some longer than a fragment), matches alone and in runs, and all
    kinds of separators: the cases where fragments start, stop and run into each other."""
    vocabulary = ["boat", "boats", "harbour", "the", "a", "of", "sailing", "Boat's", "l'boat", "x" * 70,
                  "y" * 190, "ship", "shipping", "naïve", "Œuvre", "docks", "b", "bo", "harbours"]
    separators = [" ", " ", " ", ", ", ". ", "\n\n", " — ", "  ", "-", "'"]
    out = []
    while sum(map(len, out)) < length:
        word = rng.choice(vocabulary) if rng.random() < 0.8 else "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 14)))
        out.append(word + rng.choice(separators))
    return "".join(out)


@pytest.mark.parametrize("seed", range(12))
def test_fragments_equal_whoosh_on_random_texts(seed):
    import random

    rng = random.Random(seed)
    memo = MemoTokens(text_analyzer())
    for _ in range(25):
        length = rng.choice([40, 300, 2_000, 34_000 if rng.random() < 0.3 else 5_000])
        text = _random_text(rng, length)
        for query in ("boat", "harbour ship", "naive oeuvre", "docks", "y" * 190 + " docks"):
            words = words_for(query, "text")
            for whole in (False, True):
                assert marked(text, words, memo, whole=whole) == reference_marked(
                    text, words, text_analyzer(), whole=whole), (seed, query, whole, text[:200])


def test_a_token_across_the_character_limit():
    """Only the first 32 KB are looked at; the first word that ends past them still counts, even
    when it is very long (the text is read in two steps)."""
    from index.highlighting import CHAR_LIMIT

    memo = MemoTokens(text_analyzer())
    words = words_for("boat", "text")
    for pad in (CHAR_LIMIT - 3, CHAR_LIMIT - 500, CHAR_LIMIT + 10):
        for tail in ("boat" + "s" * 3000 + " boat", "boat boat", "z" * 2500 + " boat"):
            text = "boat " + "a" * (pad - 5) + " " + tail + " more words " * 300
            for whole in (False, True):
                assert marked(text, words, memo, whole=whole) == reference_marked(
                    text, words, text_analyzer(), whole=whole)
