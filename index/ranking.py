"""BM25F relevance for plain-word queries, computed over whole posting lists with numpy.

Whoosh scores each field separately and sums the results, and its union matchers become very slow
for long questions (dozens of words over four fields). Plain words — the common case, and every
natural-language question — are scored here instead, as BM25F proper: a word's frequencies in
title, author, publication and body are weighted and length-normalised per field, summed, and only
then saturated, so a word in the title counts more than the same word in the body without one field
swamping the others. On top of that:

* coordination: documents matching more of the question's distinct words rank higher;
* proximity: documents where two consecutive query words stand within a few words of each other
  (``medical internationalism``) get a bonus;
* automatic typo tolerance: a word found nowhere is replaced by its closest spellings in the index.

Queries with operators, fields, phrases, wildcards or fuzzy terms go through Whoosh unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from index.arrays import first_places, summed_by_key
from index.phrases import phrase_docnums
from index.postings import PerSegment, PostingsCache, SearchPostings, field_lengths, read_postings
from index.schema import fold
from index.spelling import Speller

#: fields plain words are looked for in
RANKED_FIELDS = ("title", "text", "author", "publication")

QUESTION_WORDS = frozenset("""
what which who whom whose why how where when whether does do did doing done is are was were been being
there here any some such i me my we our you your please give find show tell list describe described
describes discuss discussed discusses discussing concerning regarding relating related about want wanted
need needed interested interest looking look paper papers article articles document documents
""".split())


@dataclass(frozen=True)
class RankingParams:
    """Tuned on CISI with ``make eval-search`` (see benchmarks/eval_search.py)."""

    k1: float = 2.0
    weights: dict = field(default_factory=lambda: {"title": 3.0, "text": 1.0, "author": 1.5, "publication": 1.0})
    b: dict = field(default_factory=lambda: {"title": 0.4, "text": 0.8, "author": 0.3, "publication": 0.3})
    #: for short queries, score multiplied by (matched words / query words) ** coordination, so documents
    #: with more of the words come first; long questions are left to BM25 (coordination hurt them on CISI)
    coordination: float = 0.5
    coordination_max_words: int = 6
    #: bonus, in units of the smaller idf of the pair, for two consecutive words close together
    proximity: float = 0.1
    #: short queries are often names of things ("type hints"): words together count for more there
    proximity_short: float = 0.5
    proximity_slop: int = 3
    #: at most this many distinct words are scored (a pasted page becomes its first words)
    max_words: int = 64
    #: spellings tried for a word found nowhere
    fuzzy_expansions: int = 3
    #: words that frame a question rather than say what it is about ("what papers discuss …"); dropped
    #: from plain queries as long as other words remain
    question_words: frozenset = QUESTION_WORDS


PARAMS = RankingParams()


@dataclass
class Word:
    """One distinct query word as each field's analyzer sees it."""

    raw: str
    terms: dict[str, str]  # fieldname -> indexed term
    weight: float = 1.0


@dataclass
class Ranked:
    docnums: np.ndarray  # int64, global document numbers, matching the query
    scores: np.ndarray  # float64, same order
    words: list[Word]


def _analyse(schema, fieldname: str, text: str) -> list[str]:
    return [t.text for t in schema[fieldname].analyzer(text)]


def query_words(schema, words: list[str], max_words: int) -> list[Word]:
    """Distinct words of a plain query, each with the term it would be indexed as in every field."""
    out: list[Word] = []
    seen: set[str] = set()
    for raw in words:
        stemmed = _analyse(schema, "text", raw)
        if not stemmed:  # a stop word
            continue
        key = stemmed[0]
        if key in seen:
            continue
        seen.add(key)
        terms = {}
        for fieldname in RANKED_FIELDS:
            if fieldname not in schema:
                continue
            analysed = _analyse(schema, fieldname, raw)
            if analysed:
                terms[fieldname] = analysed[0]
        out.append(Word(raw, terms))
        if len(out) >= max_words:
            break
    return out


class Ranker:
    """Per-segment field lengths and long posting lists are cached (segments never change) and shared
    by all threads."""

    def __init__(self, params: RankingParams = PARAMS, speller: Speller | None = None):
        self.params = params
        self.speller = speller or Speller()
        self._lengths = PerSegment()
        self.postings = PostingsCache()

    # -- index statistics -------------------------------------------------------------------------

    def _field_lengths(self, reader, fieldname: str) -> np.ndarray:
        return self._lengths.get(reader, fieldname, lambda: field_lengths(reader, fieldname))

    def forget_except(self, live_keys: set[str]) -> None:
        self._lengths.forget_except(live_keys)
        self.postings.forget_except(live_keys)

    def _postings(self, reader, fieldname: str, term: str, cache) -> tuple[np.ndarray, np.ndarray]:
        """Local docnums and within-document weights of one term in one segment."""
        found = read_postings(reader, fieldname, term, cache=cache)
        return found.ids, found.weights

    # -- scoring ----------------------------------------------------------------------------------

    def rank(self, searcher, words: list[str], require_all: bool, literal: bool = False,
             need: int | None = None, narrow: Callable[[np.ndarray], np.ndarray] | None = None,
             postings: SearchPostings | None = None) -> Ranked:
        """``literal``: every word as typed, none dropped as question framing or replaced by
        close spellings (the words of a query that also has phrases). ``need``: only the first
        ``need`` places of the order must be exact (see `_proximity_bonus`); None for all. ``narrow``:
        given the matching document numbers (ascending), the ones allowed by filters. ``postings``:
        the lists this search has read so far (a new one when not given)."""
        postings = postings if postings is not None else SearchPostings(self.postings)
        schema = searcher.schema
        p = self.params
        content = words if literal else [w for w in words if fold(w) not in p.question_words]
        qwords = query_words(schema, content or words, p.max_words)
        if not literal:
            qwords = self._tolerate_typos(searcher, qwords)
        reader = searcher.reader()
        leaves = reader.leaf_readers()
        total_docs = max(1, reader.doc_count())
        avg = {f: max(1e-9, reader.field_length(f) / total_docs) for f in RANKED_FIELDS if f in schema}
        all_docs, all_scores = [], []
        # document frequency of a word = documents that have it in any field, over all segments
        per_word_segment: list[list[tuple[np.ndarray, np.ndarray]]] = []
        df = []
        for word in qwords:
            seg_data = []
            count = 0
            for leaf, _offset in leaves:
                ids, tf = self._word_tf(leaf, word, avg, postings)
                seg_data.append((ids, tf))
                count += len(ids)
            per_word_segment.append(seg_data)
            df.append(count)
        idf = [math.log(1 + (total_docs - d + 0.5) / (d + 0.5)) for d in df]
        n_words = sum(w.weight for w in qwords) or 1.0
        for si, (leaf, offset) in enumerate(leaves):
            parts = []
            for wi, word in enumerate(qwords):
                ids, tf = per_word_segment[wi][si]
                if len(ids):
                    parts.append((ids, (word.weight * idf[wi] * tf * (p.k1 + 1) / (tf + p.k1),
                                        np.full(len(ids), word.weight))))
            if not parts:
                continue
            ids, (score, matched) = summed_by_doc(leaf.doc_count_all(), parts)
            if require_all:
                hit = matched >= n_words - 1e-9
            else:
                hit = matched > 0
            local = ids[hit]
            if not len(local):
                continue
            s = score[hit]
            if p.coordination and 1 < len(qwords) <= p.coordination_max_words:
                s = s * (matched[hit] / n_words) ** p.coordination
            all_docs.append(local + offset)
            all_scores.append(s)
        if not all_docs:
            return Ranked(np.zeros(0, np.int64), np.zeros(0), qwords)
        docnums = np.concatenate(all_docs)
        scores = np.concatenate(all_scores)
        if narrow is not None:  # filters first, so the proximity bonus is decided among what is shown
            keep = np.isin(docnums, narrow(docnums))
            docnums, scores = docnums[keep], scores[keep]
        if (p.proximity or p.proximity_short) and len(qwords) > 1:
            scores = scores + self._proximity_bonus(searcher, qwords, idf, docnums, scores, need, postings)
        return Ranked(docnums, scores, qwords)

    def _word_tf(self, leaf, word: Word, avg: dict[str, float], postings) -> tuple[np.ndarray, np.ndarray]:
        """BM25F pseudo-frequency of one word in one segment: weighted, length-normalised, summed."""
        p = self.params
        parts = []
        for fieldname, term in word.terms.items():
            ids, weights = self._postings(leaf, fieldname, term, postings)
            if not len(ids):
                continue
            boost = getattr(leaf.schema[fieldname].format, "field_boost", 1.0) or 1.0
            tf = weights / boost  # the schema's index-time boost is replaced by ours
            lengths = self._field_lengths(leaf, fieldname)[ids]
            b = p.b.get(fieldname, 0.75)
            norm = 1 - b + b * lengths / avg.get(fieldname, 1.0)
            parts.append((ids, (p.weights.get(fieldname, 1.0) * tf / np.maximum(norm, 1e-9),)))
        if not parts:
            return np.zeros(0, np.int64), np.zeros(0)
        ids, (tf,) = summed_by_doc(leaf.doc_count_all(), parts)
        scored = tf != 0
        return (ids, tf) if scored.all() else (ids[scored], tf[scored])

    def _tolerate_typos(self, searcher, qwords: list[Word]) -> list[Word]:
        """A word that is in no field is replaced by up to a few close spellings, at lower weight."""
        reader = searcher.reader()
        out = []
        for word in qwords:
            if any((f, t) in reader for f, t in word.terms.items()):
                out.append(word)
                continue
            folded = fold(word.raw)
            if len(folded) < 4 or not folded.isalpha():
                out.append(word)  # too short to guess; it simply matches nothing
                continue
            try:
                options = self.speller.corrections(searcher, folded, self.params.fuzzy_expansions)
            except Exception:
                options = []
            if not options:
                out.append(word)
                continue
            share = 1.0 / len(options)
            for option in options:
                alt = query_words(searcher.schema, [option], 1)
                for a in alt:
                    a.weight = share
                    out.append(a)
        return out

    def _proximity_bonus(self, searcher, qwords: list[Word], idf: list[float], docnums: np.ndarray,
                         scores: np.ndarray, need: int | None, postings) -> np.ndarray:
        """For each pair of consecutive query words: a bonus where they stand close in the body, and
        again where they stand together in the title (short queries only: "type hints").

        Checking positions is the costly part, so with ``need`` only documents that can still reach
        the first ``need`` places are checked: those whose score is within the largest possible
        bonus of the ``need``-th best score. Everything above that line is ordered exactly.
        """
        bonus = np.zeros(len(docnums))
        pairs = self._proximity_pairs(qwords, idf)
        if not pairs:
            return bonus
        look = np.arange(len(docnums))
        if need is not None and len(docnums) > need:
            most = sum(amount for _, _, _, amount in pairs)
            line = np.partition(scores, len(scores) - need)[len(scores) - need] - most
            look = np.nonzero(scores >= line)[0]
        order = look[np.argsort(docnums[look])]
        ordered = docnums[order]
        for fieldname, words, slop, amount in pairs:
            near = phrase_docnums(searcher, fieldname, words, slop, within=ordered, cache=postings)
            if len(near):
                bonus[order[np.isin(ordered, near, assume_unique=True)]] += amount
        return bonus

    def _proximity_pairs(self, qwords: list[Word], idf: list[float]) -> list[tuple[str, list[str], int, float]]:
        """(field, two terms, slop, bonus) for each pair of consecutive words and field checked."""
        pairs = []
        p = self.params
        short = len(qwords) <= p.coordination_max_words
        weight = p.proximity_short if short else p.proximity
        fields = (("text", p.proximity_slop), ("title", 1)) if short else (("text", p.proximity_slop),)
        for i in range(len(qwords) - 1):
            a, b = qwords[i], qwords[i + 1]
            if a.weight < 1 or b.weight < 1:
                continue
            for fieldname, slop in fields:
                if fieldname in a.terms and fieldname in b.terms:
                    pairs.append((fieldname, [a.terms[fieldname], b.terms[fieldname]], slop,
                                  weight * min(idf[i], idf[i + 1])))
        return pairs


#: a segment's lists are added up in arrays as long as the segment when together they hold more
#: postings than this share of its documents, and by sorting their postings when fewer
DENSE_SHARE = 0.25


def summed_by_doc(n: int, parts: list[tuple[np.ndarray, tuple[np.ndarray, ...]]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The documents of a segment of ``n`` in any of ``parts`` (ascending distinct local numbers,
    and values of each kind for them), and each kind's values summed per document in the order of
    the parts. Either way the sums are those of adding each part into zeros, to the last bit; a
    word's lists are mostly short against a segment, and a pass over all its documents per word
    was most of ranking a rare word."""
    if len(parts) == 1:
        ids, values = parts[0]
        return ids, list(values)
    kinds = len(parts[0][1])
    if sum(len(ids) for ids, _ in parts) > DENSE_SHARE * n:
        totals = [np.zeros(n) for _ in range(kinds)]
        present = np.zeros(n, dtype=bool)
        for ids, values in parts:
            present[ids] = True
            for total, v in zip(totals, values):
                total[ids] += v
        ids = np.flatnonzero(present)
        return ids, [total[ids] for total in totals]
    return summed_by_key(np.concatenate([ids for ids, _ in parts]),
                         *(np.concatenate([values[k] for _, values in parts]) for k in range(kinds)))


def first_of_each_group(facet_cache, searcher, fieldname: str, docnums: np.ndarray) -> np.ndarray:
    """Positions in ``docnums`` (best first) to keep so each group of copies shows once, at its best."""
    group = np.full(len(docnums), -1, dtype=np.int64)
    for leaf, offset in searcher.reader().leaf_readers():
        facet = facet_cache.segment_facet(leaf, fieldname)
        if not len(facet.docnums):
            continue
        local = docnums - offset
        inside = np.nonzero((local >= 0) & (local < leaf.doc_count_all()))[0]
        if not len(inside):
            continue
        group_of = np.full(leaf.doc_count_all(), -1, dtype=np.int64)
        group_of[facet.docnums] = facet.global_ordinals
        group[inside] = group_of[local[inside]]
    grouped = np.nonzero(group >= 0)[0]
    if not len(grouped):
        return np.arange(len(docnums), dtype=np.int64)
    first = first_places(group[grouped])
    keep = np.ones(len(docnums), dtype=bool)
    keep[grouped] = False
    keep[grouped[first]] = True
    return np.nonzero(keep)[0]
