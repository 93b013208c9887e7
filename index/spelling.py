"""Close spellings of a word the archive does not have, for "did you mean" and typo tolerance.

Whoosh's ``spelling=True`` keeps a second, unstemmed copy of every title and body word: a second
analysis pass at indexing and about a sixth of the index. Instead, corrections are looked for among
the stemmed terms the index has anyway (``medecine`` → stem ``medecin`` → ``medicin``), and a term
is shown as a word by finding it in the text of a document that has it (``medicine``). Indexes
built before this still have the unstemmed spelling fields, and they are used as they are.
"""

from __future__ import annotations

import threading
from itertools import islice
from typing import Callable

from index.highlighting import MemoTokens
from index.schema import fold

SPELL_FIELDS = ("text", "title")
#: surfaces remembered before the memo starts over
SURFACE_MEMO = 50_000
#: stems looked at for each unknown word
CANDIDATES = 8


class Speller:
    def __init__(self, text_of: Callable[[str], str | None] | None = None):
        #: a document's title and text by id (the catalog's), to show a term as a word
        self.text_of = text_of
        self._surfaces: dict[str, str] = {}
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
        most frequent first; lower case."""
        folded = fold(word)
        corrector = searcher.corrector("text")
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
        candidates: dict[str, tuple[int, int]] = {}
        for text in inputs:
            for option in corrector.suggest(text, limit=CANDIDATES, maxdist=2, prefix=1):
                surface = option if field != "text" else self.surface(searcher, option)
                if not surface or surface == folded or option == term or surface in candidates:
                    continue
                distance = edit_distance(folded, surface)
                if distance <= 2:
                    candidates[surface] = (distance, -reader.doc_frequency(field, option))
        return sorted(candidates, key=lambda w: (candidates[w], w))[:limit]

    @staticmethod
    def _term(searcher, folded: str) -> str | None:
        terms = [t.text for t in searcher.schema["text"].analyzer(folded)]
        return terms[0] if terms else None

    def surface(self, searcher, term: str) -> str | None:
        """A word that the text analyzer turns into ``term``, as written in a document that has it."""
        found = self._surfaces.get(term)
        if found is not None:
            return found
        found = self._find_surface(searcher, term) or (term if self.text_of is None else None)
        if found:
            with self._lock:
                if len(self._surfaces) >= SURFACE_MEMO:
                    self._surfaces.clear()
                self._surfaces[term] = found
        return found

    def _find_surface(self, searcher, term: str) -> str | None:
        if self.text_of is None:
            return None
        reader = searcher.reader()
        tokens = MemoTokens(searcher.schema["text"].analyzer)
        for fieldname in ("title", "text"):
            if (fieldname, term) not in reader:
                continue
            for docnum in islice(reader.postings(fieldname, term).all_ids(), 3):
                doc_id = searcher.stored_fields(docnum).get("id")
                text = self.text_of(doc_id) if doc_id else None
                for start, end, found in tokens.tokens(text or ""):
                    if found == term:
                        return fold(text[start:end])
        return None


def edit_distance(a: str, b: str) -> int:
    """Damerau–Levenshtein distance (adjacent transpositions count one), for short words."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
