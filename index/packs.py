"""Originals kept in pack files: many records' bytes appended to one file, found through an index.

`folio ingest` of a JSON Lines file stores each line as its record's original. One file per record
cost more than anything else its readers did once the disk was busy: creating a file took 0.3 to
0.6 ms while the ingest's other writes were being flushed, against microseconds to append to an
open file. So the readers append the lines to a pack of their own (``originals/packs/``), and the
storing process records where each one is (``originals/packs.sqlite3``) once the packs are durable
and before the catalog rows that refer to them, as it does for files. Uploads stay one file each.

A deleted original's bytes are overwritten with zeros, and a pack is removed with its last original.
Bytes a stopped run appended but never recorded are not referred to by anything; they go with
their pack.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from index.sqlin import rows_in

#: a reader starts a new pack once its current one is this large
PACK_LIMIT = 256 * 1024 * 1024
_ZEROS = bytes(1 << 16)


@dataclass(frozen=True)
class Packed:
    """Where an original is: a pack's file name, and the original's offset and length in it."""
    sha256: str
    pack: str
    offset: int
    length: int


class PackWriter:
    """Appends originals to packs of this process (one writer per process and folder)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._fd: int | None = None
        self._name = ""
        self._size = 0

    def append(self, originals: dict[str, bytes]) -> list[Packed]:
        """Append ``originals`` (by digest) in one write; where each one is. Not made durable (see
        `BlobStore.sync`)."""
        if not originals:
            return []
        if self._fd is None or self._size >= PACK_LIMIT:
            self._start()
        start, out = self._size, []
        for digest, data in originals.items():
            out.append(Packed(digest, self._name, start, len(data)))
            start += len(data)
        view = memoryview(b"".join(originals.values()))
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except BaseException:
            # part may have been written: later offsets in this pack would be wrong, so start another
            os.close(self._fd)
            self._fd = None
            raise
        self._size = start
        return out

    def _start(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._name = f"{time.time_ns()}-{os.getpid()}.pack"
        self._fd = os.open(self.folder / self._name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._size = 0


_TABLES = """
CREATE TABLE IF NOT EXISTS pack_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- the digest as its 32 bytes and the pack by number: about 100 bytes an original with the index
CREATE TABLE IF NOT EXISTS packed (
    sha256 BLOB PRIMARY KEY,
    pack   INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS packed_pack ON packed(pack);
"""
_FIND = ("SELECT f.name, p.offset, p.length, p.pack FROM packed p JOIN pack_files f ON f.id = p.pack "
         "WHERE p.sha256=?")


class PackIndex:
    """sha256 -> (pack, offset, length) in a SQLite file of its own; made on the first record."""

    def __init__(self, path: Path, folder: Path):
        self.path = Path(path)
        self.folder = Path(folder)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def __getstate__(self):  # sent to reader processes: they open their own connection
        return {"path": self.path, "folder": self.folder}

    def __setstate__(self, state):
        self.__init__(state["path"], state["folder"])

    def _connection(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is None:
            if not create and not self.path.exists():
                return None
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(_TABLES)
            self._conn = conn
        return self._conn

    def find(self, sha256_hex: str) -> Packed | None:
        with self._lock:
            conn = self._connection(create=False)
            row = conn and conn.execute(_FIND, (bytes.fromhex(sha256_hex),)).fetchone()
        return Packed(sha256_hex, *row[:3]) if row else None

    def held(self, digests: list[str]) -> set[str]:
        """Those of ``digests`` (valid ones) recorded in a pack."""
        found: set[str] = set()
        with self._lock:
            conn = self._connection(create=False)
            if conn is None:  # nothing has been packed here yet
                return found
            found.update(row[0].hex() for row in rows_in(
                conn, "SELECT sha256 FROM packed WHERE sha256 IN ({marks})", [bytes.fromhex(d) for d in digests]))
        return found

    def record(self, entries: list[Packed]) -> None:
        """Record where originals are, in one transaction (the first place recorded for one wins).
        The rows go in in digest order, so that each lands near the one before in the table's
        B-tree: a bulk run's 100,000 rows, 1,000 a transaction, took 2.0 s of CPU this way, 2.6 s
        in the order given."""
        if not entries:
            return
        with self._transaction(create=True) as conn:
            numbers = {}
            for name in dict.fromkeys(e.pack for e in entries):
                conn.execute("INSERT OR IGNORE INTO pack_files (name) VALUES (?)", (name,))
                numbers[name] = conn.execute("SELECT id FROM pack_files WHERE name=?", (name,)).fetchone()[0]
            rows = [(bytes.fromhex(e.sha256), numbers[e.pack], e.offset, e.length) for e in entries]
            rows.sort(key=itemgetter(0))  # stable: of one digest's places, the first given still goes first
            conn.executemany("INSERT OR IGNORE INTO packed (sha256, pack, offset, length) VALUES (?,?,?,?)", rows)

    @contextmanager
    def _transaction(self, create: bool):
        """This store's connection in a write transaction (None, and no transaction, when there is
        no index and ``create`` is false)."""
        with self._lock:
            conn = self._connection(create=create)
            if conn is None:
                yield None
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def read(self, entry: Packed) -> bytes:
        fd = os.open(self.folder / entry.pack, os.O_RDONLY)
        try:
            return os.pread(fd, entry.length, entry.offset)
        finally:
            os.close(fd)

    def remove(self, sha256_hex: str) -> None:
        """Forget an original, overwrite its bytes with zeros, and remove its pack if it was the last."""
        with self._transaction(create=False) as conn:
            if conn is None:
                return
            row = conn.execute(_FIND, (bytes.fromhex(sha256_hex),)).fetchone()
            if row is not None:
                conn.execute("DELETE FROM packed WHERE sha256=?", (bytes.fromhex(sha256_hex),))
                others = conn.execute("SELECT 1 FROM packed WHERE pack=? LIMIT 1", (row[3],)).fetchone()
                if others is None:
                    conn.execute("DELETE FROM pack_files WHERE id=?", (row[3],))
        if row is None:
            return
        path = self.folder / row[0]
        if others is None:
            path.unlink(missing_ok=True)
        elif path.exists():  # a pack lost meanwhile has nothing left to overwrite
            _zero(path, row[1], row[2])

    def digests(self) -> list[str]:
        with self._lock:
            conn = self._connection(create=False)
            return [r[0].hex() for r in conn.execute("SELECT sha256 FROM packed ORDER BY sha256")] if conn else []

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _zero(path: Path, offset: int, length: int) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        end = offset + length
        while offset < end:
            offset += os.pwrite(fd, _ZEROS[:min(len(_ZEROS), end - offset)], offset)
        os.fsync(fd)
    finally:
        os.close(fd)
