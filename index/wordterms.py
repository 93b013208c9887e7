"""Each distinct word's term under an analyzer, worked out once and remembered.

Valid for analyzers whose filters act on one token at a time (ours: fold, stop, stem): a word then
always becomes the same term, whatever surrounds it. Highlighting and indexing each keep one.
"""

from __future__ import annotations

import threading
from itertools import islice

#: the memo's mark for a word the analyzer drops
DROPPED = ""


class WordTerms:
    """word -> its term, or DROPPED; at most ``size`` words, then the memo starts over (``clears``
    counts how often). ``options`` are passed to the analyzer (its mode, whether stops are kept).
    ``direct``: a function giving a word's term as the analyzer would, used instead of it."""

    def __init__(self, analyzer, size: int, direct=None, **options):
        self.analyzer = analyzer
        self.size = size
        self.direct = direct
        self.options = options
        self.memo: dict[str, str] = {}
        self.clears = 0
        self._lock = threading.Lock()

    def term_of(self, word: str) -> str:
        found = self.memo.get(word)
        if found is None:
            if self.direct is not None:
                found = self.direct(word)
            else:
                terms = [t.text for t in self.analyzer(word, **self.options)]
                found = terms[0] if terms else DROPPED
            with self._lock:
                if len(self.memo) >= self.size:
                    self.memo.clear()
                    self.clears += 1
                self.memo[word] = found
        return found

    def learn(self, pairs: list[tuple[str, str]]) -> None:
        """Take words' terms worked out elsewhere (by a forked process, for the same analyzer), while
        there is room."""
        with self._lock:
            room = self.size - len(self.memo)
            if room > 0:
                self.memo.update(islice(pairs, room))

    def added_since(self, mark: tuple[int, int]) -> list[tuple[str, str]]:
        """The words and terms remembered since `mark` was taken (all, if the memo started over)."""
        clears, size = mark
        return list(islice(self.memo.items(), size if clears == self.clears else 0, None))

    def mark(self) -> tuple[int, int]:
        return self.clears, len(self.memo)

    def fill(self, words) -> None:
        """Work out the terms of those of ``words`` the memo lacks."""
        for word in set(words).difference(self.memo):
            self.term_of(word)

    def terms(self, words: list[str]) -> list[str]:
        """Each word's term (DROPPED where the analyzer drops it), in order."""
        self.fill(words)
        return [t if t is not None else self.term_of(w) for w, t in zip(words, map(self.memo.get, words))]


class TermNumbers(dict):
    """word -> the number of its term in `terms` (-1 for a word the analyzer drops), for indexing
    many documents' words at once: one lookup per word, in C (``map(numbers.__getitem__, words)``),
    where a batch's own numbering took three, and a word's term is asked of ``memo`` only the first
    time this process meets it. `reset_if_full`, called between batches, starts it over once it
    holds ``size`` words."""

    def __init__(self, memo: WordTerms, size: int):
        super().__init__()
        self.memo = memo
        self.size = size
        self.terms: list[str] = []
        self._term_numbers: dict[str, int] = {}
        self._lock = threading.Lock()

    def __missing__(self, word: str) -> int:
        term = self.memo.term_of(word)
        with self._lock:
            if term == DROPPED:
                number = -1
            else:
                number = self._term_numbers.get(term)
                if number is None:
                    number = self._term_numbers[term] = len(self.terms)
                    self.terms.append(term)
            self[word] = number
        return number

    def reset_if_full(self) -> None:
        if len(self) >= self.size:
            with self._lock:
                self.clear()
                self.terms = []
                self._term_numbers = {}
