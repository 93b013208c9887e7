"""Related articles ("more like this"): the words that most distinguish a document, searched for.

A document's distinguishing words are those frequent in it and rare in the archive (tf·idf over the
stemmed body and title); they are searched as a plain any-word query through the same BM25F ranking
as everything else, and the document itself and its reprints are left out.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from index.ranking import first_of_each_group

#: words taken from a document to find its relatives
KEY_WORDS = 25
#: only the start of a very long text is read
TEXT_CHARS = 50_000
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def key_words(searcher, title: str, text: str, limit: int = KEY_WORDS) -> list[str]:
    """The document's most distinguishing words, as written (best first)."""
    analyzer = searcher.schema["text"].analyzer
    reader = searcher.reader()
    total = max(1, reader.doc_count())
    counts: Counter = Counter()
    spelling: dict[str, str] = {}
    for raw in _WORD.findall(f"{title} {title} {text[:TEXT_CHARS]}"):
        if raw.isdigit() or len(raw) < 3:
            continue
        stems = [t.text for t in analyzer(raw)]
        if not stems:
            continue
        counts[stems[0]] += 1
        spelling.setdefault(stems[0], raw)
    scored = []
    for stem, tf in counts.items():
        df = reader.doc_frequency("text", stem) + reader.doc_frequency("title", stem)
        if df <= 1 and tf < 2:  # a word only this document has, once: likely a typo or a name
            continue
        scored.append((math.log(1 + tf) * math.log(1 + total / (1 + df)), stem))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [spelling[stem] for _, stem in scored[:limit]]


def more_like_this(engine, doc_id: str, title: str, text: str, limit: int = 5) -> list[tuple[str, float]]:
    """(id, score) of the documents most like this one, best first."""
    s = engine.searcher()
    words = key_words(s, title, text)
    if not words:
        return []
    ranked = engine.ranker.rank(s, words, require_all=False)
    if not len(ranked.docnums):
        return []
    order = np.lexsort((ranked.docnums, -ranked.scores))
    docnums, scores = ranked.docnums[order], ranked.scores[order]
    own = [d for d in s.document_numbers(id=doc_id)]
    if own:
        keep = ~np.isin(docnums, own)
        docnums, scores = docnums[keep], scores[keep]
    if "reprint_group" in s.schema and len(docnums):
        own_group = _group_of(s, own)
        keep = first_of_each_group(engine.facet_cache, s, "reprint_group", docnums)
        docnums, scores = docnums[keep], scores[keep]
        if own_group:
            same = set(s.document_numbers(reprint_group=own_group))
            mask = np.array([int(d) not in same for d in docnums], dtype=bool)
            docnums, scores = docnums[mask], scores[mask]
    return [(s.stored_fields(int(d))["id"], float(sc)) for d, sc in zip(docnums[:limit], scores[:limit])]


def _group_of(searcher, docnums: list[int]) -> str | None:
    for d in docnums:
        group = searcher.stored_fields(d).get("reprint_group")
        if group:
            return group
    return None
