"""ZIP archives of articles: every member is read as if it had been uploaded on its own.

A ZIP comes from outside, so nothing in it is trusted: the declared sizes can lie (a "zip bomb"
expands a few kilobytes into gigabytes) and member names can try to climb out of a folder
("../../etc/passwd", "/abs/path", symbolic links). Folio never writes members to disk, but an
archive built to trick an unpacker is refused whole rather than half-read. Sizes are checked on the
bytes actually decompressed, reading never more than the limit plus one byte.
"""

from __future__ import annotations

import posixpath
import stat
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from index.document import Document
from index.errors import FolioError, TooLarge, Unreadable

#: More members than this is not a bundle of articles.
MAX_MEMBERS = 5000
#: No single article is this large once decompressed.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: All members together, decompressed.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Text compresses 3-10x; a member that expands more than this (and is not tiny) is a bomb.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass
class Extracted:
    """What one upload turned into: records with their own original bytes, and per-member failures."""

    documents: list[tuple[Document, bytes]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def read_members(data: bytes, filename: str) -> Extracted:
    from index.ingest import display_name, extract, is_archive

    name = display_name(filename)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"{name} is a damaged ZIP file: {exc}") from exc
    if len(infos) > MAX_MEMBERS:
        raise TooLarge(f"{name} holds {len(infos)} files; at most {MAX_MEMBERS} are read from one archive.")
    for info in infos:
        check_member_name(info, name)

    out = Extracted()
    total = 0
    for info in infos:
        if info.is_dir() or skipped_member(info.filename):
            continue
        label = f"{name}: {info.filename}"
        if info.flag_bits & 0x1:
            out.failures.append(f"{label} is encrypted inside the archive and cannot be read.")
            continue
        try:
            member = read_member(archive, info, name)
        except Unreadable as exc:
            out.failures.append(exc.message)
            continue
        total += len(member)
        if total > MAX_TOTAL_BYTES:
            raise TooLarge(f"{name} expands to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB; "
                           "it was not read.")
        try:
            if is_archive(member, info.filename):
                raise Unreadable("ZIP archives inside a ZIP archive are not read; unpack it first.")
            doc = extract(member, info.filename)
        except FolioError as exc:
            out.failures.append(f"{label}: {exc.message}")
            continue
        out.documents.append((doc, member))
    if not out.documents:
        if not out.failures:
            raise Unreadable(f"{name} is an empty ZIP archive.")
        raise Unreadable(f"Nothing in {name} could be read: " + "; ".join(out.failures[:5]))
    return out


def check_member_name(info: zipfile.ZipInfo, archive_name: str) -> None:
    """Refuse names that would point outside the folder the archive was unpacked into."""
    raw = info.filename
    parts = raw.replace("\\", "/").split("/")
    absolute = raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":")
    mode = info.external_attr >> 16
    if absolute or ".." in parts or "\x00" in raw:
        raise Unreadable(f"{archive_name} was refused: the member name {raw!r} points outside the archive.")
    if mode and stat.S_ISLNK(mode):
        raise Unreadable(f"{archive_name} was refused: {raw!r} is a symbolic link.")


def skipped_member(path: str) -> bool:
    """Operating-system litter that is not an article: macOS resource forks, hidden files."""
    base = posixpath.basename(path)
    return path.startswith("__MACOSX/") or base.startswith(".") or base in ("Thumbs.db", "desktop.ini")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, archive_name: str) -> bytes:
    """The member's bytes, stopping as soon as it grows past what an article could be."""
    limit = min(MAX_MEMBER_BYTES, max(RATIO_FLOOR_BYTES, info.compress_size * MAX_RATIO))
    chunks, size = [], 0
    try:
        with archive.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"{archive_name} was refused: {info.filename!r} expands far beyond its compressed "
                        "size (a zip bomb) or beyond the size of any article."
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise Unreadable(f"{archive_name}: {info.filename!r} cannot be decompressed ({exc}).") from exc
    return b"".join(chunks)
