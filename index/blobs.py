"""Content-addressed store of original files: ``originals/ab/abcdef…`` by SHA-256."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from index.document import content_sha256


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256_hex: str) -> Path:
        if len(sha256_hex) != 64 or any(c not in "0123456789abcdef" for c in sha256_hex):
            raise ValueError(f"not a sha256 hex digest: {sha256_hex!r}")
        return self.root / sha256_hex[:2] / sha256_hex

    def exists(self, sha256_hex: str) -> bool:
        return self.path_for(sha256_hex).exists()

    def put(self, data: bytes, sync: bool = True) -> tuple[str, bool]:
        """Store bytes durably; returns (sha256, created). Written to a temp file, fsynced, renamed.

        ``sync=False`` skips both fsyncs, for bulk loads that call `sync()` once before the catalog
        commit that refers to the files: two fsyncs per file cost more than parsing and indexing.
        """
        digest = content_sha256(data)
        target = self.path_for(digest)
        if target.exists():
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
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

    @staticmethod
    def sync() -> None:
        """Make every file written with ``sync=False`` (and its directory entry) durable at once."""
        os.sync()

    def get(self, sha256_hex: str) -> bytes:
        return self.path_for(sha256_hex).read_bytes()

    def remove(self, sha256_hex: str) -> None:
        path = self.path_for(sha256_hex)
        if path.exists():
            path.unlink()

    def all_digests(self):
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for f in sorted(sub.iterdir()):
                    if not f.name.startswith("."):
                        yield f.name
