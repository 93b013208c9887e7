"""Content-addressed store of original files: ``originals/ab/abcdef…`` by SHA-256, and records'
originals appended to pack files by bulk ingest (see `index.packs`)."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from index.document import content_sha256
from index.packs import Packed, PackIndex, PackWriter

_DIGEST = re.compile(r"[0-9a-f]{64}")


def _checked(digest: str) -> str:
    """The digest, if it is one: it names a file, so nothing else may."""
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise ValueError(f"not a sha256 hex digest: {digest!r}")
    return digest


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: the pack writer of this process, per store (a reader process appends to one pack across chunks)
_PACK_WRITERS: dict[tuple[str, int], PackWriter] = {}


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.packs = PackIndex(self.root / "packs.sqlite3", self.root / "packs")

    def path_for(self, sha256_hex: str) -> Path:
        return self.root / _checked(sha256_hex)[:2] / sha256_hex

    def exists(self, sha256_hex: str) -> bool:
        return bool(self.stored_of([sha256_hex]))

    def stored_of(self, digests: list[str]) -> set[str]:
        """Those of ``digests`` stored, loose or packed: a few queries for all of them instead of two
        lookups each (a file's and the pack index's; 4 % of a bulk reader's time)."""
        root = str(self.root)
        found = self.packs.held([_checked(d) for d in digests])
        found.update(d for d in digests if d not in found and os.path.exists(os.path.join(root, d[:2], d)))
        return found

    def append_to_pack(self, originals: list[bytes]) -> dict[str, Packed]:
        """Append those of ``originals`` not stored yet to this process's pack; where each one is, by
        digest. Recorded by `record_packed` once durable (`sync`); until then nothing refers to them."""
        new: dict[str, bytes] = {}
        for data in originals:
            new.setdefault(content_sha256(data), data)
        for digest in self.stored_of(list(new)):
            del new[digest]
        key = (str(self.root), os.getpid())
        writer = _PACK_WRITERS.get(key)
        if writer is None:
            writer = _PACK_WRITERS[key] = PackWriter(self.packs.folder)
        return {entry.sha256: entry for entry in writer.append(new)}

    def record_packed(self, entries: list[Packed]) -> None:
        self.packs.record(entries)

    def put(self, data: bytes, sync: bool = True) -> tuple[str, bool]:
        """Store bytes durably; returns (sha256, created). Written to a temp file, fsynced, renamed.

        ``sync=False`` skips both fsyncs, for bulk loads that call `sync()` once before the catalog
        commit that refers to the files: two fsyncs per file cost more than parsing and indexing.
        """
        digest = content_sha256(data)
        target = self.path_for(digest)
        if os.path.exists(target) or self.packs.find(digest) is not None:
            return digest, False
        tmp, fd = self._temporary(target)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if sync:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        if sync:
            fsync_dir(target.parent)
        return digest, True

    def _temporary(self, target: Path) -> tuple[str, int]:
        """A new, empty temporary file beside ``target`` and a descriptor to write it through, named
        after the target, this process and thread, so no other writer can have it (cheaper than
        `tempfile.mkstemp`'s random names). The descriptor is the one that created the file: opening
        it again to write would truncate it, and ext4 writes a truncated file's blocks out when it is
        closed, which took three times as long as the rest of storing a small file. One left by a
        stopped process whose number came round again is replaced."""
        parent = str(target.parent)
        tmp = f"{parent}/.tmp-{target.name[:16]}-{os.getpid()}-{threading.get_ident()}"
        for _ in range(3):
            try:
                return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileNotFoundError:
                os.makedirs(parent, exist_ok=True)
            except FileExistsError:
                os.unlink(tmp)
        raise OSError(f"cannot create a temporary file in {parent}")

    @staticmethod
    def sync() -> None:
        """Make every file written with ``sync=False`` (and its directory entry) durable at once."""
        os.sync()

    def get(self, sha256_hex: str) -> bytes:
        path = self.path_for(sha256_hex)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            entry = self.packs.find(sha256_hex)
            if entry is None:
                raise
            return self.packs.read(entry)

    def remove(self, sha256_hex: str) -> None:
        path = self.path_for(sha256_hex)
        if path.exists():
            path.unlink()
        self.packs.remove(sha256_hex)

    def all_digests(self):
        """Every stored original's digest, in order, once (files and packed)."""
        files = []
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                files += [f.name for f in sub.iterdir() if not f.name.startswith(".")]
        yield from sorted(set(files).union(self.packs.digests()))

    def close(self) -> None:
        self.packs.close()
