"""JSON Lines bulk records: one pre-extracted article per line.

Each line is its own original (stored as the exact line bytes), so its id comes from its content
like any file's. Accepted keys: ``title``, ``authors``/``author``, ``published``/``date``,
``publication``/``source``/``site``, ``url``, ``tags``, ``text``/``body``/``content``, ``language``,
``summary``, ``original_publication``, ``updated``.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import sqlite3
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from index.document import Document
from index.edits import clean_string
from index.errors import FolioError, Unreadable
from index.ingest.normalize import widen_language_model

if TYPE_CHECKING:
    from index.blobs import BlobStore
    from index.packs import Packed
    from index.reprints import Fingerprint

#: a file of at least this many lines is read by several processes: a record takes about half a
#: millisecond (most of it the fingerprint of its text for finding copies and telling its language,
#: both with a chunk's records at once, and appending the lines to a pack), while storing the
#: records is the parent's work
PARALLEL_LINES = 2_000
#: lines a reader takes at once: a chunk's texts are walked for their language one numpy step per
#: byte position for all of them, so larger chunks spread each step's cost over more texts (2,000
#: benchmark records read in chunks of 250: 8,652 M instructions; of 1,000: 8,385 M, counted by
#: callgrind)
CHUNK_LINES = 1_000
#: chunks given to each reader ahead of what the caller has taken: enough for the readers to keep
#: working while the caller stores a batch (with 2, storing 20,000 records took 8.35 s, with 4 8.0 s)
READ_AHEAD = 4

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


def record_to_document(record: dict[str, Any], language_later: bool = False) -> Document:
    """``language_later``: a record that does not give its language is left with none, for the
    caller to tell (many records' at once)."""
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
        language=(clean_string(language, 12).lower() if language else
                  None if language_later else detect_language(text)),
        sections=find_headings(text),
        content_type="application/x-ndjson",
    )


def iter_lines(source: bytes | Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for each non-blank line of a file's bytes, or of a file opened in binary
    mode, read as a stream. Both number lines alike: ``\\n``, ``\\r\\n`` and a lone ``\\r`` each end one."""
    if isinstance(source, (bytes, bytearray)):
        pieces = iter(source.splitlines())
    else:
        pieces = (piece for raw in source for piece in raw.splitlines())
    for number, line in enumerate(pieces, start=1):
        if line.strip():
            yield number, line.strip()


def read_line(line: bytes, filename: str, number: int, language_later: bool = False,
              count_later: bool = False) -> Document:
    """The record of one line (see `record_to_document` for ``language_later``; ``count_later``:
    its word count is left for the caller)."""
    from index.ingest import finish

    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{filename} line {number}: not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc}).") from exc
    try:
        doc = record_to_document(record, language_later)
    except Unreadable as exc:
        raise Unreadable(f"{filename} line {number}: {exc.message}") from exc
    return finish(doc, line, f"{filename}#{number}", "application/x-ndjson", count=not count_later)


def read_lines(lines: list[tuple[int, bytes]], filename: str, originals: BlobStore | None = None
               ) -> list[tuple[Document | None, str | None, Fingerprint | None, Packed | None]]:
    """Each line's record, the fingerprint of its text (for finding copies) and where the line was
    appended as the record's original, or the message saying why it cannot be read. ``originals``:
    the store to whose pack (see `index.packs`) readable lines not stored yet are appended, not yet
    made durable or recorded; the storing process does both."""
    from index.ingest.languages import detect_languages
    from index.wordcrc import ascii_word_crcs

    read: list[tuple[Document | None, str | None, Fingerprint | None]] = []
    readable: list[bytes] = []
    for number, line in lines:
        try:
            doc = read_line(line, filename, number, language_later=True, count_later=True)
        except FolioError as exc:
            read.append((None, exc.message, None))
            continue
        read.append((doc, None, None))
        readable.append(line)
    docs = [doc for doc, _, _ in read if doc is not None]
    prints = iter(_counted_and_fingerprinted(docs, ascii_word_crcs([doc.text for doc in docs])))
    read = [(doc, problem, next(prints) if doc is not None else None) for doc, problem, _ in read]
    untold = [doc for doc, _, _ in read if doc is not None and doc.language is None]
    for doc, language in zip(untold, detect_languages([doc.text for doc in untold])):
        doc.language = language
    packed: dict[str, Packed] = {}
    if originals is not None:
        try:
            packed = originals.append_to_pack(readable)
        except (OSError, sqlite3.Error):
            pass  # the storing process stores them itself, and reports what goes wrong
    return [(doc, problem, print_, packed.get(doc.sha256) if doc is not None else None)
            for doc, problem, print_ in read]


def _counted_and_fingerprinted(docs: list[Document], word_crcs: list) -> list[Fingerprint]:
    """Set each record's word count; the fingerprints of their texts. ``word_crcs``: each text's
    words' CRC-32 values, when its lower-case text is ASCII (see `index.wordcrc`), fingerprinted
    together; the words of another text are folded one by one."""
    from index.document import count_words
    from index.reprints import fingerprint, fingerprints_of_word_crcs, words

    prints: list[Fingerprint | None] = [None] * len(docs)
    hashed = [i for i, crcs in enumerate(word_crcs) if crcs is not None]
    for i, print_ in zip(hashed, fingerprints_of_word_crcs([word_crcs[i] for i in hashed])):
        doc = docs[i]
        doc.word_count = len(word_crcs[i]) if doc.text.isascii() else count_words(doc.text)
        prints[i] = print_
    for i, doc in enumerate(docs):
        if word_crcs[i] is None:
            tokens = words(doc.text)
            doc.word_count = count_words(doc.text, tokens)
            prints[i] = fingerprint(doc.text, tokens)
    return prints


def read_lines_to_send(lines: list[tuple[int, bytes]], filename: str, originals: BlobStore | None = None) -> tuple:
    """`read_lines` in a reader process, its fingerprints as arrays for the way back (see
    `index.reprints.fingerprints_as_arrays`); `lines_read` takes them back."""
    from index.reprints import fingerprints_as_arrays

    read = read_lines(lines, filename, originals)
    return [(doc, problem, packed) for doc, problem, _, packed in read], fingerprints_as_arrays([p for _, _, p, _ in read])


def lines_read(sent: tuple) -> list[tuple[Document | None, str | None, Fingerprint | None, Packed | None]]:
    """What `read_lines` gave, from what `read_lines_to_send` sent."""
    from index.reprints import fingerprints_from_arrays

    rows, arrays = sent
    return [(doc, problem, print_, packed) for (doc, problem, packed), print_ in zip(rows, fingerprints_from_arrays(*arrays))]


def read_records(source: bytes | Iterable[bytes], filename: str, workers: int = 1,
                 originals: BlobStore | None = None
                 ) -> Iterator[tuple[bytes, Document | None, str | None, Fingerprint | None, Packed | None]]:
    """(line, record, problem, fingerprint, packed) for each line in file order: a record, its
    text's fingerprint and where its original was appended, or the message saying why the line
    cannot be read. ``source`` is a file's bytes or
    the file itself, opened in binary mode and read as it goes. With ``workers`` > 1 a long file is
    read by that many processes, a few chunks ahead of what the caller has taken, so memory stays
    bounded either way. ``originals``: see `read_lines` (the readers share out writing the originals)."""
    lines = iter_lines(source)
    head = list(islice(lines, PARALLEL_LINES))
    chunks = _chunks(chain(head, lines), CHUNK_LINES)
    if workers < 2 or len(head) < PARALLEL_LINES:
        for chunk in chunks:
            for (number, line), read in zip(chunk, read_lines(chunk, filename, originals)):
                yield line, *read
        return
    # a fork server, not a fork of this process, whose other threads may hold locks
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "index.ingest.reader_preload"])
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=widen_language_model)
    try:
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(read_lines_to_send, chunk, filename, originals)))
            if len(pending) >= READ_AHEAD * workers:
                break
        while pending:
            chunk, future = pending.popleft()
            following = next(chunks, None)
            if following is not None:
                pending.append((following, pool.submit(read_lines_to_send, following, filename, originals)))
            for (number, line), read in zip(chunk, lines_read(future.result())):
                yield line, *read
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk
