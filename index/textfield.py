"""A text field that analyses each distinct word once when indexing.

Whoosh indexes a text by running every token through the analyzer's chain of filters (fold, stop,
stem), one generator step per filter and token: about a fifth of all bulk indexing. Our analyzers'
filters act on one token at a time, so a word's term depends on the word alone: `MemoText` splits a
text with the tokenizer's own expression, looks each word up in a memo of terms, and numbers the
positions the way Whoosh's stop filter does. The postings are the same as Whoosh's (tests compare
them on real and random texts); an analyzer of another shape is left to Whoosh.

The index stores its schema with this class's import path: keep its module and name.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass

from whoosh import fields
from whoosh.analysis import CompositeAnalyzer, RegexTokenizer, StemFilter, StopFilter
from whoosh.formats import Positions

from index.wordterms import DROPPED, TermNumbers, WordTerms

#: distinct words remembered per kind of analyzer before the memo starts over
MEMO_SIZE = 300_000


@dataclass
class _Plan:
    """How to index with one recognised analyzer."""
    findall: object
    renumber: bool
    words: WordTerms
    #: ``findall`` for ASCII texts: the expression compiled for ASCII alone, which finds the same
    #: words in them a fifth sooner
    findall_ascii: object
    #: the words' term numbers for indexing many documents at once (`index.textbatch`)
    numbers: TermNumbers

    def words_of(self, text: str) -> list[str]:
        return self.findall_ascii(text) if text.isascii() else self.findall(text)


#: one memo per kind of analyzer, shared by the fields (and field objects) that use it
_PLANS: dict[tuple, _Plan] = {}
_PLANS_LOCK = threading.Lock()


def plan_for(analyzer) -> _Plan | None:
    """A plan for an analyzer made of a regular expression tokenizer and filters that each act on
    one token (`FoldFilter`, a renumbering `StopFilter`, `StemFilter`); None for any other."""
    from index.schema import FoldFilter  # the schema module builds its fields from this one

    if not isinstance(analyzer, CompositeAnalyzer) or not analyzer.items:
        return None
    tokenizer, filters = analyzer.items[0], analyzer.items[1:]
    if type(tokenizer) is not RegexTokenizer or tokenizer.gaps or tokenizer.expression.groups:
        return None
    key = [tokenizer.expression.pattern]
    for f in filters:
        if type(f) is FoldFilter:
            key.append("fold")
        elif type(f) is StopFilter and f.renumber:
            key.append(("stop", f.min, f.max, frozenset(f.stops)))
        elif type(f) is StemFilter:
            key.append(("stem", f.lang, f.stemfn, f.ignore))
        else:
            return None
    key = tuple(key)
    with _PLANS_LOCK:
        plan = _PLANS.get(key)
        if plan is None:
            renumber = any(type(f) is StopFilter for f in filters)
            expression = tokenizer.expression
            ascii_only = re.compile(expression.pattern, (expression.flags & ~re.UNICODE) | re.ASCII)
            words = WordTerms(analyzer, MEMO_SIZE, direct=direct_term(filters), mode="index")
            plan = _PLANS[key] = _Plan(expression.findall, renumber, words, ascii_only.findall,
                                       TermNumbers(words, MEMO_SIZE))
    return plan


def memo_marks() -> list[tuple[int, int]]:
    """Where each plan's memo stands, in the order plans were made: a forked process takes them when
    it starts, and sends back what its memos learned (`learned_since`) for the parent to keep
    (`learn_words`), so the processes of a bulk run's next index group do not stem those words again
    (each worked out about 120,000 words of 25,000 records, most of them again)."""
    with _PLANS_LOCK:
        return [plan.words.mark() for plan in _PLANS.values()]


def learned_since(marks: list[tuple[int, int]]) -> list[list[tuple[str, str]]]:
    """Per plan made before `marks` were taken, the words its memo learned since."""
    with _PLANS_LOCK:
        plans = list(_PLANS.values())[:len(marks)]
    return [plan.words.added_since(mark) for plan, mark in zip(plans, marks)]


def learn_words(learned: list[list[tuple[str, str]]]) -> None:
    """Keep what a forked process's memos learned (plans in the order of `memo_marks`)."""
    with _PLANS_LOCK:
        plans = list(_PLANS.values())
    for plan, pairs in zip(plans, learned):
        plan.words.learn(pairs)


def direct_term(filters):
    """A function giving a word's term (DROPPED for a word the filters drop) by the recognised
    filters' own rules, in their order, without Whoosh's token generators and the stem filter's
    cache (whose eviction sorts it): in a profile of bulk indexing they took more of working out new
    words' terms than stemming did. Only for words the tokenizer gives whole, and only when indexing
    (stop words removed)."""
    from whoosh.lang import stemmer_for_language

    from index.schema import FoldFilter, fold_token

    steps = []
    for f in filters:
        if type(f) is FoldFilter:
            steps.append(fold_token)
        elif type(f) is StopFilter:
            steps.append(_stop_step(f.stops, f.min, f.max))
        elif type(f) is StemFilter:
            steps.append(_stem_step(stemmer_for_language(f.lang) if f.lang else f.stemfn, f.ignore))

    def term(word: str) -> str:
        for step in steps:
            word = step(word)
            if not word:
                return DROPPED
        return word

    return term


def _stop_step(stops, minsize: int, maxsize: int | None):
    def unless_stopped(text: str) -> str:
        if len(text) >= minsize and (maxsize is None or len(text) <= maxsize) and text not in stops:
            return text
        return DROPPED
    return unless_stopped


def _stem_step(stem, ignore):
    def stemmed(text: str) -> str:
        return text if text in ignore else stem(text)
    return stemmed


class MemoText(fields.TEXT):
    """Whoosh's TEXT field, indexed through a memo of each word's term (see the module's notes)."""

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_plan", None)
        return state

    def _memo_plan(self) -> _Plan | None:
        try:
            return self.__dict__["_plan"]
        except KeyError:
            plan = plan_for(self.analyzer) if type(self.format) is Positions else None
            self.__dict__["_plan"] = plan
            return plan

    def index(self, value, **kwargs):
        plan = self._memo_plan()
        if plan is None or not isinstance(value, str) or set(kwargs) - {"mode"}:
            return super().index(value, **kwargs)
        return self._index_words(plan, value)

    def _index_words(self, plan: _Plan, value: str):
        terms = plan.words.terms(plan.words_of(value))
        positions: defaultdict[str, list[int]] = defaultdict(list)
        if plan.renumber:
            # Whoosh's stop filter keeps the first kept word's position and numbers the rest on from it
            kept = [t for t in terms if t]
            if kept:
                first = next(i for i, t in enumerate(terms) if t)
                for pos, term in enumerate(kept, first):
                    positions[term].append(pos)
        else:
            for pos, term in enumerate(terms):
                if term:
                    positions[term].append(pos)
        boost, encode = self.format.field_boost, self.format.encode
        return [(term.encode("utf-8"), len(poses), float(len(poses)) * boost, encode(poses))
                for term, poses in positions.items()]


def make_plans(schema) -> None:
    """Make the plans of a schema's memo fields now, so that processes forked next share them (and
    what they learn can be kept, see `memo_marks`)."""
    for name in schema.names():
        field = schema[name]
        if isinstance(field, MemoText):
            field._memo_plan()
