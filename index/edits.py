"""Validation of metadata a person supplies (upload fields, PATCH, JSON Lines records)."""

from __future__ import annotations

import unicodedata
from typing import Any

from index.document import EDITABLE_FIELDS, is_partial_iso_date
from index.errors import Unreadable

MAX_FIELD_CHARS = 2000
MAX_LIST_ITEMS = 100
LIST_FIELDS = ("authors", "tags")
DATE_FIELDS = ("published", "updated")


def clean_string(value: Any, limit: int = MAX_FIELD_CHARS) -> str:
    """One line of printable text: control characters dropped, whitespace collapsed, bounded."""
    text = unicodedata.normalize("NFC", str(value))
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:limit]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        separator = ";" if ";" in value else ","
        value = value.split(separator)
    if not isinstance(value, (list, tuple)):
        raise Unreadable("Expected a list of names or a comma-separated string.")
    items = [clean_string(v, 300) for v in value if v is not None]
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out[:MAX_LIST_ITEMS]


def _as_date(name: str, value: Any) -> str | None:
    text = clean_string(value, 100)
    if not text:
        return None
    if is_partial_iso_date(text):
        return text
    from index.ingest.normalize import parse_date

    parsed = parse_date(text)
    if parsed is None:
        raise Unreadable(f"'{text}' is not a date Folio understands for {name}; use YYYY, YYYY-MM or YYYY-MM-DD.")
    return parsed


def clean_edits(changes: dict[str, Any]) -> dict[str, Any]:
    """Only editable fields, each in its proper shape; a value that cannot be read is a 422."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            continue
        if value is None:
            out[name] = [] if name in LIST_FIELDS else None
        elif name in LIST_FIELDS:
            items = _as_list(value)
            out[name] = [t.lower() for t in items] if name == "tags" else items
        elif name in DATE_FIELDS:
            out[name] = _as_date(name, value)
        elif name == "language":
            out[name] = clean_string(value, 12).lower() or None
        elif name == "summary":
            out[name] = clean_string(value, 5000)
        else:
            out[name] = clean_string(value) or None
    if "title" in out and not out["title"]:
        raise Unreadable("A title cannot be empty.")
    return out
