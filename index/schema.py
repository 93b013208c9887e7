"""The Whoosh schema, its analyzers, and how a `Document` becomes index fields.

Text fields are stemmed and folded (case, accents, typographic apostrophes) so ``Cuba's`` finds
``Cuba’s`` and ``resume`` finds ``résumé``. Facet values live in separate exact fields so facets keep
the full name (``Andrew King``) while ``author:king`` matches through the analysed ``author`` field.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from whoosh import fields
from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter

from index.document import Document
from index.textfield import MemoText

#: Words with inner apostrophes stay one token (``don't``); the possessive ``'s`` is dropped below.
TOKEN_PATTERN = r"\w+(?:['’`]\w+)*"

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})


def fold(text: str) -> str:
    """Case-, accent- and apostrophe-folded form of a string, as the analyzers see it."""
    if text.isascii():  # the common case, a fifth of the time: NFKD changes no ASCII character
        return text.replace("`", "'").lower()
    text = text.translate(APOSTROPHES)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def fold_token(text: str) -> str:
    """A token as `FoldFilter` leaves it ("" for one it drops)."""
    text = fold(text)
    if text.endswith("'s"):
        text = text[:-2]
    return text.replace("'", "") if "'" in text and len(text) > 1 else text


class FoldFilter(Filter):
    """Accent and apostrophe folding, then the English possessive ``'s`` removed."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_token(t.text)
            if t.text:
                yield t


def text_analyzer(stem: bool = True):
    chain = RegexTokenizer(TOKEN_PATTERN) | FoldFilter() | StopFilter(minsize=1)
    if stem:
        chain = chain | StemFilter(lang="en", cachesize=50000)
    return chain


def name_analyzer():
    return RegexTokenizer(TOKEN_PATTERN) | FoldFilter()


#: facet name -> index field holding its exact values
FACET_FIELDS = {
    "author": "author_exact",
    "publication": "publication_exact",
    "year": "year",
    "month": "month",
    "day": "day",
    "tag": "tag",
    "language": "lang",
    "content_type": "content_type",
    # the other two dates, kept apart from the publication date: year updated, year and month captured
    "updated": "updated_year",
    "captured": "captured_year",
    "captured_month": "captured_month",
    "updated_month": "updated_month",
}

#: facet that filters one year or one month of each kind of date
DATE_FILTERS = {
    "published": {"year": "year", "month": "month"},
    "updated": {"year": "updated", "month": "updated_month"},
    "captured": {"year": "captured", "month": "captured_month"},
}

#: timeline field per kind of date and step: DATE_FIELDS["captured"]["month"] == "captured_month"
DATE_FIELDS = {
    "published": {"year": "year", "month": "month", "day": "day"},
    "updated": {"year": "updated_year", "month": "updated_month", "day": "updated_day"},
    "captured": {"year": "captured_year", "month": "captured_month", "day": "captured_day"},
}

#: fields searched by plain words, with the weight a match there counts
DEFAULT_FIELDS = ("title", "text", "author", "publication")


#: microseconds in a day, the unit of Whoosh's date range queries
DAY_MICROSECONDS = 86_400 * 10**6


class PublishedDay(fields.NUMERIC):
    """A date kept as its day number (`date.toordinal`), with the same date range queries as
    Whoosh's DATETIME: it takes datetimes, and the microsecond bounds `DateRange` turns them into.

    DATETIME indexes 64-bit microseconds at eight levels of precision, and for dates of articles the
    four finest levels each repeat every distinct day: a fifth of all the terms of an archive. Day
    numbers with three coarser levels (256 days, 180 years, ...) answer the same ranges exactly.
    The index stores its schema with this class's import path: keep its module and name."""

    def __init__(self, sortable: bool = True):
        super().__init__(int, 32, signed=True, shift_step=8, sortable=sortable)

    def prepare_number(self, x):
        if isinstance(x, datetime):
            return x.toordinal()
        if x is None or x == b"":
            return x
        return int(x) // DAY_MICROSECONDS + 1  # a bound of a DateRange: microseconds since 0001-01-01


def build_schema(legacy: bool = False) -> fields.Schema:
    """``legacy``: the schema of archives built before dates became day numbers and corrections
    came from the stemmed terms (index/spelling.py): they keep it until 'folio reindex', and it is
    built here so tests can check such archives still work. Their text fields are Whoosh's own
    TEXT, which indexes the same postings as `MemoText`, only more slowly."""
    legacy_fields = dict(
        published=fields.DATETIME(sortable=True),
        ingested=fields.DATETIME(),
        updated=fields.DATETIME(),
    ) if legacy else dict(published=PublishedDay())
    text_field = fields.TEXT if legacy else MemoText
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=text_field(analyzer=text_analyzer(), field_boost=3.0, spelling=legacy),
        text=text_field(analyzer=text_analyzer(), spelling=legacy),
        author=text_field(analyzer=name_analyzer(), field_boost=2.0),
        publication=text_field(analyzer=name_analyzer(), field_boost=1.5),
        original_publication=text_field(analyzer=name_analyzer()),
        author_exact=fields.KEYWORD(commas=True, lowercase=False),
        publication_exact=fields.ID(),
        tag=fields.KEYWORD(commas=True, lowercase=True),
        lang=fields.ID(),
        content_type=fields.ID(),
        year=fields.ID(),
        month=fields.ID(),
        day=fields.ID(),
        # the reprint group of a document that has copies (empty otherwise), to show one hit per group
        reprint_group=fields.ID(sortable=True),
        updated_year=fields.ID(),
        updated_month=fields.ID(),
        updated_day=fields.ID(),
        captured_year=fields.ID(),
        captured_month=fields.ID(),
        captured_day=fields.ID(),
        **legacy_fields,
    )


def date_for_index(iso: str | None) -> datetime | None:
    """A partial ISO date as the first moment it can mean, for ranges and sorting."""
    if not iso:
        return None
    parts = iso.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2][:2]) if len(parts) > 2 else 1
        return datetime(year, month, day)
    except (ValueError, IndexError):
        return None


def _ingested(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None) if value else None
    except ValueError:
        return None


def _date_parts(kind: str, iso: str | None) -> dict:
    """``{kind}_year``, ``_month`` and ``_day`` values of a (partial) ISO date."""
    if not iso or not iso[:4].isdigit():
        return {}
    out = {f"{kind}_year": iso[:4]}
    if len(iso) >= 7:
        out[f"{kind}_month"] = iso[:7]
    if len(iso) >= 10:
        out[f"{kind}_day"] = iso[:10]
    return out


def index_fields(doc: Document, authors: list[str] | None = None, reprint_group: str | None = None,
                 author_variants: list[str] | None = None) -> dict:
    """The index entry for one record (edits already applied).

    ``authors``: the canonical names of the bylines (author identities); facets and filters use them,
    while ``author:`` words find the canonical names, the bylines as printed and ``author_variants``
    (every spelling merged into the same people).
    ``reprint_group``: the group of copies the document belongs to, if it has copies."""
    printed = [a.replace(",", " ") for a in doc.authors if a]
    names = [a.replace(",", " ") for a in authors if a] if authors is not None else printed
    variants = [a.replace(",", " ") for a in author_variants or [] if a]
    searchable = list(dict.fromkeys(names + printed + variants))
    entry = {
        "id": doc.id,
        "title": doc.title or "",
        "text": doc.text or "",
        "author": " ; ".join(searchable),
        "author_exact": ",".join(dict.fromkeys(names)),
        "reprint_group": reprint_group or "",
        "publication": doc.publication or "",
        "original_publication": doc.original_publication or "",
        "tag": ",".join(t.replace(",", " ") for t in doc.tags),
        "lang": (doc.language or "").lower(),
        "content_type": doc.content_type or "",
    }
    if doc.publication:
        entry["publication_exact"] = doc.publication
    if doc.published:
        entry["year"] = doc.published[:4]
        if len(doc.published) >= 7:
            entry["month"] = doc.published[:7]
        if len(doc.published) >= 10:
            entry["day"] = doc.published[:10]
        when = date_for_index(doc.published)
        if when:
            entry["published"] = when
    ingested = _ingested(doc.ingested_at)
    if ingested:
        entry["ingested"] = ingested
    entry.update(_date_parts("captured", doc.ingested_at[:10] if doc.ingested_at else None))
    entry.update(_date_parts("updated", doc.updated))
    when = date_for_index(doc.updated)
    if when:
        entry["updated"] = when
    return {k: v for k, v in entry.items() if v not in ("", None)}
