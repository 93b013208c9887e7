"""Ingestion: bytes + filename -> a normalised `Document`.

One reader module per format, each exposing ``read(data, filename) -> Document``: ``text``, ``html``
(with ``html_meta``), ``pdf`` (with ``pdf_layout``), ``markdown``, ``eml``, ``docx``. The registry below
chooses the reader by sniffing the bytes first (``%PDF-``; a ZIP holding ``word/document.xml`` is
Word, any other ZIP an archive; ``<html``/doctype/tags; RFC 822 headers; front matter) and the file
name second; `extract` then fills in the fields every record has (id, hash, counts, summary) so
readers only deal with their format. A ZIP archive is several articles: `extract_many` (and
``archive_zip.iter_members`` for callers that store member by member) reads it.
"""

from __future__ import annotations

import os
import re
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

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"

#: content type -> "module:function"; imported lazily so a heavy parser costs nothing until used.
READERS: dict[str, str] = {
    "text/plain": "index.ingest.text:read",
    "text/html": "index.ingest.html:read",
    "text/markdown": "index.ingest.markdown:read",
    "message/rfc822": "index.ingest.eml:read",
    "application/pdf": "index.ingest.pdf:read",
    DOCX: "index.ingest.docx:read",
}

#: What a file name says when the bytes alone do not decide between text formats.
EXTENSIONS: dict[str, str] = {
    ".txt": "text/plain",
    ".text": "text/plain",
    "": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".mdown": "text/markdown",
    ".eml": "message/rfc822",
    ".pdf": "application/pdf",
    ".docx": DOCX,
    ".zip": ZIP,
}

SUPPORTED = "plain text, HTML, PDF, Markdown, e-mail (.eml), Word (.docx) or a ZIP of those"

_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
                         re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(rb"<(?:html|head|body|article|div|p|meta|title|h1|section)\b[^>]*>", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9-]{1,40}):[ \t]*(.*)$")
_MAIL_HEADERS = {b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"received",
                 b"return-path", b"reply-to", b"list-id", b"delivered-to", b"content-type", b"cc"}
_FRONT_MATTER = re.compile(rb"^(?:---[ \t]*\r?\n(?:.*?\r?\n)?---|\+\+\+[ \t]*\r?\n.*?\r?\n\+\+\+)[ \t]*(?:\r?\n|$)",
                           re.DOTALL)


def sniff(data: bytes, filename: str) -> str:
    """The content type of the bytes; the file name only decides between plausible text formats."""
    ext = os.path.splitext(filename or "")[1].lower()
    head = data[:4096]
    if head.startswith(b"%PDF-") or (head[:1024].find(b"%PDF-") >= 0 and ext == ".pdf"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return zip_kind(data, filename)
    if _looks_binary(head):
        raise UnsupportedType(
            f"{display_name(filename)} looks like a binary file, not a supported article format "
            f"({SUPPORTED})."
        )
    text_head = _ascii_head(head)
    if _HTML_START.match(text_head):
        return "text/html"
    if looks_like_email(text_head):
        return "message/rfc822"
    if _FRONT_MATTER.match(text_head.lstrip(b"\xef\xbb\xbf")):
        return "text/markdown"
    if ext in EXTENSIONS and EXTENSIONS[ext] not in ("application/pdf", DOCX, ZIP):
        return EXTENSIONS[ext]
    if ext in (".pdf", ".docx", ".zip"):
        raise Unreadable(f"{display_name(filename)} is named like a {ext[1:].upper()} file but is not one "
                         "(it may be damaged or only partly downloaded).")
    if len(_HTML_TAGS.findall(text_head)) >= 3:
        return "text/html"
    raise UnsupportedType(
        f"{display_name(filename)}: files of type '{ext}' are not supported; upload {SUPPORTED}."
    )


def _ascii_head(head: bytes) -> bytes:
    """The head of a text file in an ASCII-compatible form, so UTF-16 files sniff like UTF-8 ones."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(encoding, "ignore").encode("utf-8", "ignore")
    return head.lstrip(b"\xef\xbb\xbf")


def looks_like_email(head: bytes) -> bool:
    """RFC 822: the file opens with header lines, and at least two of them are mail headers."""
    names = set()
    for line in head.splitlines()[:60]:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header's continuation
        if line.startswith(b"From ") and not names:
            continue  # mbox separator line
        m = _HEADER_LINE.match(line)
        if not m:
            return False
        names.add(m.group(1).lower())
    return len(names & _MAIL_HEADERS) >= 2 and bool(names & {b"from", b"subject"})


def zip_kind(data: bytes, filename: str) -> str:
    """A ZIP is a Word document when it holds ``word/document.xml``; otherwise an archive of files."""
    import zipfile
    from io import BytesIO

    try:
        names = set(zipfile.ZipFile(BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"{display_name(filename)} is a damaged ZIP file: {exc}") from exc
    if "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names or "mimetype" in names:
        raise UnsupportedType(
            f"{display_name(filename)} is a document package Folio does not read (a spreadsheet, "
            f"presentation, OpenDocument or e-book); upload {SUPPORTED}."
        )
    return ZIP


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
    if content_type == ZIP:
        raise UnsupportedType(
            f"{display_name(filename)} is a ZIP archive: its files are added one by one (upload it "
            "through the API or add it with 'folio ingest'), not read as one article."
        )
    doc = reader_for(content_type)(data, filename)
    return finish(doc, data, filename, content_type)


def is_archive(data: bytes, filename: str) -> bool:
    """True when the bytes are a ZIP of articles (not a Word document, which is a ZIP too)."""
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return False
    return zip_kind(data, filename) == ZIP


def extract_many(data: bytes, filename: str):
    """Every article in one upload: a ZIP gives one record per member, any other file one record.

    Returns an `index.ingest.archive_zip.Extracted` of ``(document, original bytes)`` pairs and
    the failures, one readable message per member that could not be read. A member's original is
    its own bytes, so its id is the id the same file would have on its own.
    """
    from index.ingest.archive_zip import Extracted, read_members

    if is_archive(data, filename):
        return read_members(data, filename)
    return Extracted(documents=[(extract(data, filename), data)], failures=[])


def finish(doc: Document, data: bytes, filename: str, content_type: str, count: bool = True) -> Document:
    """Fill the fields every record has, whatever its format (the word count left to the caller
    without ``count``)."""
    if not doc.text.strip() and not doc.needs_ocr:
        raise Unreadable(f"{display_name(filename)} contains no readable text.")
    doc.sha256 = content_sha256(data)
    doc.id = document_id(doc.sha256)
    doc.content_type = doc.content_type or content_type
    doc.filename = safe_filename(filename)
    if count:
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
