"""The normalised record every reader produces and every layer above consumes."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

ID_LENGTH = 16

#: Fields a person may set by hand (upload form, PATCH, JSON Lines import).
EDITABLE_FIELDS = (
    "title",
    "authors",
    "published",
    "updated",
    "publication",
    "original_publication",
    "language",
    "tags",
    "summary",
    "url",
)

_WORD_RUN = re.compile(r"\w+")
_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@dataclass
class Document:
    id: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    publication: str | None = None
    original_publication: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    summary: str = ""
    text: str = ""
    sections: list[str] = field(default_factory=list)
    content_type: str = ""
    filename: str = ""
    sha256: str = ""
    word_count: int = 0
    ingested_at: str = ""
    url: str | None = None
    pages: int | None = None
    needs_ocr: bool = False

    def to_dict(self, with_text: bool = True) -> dict[str, Any]:
        """The fields as a new dict (its lists are copies). Not `dataclasses.asdict`, which deep-copies
        every string: a tenth of storing a record in bulk."""
        data = {name: list(value) if isinstance(value, list) else value
                for name, value in zip(_FIELD_NAMES, map(self.__getattribute__, _FIELD_NAMES))}
        if not with_text:
            data.pop("text")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        names = _FIELD_SET if cls is Document else {f.name for f in dataclasses.fields(cls)}
        if names.issuperset(data):  # a record as stored: nothing to leave out
            return cls(**data)
        return cls(**{k: v for k, v in data.items() if k in names})

    def with_edits(self, edits: dict[str, Any]) -> "Document":
        """The record as a person corrected it: edits win over what was extracted (a copy either way)."""
        if not any(k in EDITABLE_FIELDS for k in edits):
            return dataclasses.replace(self)
        data = self.to_dict()
        data.update({k: v for k, v in edits.items() if k in EDITABLE_FIELDS})
        return Document.from_dict(data)

    @property
    def year(self) -> str | None:
        return self.published[:4] if self.published else None


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Document))
_FIELD_SET = frozenset(_FIELD_NAMES)


def content_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def document_id(sha256_hex: str) -> str:
    """Ids come from content: the same bytes always give the same id."""
    return sha256_hex[:ID_LENGTH]


def is_partial_iso_date(value: str) -> bool:
    return bool(_PARTIAL_DATE.match(value or ""))


_NOW: tuple[int, str] = (0, "")


def now_iso() -> str:
    """The time now, to the second, in UTC, ISO form (formatted once a second: a bulk run stamps
    thousands of records a second)."""
    global _NOW
    second = int(time.time())
    now = _NOW
    if now[0] != second:
        now = _NOW = (second, datetime.fromtimestamp(second, timezone.utc).isoformat())
    return now[1]


def count_words(text: str, words: list[str] | None = None) -> int:
    """``words``: the text's words as `index.reprints.words` finds them (runs of ``\\w`` in the
    lower-cased text), when already at hand; for an ASCII text, lower case changes no word's
    characters, so they are as many."""
    if words is not None and text.isascii():
        return len(words)
    return len(_WORD_RUN.findall(text))


def make_summary(text: str, limit: int = 300) -> str:
    """First paragraph-ish of the text, cut at a word boundary. Only the text's first words are
    joined when they already come to more than ``limit`` characters (the summary is then theirs)."""
    head = text[:4 * limit]
    flat = " ".join(head.split()[:-1]) if len(head) < len(text) else ""  # the last word may be cut
    if len(flat) <= limit:
        flat = " ".join(text.split())
        if len(flat) <= limit:
            return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
