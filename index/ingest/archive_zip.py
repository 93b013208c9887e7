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
import zlib
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


@dataclass
class Member:
    name: str  # the path inside the archive
    data: bytes


def read_members(data: bytes, filename: str) -> Extracted:
    """Every member extracted in this process (the CLI and tests; the service adds member by member)."""
    from index.ingest import display_name, extract

    name = display_name(filename)
    out = Extracted()
    for member in iter_members(data, filename, out.failures):
        try:
            doc = extract(member.data, member.name)
        except FolioError as exc:
            out.failures.append(member_failure(name, member.name, exc.message))
            continue
        out.documents.append((doc, member.data))
    if not out.documents:
        raise nothing_readable(name, out.failures)
    return out


def nothing_readable(name: str, failures: list[str]) -> Unreadable:
    if not failures:
        return Unreadable(f"{name} is an empty ZIP archive.")
    return Unreadable(f"Nothing in {name} could be read: " + "; ".join(failures[:5]))


def iter_members(data: bytes, filename: str, failures: list[str]):
    """The archive's articles as `Member`s; members that cannot be read go to ``failures``.

    The whole archive is checked before the first member is yielded (names, counts, and sizes by
    actually decompressing), so an archive that is refused is refused before anything is stored.
    """
    from index.ingest import display_name, is_archive

    name = display_name(filename)
    archive, infos = open_archive(data, name)
    unreadable: dict[str, str] = {}
    total = 0
    for info in infos:
        try:
            total += measure_member(archive, info, name)
        except Unreadable as exc:
            unreadable[info.filename] = exc.message
        if total > MAX_TOTAL_BYTES:
            raise TooLarge(f"{name} expands to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB; "
                           "it was not read.")
    for info in infos:
        if info.filename in unreadable:
            failures.append(unreadable[info.filename])
            continue
        member = read_member(archive, info, name)
        if is_archive(member, info.filename):
            failures.append(member_failure(name, info.filename,
                                           "is a ZIP archive inside a ZIP archive; unpack it first."))
            continue
        yield Member(info.filename, member)


def open_archive(data: bytes, name: str) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and the members worth reading; refuses the whole archive if it is a trick."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable(f"{name} is a damaged ZIP file: {exc}") from exc
    if len(infos) > MAX_MEMBERS:
        raise TooLarge(f"{name} holds {len(infos)} files; at most {MAX_MEMBERS} are read from one archive.")
    for info in infos:
        check_member_name(info, name)
    return archive, [i for i in infos if not i.is_dir() and not skipped_member(i.filename)]


def member_failure(archive_name: str, member: str, message: str) -> str:
    """"a.zip: dir/x.txt looks like ..." rather than "a.zip: dir/x.txt: x.txt looks like ..."."""
    from index.ingest import display_name

    base = display_name(member)
    if message.startswith(base):
        return f"{archive_name}: {member}{message[len(base):]}"
    return f"{archive_name}: {member}: {message}"


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


def measure_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, archive_name: str) -> int:
    """The member's real decompressed size, found without keeping its bytes."""
    return sum(len(chunk) for chunk in _member_chunks(archive, info, archive_name))


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, archive_name: str) -> bytes:
    return b"".join(_member_chunks(archive, info, archive_name))


def _member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, archive_name: str):
    """The member's bytes in chunks, stopping as soon as it grows past what an article could be."""
    if info.flag_bits & 0x1:
        raise Unreadable(f"{archive_name}: {info.filename} is encrypted inside the archive and cannot be read.")
    limit = min(MAX_MEMBER_BYTES, max(RATIO_FLOOR_BYTES, info.compress_size * MAX_RATIO))
    size = 0
    try:
        with archive.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    return
                size += len(chunk)
                if size > limit:
                    raise TooLarge(
                        f"{archive_name} was refused: {info.filename!r} expands far beyond its compressed "
                        "size (a zip bomb) or beyond the size of any article."
                    )
                yield chunk
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError,
            zlib.error) as exc:
        raise Unreadable(f"{archive_name}: {info.filename} cannot be decompressed ({exc}).") from exc
