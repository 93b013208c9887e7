"""A text field of many documents indexed at once, for a segment written in bulk.

`MemoText` indexes a document at a time: a Python step per word to number its positions, and per
distinct term to encode them and add a posting to the pool, about half of writing a segment. Here
the words of every document are looked up once per distinct word, numbered, and sorted into
postings with numpy; Python is left one step per posting, to encode its positions with the field's
own format. The postings, weights and lengths are those `MemoText` gives (tests compare the
segments), for fields it indexes through a plan (see `index.textfield.plan_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pickle import dumps

import numpy as np
from whoosh.formats import Positions
from whoosh.system import pack_uint

from index.textfield import MemoText


@dataclass
class FieldPostings:
    """One field's postings for a run of documents, by term, in document order."""
    terms: list[bytes]
    #: per term, its postings' slice of the arrays below
    starts: np.ndarray
    ends: np.ndarray
    docnums: np.ndarray
    weights: np.ndarray
    values: list[bytes]
    #: per document, the field's length (its number of indexed words)
    lengths: list[int]


def batchable(field) -> bool:
    """Whether `index_field` gives this field's postings: a `MemoText` with a plan, not stored,
    without term vectors, separate spelling words or a column."""
    return (type(field) is MemoText and field._memo_plan() is not None and not field.stored
            and not field.vector and not field.separate_spelling() and field.column_type is None)


def index_field(field: MemoText, values: list, first_docnum: int) -> FieldPostings:
    """Postings of ``values`` (one per document, None or "" for none), numbered from ``first_docnum``."""
    plan = field._memo_plan()
    words: list[str] = []
    counts = np.zeros(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        if value:
            found = plan.words_of(value)
            words += found
            counts[i] = len(found)
    numbers = plan.numbers
    numbers.reset_if_full()
    token_terms = np.fromiter(map(numbers.__getitem__, words), dtype=np.int64, count=len(words))
    terms = numbers.terms
    docs = np.repeat(np.arange(len(values), dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    local = np.arange(len(words), dtype=np.int64) - starts[docs]  # each word's place in its document
    kept = np.flatnonzero(token_terms >= 0)
    kept_docs, kept_terms = docs[kept], token_terms[kept]
    if plan.renumber:
        # Whoosh's stop filter keeps the first kept word's position and numbers the rest on from it
        first_kept = np.searchsorted(kept_docs, kept_docs, side="left")
        positions = local[kept[first_kept]] + (np.arange(len(kept), dtype=np.int64) - first_kept)
    else:
        positions = local[kept]
    lengths = np.bincount(kept_docs, minlength=len(values)).tolist() if field.scorable else [0] * len(values)
    return _postings(field, terms, kept_terms, kept_docs + first_docnum, positions, lengths)


def _postings(field, terms: list[str], token_terms, token_docs, positions, lengths) -> FieldPostings:
    order = np.argsort(token_terms, kind="stable")  # by term, then (as given) document and position
    token_terms, token_docs, positions = token_terms[order], token_docs[order], positions[order]
    count = len(token_terms)
    new = np.ones(count, dtype=bool)
    new[1:] = (token_terms[1:] != token_terms[:-1]) | (token_docs[1:] != token_docs[:-1])
    run_starts = np.flatnonzero(new)
    run_ends = np.append(run_starts[1:], count)
    freqs = run_ends - run_starts
    run_terms = token_terms[run_starts]
    term_starts = np.flatnonzero(np.diff(run_terms, prepend=-1) != 0)
    term_ends = np.append(term_starts[1:], len(run_terms))
    weights = freqs.astype(np.float64) * field.format.field_boost
    return FieldPostings(
        terms=[terms[t].encode("utf-8") for t in run_terms[term_starts].tolist()],
        starts=term_starts, ends=term_ends, docnums=token_docs[run_starts], weights=weights,
        values=_encoded_positions(field.format, positions, run_starts, run_ends), lengths=lengths)


def _encoded_positions(format_, positions, run_starts, run_ends) -> list[bytes]:
    """Each posting's positions in the format's encoding; a single position from a table. Whoosh's
    `Positions` encodes a posting's positions as their count and the pickled list of their
    differences, worked out in a Python loop per posting; here the differences of all postings are
    taken at once (the same lists pickled, so the same bytes, in two thirds of the time)."""
    encode = format_.encode
    if type(format_) is Positions and len(positions):
        differences = positions.copy()
        differences[1:] -= positions[:-1]
        differences[run_starts] = positions[run_starts]  # a posting's first from 0: its position
        listed = whole = differences.tolist()
    else:
        listed, whole = None, positions.tolist()
    single: dict[int, bytes] = {}
    out = []
    for start, end in zip(run_starts.tolist(), run_ends.tolist()):
        if end - start == 1:
            pos = whole[start]  # a posting's first position, either way
            value = single.get(pos)
            if value is None:
                value = single[pos] = encode([pos])
            out.append(value)
        elif listed is not None:
            out.append(pack_uint(end - start) + dumps(listed[start:end], 2))
        else:
            out.append(encode(whole[start:end]))
    return out
