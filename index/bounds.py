"""Keeping expensive queries cheap: every query is rewritten against the index before it runs.

* a bare ``*`` (or ``title:*``) means every document, matched directly instead of by walking every
  word of a field;
* a prefix or wildcard with fewer than ``MIN_PREFIX`` literal leading letters (``a*``, ``*ing``) is read
  as the literal word — expanding it would touch most of the vocabulary;
* fuzzy terms (``word~``, ``word~5``) allow at most two edits and must keep the first letter;
* any prefix, wildcard or fuzzy term that still expands to more than ``MAX_EXPANSIONS`` words keeps
  only the most frequent ones.

Long queries are also cut to their first words in `index.query`, and each search runs under a time
limit (see `index.engine`), so no query can hold the server.
"""

from __future__ import annotations

import heapq
import itertools
import time

from whoosh import query as wq
from whoosh.collectors import TimeLimit, WrappingCollector

MIN_PREFIX = 2
MAX_EXPANSIONS = 200
MAX_FUZZY_EDITS = 2
_WILD = "*?"


def _literal_prefix(text: str) -> str:
    for i, ch in enumerate(text):
        if ch in _WILD:
            return text[:i]
    return text


def bound_query(q: wq.Query, reader) -> wq.Query:
    """The query with its expensive parts replaced by cheap equivalents (see the module doc)."""
    if isinstance(q, wq.Every):
        return wq.Every(boost=q.boost)
    if isinstance(q, wq.Wildcard):
        prefix = _literal_prefix(q.text)
        if not q.text.strip(_WILD):
            return wq.Every(boost=q.boost)
        if len(prefix) < MIN_PREFIX:
            return wq.Term(q.fieldname, q.text.replace("*", "").replace("?", ""), boost=q.boost)
        return _capped(q, reader)
    if isinstance(q, wq.Prefix):
        if not q.text:
            return wq.Every(boost=q.boost)
        if len(q.text) < MIN_PREFIX:
            return wq.Term(q.fieldname, q.text, boost=q.boost)
        return _capped(q, reader)
    if isinstance(q, wq.FuzzyTerm):
        return _fuzzy_words(q, reader)
    if q.is_leaf():
        return q
    return q.apply(lambda sub: bound_query(sub, reader))


def _fuzzy_words(q: wq.FuzzyTerm, reader) -> wq.Query:
    """The close spellings of a fuzzy term, looked up in the index's own words.

    Resolved here, against the whole index: the postings hold stems, so ``vacination~`` must reach
    ``vaccin`` (and indexes built with spelling fields keep unstemmed words too). Both the word as
    typed and its stem are tried, with at most two edits, keeping the first letter."""
    options = [q.text]
    stem = _stemmed(reader, q.fieldname, q.text)
    if stem and stem != q.text:
        options.append(stem)
    found: set[str] = set()
    for text in options:
        fuzzy = wq.FuzzyTerm(q.fieldname, text, maxdist=min(q.maxdist, MAX_FUZZY_EDITS),
                             prefixlength=max(q.prefixlength, 1))
        try:
            found.update(t.decode("utf-8") if isinstance(t, bytes) else t for t in fuzzy._btexts(reader))
        except Exception:
            continue
    if len(found) > MAX_EXPANSIONS:
        found = set(heapq.nlargest(MAX_EXPANSIONS, found, key=lambda t: reader.doc_frequency(q.fieldname, t)))
    return wq.Or([wq.Term(q.fieldname, t) for t in sorted(found)], boost=q.boost)


def _stemmed(reader, fieldname: str, text: str) -> str | None:
    try:
        analysed = [t.text for t in reader.schema[fieldname].analyzer(text)]
    except Exception:
        return None
    return analysed[0] if len(analysed) == 1 else None


def _capped(q: wq.Query, reader) -> wq.Query:
    """A multi-word query left alone when small, else an OR of its most frequent expansions."""
    try:
        words = list(itertools.islice(q._btexts(reader), MAX_EXPANSIONS + 1))
    except Exception:
        return q
    if len(words) <= MAX_EXPANSIONS:
        return q
    everything = q._btexts(reader)
    top = heapq.nlargest(MAX_EXPANSIONS, everything, key=lambda t: reader.doc_frequency(q.fieldname, t))
    return wq.Or([wq.Term(q.fieldname, t.decode("utf-8") if isinstance(t, bytes) else t) for t in top],
                 boost=q.boost)


def bounded(parsed, reader):
    """A `ParsedQuery` with both its full query and its word part bounded."""
    if parsed is None or parsed.query is wq.NullQuery:
        return parsed
    parsed.query = bound_query(parsed.query, reader)
    if parsed.text_query is not None:
        parsed.text_query = bound_query(parsed.text_query, reader)
    return parsed


class _DeadlineCollector(WrappingCollector):
    """Passes allowed matches to the ranking collector and stops at a deadline.

    Whoosh's own ``TimeLimitCollector`` signals the process with SIGALRM (not allowed outside the
    main thread) and, like its ``FilterCollector``, only works as the outermost wrapper; this one
    does both jobs in one loop, checking the clock every few hundred matches."""

    CHECK_EVERY = 256

    def __init__(self, child, deadline: float | None, allow: set[int] | None):
        self.child = child
        self.deadline = deadline
        self.allow = allow

    def collect_matches(self):
        child, allow, deadline = self.child, self.allow, self.deadline
        offset = child.offset
        for n, sub_docnum in enumerate(child.matches()):
            if deadline is not None and n % self.CHECK_EVERY == 0 and time.monotonic() > deadline:
                raise TimeLimit
            if allow is not None and offset + sub_docnum not in allow:
                continue
            child.collect(sub_docnum)


def collect_within(searcher, q: wq.Query, time_limit: float | None, filter=None, limit: int = 10, **kwargs):
    """Whoosh results for ``q`` among ``filter`` (a set of docnums), stopped after ``time_limit``
    seconds: (results so far, cut_short)."""
    deadline = time.monotonic() + time_limit if time_limit else None
    collector = _DeadlineCollector(searcher.collector(limit=limit, **kwargs), deadline, filter)
    try:
        searcher.search_with_collector(q, collector)
    except TimeLimit:
        return collector.results(), True
    return collector.results(), False
