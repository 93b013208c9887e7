"""Band keys of a bulk run, held in memory until they are written to SQLite at once.

Each document has 64 band keys (see `index.reprints`). Inserting its 64 (key, document) rows at
random places of a table of millions, a transaction of 1,000 documents at a time, was the largest
part of storing a record in bulk: every transaction dirtied pages all over the table, and the
write-ahead log took them all. A bulk run keeps its keys here instead, in a few runs sorted by key
(numpy arrays, 16 bytes a key), looks copies up in them as well as in the table, and has them
written in key order when it ends or they grow large.

Most keys a batch asks about are held by no document (band keys are 64-bit hashes; only copies
share them). A bit per key's low ``FILTER_BITS`` bits answers "surely not held" for all but a few
of them (about 9 % with the 6.4 million keys of 100,000 documents), so only those are searched for
in the runs: binary searches in runs of millions of keys took 30 ms a batch.
"""

from __future__ import annotations

import numpy as np

from index.arrays import distinct, without_runs

#: low bits of a key that pick its bit in the filter (2^26 bits: 8 MB)
FILTER_BITS = 26
_SLOT = (1 << FILTER_BITS) - 1


class PendingKeys:
    """(key, document number) pairs in runs sorted by key; a new run is merged with the one before
    while that one is not more than twice its size, so there are a logarithmic number of runs (and
    a merge is cheap, see `_merged`)."""

    def __init__(self):
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._documents: list[np.ndarray] = []
        self._filter: np.ndarray | None = None
        self.size = 0

    def add(self, keys, docs) -> None:
        keys, docs = np.asarray(keys, dtype=np.int64), np.asarray(docs, dtype=np.int64)
        if len(keys) != len(docs):
            raise ValueError("one document number per key")
        if not len(keys):
            return
        self._mark(keys)
        self._documents.append(without_runs(docs))  # `documents` finds each once
        self._runs.append(_sorted(keys, docs))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            newer = self._runs.pop()
            self._runs.append(_merged(self._runs.pop(), newer))
        self.size = sum(len(run_keys) for run_keys, _ in self._runs)

    def lookup(self, keys) -> dict[int, list[int]]:
        """key -> the document numbers held with it, for those of ``keys`` that have any."""
        if not self._runs:
            return {}
        wanted = distinct(np.asarray(keys if isinstance(keys, np.ndarray) else list(keys), dtype=np.int64))
        wanted = wanted[self._maybe_held(wanted)]
        found: dict[int, list[int]] = {}
        for run_keys, run_docs in self._runs:
            low = np.searchsorted(run_keys, wanted, side="left")
            high = np.searchsorted(run_keys, wanted, side="right")
            for i in np.flatnonzero(high > low).tolist():
                found.setdefault(int(wanted[i]), []).extend(run_docs[low[i]:high[i]].tolist())
        return {key: list(dict.fromkeys(docs)) for key, docs in found.items()}

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every pair held once, in key then document order (one run, so later calls are cheap)."""
        if self._runs:
            self._runs = [_sorted(np.concatenate([k for k, _ in self._runs]),
                                  np.concatenate([d for _, d in self._runs]), by_document=True)]
            self.size = len(self._runs[0][0])
        if not self._runs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return self._runs[0]

    def documents(self) -> np.ndarray:
        """The document numbers held, each once, in order."""
        if not self._documents:
            return np.zeros(0, dtype=np.int64)
        self._documents = [distinct(np.concatenate(self._documents))]
        return self._documents[0]

    def clear(self) -> None:
        self._runs = []
        self._documents = []
        if self._filter is not None:
            self._filter.fill(0)
        self.size = 0

    def _mark(self, keys: np.ndarray) -> None:
        if self._filter is None:
            self._filter = np.zeros(1 << (FILTER_BITS - 3), dtype=np.uint8)
        slots = keys & _SLOT
        np.bitwise_or.at(self._filter, slots >> 3, np.left_shift(1, slots & 7).astype(np.uint8))

    def _maybe_held(self, keys: np.ndarray) -> np.ndarray:
        """False for keys surely not held (their bit is not set)."""
        slots = keys & _SLOT
        return (self._filter[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1 == 1


def _sorted(keys: np.ndarray, docs: np.ndarray, by_document: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """By key, pairs of equal keys in the order given (or by document); a pair given twice in a row
    (or at all, by document) is kept once. The stable sort merges runs already sorted (numpy's
    timsort finds them), and only pairs whose key repeats are then ordered by document: a tenth of
    the time of sorting every pair by both (0.2 against 2.2 s for 6.4 million pairs)."""
    order = np.argsort(keys, kind="stable")
    keys, docs = keys[order], docs[order]
    if by_document:
        docs = _documents_ordered_within_keys(keys, docs)
    return _without_repeats(keys, docs)


def _merged(first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]
            ) -> tuple[np.ndarray, np.ndarray]:
    """Two runs sorted by key as one, pairs of equal keys from ``first`` before those from
    ``second`` (what a stable sort of the two gives, in half the time: each of the second's pairs
    goes where a binary search in the first puts it); a pair repeated in a row is kept once."""
    (first_keys, first_docs), (second_keys, second_docs) = first, second
    places = np.searchsorted(first_keys, second_keys, side="right") + np.arange(len(second_keys))
    from_first = np.ones(len(first_keys) + len(second_keys), dtype=bool)
    from_first[places] = False
    keys, docs = np.empty(len(from_first), dtype=np.int64), np.empty(len(from_first), dtype=np.int64)
    keys[places], docs[places] = second_keys, second_docs
    keys[from_first], docs[from_first] = first_keys, first_docs
    return _without_repeats(keys, docs)


def _without_repeats(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sorted by key, each pair given twice in a row kept once."""
    if len(keys) > 1:
        kept = np.ones(len(keys), dtype=bool)
        kept[1:] = (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])
        keys, docs = keys[kept], docs[kept]
    return keys, docs


def _documents_ordered_within_keys(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """``docs`` of pairs sorted by key, reordered by document among pairs of one key."""
    same = keys[1:] == keys[:-1]
    if not same.any():
        return docs
    tied = np.zeros(len(keys), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    where = np.flatnonzero(tied)  # whole runs of equal keys, in key order
    docs = docs.copy()
    docs[where] = docs[where][np.lexsort((docs[where], keys[where]))]
    return docs
