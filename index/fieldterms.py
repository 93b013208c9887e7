"""A field's postings, all its terms at once, in flat arrays, and what its term dictionary entries
need of them worked out with numpy.

Writing a bulk segment was a chain of Python calls per term (some 110,000 terms per 10,000
articles): slicing its postings into lists, then working out its statistics (weight total, largest
weight, shortest and longest document), the block's compact weights and its positions' lengths one
term at a time. Here those are worked out for a few thousand terms at once, and writing a term is
left to make its bytes (`index.codec.FolioFieldWriter.write_terms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
from whoosh.util.numeric import _length_byte_cache

#: `length_to_byte` gives 255 from here on
_LONGEST = 106374
_LENGTH_BYTES = np.array(_length_byte_cache, dtype=np.int64)
#: exact sums of weights in any order: integers below this (float64's 53-bit mantissa)
_EXACT_SUM = 2 ** 53
#: in place of the length of a document without one, when looking for the shortest
_NO_LENGTH = 2 ** 62


@dataclass
class FieldTerms:
    """A field's postings by term (in byte order) then document number."""
    terms: list[bytes]
    #: term i's postings are [bounds[i], bounds[i + 1]) of the arrays below
    bounds: np.ndarray
    docnums: np.ndarray
    weights: np.ndarray
    #: bytes (b"" for none), in an array of objects
    values: np.ndarray

    def __iter__(self):
        """(term, document numbers, weights, values) per term, as lists, as Whoosh's pool gives them."""
        bounds = self.bounds.tolist()
        for i, tbytes in enumerate(self.terms):
            a, b = bounds[i], bounds[i + 1]
            yield tbytes, self.docnums[a:b].tolist(), self.weights[a:b].tolist(), self.values[a:b].tolist()

    def in_document_order(self) -> FieldTerms:
        """These postings with each term's in document order (as they are unless runs of a term
        were given out of order)."""
        docnums = self.docnums
        rising = np.diff(docnums) > 0
        rising[self.bounds[1:-1] - 1] = True  # from one term's last posting to the next term's first
        if rising.all():
            return self
        term_of = np.repeat(np.arange(len(self.terms)), np.diff(self.bounds))
        order = np.lexsort((docnums, term_of))
        return FieldTerms(terms=self.terms, bounds=self.bounds, docnums=docnums[order],
                          weights=self.weights[order], values=self.values[order])


def in_blocks(found: FieldTerms, limit: int) -> FieldTerms:
    """These postings with each term's cut into blocks of at most ``limit`` (the bounds of the
    blocks in place of the terms'; ``found`` itself when every term fits in one)."""
    counts = np.diff(found.bounds)
    if not len(counts) or counts.max() <= limit:
        return found
    blocks = 1 + (counts - 1) // limit
    first = np.cumsum(blocks) - blocks  # each term's first block
    within = np.arange(int(blocks.sum())) - np.repeat(first, blocks)
    starts = np.repeat(found.bounds[:-1], blocks) + within * limit
    return FieldTerms(terms=found.terms, bounds=np.append(starts, found.bounds[-1]), docnums=found.docnums,
                      weights=found.weights, values=found.values)


def gathered(batches, term_numbers, batch_numbers, run_starts, run_ends, terms: list[bytes]) -> FieldTerms:
    """The postings of runs (each a term's postings in one batch, sorted by term then batch) put
    together in that order, with numpy: batches are `index.textbatch.FieldPostings`, each run given
    by its term's number in ``terms``, its batch's number and its slice of the batch's postings.
    The batches' postings are let go as they are taken (a field's postings can be most of a
    writer's memory)."""
    sizes = np.array([len(found.docnums) for found in batches], dtype=np.int64)
    first_of_batch = np.cumsum(sizes) - sizes
    lengths = run_ends - run_starts
    take = _concatenated_ranges(run_starts + first_of_batch[batch_numbers], lengths)
    counts = np.bincount(term_numbers, weights=lengths, minlength=len(terms)).astype(np.int64)
    columns = {}
    for name in ("docnums", "weights", "values"):
        if name == "values":
            whole = np.fromiter(chain.from_iterable(found.values for found in batches), dtype=object,
                                count=int(sizes.sum()))
        else:
            whole = np.concatenate([getattr(found, name) for found in batches])
        for found in batches:
            setattr(found, name, None)
        columns[name] = whole[take]
        del whole
    return FieldTerms(terms=terms, bounds=np.concatenate(([0], np.cumsum(counts))), docnums=columns["docnums"],
                      weights=columns["weights"], values=columns["values"])


def _concatenated_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The numbers from each of ``starts`` on, as many as its length, one range after another: in
    one array of the result's size (steps of 1, with each range's first set apart, summed)."""
    kept = lengths > 0
    starts, lengths = starts[kept], lengths[kept]
    out = np.ones(int(lengths.sum()), dtype=np.int64)
    if not len(out):
        return out
    firsts = np.cumsum(lengths) - lengths
    out[firsts[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    out[0] = starts[0]
    return np.cumsum(out, out=out)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's `length_to_byte` of each of ``lengths``."""
    return np.where(lengths >= _LONGEST, 255, np.searchsorted(_LENGTH_BYTES, lengths, side="left"))


@dataclass
class TermStats:
    """What each term's dictionary entry and block information hold, as Whoosh's writer works it
    out from one term's postings at a time."""
    #: per term, the sum of its stored weights, or None where it must be summed in order
    sums: list
    #: per term, the largest weight (not rounded to 32 bits), 0 if none is larger
    maxweights: list
    #: per term, `length_to_byte` of its shortest and longest document (0 if none has a length)
    min_bytes: list[int]
    max_bytes: list[int]
    #: per term: 1 if all stored weights are 1, 2 if all are the same, 0 otherwise
    weights_kind: list[int]
    #: per term, how many of its postings have a value (not empty)
    with_values: list[int]

    @classmethod
    def of(cls, found: FieldTerms, doc_lengths: np.ndarray | None) -> TermStats:
        starts = found.bounds[:-1]
        stored = found.weights.astype(np.float32)
        low, high = np.minimum.reduceat(stored, starts), np.maximum.reduceat(stored, starts)
        kind = np.where((low == 1) & (high == 1), 1, np.where(low == high, 2, 0))
        integral = stored.astype(np.float64)
        if np.all(np.floor(integral) == integral) and np.abs(integral).sum() < _EXACT_SUM:
            sums = np.add.reduceat(integral, starts).tolist()
        else:  # a sum in another order may differ in its last bit
            sums = [None] * len(starts)
        maxweights = np.maximum.reduceat(found.weights, starts)
        if doc_lengths is None:
            min_bytes = max_bytes = [0] * len(starts)
        else:
            lengths = doc_lengths[found.docnums]
            shortest = np.minimum.reduceat(np.where(lengths > 0, lengths, _NO_LENGTH), starts)
            min_bytes = np.where(shortest == _NO_LENGTH, 0, length_bytes(shortest)).tolist()
            max_bytes = length_bytes(np.maximum.reduceat(lengths, starts)).tolist()
        with_values = np.add.reduceat(np.fromiter(map(bool, found.values), dtype=np.int64, count=len(found.values)),
                                      starts)
        return cls(sums=sums,
                   maxweights=[m if m > 0 else 0 for m in maxweights.tolist()],
                   min_bytes=min_bytes, max_bytes=max_bytes, weights_kind=kind.tolist(),
                   with_values=with_values.tolist())
