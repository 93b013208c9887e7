"""JSON Lines bulk records: one pre-extracted article per line.

Each line is its own original (stored as the exact line bytes), so its id comes from its content
like any file's. Accepted keys: ``title``, ``authors``/``author``, ``published``/``date``,
``publication``/``source``/``site``, ``url``, ``tags``, ``text``/``body``/``content``, ``language``,
``summary``, ``original_publication``, ``updated``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from index.document import Document
from index.edits import clean_string
from index.errors import Unreadable

ALIASES = {
    "title": ("title", "headline", "name"),
    "authors": ("authors", "author", "creator", "byline"),
    "published": ("published", "date", "published_at", "datePublished", "pubdate"),
    "updated": ("updated", "modified", "dateModified"),
    "publication": ("publication", "source", "site", "site_name", "publisher"),
    "original_publication": ("original_publication",),
    "url": ("url", "link", "href"),
    "tags": ("tags", "keywords", "categories"),
    "text": ("text", "body", "content", "article"),
    "language": ("language", "lang"),
    "summary": ("summary", "description", "abstract"),
}

_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def _pick(record: dict[str, Any], field: str) -> Any:
    for key in ALIASES[field]:
        if key in record and record[key] not in (None, "", []):
            return record[key]
    return None


def _names(value: Any) -> list[str]:
    from index.ingest.normalize import split_authors

    if value is None:
        return []
    if isinstance(value, dict):
        value = value.get("name") or ""
    if isinstance(value, str):
        return split_authors(value)
    out: list[str] = []
    for item in value:
        if isinstance(item, dict):
            item = item.get("name") or ""
        for name in split_authors(str(item)) if item else []:
            if name not in out:
                out.append(name)
    return out


def find_headings(text: str, limit: int = 200) -> list[str]:
    """Headings marked up as reStructuredText underlines or Markdown ``#`` lines."""
    lines = text.splitlines()
    found: list[str] = []
    for i, line in enumerate(lines):
        heading = None
        m = _MD_HEADING.match(line)
        if m:
            heading = m.group(1)
        elif i > 0 and _RST_UNDERLINE.match(line) and lines[i - 1].strip() and not _RST_UNDERLINE.match(lines[i - 1]):
            if len(line.strip()) >= len(lines[i - 1].strip()) - 1:
                heading = lines[i - 1].strip()
        if heading and heading not in found:
            found.append(heading)
            if len(found) >= limit:
                break
    return found


def record_to_document(record: dict[str, Any]) -> Document:
    from index.ingest.normalize import clean_text, detect_language, parse_date

    if not isinstance(record, dict):
        raise Unreadable("Each line must be a JSON object.")
    text = _pick(record, "text")
    if not isinstance(text, str) or not text.strip():
        raise Unreadable("The record has no text (expected a 'text', 'body' or 'content' field).")
    text = clean_text(text)
    tags = _pick(record, "tags") or []
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,;]", tags)]
    published = _pick(record, "published")
    updated = _pick(record, "updated")
    language = _pick(record, "language")
    return Document(
        title=clean_string(_pick(record, "title") or ""),
        authors=_names(_pick(record, "authors")),
        published=parse_date(str(published)) if published else None,
        updated=parse_date(str(updated)) if updated else None,
        publication=clean_string(_pick(record, "publication") or "") or None,
        original_publication=clean_string(_pick(record, "original_publication") or "") or None,
        url=clean_string(_pick(record, "url") or "") or None,
        tags=[clean_string(t, 100).lower() for t in tags if clean_string(t, 100)],
        text=text,
        summary=clean_string(_pick(record, "summary") or "", 5000),
        language=clean_string(language, 12).lower() if language else detect_language(text),
        sections=find_headings(text),
        content_type="application/x-ndjson",
    )


def iter_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield number, line.strip()


def read_line(line: bytes, filename: str, number: int) -> Document:
    from index.ingest import finish

    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{filename} line {number}: not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc}).") from exc
    try:
        doc = record_to_document(record)
    except Unreadable as exc:
        raise Unreadable(f"{filename} line {number}: {exc.message}") from exc
    return finish(doc, line, f"{filename}#{number}", "application/x-ndjson")
