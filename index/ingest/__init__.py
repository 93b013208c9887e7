"""Ingestion: bytes + filename -> a normalised `Document`.

One reader module per format, each exposing ``read(data, filename) -> Document``. The registry below
chooses the reader by sniffing the bytes first and the file name second; `extract` then fills in the
fields every record has (id, hash, counts, summary) so readers only deal with their format.
"""

from __future__ import annotations

import os
from typing import Callable

from index.document import (
    Document,
    content_sha256,
    count_words,
    document_id,
    make_summary,
    now_iso,
)
from index.errors import Unreadable, UnsupportedType

Reader = Callable[[bytes, str], Document]

#: content type -> "module:function"; imported lazily so a heavy parser costs nothing until used.
READERS: dict[str, str] = {
    "text/plain": "index.ingest.text:read",
}

EXTENSIONS: dict[str, str] = {
    ".txt": "text/plain",
    ".text": "text/plain",
    "": "text/plain",
}


def sniff(data: bytes, filename: str) -> str:
    """The content type of the bytes; the file name only decides between plausible text formats."""
    ext = os.path.splitext(filename or "")[1].lower()
    head = data[:2048]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if _looks_binary(head):
        raise UnsupportedType(
            f"{display_name(filename)} looks like a binary file, not a supported article format "
            "(plain text, HTML, PDF, Markdown)."
        )
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    raise UnsupportedType(
        f"{display_name(filename)}: files of type '{ext}' are not supported; "
        "upload plain text, HTML, PDF or Markdown."
    )


def _looks_binary(head: bytes) -> bool:
    if not head or head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False  # a byte-order mark: text in a Unicode encoding, zero bytes and all
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(head) > 0.05


def display_name(filename: str) -> str:
    name = os.path.basename(filename or "") or "the file"
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:80] + ("…" if len(name) > 80 else "")


def reader_for(content_type: str) -> Reader:
    target = READERS.get(content_type)
    if target is None:
        raise UnsupportedType(f"Files of type {content_type} are not supported yet.")
    module_name, func = target.split(":")
    module = __import__(module_name, fromlist=[func])
    return getattr(module, func)


def extract(data: bytes, filename: str) -> Document:
    """Parse one file into a complete, normalised record. Raises a FolioError on bad input."""
    if not data or not data.strip():
        raise Unreadable(f"{display_name(filename)} is empty.")
    content_type = sniff(data, filename)
    doc = reader_for(content_type)(data, filename)
    return finish(doc, data, filename, content_type)


def finish(doc: Document, data: bytes, filename: str, content_type: str) -> Document:
    """Fill the fields every record has, whatever its format."""
    if not doc.text.strip() and not doc.needs_ocr:
        raise Unreadable(f"{display_name(filename)} contains no readable text.")
    doc.sha256 = content_sha256(data)
    doc.id = document_id(doc.sha256)
    doc.content_type = doc.content_type or content_type
    doc.filename = safe_filename(filename)
    doc.word_count = count_words(doc.text)
    doc.summary = doc.summary or make_summary(doc.text)
    doc.ingested_at = doc.ingested_at or now_iso()
    doc.title = doc.title or _title_from_filename(doc.filename)
    return doc


def safe_filename(filename: str) -> str:
    """Only the base name, printable, bounded: never a path a later step could follow."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "/\\\x00")
    name = name.strip().lstrip(".")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext[:20])] + ext[:20]
    return name or "upload"


def _title_from_filename(filename: str) -> str:
    stem = os.path.splitext(filename)[0]
    return stem.replace("_", " ").replace("-", " ").strip() or "Untitled"
