"""The search workload: a mixed query set drawn from the corpus itself, by class.

Classes: a rare word, a common word, a quoted phrase, two words, three words, a word with an author
filter, a word within a five-year date range. Words are picked from a sample of the corpus by
document frequency, and multi-word queries from one article so they match something, as real
queries do.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.corpus import FUNCTION_WORDS

CLASSES = ("rare", "common", "phrase", "two_words", "three_words", "filter", "date_range")
_WORD = re.compile(r"[a-z]{4,}")
_STOP = set(FUNCTION_WORDS)


@dataclass
class BenchQuery:
    kind: str
    q: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    #: the words, phrase marker and filter pieces a baseline engine needs to run the same search
    words: list[str] = field(default_factory=list)
    phrase: bool = False


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


class QueryMaker:
    def __init__(self, sample: list[dict], seed: int = 7):
        self.sample = sample
        self.rng = random.Random(seed)
        df: Counter = Counter()
        self.doc_words = []
        for rec in sample:
            words = _words(rec["title"] + " " + rec["text"])
            self.doc_words.append(words)
            df.update(dict.fromkeys(words, 1))  # first-seen order, so ties rank the same in every process
        n = len(sample)
        ordered = [w for w, _ in df.most_common()]
        self.common = [w for w in ordered if df[w] >= 0.08 * n][:60] or ordered[:60]
        self.rare = [w for w in ordered if df[w] == 1] or ordered[-100:]
        self.mid = [w for w in ordered if 0.005 * n <= df[w] < 0.08 * n] or ordered[:500]
        self.mid_set = set(self.mid)

    def _doc(self) -> tuple[dict, list[str]]:
        i = self.rng.randrange(len(self.sample))
        return self.sample[i], self.doc_words[i]

    def _from_doc(self, k: int) -> list[str]:
        for _ in range(50):
            _, words = self._doc()
            pool = list(dict.fromkeys(w for w in words if w in self.mid_set))
            if len(pool) >= k:
                return self.rng.sample(pool, k)
        return self.rng.sample(self.mid, k)

    def make(self, kind: str) -> BenchQuery:
        rng = self.rng
        if kind == "rare":
            w = rng.choice(self.rare)
            return BenchQuery(kind, w, words=[w])
        if kind == "common":
            w = rng.choice(self.common)
            return BenchQuery(kind, w, words=[w])
        if kind == "phrase":
            for _ in range(50):
                _, words = self._doc()
                if len(words) > 3:
                    j = rng.randrange(len(words) - 1)
                    pair = words[j:j + 2]
                    break
            return BenchQuery(kind, '"%s"' % " ".join(pair), words=pair, phrase=True)
        if kind == "two_words":
            ws = self._from_doc(2)
            return BenchQuery(kind, " ".join(ws), words=ws)
        if kind == "three_words":
            ws = self._from_doc(3)
            return BenchQuery(kind, " ".join(ws), words=ws)
        if kind == "filter":
            rec, _ = self._doc()
            w = rng.choice(self.common + self.mid[:200])
            return BenchQuery(kind, w, filters={"author": [rec["authors"][0]]}, words=[w])
        if kind == "date_range":
            start = rng.randint(1995, 2019)
            w = rng.choice(self.common + self.mid[:200])
            return BenchQuery(kind, w, date_from=str(start), date_to=str(start + 4), words=[w])
        raise ValueError(kind)

    def workload(self, per_class: int) -> list[BenchQuery]:
        """``per_class`` queries of every class, interleaved."""
        return [self.make(kind) for _ in range(per_class) for kind in CLASSES]
