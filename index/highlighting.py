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
from collections import deque

from whoosh import highlight

from index.schema import TOKEN_PATTERN, fold

#: distinct words remembered per field before the memo starts over
MEMO_SIZE = 200_000
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
        self.pattern = re.compile(pattern, re.UNICODE)
        self.size = size
        self.memo: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def term(self, word: str) -> str | None:
        """The term a word is indexed as, or None when the analyzer drops it."""
        found = self.memo.get(word, False)
        if found is not False:
            return found
        terms = [t.text for t in self.analyzer(word, mode="query", removestops=False)]
        term = terms[0] if terms else None
        with self._lock:
            if len(self.memo) >= self.size:
                self.memo.clear()
            self.memo[word] = term
        return term

    def matching(self, text: str, words: frozenset[str],
                 limit: int | None = None) -> list[tuple[int, int, str | None]]:
        """(start, end, term) of each token the analyzer keeps, the term worked out only for tokens
        that can be one of ``words`` (None for the others); with ``limit``, up to and including the
        first token that ends past it. Stemming and folding keep a word's first two letters
        (apostrophes aside), so a token whose first two letters begin none of ``words`` cannot
        match: most tokens are settled without a lookup."""
        heads = {w[:2] for w in words}
        memo = self.memo
        out = []
        for match in self.pattern.finditer(text):
            word = match.group()
            head = word[:4]
            head = (head.replace("`", "'").lower() if head.isascii() else fold(head)).replace("'", "")[:2]
            found = None
            if head in heads or head[:1] in heads:
                found = memo.get(word, False)
                if found is False:
                    found = self.term(word)
                if found is None:
                    continue  # the analyzer drops it
            out.append((match.start(), match.end(), found))
            if limit is not None and match.end() > limit:
                break
        return out


def marked(text: str, words: frozenset[str], memo: MemoTokens, top: int = 3, whole: bool = False) -> str:
    """HTML-safe text with the words' matches in ``<mark>``: the best fragments, or the whole text.
    An empty string when nothing matched and fragments were asked for."""
    if not text:
        return ""
    if not words:
        return "" if not whole else html.escape(text, quote=False)
    tokens = memo.matching(text, words, limit=CHAR_LIMIT)
    fragments = _whole_fragment(text, tokens, words) if whole else _context_fragments(text, tokens, words)
    best = _best(fragments, top)
    if not best:
        return html.escape(text, quote=False) if whole else ""
    return BETWEEN.join(_format(text, start, end, matches) for start, end, matches in best)


def _whole_fragment(text, tokens, words):
    matches = []
    for start, end, term in tokens:
        if end > CHAR_LIMIT:
            break
        if term in words:
            matches.append((start, end, term))
    return [(0, len(text), matches)]


def _context_fragments(text, tokens, words, maxchars=FRAGMENT_CHARS, surround=FRAGMENT_SURROUND):
    """Whoosh's ``ContextFragmenter.fragment_tokens`` on (start, end, term) tuples."""
    out = []
    first = None
    firsts: deque = deque()
    countdown = -1
    matches: list = []
    endchar = None
    currentlen = 0
    for start, end, term in tokens:
        endchar = end
        length = end - start
        if end > CHAR_LIMIT:
            break
        matched = term in words
        if countdown < 0 and not matched:
            firsts.append(start)
            while firsts and end - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + length > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = start
                    countdown += surround
            matches.append((start, end, term))
        if countdown >= 0:
            currentlen += length
            countdown -= length
            if countdown <= 0:
                out.append(_fragment(text, matches, first, end))
                matches = []
                firsts = deque()
                first = None
                currentlen = 0
    if matches:
        out.append(_fragment(text, matches, first, endchar))
    return out


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
