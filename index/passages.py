"""Passage search: every document that contains a pasted paragraph, or most of it.

Candidates come from the index (the passage's rarest words, any of them); each candidate is then
checked on word shingles: the share of the passage's shingles found in the document is its coverage,
and the densest run of matching shingles is the span shown highlighted.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from whoosh import query as wq

from index.errors import BadRequest
from index.reprints import shingle_hashes, word_spans, words

MIN_WORDS = 5
MAX_CHARS = 20000
CANDIDATES = 200
RARE_TERMS = 24
#: a document "contains most of" a passage when this share of the passage's shingles is in it
MIN_COVERAGE = 0.5
CONTEXT_CHARS = 160


@dataclass
class PassageMatch:
    id: str
    title: str
    authors: list[str]
    publication: str | None
    published: str | None
    coverage: float
    start: int
    end: int
    snippet_html: str

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "authors": self.authors, "publication": self.publication,
                "published": self.published, "coverage": round(self.coverage, 3), "start": self.start,
                "end": self.end, "snippet": self.snippet_html}


def shingle_size(word_count: int) -> int:
    return 5 if word_count >= 12 else 3


def check_passage(text: str) -> list[str]:
    if text is None or not text.strip():
        raise BadRequest("Paste the passage to look for in 'text'.")
    if len(text) > MAX_CHARS:
        raise BadRequest(f"A passage can be at most {MAX_CHARS} characters; paste one paragraph.")
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        raise BadRequest(f"Paste at least a sentence ({MIN_WORDS} words or more) to find where it appears.")
    return tokens


def candidate_ids(engine, text: str, limit: int = CANDIDATES) -> list[str]:
    """Documents holding the passage's rarest words, best first."""
    searcher = engine.searcher()
    analyzer = searcher.schema["text"].analyzer
    terms = {t.text for t in analyzer(text)}
    reader = searcher.reader()
    present = [(reader.doc_frequency("text", t), t) for t in terms if ("text", t) in reader]
    if not present:
        return []
    rare = [t for _, t in sorted(present)[:RARE_TERMS]]
    results = searcher.search(wq.Or([wq.Term("text", t) for t in rare]), limit=limit)
    return [hit["id"] for hit in results]


def best_span(matched: list[int], k: int) -> tuple[int, int, int]:
    """(first word, last word, matches) of the densest run of matching shingle positions."""
    best = (0, 0, 0)
    run_start, run_count, previous = None, 0, None
    for pos in matched:
        if previous is None or pos - previous > k:
            run_start, run_count = pos, 0
        run_count += 1
        previous = pos
        if run_count > best[2]:
            best = (run_start, pos + k - 1, run_count)
    return best


def locate(passage_tokens: list[str], text: str) -> tuple[float, int, int] | None:
    """Coverage of the passage in ``text`` and the character span of the best matching run."""
    k = shingle_size(len(passage_tokens))
    wanted = set(shingle_hashes(passage_tokens, k).tolist())
    spans = word_spans(text)
    if len(spans) < k or not wanted:
        return None
    hashes = shingle_hashes([w for w, _, _ in spans], k).tolist()
    matched = [i for i, h in enumerate(hashes) if h in wanted]
    if not matched:
        return None
    coverage = len(wanted & {hashes[i] for i in matched}) / len(wanted)
    first, last, _ = best_span(matched, k)
    last = min(last, len(spans) - 1)
    return coverage, spans[first][1], spans[last][2]


def highlighted(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    lead = "…" if start > CONTEXT_CHARS else ""
    tail = "…" if end + CONTEXT_CHARS < len(text) else ""
    return (lead + html.escape(before, quote=False) + "<mark>" + html.escape(text[start:end], quote=False)
            + "</mark>" + html.escape(after, quote=False) + tail)


def find_passages(archive, text: str, limit: int = 50, min_coverage: float = MIN_COVERAGE) -> list[PassageMatch]:
    tokens = check_passage(text)
    ids = candidate_ids(archive.engine, text)
    docs = archive.catalog.get_many(ids)
    out = []
    for doc_id in ids:
        doc = docs.get(doc_id)
        if doc is None:
            continue
        found = locate(tokens, doc.text)
        if found is None or found[0] < min_coverage:
            continue
        coverage, start, end = found
        out.append(PassageMatch(doc.id, doc.title, doc.authors, doc.publication, doc.published, coverage,
                                start, end, highlighted(doc.text, start, end)))
    out.sort(key=lambda m: (-m.coverage, m.published or "", m.id))
    return out[:limit]
