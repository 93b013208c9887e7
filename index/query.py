"""From what a person typed to a Whoosh query, never failing.

The Whoosh parser handles words, phrases, AND/OR/NOT, grouping, ``prefix*``, ``word~`` and field
queries. Two things are done before it sees the text, because its own plugins get them wrong:
``published:`` values (``2020-04`` would otherwise read as ``2020 NOT 04``) and ``-word`` exclusions
(a plus/minus plugin would also split ``COVID-19``). Anything the parser cannot read is read again
as plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from whoosh import query as wq
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    MultifieldParser,
    OrGroup,
    SingleQuotePlugin,
)

from index.schema import DEFAULT_FIELDS, FACET_FIELDS, date_for_index

FIELD_ALIASES = {
    "author": ["authors", "by"],
    "tag": ["tags"],
    "lang": ["language"],
    "publication": ["pub", "source"],
    "title": ["intitle"],
}

FIELD_WEIGHTS = {"title": 3.0, "author": 2.0, "publication": 1.5, "text": 1.0}

_DATE = r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?"
_PUBLISHED = re.compile(
    r"(?<!\S)(?:published|date):\s*("
    r"\[\s*(?P<lo>" + _DATE + r")?\s+(?:to|TO)\s+(?P<hi>" + _DATE + r")?\s*\]"
    r"|(?P<op>>=|<=|>|<)\s*(?P<bound>" + _DATE + r")"
    r"|(?P<a>" + _DATE + r")\.\.(?P<b>" + _DATE + r")"
    r"|(?P<exact>" + _DATE + r")"
    r")(?!\S)"
)
_MINUS = re.compile(r"(?<![\w:])-(?=[\w\"(])")

#: Above this many words a query is read as a natural-language question: any word may match.
AND_WORD_LIMIT = 5


@dataclass
class ParsedQuery:
    query: wq.Query
    text_query: wq.Query | None  # the part made of words, for highlighting and spelling
    date_ranges: list[wq.Query] = field(default_factory=list)
    plain_words: list[str] = field(default_factory=list)
    is_or: bool = False
    #: the person used operators, fields or other syntax: take them at their word, never loosen
    has_syntax: bool = False
    #: only words (punctuation aside): ranked by `index.ranking` rather than by Whoosh
    plain: bool = False
    #: for words and "quoted phrases" only: the phrase clauses. Such a query is ranked like plain
    #: words (taken literally) and its matches narrowed to those that have the phrases.
    phrases: list[wq.Query] = field(default_factory=list)
    #: field -> the analysed words to highlight in it, worked out once (see `Engine.query_words`)
    highlight_words: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)


def date_bounds(iso: str) -> tuple[datetime, datetime] | None:
    """First and last moment a partial ISO date can mean."""
    start = date_for_index(iso)
    if start is None:
        return None
    parts = iso.split("-")
    if len(parts) == 1:
        end = start.replace(year=start.year + 1)
    elif len(parts) == 2:
        end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    else:
        end = start + timedelta(days=1)
    return start, end - timedelta(microseconds=1)


def date_range_query(lo: str | None, hi: str | None, lo_excl: bool = False, hi_excl: bool = False):
    """A range over ``published``; partial bounds widen to the whole year or month they name."""
    start = end = None
    if lo:
        b = date_bounds(lo)
        if b is None:
            return None
        start = b[1] + timedelta(microseconds=1) if lo_excl else b[0]
    if hi:
        b = date_bounds(hi)
        if b is None:
            return None
        end = b[0] - timedelta(microseconds=1) if hi_excl else b[1]
    if start is None and end is None:
        return None
    return wq.DateRange("published", start, end)


def _published_query(m: re.Match):
    if m.group("exact"):
        return date_range_query(m.group("exact"), m.group("exact"))
    if m.group("op"):
        op, bound = m.group("op"), m.group("bound")
        if op.startswith(">"):
            return date_range_query(bound, None, lo_excl=(op == ">"))
        return date_range_query(None, bound, hi_excl=(op == "<"))
    if m.group("a"):
        return date_range_query(m.group("a"), m.group("b"))
    return date_range_query(m.group("lo"), m.group("hi"))


def _parser(schema, group) -> MultifieldParser:
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=FIELD_WEIGHTS, group=group)
    parser.remove_plugin_class(SingleQuotePlugin)
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    parser.add_plugin(FuzzyTermPlugin())
    return parser


_SYNTAX = re.compile(r"[\"()\[\]{}:*?~^+\-<>=\\/]")
_OPERATORS = re.compile(r"\b(AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b")


def literal_words(text: str) -> str:
    """The text with every piece of query syntax removed: what a person meant, read literally."""
    return " ".join(_OPERATORS.sub(" ", _SYNTAX.sub(" ", text)).split())


#: syntax that changes what words mean; anything else (``?``, ``,``, ``(``, ``e.g.:``) is punctuation
_MEANINGFUL = re.compile(r'["*~^\[\]{}]|(?<!\S)[-+!](?=\S)|\w\?\w')
_FIELD_PREFIX = re.compile(
    r"(?<![\w:])(?:" + "|".join(
        sorted({*FIELD_ALIASES, *(a for v in FIELD_ALIASES.values() for a in v), "text", "published", "date"})
    ) + r"):(?=\S)", re.IGNORECASE,
)
#: a question mark or exclamation ending a word is punctuation, not a one-letter wildcard
_SENTENCE_END = re.compile(r"(?<=\w)[?!.,;]+(?=\s|$)")
#: at most this many words are handed to the parser; the rest of a pasted page is dropped
MAX_QUERY_WORDS = 200
#: above this many words a query is prose (a pasted abstract, a long question): quotes, dashes and
#: the like are its punctuation, unless it uses operators or field prefixes
PROSE_WORDS = 12


def is_plain(text: str) -> bool:
    """Words and punctuation only: no operators, fields, phrases, wildcards, fuzzy terms or exclusions."""
    if _OPERATORS.search(text) or _FIELD_PREFIX.search(text) or _PUBLISHED.search(text):
        return False
    return len(text.split()) > PROSE_WORDS or not _MEANINGFUL.search(text)


def parse(text: str, schema, *, force_or: bool = False) -> ParsedQuery:
    text = " ".join(text.split()[:MAX_QUERY_WORDS])
    text = _SENTENCE_END.sub("", text)
    date_ranges = []

    def take_date(m: re.Match) -> str:
        q = _published_query(m)
        if q is not None:
            date_ranges.append(q)
        return " "

    rest = _PUBLISHED.sub(take_date, text)
    rest = _MINUS.sub(" NOT ", rest)
    words = literal_words(rest).split()
    is_or = force_or or len(words) > AND_WORD_LIMIT
    group = OrGroup.factory(0.9) if is_or else AndGroup
    text_query = None
    if rest.strip():
        try:
            text_query = _parser(schema, group).parse(rest)
        except Exception:  # the parser's own errors: read the words literally instead
            text_query = None
        if text_query is None or text_query is wq.NullQuery or _is_null(text_query):
            plain = literal_words(rest)
            text_query = _parser(schema, group).parse(plain) if plain else None
            if text_query is not None and _is_null(text_query):
                text_query = None
    parts = ([text_query] if text_query is not None else []) + date_ranges
    if not parts:
        combined = wq.NullQuery
    elif len(parts) == 1:
        combined = parts[0]
    else:
        combined = wq.And(parts)
    has_syntax = bool(date_ranges or _SYNTAX.search(text) or _OPERATORS.search(text))
    plain = bool(words) and is_plain(text)
    phrases = []
    if (not plain and words and not is_or and not date_ranges and text_query is not None
            and text.count('"') % 2 == 0 and is_plain(_QUOTED.sub("phrase", text))):  # field:"…" is not plain
        phrases = phrase_clauses(text_query) or []
    return ParsedQuery(combined, text_query, date_ranges, words, is_or, has_syntax and not plain, plain, phrases)


_QUOTED = re.compile(r'"[^"]*"')


def phrase_clauses(text_query) -> list[wq.Query] | None:
    """The clauses of an AND of words and phrases over the default fields that hold a phrase;
    None when the query has anything else."""
    clauses = text_query.subqueries if type(text_query) is wq.And else [text_query]
    phrases = []
    for clause in clauses:
        leaves = clause.subqueries if type(clause) is wq.Or else [clause]
        if not all(type(leaf) in (wq.Term, wq.Phrase) and leaf.fieldname in DEFAULT_FIELDS for leaf in leaves):
            return None
        if any(type(leaf) is wq.Phrase for leaf in leaves):
            phrases.append(clause)
    return phrases


def _is_null(q) -> bool:
    return q is wq.NullQuery or type(q).__name__ == "_NullQuery"


def filter_query(filters: dict[str, list[str]], date_from: str | None, date_to: str | None):
    """Facet selections: values of one facet OR together, different facets AND together."""
    clauses = []
    for facet, values in filters.items():
        fieldname = FACET_FIELDS.get(facet)
        if not fieldname or not values:
            continue
        if facet == "tag":
            values = [v.lower() for v in values]
        elif facet == "language":
            values = [v.lower() for v in values]
        terms = [wq.Term(fieldname, v) for v in values]
        clauses.append(terms[0] if len(terms) == 1 else wq.Or(terms))
    if date_from or date_to:
        rng = date_range_query(date_from, date_to)
        if rng is not None:
            clauses.append(rng)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)
