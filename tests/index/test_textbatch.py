"""Text fields of many documents indexed at once (index/textbatch.py) give each document the
postings and length `MemoText` gives it alone."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
import pytest

from index.schema import build_schema
from index.textbatch import batchable, index_field
from tests.conftest import PEPS
from tests.index.test_bulkwriter import WORDS, random_text


def one_at_a_time(field, values, first_docnum):
    postings, lengths = defaultdict(dict), []
    for docnum, value in enumerate(values, first_docnum):
        items = list(field.index(value)) if value else []
        for term, freq, weight, encoded in items:
            postings[term][docnum] = (weight, encoded)
        lengths.append(sum(freq for _, freq, _, _ in items) if field.scorable else 0)
    return dict(postings), lengths


def all_at_once(field, values, first_docnum):
    found = index_field(field, values, first_docnum)
    docnums, weights = found.docnums.tolist(), found.weights.tolist()
    postings = {term: {docnums[i]: (weights[i], found.values[i]) for i in range(start, end)}
                for term, start, end in zip(found.terms, found.starts.tolist(), found.ends.tolist())}
    assert len(set(found.terms)) == len(found.terms)  # a term once
    for start, end in zip(found.starts.tolist(), found.ends.tolist()):
        assert docnums[start:end] == sorted(set(docnums[start:end]))  # each term's postings in order
    return postings, found.lengths


@pytest.mark.parametrize("name", ["title", "text", "author", "publication", "original_publication"])
def test_many_documents_at_once_get_what_each_gets_alone(name):
    field = build_schema()[name]
    assert batchable(field)
    rng = random.Random(name)
    values = [random_text(rng) for _ in range(300)]
    values += ["", None, "   ", "the of and", "the cat", "x's", "The Peace of Westphalia's terms", "the"]
    values += [line[:3000] for line in PEPS.read_text(encoding="utf-8").splitlines()[:40]]
    rng.shuffle(values)
    assert all_at_once(field, values, 17) == one_at_a_time(field, values, 17)


def test_batches_one_after_another_get_what_each_document_gets_alone_when_numbering_starts_over():
    """Words keep their term numbers from batch to batch (and from field to field of one analyzer)
    until the numbering holds its limit of words and starts over, between two batches."""
    schema = build_schema()
    plan = schema["text"]._memo_plan()
    size = plan.numbers.size
    plan.numbers.size = 200
    try:
        rng = random.Random(4)
        for batch in range(6):
            field = schema["title" if batch % 2 else "text"]
            values = [random_text(rng) for _ in range(30)] + ["the of and", "The Peace of Westphalia's terms"]
            assert all_at_once(field, values, batch) == one_at_a_time(field, values, batch)
            assert len(plan.numbers) < 200 + sum(len(plan.words_of(v)) for v in values)
    finally:
        plan.numbers.size = size


def test_documents_without_words_get_no_postings():
    field = build_schema()["text"]
    found = index_field(field, [None, "", "the of and", "  "], 0)
    assert found.terms == [] and found.lengths == [0, 0, 0, 0] and found.values == []


def test_fields_it_cannot_index_are_left_to_the_writer():
    schema, legacy = build_schema(), build_schema(legacy=True)
    assert not batchable(legacy["text"])  # Whoosh's own TEXT field
    assert not any(batchable(schema[name]) for name in ("id", "tag", "year", "author_exact", "published"))


@pytest.mark.parametrize("stem", [True, False])
def test_a_words_term_worked_out_directly_is_the_analyzers(stem):
    from index.schema import text_analyzer
    from index.textfield import plan_for

    analyzer = text_analyzer(stem=stem)
    plan = plan_for(analyzer)
    assert plan.words.direct is not None
    rng = random.Random(11)
    texts = [random_text(rng) for _ in range(200)] + PEPS.read_text(encoding="utf-8").splitlines()[:60]
    texts.append("The cat's whiskers, o'clock 'tis rock'n'roll A I x 42 3.5 ÆSIR Über naïve café’s l'été "
                 "THE and ok'd 's s' ’s İstanbul ß straße ﬁne ＡＢＣ x²")
    words = {word for text in texts for word in plan.findall(text)}
    assert len(words) > 5000
    for word in words:
        expected = [t.text for t in analyzer(word, mode="index")]
        assert plan.words.direct(word) == (expected[0] if expected else ""), word


def test_a_pool_gives_batches_and_single_postings_by_term_then_document():
    from index.bulkwriter import MemoryPool

    field = build_schema()["text"]
    rng = random.Random(7)
    first, second = [random_text(rng) for _ in range(30)], [random_text(rng) for _ in range(30)]
    pool, expected = MemoryPool(), []
    for values, base in ((first, 0), (second, 40)):
        pool.add_batch("text", index_field(field, values, base))
        postings, _ = one_at_a_time(field, values, base)
        expected += [("text", term, d, *found) for term, docs in postings.items() for d, found in docs.items()]
    pool.add_batch("text", index_field(field, ["", "the of"], 90))  # no postings at all
    singles = [("text", b"zzz", 35, 1.0, field.format.encode([0])),  # between the batches' documents
               ("text", first_term(pool), 80, 2.0, field.format.encode([3, 5])),
               ("tag", b"essays", 3, 1.0, b"")]
    for item in singles:
        pool.add(item)
    assert list(pool.iter_postings()) == sorted(expected + singles)
    assert list(pool.iter_postings()) == []  # given once


@pytest.mark.parametrize("longest", [1000, 1001])  # lists of positions pickled in one batch; in two
def test_positions_are_encoded_as_the_format_encodes_them(longest):
    from index.textbatch import _encoded_positions

    field = build_schema()["text"]
    rng = random.Random(longest)
    runs = [sorted(rng.sample(range(10 ** 6), rng.choice((1, 1, 2, 3, 40)))) for _ in range(200)]
    runs += [[0], [255], [256], [65535], [65536], [2 ** 31 - 1], [0, 255, 511, 66046, 131582, 2 ** 31 - 1],
             list(range(longest)), [7]]  # a difference of each size (1, 2 and 4 bytes) at each edge
    positions = np.array([p for run in runs for p in run], dtype=np.int64)
    ends = np.cumsum([len(run) for run in runs])
    encoded = _encoded_positions(field.format, positions, ends - [len(run) for run in runs], ends)
    assert encoded == [field.format.encode(run) for run in runs]


def first_term(pool) -> bytes:
    """A term the pool's first batch has."""
    return pool.batches["text"][0].terms[0]


def test_ascii_texts_are_split_into_the_words_the_analyzers_expression_finds():
    field = build_schema()["text"]
    plan = field._memo_plan()
    rng = random.Random(11)
    ascii_words = [w for w in WORDS if w.isascii()]
    texts = [" ".join(rng.choice(ascii_words) + rng.choice(("", "'", "`", ".", "-", "_")) for _ in range(30))
             for _ in range(300)]
    texts += [line[:3000] for line in PEPS.read_text(encoding="utf-8").splitlines()[:40] if line.isascii()]
    for text in texts:
        assert text.isascii() and plan.words_of(text) == plan.findall(text)
    mixed = "Cuba’s naïve O’Brien"
    assert plan.words_of(mixed) == plan.findall(mixed) == ["Cuba’s", "naïve", "O’Brien"]
