"""Markdown notes and posts: YAML (``---``) or TOML (``+++``) front matter, body without markup.

Front matter keys are read with the same aliases as JSON Lines records (``title``, ``author`` or
``authors``, ``date``, ``tags``, ``publication``, ``url`` ...). Without front matter the first
``#`` heading is the title and a "By ..." line under it the byline, as in a plain-text article.
"""

from __future__ import annotations

import re
from typing import Any

from index.document import Document, make_summary
from index.errors import Unreadable
from index.ingest.jsonl import find_headings, record_to_document
from index.ingest.normalize import decode_text, find_date, split_authors

_YAML = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_TOML = re.compile(r"\A\+\+\+[ \t]*\n(.*?\n)?\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)
_FIRST_HEADING = re.compile(r"^[ \t]*#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_BYLINE_MAX_WORDS = 14


def read(data: bytes, filename: str) -> Document:
    name = filename or "The Markdown file"
    source = decode_text(data, name)
    meta, body = split_front_matter(source, name)
    text = strip_markup(body)
    if not text.strip():
        raise Unreadable(f"{name} has front matter but no text.")
    title = meta.get("title") or _first_heading(body)
    record = {**meta, "text": text}
    if title:
        record["title"] = title
    if not any(k in meta for k in ("author", "authors", "creator", "byline")):
        byline = _byline(text, title)
        if byline:
            record["authors"], found_date = byline
            if found_date and not any(k in meta for k in ("date", "published", "datePublished")):
                record["date"] = found_date
    record = {k: _plain(v) for k, v in record.items()}
    doc = record_to_document(record)
    doc.text = _drop_title_line(text, doc.title)
    doc.sections = [h for h in find_headings(body) if h != doc.title][:100]
    doc.summary = doc.summary or make_summary(doc.text)
    doc.content_type = "text/markdown"
    return doc


def split_front_matter(source: str, name: str) -> tuple[dict[str, Any], str]:
    for pattern, parse in ((_YAML, _parse_yaml), (_TOML, _parse_toml)):
        m = pattern.match(source)
        if m:
            try:
                meta = parse(m.group(1) or "")
            except ValueError as exc:
                raise Unreadable(f"{name} has front matter that cannot be read: {exc}") from exc
            if meta is None:
                meta = {}
            if not isinstance(meta, dict):
                raise Unreadable(f"{name} has front matter that is not a set of 'key: value' lines.")
            return {str(k).strip(): v for k, v in meta.items()}, source[m.end():]
    return {}, source


def _parse_yaml(block: str):
    import yaml

    try:
        return yaml.safe_load(block)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc).splitlines()[0]) from exc


def _parse_toml(block: str):
    import tomllib

    try:
        return tomllib.loads(block)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(str(exc)) from exc


def _plain(value: Any) -> Any:
    """YAML reads ``date: 2021-07-04`` as a date object; records want strings."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# -- markup -------------------------------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1[ \t]*$", re.DOTALL | re.MULTILINE)
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: keep the alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: keep the words
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"^[ \t]*\[[^\]]+\]:[ \t]+\S+.*$", re.MULTILINE), ""),  # link definitions
    (re.compile(r"<!--.*?-->", re.DOTALL), ""),
    (re.compile(r"</?[A-Za-z][^>\n]*>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE), r"\1"),  # ATX headings
    (re.compile(r"^[ \t]{0,3}(?:=+|-+)[ \t]*$", re.MULTILINE), ""),  # setext underlines
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE), ""),  # block quotes
    (re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE), ""),  # list markers
    (re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.MULTILINE), ""),  # horizontal rules
    (re.compile(r"^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$", re.MULTILINE), ""),  # table rules
]


def strip_markup(body: str) -> str:
    """Markdown to plain text: words kept, syntax dropped; code blocks keep their content."""
    code_blocks: list[str] = []

    def keep_code(m: re.Match) -> str:
        code_blocks.append(m.group(2).rstrip("\n"))
        return f"\x00CODE{len(code_blocks) - 1}\x00"

    text = _FENCE.sub(keep_code, body)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|>])", r"\1", text)  # backslash escapes
    text = re.sub(r"\x00CODE(\d+)\x00", lambda m: code_blocks[int(m.group(1))], text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _first_heading(body: str) -> str | None:
    m = _FIRST_HEADING.search(body)
    return strip_markup(m.group(1)) if m else None


def _drop_title_line(text: str, title: str) -> str:
    """The title is stored apart; a first line repeating it would show it twice."""
    lines = text.split("\n")
    if title and lines and lines[0].strip() == title.strip():
        return "\n".join(lines[1:]).strip()
    return text


def _byline(text: str, title: str | None) -> tuple[list[str], str | None] | None:
    """A "By X — 12 April 2024" line among the first lines under the title."""
    lines = [line for line in text.split("\n")[:6] if line.strip() and line.strip() != (title or "")]
    for line in lines[:2]:
        if len(line.split()) <= _BYLINE_MAX_WORDS and re.match(r"^\s*(?:by|von|par|por)\s", line, re.IGNORECASE):
            names = split_authors(line)
            if names:
                hit = find_date(line)
                return names, hit[0] if hit else None
    return None
