"""Words' CRC-32 values worked out for many texts at once are zlib's, word for word."""

import json
import random
import zlib

import numpy as np

from index.document import count_words
from index.ingest.jsonl import read_lines
from index.reprints import fingerprint, words
from index.wordcrc import LONG_WORD, ascii_word_crcs
from tests.conftest import PEPS


def one_by_one(text: str) -> np.ndarray:
    return np.fromiter((zlib.crc32(w.encode("ascii")) for w in words(text)), dtype=np.uint64)


def random_text(rng: random.Random) -> str:
    alphabet = "abcXYZ019_ -.,;'\n\t"
    pieces = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))]
    if rng.random() < 0.3:  # words about as long as the table walk goes, and longer
        pieces.append("w" * rng.choice([LONG_WORD - 1, LONG_WORD, LONG_WORD + 1, 5 * LONG_WORD]))
    rng.shuffle(pieces)
    return " ".join(pieces)


def test_the_crcs_of_real_and_random_texts_are_zlibs():
    texts = [json.loads(line)["body"] for line in PEPS.read_text(encoding="utf-8").splitlines()[:150]]
    rng = random.Random(7)
    texts += [random_text(rng) for _ in range(300)]
    texts += ["", "   ", "...", "a", "Z", "_", "A" * 1000, "end with a word", " lead and trail "]
    for text, crcs in zip(texts, ascii_word_crcs(texts)):
        if not text.lower().isascii():
            assert crcs is None
            continue
        assert crcs.dtype == np.uint64
        assert crcs.tolist() == one_by_one(text).tolist(), text[:60]


def test_texts_hashed_a_few_at_a_time_get_the_same_values():
    rng = random.Random(11)
    texts = [random_text(rng) for _ in range(60)] + ["é"] + [random_text(rng) for _ in range(20)]
    whole = ascii_word_crcs(texts)
    for batch_bytes in (1, 50, 500):
        parts = ascii_word_crcs(texts, batch_bytes=batch_bytes)
        assert [None if p is None else p.tolist() for p in parts] == [None if w is None else w.tolist() for w in whole]


def test_a_text_with_other_letters_is_left_to_the_slow_fold():
    texts = ["Un café au lait", "plain words", "\u212a is the Kelvin sign", "naïve"]
    crcs = ascii_word_crcs(texts)
    assert crcs[0] is None and crcs[3] is None
    assert crcs[1].tolist() == one_by_one("plain words").tolist()
    # its lower case is ASCII (a Kelvin sign lowers to k): the words are those `words` finds
    assert crcs[2].tolist() == one_by_one(texts[2]).tolist() and len(crcs[2]) == 5
    assert ascii_word_crcs([]) == [] and ascii_word_crcs(["é"]) == [None]


def test_a_fingerprint_from_word_crcs_is_the_texts_own():
    texts = [json.loads(line)["body"] for line in PEPS.read_text(encoding="utf-8").splitlines()[:40]]
    texts += ["one two three", "one", ""]
    for text, crcs in zip(texts, ascii_word_crcs(texts)):
        expected, got = fingerprint(text), fingerprint(text, word_crcs=crcs)
        assert got.shingles == expected.shingles and got.keys == expected.keys
        assert got.signature.tolist() == expected.signature.tolist()


def test_records_read_in_a_chunk_are_counted_and_fingerprinted_as_alone():
    texts = ["An ASCII text about harbours, ships and their crews " * 5, "Un café, deux cafés " * 8,
             "\u212a" + " kelvin words" * 10]
    lines = [(n + 1, json.dumps({"title": f"t{n}", "text": t}).encode()) for n, t in enumerate(texts)]
    lines.insert(1, (9, b"not json"))
    read = read_lines(lines, "set.jsonl")
    assert read[1][0] is None and read[1][2] is None
    for (doc, _, print_, _), text in zip([r for r in read if r[0] is not None], texts):
        assert doc.word_count == count_words(text)
        expected = fingerprint(doc.text)
        assert print_.keys == expected.keys and print_.signature.tolist() == expected.signature.tolist()
