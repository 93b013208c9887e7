"""Snippets: the query's matches in ``<mark>``, in up to three fragments or over the whole text.

Whoosh's highlighter runs the field's full analyzer over every shown document on every search;
folding and stemming each token made snippets the largest single cost of a search (about 1.3 ms
per document at 100,000 articles), and it breaks ties between equally good fragments by memory
address, so the same search could show different snippets. Here the text is split with the
analyzer's own tokenizer pattern, each word's term comes from a memo (our filters act on one token
at a time, so a word always becomes the same term), and fragments are cut, scored and formatted
by Whoosh's rules (``ContextFragmenter``, ``BasicFragmentScorer``, ``HtmlFormatter``) with ties
going to the earlier fragment. `reference_marked` is Whoosh's own highlighter with that tie rule;
tests/index/test_highlighting.py holds the two to the same output.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass
from itertools import compress

import numpy as np

from whoosh import highlight

from index.schema import TOKEN_PATTERN, fold
from index.wordterms import DROPPED, WordTerms

#: distinct words remembered per field before the memo starts over
MEMO_SIZE = 200_000
#: words whose first letters are remembered (cheap to work out again; each costs about 100 bytes)
HEADS_SIZE = 50_000
FRAGMENT_CHARS = 180
FRAGMENT_SURROUND = 60
#: only this much of a text is looked at (Whoosh's default)
CHAR_LIMIT = 2 ** 15
BETWEEN = " … "


class MarkFormatter(highlight.HtmlFormatter):
    """Matches in a bare ``<mark>``; everything else HTML-escaped (by HtmlFormatter._text)."""

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):
        return "<mark>%s</mark>" % self._text(highlight.get_text(text, token, replace))


class MemoTokens:
    """A field analyzer's tokens and terms for highlighting, each distinct word analysed once.

    Only valid for analyzers whose filters act on one token at a time (ours: fold, stop, stem),
    which is what lets a word be analysed alone and remembered.
    """

    def __init__(self, analyzer, pattern: str = TOKEN_PATTERN, size: int = MEMO_SIZE):
        self.analyzer = analyzer
        self._splitter = re.compile(f"({pattern})", re.UNICODE)
        self.heads_size = min(size, HEADS_SIZE)
        #: word -> its term, or DROPPED when the analyzer drops it (stop words are kept, as shown)
        self.words = WordTerms(analyzer, size, mode="query", removestops=False)
        #: word -> the first two letters its term starts with, for every word met (see `_can_match`)
        self._heads_of: dict[str, str] = {}
        self._heads_clears = 0
        self._lock = threading.Lock()

    @property
    def memo(self) -> dict[str, str]:
        return self.words.memo

    @property
    def _clears(self) -> int:
        """Times the memo or the first letters were emptied on reaching their size."""
        return self.words.clears + self._heads_clears

    def term(self, word: str) -> str | None:
        """The term a word is indexed as, or None when the analyzer drops it."""
        return self.words.term_of(word) or None

    def _candidates(self, words_in: list[str], words: frozenset[str]) -> None:
        """Analyse the words of a text that can be one of ``words`` and are not in the memo yet.
        Every word's first two letters (as its term starts) are remembered too, so a word is
        looked at once, and which words can match is found without a Python step per word."""
        heads_of = self._heads_of
        new = set(words_in).difference(heads_of)
        if new:
            shared = _SHARED_HEADS
            found = {w: shared.setdefault(h, h) for w in new for h in (_head(w),)}
            with self._lock:
                if len(heads_of) + len(found) > self.heads_size:
                    heads_of.clear()
                    self._heads_clears += 1
                heads_of.update(found)
        wanted = _heads(words)
        if all(len(h) == 2 for h in wanted):
            candidates = set(compress(words_in, map(wanted.__contains__, map(heads_of.get, words_in))))
        else:  # a one-letter word: every word starting with that letter can match
            candidates = {w for w in set(words_in) if _can_match(w, wanted)}
        self.words.fill(candidates)

    def tokens(self, text: str, words: frozenset[str], limit: int | None = None) -> "Tokens":
        """The tokens the analyzer keeps (with ``limit``: up to and including the first that ends
        past it), their offsets, and for each the term when it can be one of ``words``.

        The text is split in one regular-expression call and the words are looked up in the memo
        together; only words the memo lacks are analysed, and of those only the ones that can match:
        stemming and folding keep a word's first two letters (apostrophes aside), so a word whose
        first two letters begin none of ``words`` cannot be one of them."""
        if limit is not None and len(text) > limit + _LIMIT_SLACK:
            found = self._tokens_of(self._splitter.split(text[:limit + _LIMIT_SLACK]), words, limit, cut=True)
            if found is not None:
                return found
        return self._tokens_of(self._splitter.split(text), words, limit)

    def _tokens_of(self, parts: list[str], words: frozenset[str], limit: int | None,
                   cut: bool = False) -> "Tokens | None":
        """`tokens` from the text split into [separator, word, separator, ..., word, separator].
        With ``cut`` (the start of a text): None when the first token ending past the limit may
        not be whole in it."""
        words_in = parts[1::2]
        memo, clears = self.memo, self._clears
        self._candidates(words_in, words)
        terms = list(map(memo.get, words_in))
        if self._clears != clears:  # the memo was emptied meanwhile: one word at a time
            heads = _heads(words)
            terms = [self.words.term_of(w) if _can_match(w, heads) else memo.get(w) for w in words_in]
        offsets = np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)))
        starts, ends = offsets[0:-1:2], offsets[1::2]
        if DROPPED in terms:  # words the analyzer drops are not tokens at all
            keep = [i for i, t in enumerate(terms) if t != DROPPED]
            terms = [terms[i] for i in keep]
            starts, ends = starts[keep], ends[keep]
        if limit is not None:
            past = int(np.searchsorted(ends, limit, side="right"))  # the first token ending past it
            if cut and (past >= len(terms) or (past == len(terms) - 1 and not parts[-1])):
                return None
            if past < len(terms):
                terms, starts, ends = terms[:past + 1], starts[:past + 1], ends[:past + 1]
        matched = list(compress(range(len(terms)), map(words.__contains__, terms)))
        return Tokens(starts, ends, terms, matched)

    def matching(self, text: str, words: frozenset[str],
                 limit: int | None = None) -> list[tuple[int, int, str | None]]:
        """(start, end, term) of each token the analyzer keeps, the term worked out only for tokens
        that can be one of ``words`` (None for others it has not met); with ``limit``, up to and
        including the first token that ends past it."""
        found = self.tokens(text, words, limit)
        return list(zip(found.starts.tolist(), found.ends.tolist(), found.terms))


#: one string object for each pair of first letters met
_SHARED_HEADS: dict[str, str] = {}
#: text read past a limit, to find the first token that ends past it
_LIMIT_SLACK = 2000


def _heads(words: frozenset[str]) -> set[str]:
    return {w[:2] for w in words}


def _head(word: str) -> str:
    """The first two letters a word's term starts with: stemming and folding keep them, apostrophes
    aside."""
    head = word[:4]
    return (head.replace("`", "'").lower() if head.isascii() else fold(head)).replace("'", "")[:2]


def _can_match(word: str, heads: set[str]) -> bool:
    """Whether a word's term can be one of the words whose first two letters are ``heads``."""
    head = _head(word)
    return head in heads or head[:1] in heads


@dataclass
class Tokens:
    starts: np.ndarray
    ends: np.ndarray
    terms: list  # a token's term, or None when it cannot be one of the words asked about
    matched: list[int]  # indexes of the tokens whose term is one of the words


def marked(text: str, words: frozenset[str], memo: MemoTokens, top: int = 3, whole: bool = False) -> str:
    """HTML-safe text with the words' matches in ``<mark>``: the best fragments, or the whole text.
    An empty string when nothing matched and fragments were asked for."""
    if not text:
        return ""
    if not words:
        return "" if not whole else html.escape(text, quote=False)
    tokens = memo.tokens(text, words, limit=CHAR_LIMIT)
    fragments = _whole_fragment(text, tokens) if whole else _context_fragments(text, tokens)
    best = _best(fragments, top)
    if not best:
        return html.escape(text, quote=False) if whole else ""
    return BETWEEN.join(_format(text, start, end, matches) for start, end, matches in best)


def _within_limit(tokens: "Tokens") -> int:
    """How many tokens the fragmenters look at: they stop at the first that ends past `CHAR_LIMIT`."""
    return int(np.searchsorted(tokens.ends, CHAR_LIMIT, side="right"))


def _match(tokens: "Tokens", i: int) -> tuple[int, int, str]:
    return int(tokens.starts[i]), int(tokens.ends[i]), tokens.terms[i]


def _whole_fragment(text, tokens: "Tokens"):
    stop = _within_limit(tokens)
    return [(0, len(text), [_match(tokens, i) for i in tokens.matched if i < stop])]


def _context_fragments(text, tokens: "Tokens", maxchars=FRAGMENT_CHARS, surround=FRAGMENT_SURROUND):
    """Whoosh's ``ContextFragmenter.fragment_tokens``, skipping the stretches between fragments.

    Between fragments Whoosh only keeps the starts of the tokens within ``surround`` characters
    before the current one (where a fragment starts when a match comes); that is worked out from
    the offsets at the next match instead of token by token. Inside a fragment every token counts,
    and those few are taken one at a time by Whoosh's rules."""
    starts, ends, words = tokens.starts, tokens.ends, tokens.matched
    stop = _within_limit(tokens)
    if not stop or not words or words[0] >= stop:
        return []
    matched_at = set(words)
    endchar = int(ends[stop]) if stop < len(ends) else int(ends[-1])
    out = []
    next_match = iter(words)
    i = 0  # the next token to look at; outside a fragment (Whoosh's countdown < 0) until a match
    while True:
        m = next((w for w in next_match if w >= i), None)
        if m is None or m >= stop:
            return out
        length = int(ends[m] - starts[m])
        if length > maxchars:  # Whoosh opens and closes an empty fragment on this token
            i = m + 1
            continue
        first, countdown = None, surround
        if m > i:  # the earliest token since the last fragment within `surround` characters before
            j = i + int(np.searchsorted(starts[i:m], ends[m - 1] - surround, side="left"))
            if j < m:
                first = int(starts[j])
        if first is None:
            first, countdown = int(starts[m]), 2 * surround
        matches = [_match(tokens, m)]
        currentlen = length
        countdown -= length
        i = m + 1
        while countdown > 0 and i < stop:  # inside the fragment: Whoosh's rules, token by token
            length = int(ends[i] - starts[i])
            if currentlen + length > maxchars:
                countdown = 0
            elif i in matched_at:
                countdown = surround
                matches.append(_match(tokens, i))
            currentlen += length
            countdown -= length
            i += 1
        if countdown > 0:  # the text ended inside the fragment
            out.append(_fragment(text, matches, first, endchar))
            return out
        out.append(_fragment(text, matches, first, int(ends[i - 1])))
        if countdown == 0 and i < stop:
            # Whoosh's countdown is not below zero yet: the next token ends an empty fragment, unless
            # it is a match, which opens a fragment of its own
            if i not in matched_at:
                i += 1


def _fragment(text, matches, start, end):
    if start is None:
        start = matches[0][0] if matches else 0
    if end is None:
        end = matches[-1][1] if matches else len(text)
    return max(0, start), min(len(text), end), matches


def _score(fragment) -> int:
    """``BasicFragmentScorer``: matches, times a hundred per distinct word matched."""
    matches = fragment[2]
    return len(matches) * ((len({term for _, _, term in matches}) * 100) or 1)


def _best(fragments, top: int):
    scored = sorted(((_score(f), f) for f in fragments), key=lambda sf: (-sf[0], sf[1][0]))[:top]
    return sorted((f for score, f in scored if score >= 1), key=lambda f: f[0])


def _format(text: str, start: int, end: int, matches) -> str:
    out = []
    index = start
    for m_start, m_end, _ in matches:
        if m_start < index:
            continue
        if m_start > index:
            out.append(html.escape(text[index:m_start], quote=False))
        out.append("<mark>%s</mark>" % html.escape(text[m_start:m_end], quote=False))
        index = m_end
    out.append(html.escape(text[index:end], quote=False))
    return "".join(out)


def reference_marked(text: str, words: frozenset[str], analyzer, top: int = 3, whole: bool = False) -> str:
    """Whoosh's own highlighter over the field analyzer, ties going to the earlier fragment."""
    if not text:
        return ""
    if not words:
        return "" if not whole else html.escape(text, quote=False)
    fragmenter = (highlight.WholeFragmenter() if whole
                  else highlight.ContextFragmenter(maxchars=FRAGMENT_CHARS, surround=FRAGMENT_SURROUND))
    basic = highlight.BasicFragmentScorer()
    out = highlight.highlight(text, words, analyzer, fragmenter, MarkFormatter(), top=top,
                              scorer=lambda f: basic(f) - f.startchar * 1e-7)
    if not out and whole:
        return html.escape(text, quote=False)
    return out
