"""Fields other than text (identifiers, dates, languages, keywords) of many documents indexed at
once, for a segment written in bulk.

Whoosh's writer adds a document's postings one at a time to its pool: for the dozen such fields of
an article, about a quarter of a bulk writer's time, counting the writing of the terms kept one by
one. Here each field's postings are collected for all the documents, and sorted by term with numpy
into the batches text fields give (`index.textbatch.FieldPostings`). A value's terms are worked out
once per segment: years, days, languages and the like repeat from document to document.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from index.textbatch import FieldPostings

#: values whose terms are worked out once per segment (those of index entries)
_REMEMBERED_VALUES = (str, datetime)


def index_plain_field(field, values: list, first_docnum: int) -> FieldPostings:
    """Postings of ``values`` (one per document, None for none) numbered from ``first_docnum``, as
    Whoosh's ``field.index`` gives them. Each document's length in the field is the sum of its
    terms' frequencies when the field is scored, else 0."""
    numbers: dict[bytes, int] = {}
    memo: dict[object, list] = {}
    term_numbers, docnums, weights, found_values, lengths = [], [], [], [], []
    scorable = field.scorable
    for i, value in enumerate(values):
        if value is None:
            lengths.append(0)
            continue
        remembered = type(value) in _REMEMBERED_VALUES
        items = memo.get(value) if remembered else None
        if items is None:
            items = []
            for tbytes, freq, weight, vbytes in field.index(value):
                number = numbers.get(tbytes)
                if number is None:
                    number = numbers[tbytes] = len(numbers)
                items.append((number, freq, weight, vbytes or b""))
            if remembered:
                memo[value] = items
        length = 0
        for number, freq, weight, vbytes in items:
            term_numbers.append(number)
            docnums.append(first_docnum + i)
            weights.append(weight)
            found_values.append(vbytes)
            length += freq
        lengths.append(length if scorable else 0)
    terms = list(numbers)
    by_term = np.array(term_numbers, dtype=np.int64)
    order = np.argsort(by_term, kind="stable")  # by term, then document
    by_term = by_term[order]
    starts = np.flatnonzero(np.diff(by_term, prepend=-1) != 0)
    return FieldPostings(terms=[terms[n] for n in by_term[starts].tolist()], starts=starts,
                         ends=np.append(starts[1:], len(by_term)), docnums=np.array(docnums, dtype=np.int64)[order],
                         weights=np.array(weights, dtype=np.float64)[order],
                         values=list(map(found_values.__getitem__, order.tolist())), lengths=lengths)
