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


def _gappy_text(rng, length: int) -> str:
    """Like `_random_text`, with long runs of separators, long words and apostrophes between
    letters: where the stretches read around a match may miss a token the fragmenter needs. Few
    characters outside ASCII, which past a point make the whole text be read."""
    vocabulary = ["boat", "Boats", "harbour", "the", "o'boat", "b'oat", "BOAT", "z" * 150, "q" * 400,
                  "docks", "b", "it's", "ship", "boat`s"]
    rare = ["naïve", "ﬁle", "Ωmega", "bo’at", "bøat"]
    separators = [" ", " ", ", ", "\n" * 90, " " * 250, "-", "'", "' ", "(", "."]
    out = []
    while sum(map(len, out)) < length:
        word = rng.choice(rare) if rng.random() < 0.02 else rng.choice(vocabulary)
        out.append(word + (rng.choice(["—", "’ ", "…"]) if rng.random() < 0.02 else rng.choice(separators)))
    return "".join(out)


@pytest.mark.parametrize("seed", range(8))
def test_stretches_around_matches_give_the_fragments_of_the_whole_text(seed):
    import random

    from index.highlighting import CHAR_LIMIT, _context_fragments

    rng = random.Random(seed)
    memo = MemoTokens(text_analyzer())
    read_near = read_whole = 0
    for _ in range(40):
        make = _random_text if rng.random() < 0.5 else _gappy_text
        text = make(rng, rng.choice([60, 600, 3_000, 34_000 if rng.random() < 0.2 else 8_000]))
        for query in ("boat", "harbour ship", "naive file", "docks", "omega b", "o'boat it's"):
            words = words_for(query, "text")
            whole = memo.tokens(text, words, limit=CHAR_LIMIT)
            found = memo.matches(text, words, CHAR_LIMIT)
            assert found is None or found == [
                (int(whole.starts[i]), int(whole.ends[i]), whole.terms[i])
                for i in whole.matched if whole.ends[i] <= CHAR_LIMIT]
            near = memo.near_matches(text, words, CHAR_LIMIT)
            if near is None:
                read_whole += 1
                continue
            read_near += 1
            assert _context_fragments(text, near) == _context_fragments(text, whole), (seed, query, text[:300])
    assert read_near > 50 and read_whole > 0


def test_stretches_are_read_for_real_articles():
    """On ordinary prose the text is not read whole: every PEP's snippets come from stretches."""
    from index.highlighting import CHAR_LIMIT

    memo = MemoTokens(text_analyzer())
    with PEPS.open(encoding="utf-8") as f:
        bodies = [json.loads(line)["body"][:3_000] for _, line in zip(range(40), f)]
    words = words_for("python modules", "text")
    near = [memo.near_matches(body, words, CHAR_LIMIT) for body in bodies]
    assert all(n is not None for n in near)
    assert sum(len(n.matched) for n in near) > 40


def test_a_sound_mark_that_folds_away_reads_the_whole_text():
    memo = MemoTokens(text_analyzer())
    text = "boats ﾞ and more boats " * 30
    words = words_for("boat", "text")
    assert memo.near_matches(text, words, 2 ** 15) is None
    assert marked(text, words, memo) == reference_marked(text, words, text_analyzer())


def test_a_text_with_many_letters_outside_ascii_is_read_whole():
    from index.highlighting import NON_ASCII_LOOKED_AT

    memo = MemoTokens(text_analyzer())
    text = "L'été à Genève, les bateaux naïfs et le café crème. " * (NON_ASCII_LOOKED_AT // 5)
    for query in ("été", "bateaux", "cafe creme", "genève"):
        words = words_for(query, "text")
        assert memo.near_matches(text, words, 2 ** 15) is None
        for whole in (False, True):
            assert marked(text, words, memo, whole=whole) == reference_marked(text, words, text_analyzer(), whole=whole)
    short = "L'été à Genève, les bateaux naïfs. " * 3
    assert memo.near_matches(short, words_for("bateaux", "text"), 2 ** 15) is not None
