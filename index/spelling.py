"""Close spellings of a word the archive does not have, for "did you mean" and typo tolerance.

Whoosh's ``spelling=True`` keeps a second, unstemmed copy of every title and body word: a second
analysis pass at indexing and about a sixth of the index. Instead, corrections are looked for among
the stemmed terms the index has anyway (``medecine`` → stem ``medecin`` → ``medicin``), and a term
is shown as the written form nearest to what was typed among those found in documents that have it
(``medicine``). Indexes built before this still have their unstemmed spelling fields and use them.
"""

from __future__ import annotations

import threading
from itertools import islice
from typing import Callable

import numpy as np

from index.highlighting import MemoTokens
from index.postings import PerSegment
from index.schema import fold

SPELL_FIELDS = ("text", "title")
#: terms whose written forms are remembered before the memo starts over
SURFACE_MEMO = 50_000
#: documents read for the written forms of a term
SURFACE_DOCUMENTS = 5
#: close terms shown as words for each unknown word, the most frequent first
CANDIDATES = 8
MAX_EDITS = 2


class Speller:
    def __init__(self, text_of: Callable[[str], str | None] | None = None):
        #: a document's title and text by id (the catalog's), to show a term as a word
        self.text_of = text_of
        self._surfaces: dict[str, str] = {}
        self._vocabularies = PerSegment()
        self._lock = threading.Lock()

    @staticmethod
    def _unstemmed(searcher) -> bool:
        """True for an index that keeps unstemmed copies of its words (built with spelling fields)."""
        return searcher.schema["text"].separate_spelling()

    def known(self, searcher, word: str) -> bool:
        """Does any title or text have this word (as its analyzers would index it)?"""
        reader = searcher.reader()
        folded = fold(word)
        if self._unstemmed(searcher):
            return any((searcher.schema[f].spelling_fieldname(f), folded) in reader for f in SPELL_FIELDS)
        term = self._term(searcher, folded)
        return term is None or any((f, term) in reader for f in SPELL_FIELDS)

    def corrections(self, searcher, word: str, limit: int) -> list[str]:
        """Up to ``limit`` words of the archive within two edits of ``word`` (first letter kept),
        closest first, then most frequent; lower case."""
        folded = fold(word)
        reader = searcher.reader()
        if self._unstemmed(searcher):
            field, term, inputs = searcher.schema["text"].spelling_fieldname("text"), folded, [folded]
        else:
            field, term = "text", self._term(searcher, folded)
            if term is None:
                return []
            inputs = list(dict.fromkeys([term, folded]))
        # Stems distort distances ("medicall" stems to "medical", two edits from "medic" but one from
        # "medicar"), so candidates come from the word and its stem and are ranked by how far the
        # word as it would be shown is from the word as typed, then by how common it is.
        options: set[str] = set()
        for text in inputs:
            options.update(self.close_terms(reader, field, text))
        options.discard(term)
        frequency = {o: reader.doc_frequency(field, o) for o in options}
        ranked = sorted(options, key=lambda o: -frequency[o])[:CANDIDATES * 2]
        candidates: dict[str, tuple[int, int]] = {}
        for option in ranked:
            # of the forms a term stands for, the one nearest to what was typed
            forms = [option] if field != "text" else self.surfaces(searcher, option)
            surface = min(forms, key=lambda form: edit_distance(folded, form, MAX_EDITS), default=None)
            if not surface or surface == folded or surface in candidates:
                continue
            distance = edit_distance(folded, surface, MAX_EDITS)
            if distance <= MAX_EDITS:
                candidates[surface] = (distance, -frequency[option])
        return sorted(candidates, key=lambda w: (candidates[w], w))[:limit]

    def close_terms(self, reader, fieldname: str, text: str, maxdist: int = MAX_EDITS) -> set[str]:
        """Terms of the field, in any segment, within ``maxdist`` edits of ``text`` and starting with
        its first letter."""
        found: set[str] = set()
        looked: set[str] = set()
        for leaf, _ in reader.leaf_readers():
            for candidate in self._vocabulary(leaf, fieldname).candidates(text, maxdist):
                if candidate not in looked:
                    looked.add(candidate)
                    if edit_distance(text, candidate, maxdist) <= maxdist:
                        found.add(candidate)
        return found

    def _vocabulary(self, leaf, fieldname: str) -> "Vocabulary":
        return self._vocabularies.get(leaf, fieldname, lambda: Vocabulary(leaf, fieldname))

    def forget_except(self, live_keys: set[str]) -> None:
        self._vocabularies.forget_except(live_keys)

    @staticmethod
    def _term(searcher, folded: str) -> str | None:
        terms = [t.text for t in searcher.schema["text"].analyzer(folded)]
        return terms[0] if terms else None

    def surfaces(self, searcher, term: str) -> list[str]:
        """The words the text analyzer turns into ``term``, as written in a few documents that have
        it (``asynchron``: asynchronous, asynchronously, …); the term itself without a text lookup."""
        found = self._surfaces.get(term)
        if found is None:
            found = self._find_surfaces(searcher, term) if self.text_of is not None else [term]
            with self._lock:
                if len(self._surfaces) >= SURFACE_MEMO:
                    self._surfaces.clear()
                self._surfaces[term] = found
        return found

    def _find_surfaces(self, searcher, term: str) -> list[str]:
        reader = searcher.reader()
        tokens = MemoTokens(searcher.schema["text"].analyzer)
        found: dict[str, None] = {}
        for fieldname in ("title", "text"):
            if (fieldname, term) not in reader:
                continue
            for docnum in islice(reader.postings(fieldname, term).all_ids(), SURFACE_DOCUMENTS):
                doc_id = searcher.stored_fields(docnum).get("id")
                text = (self.text_of(doc_id) if doc_id else None) or ""
                for start, end, word in tokens.matching(text, frozenset([term])):
                    if word == term:
                        found.setdefault(fold(text[start:end]))
        return list(found)


class Vocabulary:
    """One segment's terms of one field with an index of their letter pairs, to find the terms close
    to a word without measuring the distance to every term (Whoosh's ``terms_within`` does, and
    took about half a second per word at 100,000 articles). An edit changes at most three of a
    word's distinct letter pairs (counting the word's start and end), so a term within ``k`` edits
    shares all but ``3k`` of them."""

    def __init__(self, reader, fieldname: str):
        try:
            terms = [t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fieldname)]
        except Exception:
            terms = []
        self.terms = terms
        self.lengths = np.fromiter(map(len, terms), dtype=np.int32, count=len(terms))
        pairs: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            for pair in letter_pairs(term):
                pairs.setdefault(pair, []).append(i)
        self.pairs = {pair: np.asarray(ids, dtype=np.int32) for pair, ids in pairs.items()}

    def candidates(self, word: str, maxdist: int) -> list[str]:
        if not word or not self.terms:
            return []
        starting = self.pairs.get("^" + word[0])
        if starting is None:
            return []
        mine = letter_pairs(word)
        shared = np.zeros(len(self.terms), dtype=np.int32)
        for pair in mine:
            ids = self.pairs.get(pair)
            if ids is not None:
                shared[ids] += 1
        near = starting[(shared[starting] >= len(mine) - 3 * maxdist)
                        & (np.abs(self.lengths[starting] - len(word)) <= maxdist)]
        return [self.terms[i] for i in near]


def letter_pairs(word: str) -> set[str]:
    padded = "^" + word + "$"
    return {padded[i:i + 2] for i in range(len(padded) - 1)}


def edit_distance(a: str, b: str, bound: int | None = None) -> int:
    """Damerau–Levenshtein distance (adjacent transpositions count one), for short words; with
    ``bound``, any answer above it may be returned as ``bound + 1`` early."""
    if bound is not None and abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if bound is not None and min(current) > bound and min(previous) > bound:
            return bound + 1  # every later row builds on these two, so stays above the bound
        previous2, previous = previous, current
    return previous[-1]
