"""Telling many texts' languages at once gives what telling each one gives."""

import json
import random

from index.errors import FolioError
from index.ingest.jsonl import read_line, read_lines
from index.ingest.languages import detect_languages
from index.ingest.normalize import detect_language
from tests.index.test_normalize import language_texts


def test_many_texts_at_once_get_the_languages_each_gets_alone():
    texts = language_texts()
    texts += ["", "Hi there", "12345 " * 50, "peace " * 8 + "12345", "ÉTAT D'URGENCE DÉCLARÉ DANS LA RÉGION " * 3]
    random.Random(5).shuffle(texts)  # texts of every length side by side
    alone = [detect_language(text) for text in texts]
    assert detect_languages(texts) == alone
    assert [detect_languages([text])[0] for text in texts[:20]] == alone[:20]
    assert {"en", "fr", "de", "es", "ru", "ja", None} <= set(alone)
    assert detect_languages([]) == []


def test_records_read_a_chunk_at_a_time_are_the_records_read_one_by_one():
    texts = language_texts()
    lines = [json.dumps({"title": f"Record {n}", "text": text}).encode() for n, text in enumerate(texts)]
    lines.append(json.dumps({"title": "Given", "text": texts[0], "language": "DE"}).encode())
    lines.append(json.dumps({"title": "Blank", "text": texts[1], "language": "  "}).encode())
    lines.append(json.dumps({"title": "Empty", "text": " "}).encode())
    chunk = list(enumerate(lines, start=1))
    together = [(doc and {**doc.to_dict(), "ingested_at": None}, problem)
                for doc, problem, _, _ in read_lines(chunk, "mixed.jsonl")]
    alone = []
    for number, line in chunk:
        try:
            alone.append(({**read_line(line, "mixed.jsonl", number).to_dict(), "ingested_at": None}, None))
        except FolioError as exc:
            alone.append((None, exc.message))
    assert together == alone
    assert together[-3][0]["language"] == "de" and together[-2][0]["language"] == ""
    assert together[-1] == (None, alone[-1][1]) and "no text" in alone[-1][1]
    assert {"en", "fr", "ja"} <= {doc["language"] for doc, _ in together if doc}


def test_a_texts_features_come_once_each_in_the_order_first_reached_with_their_counts():
    import numpy as np

    from index.ingest.languages import _Scratch

    rng = np.random.default_rng(3)
    scratch = _Scratch(500)
    for size in (1, 2, 7, 300, 5000, 0):  # one table for text after text
        visits = rng.integers(0, 500 if size != 300 else 20, size)
        found, counts = scratch.distinct_in_order(visits)
        expected = list(dict.fromkeys(visits.tolist()))
        assert found.tolist() == expected
        assert counts.tolist() == [visits.tolist().count(f) for f in expected]
