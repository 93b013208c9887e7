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

Most of a text is never in a snippet, so it is not split either: regular expressions find the
words that can match (by their first letters), and only the stretches around the matches are
split (`MemoTokens.near_matches`), unless a stretch may lack a token the fragmenter would look at;
then the whole text is read (`MemoTokens.tokens`). The tests hold the two to the same fragments.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, compress

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
#: characters read before and after each match for its fragment (see `MemoTokens.near_matches`)
NEAR_BEFORE = 100
NEAR_AFTER = 300


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
        folds_away = not text.isascii() and _FOLDS_AWAY.search(text) is not None
        if limit is not None and len(text) > limit + _LIMIT_SLACK:
            found = self._tokens_of(self._splitter.split(text[:limit + _LIMIT_SLACK]), words, limit,
                                    cut=True, folds_away=folds_away)
            if found is not None:
                return found
        return self._tokens_of(self._splitter.split(text), words, limit, folds_away=folds_away)

    def _tokens_of(self, parts: list[str], words: frozenset[str], limit: int | None,
                   cut: bool = False, folds_away: bool = False) -> "Tokens | None":
        """`tokens` from the text split into [separator, word, separator, ..., word, separator].
        With ``cut`` (the start of a text): None when the first token ending past the limit may
        not be whole in it. With ``folds_away``, the words holding a character that folds to
        nothing are analysed too, so that a word the analyzer drops is known to be dropped."""
        words_in = parts[1::2]
        memo, clears = self.memo, self._clears
        self._candidates(words_in, words)
        if folds_away:
            self.words.fill([w for w in words_in if _FOLDS_AWAY.search(w)])
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
        return Tokens(starts.tolist(), ends.tolist(), terms, matched)

    def matching(self, text: str, words: frozenset[str],
                 limit: int | None = None) -> list[tuple[int, int, str | None]]:
        """(start, end, term) of each token the analyzer keeps, the term worked out only for tokens
        that can be one of ``words`` (None for others it has not met); with ``limit``, up to and
        including the first token that ends past it."""
        found = self.tokens(text, words, limit)
        return list(zip(found.starts, found.ends, found.terms))

    def matches(self, text: str, words: frozenset[str], limit: int) -> list[tuple[int, int, str]] | None:
        """(start, end, term) of the tokens that are one of ``words`` and end within ``limit``,
        found without splitting the whole text: the tokens that can be one of the words (see
        `_candidates_in`) are found by regular expressions, and only those are looked up.
        None for a text these cannot read quickly and exactly (see `_candidates_in`)."""
        heads = _heads(words)
        found = _candidates_in(text, heads, limit)
        if found is None:
            return None
        term_of = self.words.term_of
        out = []
        for start, end in found:
            word = text[start:end]
            if _can_match(word, heads):
                term = term_of(word)
                if term in words:
                    out.append((start, end, term))
        return out

    def near_matches(self, text: str, words: frozenset[str], limit: int) -> "Tokens | None":
        """`tokens`, but only those in stretches of text around the matches: what the fragmenter
        reads. Every stretch starts and ends between tokens, so its tokens are the text's own.

        None when a stretch may lack a token the fragmenter looks at (see `_stretches_suffice`),
        or for a text `matches` does not take: the caller then reads the whole text."""
        found = self.matches(text, words, limit)
        if found is None:
            return None
        if not found:
            return Tokens([], [], [], [])
        spans = _stretches(text, found)
        starts: list[int] = []
        ends: list[int] = []
        his = []  # the first token after each stretch
        for a, b in spans:
            parts = self._splitter.split(text[a:b])
            offsets = list(accumulate(map(len, parts), initial=a))
            starts += offsets[1:-1:2]
            ends += offsets[2::2]
            his.append(len(starts))
        past = bisect_right(ends, limit)  # the first token ending past the limit
        truncated = past < len(ends)
        if truncated:
            del starts[past + 1:], ends[past + 1:]
        at = [bisect_left(starts, start) for start, _, _ in found]
        if not _stretches_suffice(text, spans, his, starts, ends, at, truncated):
            return None
        terms: list = [None] * len(starts)
        for i, (_, _, term) in zip(at, found):
            terms[i] = term
        return Tokens(starts, ends, terms, at)


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


#: characters that fold to nothing (half-width katakana sound marks): a token made of them alone
#: is dropped by the analyzer, which the stretches around matches cannot see
_FOLDS_AWAY = re.compile("[\uff9e\uff9f]")
#: the apostrophes `TOKEN_PATTERN` joins words with
_APOSTROPHES = "'’`"
_APOSTROPHE = f"[{_APOSTROPHES}]"
#: a character no token holds: where a stretch can begin or end
_SEPARATOR = re.compile(rf"[^\w{_APOSTROPHES}]")
#: characters outside ASCII looked at one by one before a text is read whole instead
NON_ASCII_LOOKED_AT = 200
_TOKEN = re.compile(TOKEN_PATTERN)
#: a token starts here: a word character after neither a word character nor an apostrophe that
#: follows one (`TOKEN_PATTERN` would have carried on through it)
_TOKEN_START = re.compile(rf"(?<!\w)(?<!\w{_APOSTROPHE})\w")
#: a character outside ASCII that a token may hold
_NON_ASCII_IN_TOKEN = re.compile(r"[^\x00-\x7f](?<=[\w’])")


@functools.lru_cache(maxsize=4096)
def _head_pattern(head: str) -> re.Pattern:
    """The tokens whose first letters are ``head`` (an ASCII head of one or two characters), in
    either case, an apostrophe allowed between the two; each match is the whole token. It opens
    with the first letter, which lets the regular expression engine skip ahead to it."""
    first = f"[{re.escape(head[0] + head[0].upper())}]"
    second = f"{_APOSTROPHE}?[{re.escape(head[1] + head[1].upper())}]" if len(head) > 1 else ""
    return re.compile(rf"{first}(?<!\w.)(?<!\w{_APOSTROPHE}.){second}\w*(?:{_APOSTROPHE}\w+)*")


def _candidates_in(text: str, heads: set[str], limit: int) -> list[tuple[int, int]] | None:
    """(start, end) of the tokens ending within ``limit`` that can have one of ``heads`` as their
    first letters: those that begin with one (`_head_pattern`), and those with a character outside
    ASCII among their first four, which folding may turn into anything.

    None for a text with a character the analyzer folds away (`_FOLDS_AWAY`: the stretches around
    matches could not see such a token dropped), or with more than `NON_ASCII_LOOKED_AT` word
    characters outside ASCII, which are looked at one by one."""
    found: dict[int, int] = {}
    # A token the end of the search cuts short ends at it or one before (an apostrophe with nothing
    # after it): past the limit, either way.
    end_at = limit + 2
    for head in heads:
        if head.isascii():
            for m in _head_pattern(head).finditer(text, 0, end_at):
                if m.end() <= limit:
                    found[m.start()] = m.end()
    if not text.isascii():
        if _FOLDS_AWAY.search(text):
            return None
        for n, m in enumerate(_NON_ASCII_IN_TOKEN.finditer(text, 0, limit)):
            if n >= NON_ASCII_LOOKED_AT:
                return None
            at = m.start()
            for start in range(max(0, at - 3), at + 1):
                if _TOKEN_START.match(text, start):
                    token = _TOKEN.match(text, start, end_at)
                    if token.end() > at:
                        if token.end() <= limit:
                            found[start] = token.end()
                        break
    return sorted(found.items())


def _stretches(text: str, matches: list[tuple[int, int, str]],
               before: int = NEAR_BEFORE, after: int = NEAR_AFTER) -> list[tuple[int, int]]:
    """From ``before`` characters ahead of each match to ``after`` past it, joined where they
    meet, moved to the nearest points between tokens: a start forward to just after a separator
    (or to the match itself), an end forward to the next separator."""
    joined: list[list[int]] = []
    for start, end, _ in matches:
        a, b = max(0, start - before), min(len(text), end + after)
        if joined and a <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], b)
        else:
            joined.append([a, b, start])
    out: list[tuple[int, int]] = []
    for a, b, first in joined:
        if a > 0:
            sep = _SEPARATOR.search(text, a, first)
            a = sep.end() if sep else first
        sep = _SEPARATOR.search(text, b)
        b = sep.start() if sep else len(text)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _stretches_suffice(text: str, spans, his, starts, ends, at, truncated: bool,
                       maxchars: int = FRAGMENT_CHARS, surround: int = FRAGMENT_SURROUND) -> bool:
    """Whether the stretches hold every token `_context_fragments` looks at, for each match:

    * before it, the token just ahead of it and every token starting within ``surround``
      characters of that one's end (where a fragment may start), unless the stretch starts the text;
    * after it, tokens until their lengths, the match's included, pass ``maxchars`` (a fragment
      has closed by then), and two more (the one after a fragment may be passed over), unless the
      stretch ends the text or holds the first token that ends past the limit."""
    lengths = list(accumulate(e - s for s, e in zip(starts, ends)))  # of the tokens up to each
    n = len(starts)
    k = 0  # the next match
    lo = 0
    for (a, b), hi in zip(spans, his):
        hi = min(hi, n)
        reaches_end = b == len(text) or (truncated and hi == n)
        while k < len(at) and at[k] < hi:
            m = at[k]
            if a > 0 and (m == lo or ends[m - 1] - surround < a):
                return False
            if not reaches_end:
                last = hi - 3
                if m > last or lengths[last] - (lengths[m - 1] if m else 0) <= maxchars:
                    return False
            k += 1
        lo = hi
    return True


@dataclass
class Tokens:
    starts: list[int]
    ends: list[int]
    terms: list  # a token's term, or None when it cannot be one of the words asked about
    matched: list[int]  # indexes of the tokens whose term is one of the words


def marked(text: str, words: frozenset[str], memo: MemoTokens, top: int = 3, whole: bool = False) -> str:
    """HTML-safe text with the words' matches in ``<mark>``: the best fragments, or the whole text.
    An empty string when nothing matched and fragments were asked for."""
    if not text:
        return ""
    if not words:
        return "" if not whole else html.escape(text, quote=False)
    if whole:
        found = memo.matches(text, words, CHAR_LIMIT)
        fragments = ([(0, len(text), found)] if found is not None
                     else _whole_fragment(text, memo.tokens(text, words, limit=CHAR_LIMIT)))
    else:
        tokens = memo.near_matches(text, words, CHAR_LIMIT)
        if tokens is None:
            tokens = memo.tokens(text, words, limit=CHAR_LIMIT)
        fragments = _context_fragments(text, tokens)
    best = _best(fragments, top)
    if not best:
        return html.escape(text, quote=False) if whole else ""
    return BETWEEN.join(_format(text, start, end, matches) for start, end, matches in best)


def _within_limit(tokens: "Tokens") -> int:
    """How many tokens the fragmenters look at: they stop at the first that ends past `CHAR_LIMIT`."""
    return bisect_right(tokens.ends, CHAR_LIMIT)


def _match(tokens: "Tokens", i: int) -> tuple[int, int, str]:
    return tokens.starts[i], tokens.ends[i], tokens.terms[i]


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
    endchar = ends[stop] if stop < len(ends) else ends[-1]
    out = []
    next_match = iter(words)
    i = 0  # the next token to look at; outside a fragment (Whoosh's countdown < 0) until a match
    while True:
        m = next((w for w in next_match if w >= i), None)
        if m is None or m >= stop:
            return out
        length = ends[m] - starts[m]
        if length > maxchars:  # Whoosh opens and closes an empty fragment on this token
            i = m + 1
            continue
        first, countdown = None, surround
        if m > i:  # the earliest token since the last fragment within `surround` characters before
            j = bisect_left(starts, ends[m - 1] - surround, i, m)
            if j < m:
                first = starts[j]
        if first is None:
            first, countdown = starts[m], 2 * surround
        matches = [_match(tokens, m)]
        currentlen = length
        countdown -= length
        i = m + 1
        while countdown > 0 and i < stop:  # inside the fragment: Whoosh's rules, token by token
            length = ends[i] - starts[i]
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
        out.append(_fragment(text, matches, first, ends[i - 1]))
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
