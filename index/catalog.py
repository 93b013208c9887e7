"""The catalog: SQLite (WAL) records — the source of truth together with the stored originals.

Each row keeps the record as extracted (``record``) and a person's corrections (``edits``) apart, so
corrections survive re-extraction, re-upload and reindexing. Connections are per thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from index.document import Document
from index.sqlin import rows_in

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    record      TEXT NOT NULL,
    text        TEXT NOT NULL,
    edits       TEXT NOT NULL DEFAULT '{}',
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
-- ids whose catalog change is committed but whose index entry may not be yet: written in the same
-- transaction as the change, cleared once the index committed, replayed when the archive opens
CREATE TABLE IF NOT EXISTS unindexed (
    id TEXT PRIMARY KEY
);
"""

MARK_UNINDEXED = "INSERT OR IGNORE INTO unindexed (id) VALUES (?)"
INSERT_DOCUMENT = "INSERT INTO documents (id, sha256, record, text, edits, ingested_at) VALUES (?,?,?,?,?,?)"
#: SQLite's own page cache per connection, in KB (its default is 2,000). Every server thread has a
#: connection, and reads by id are served as well from the operating system's file cache: with 2 MB
#: each, two workers' connections held about 30 MB more after the 100k benchmark's HTTP stage.
CACHE_KB = 256
#: Page size of a new catalog: with 8 KB pages a record's row (its text, about 3 KB here, and its
#: JSON) mostly fits in a page instead of spilling into overflow pages. On 20,000 synthetic articles
#: the documents table took 57 MB instead of 72, and inserting them 0.20 s of CPU instead of 0.30.
#: A catalog made with another page size keeps it.
PAGE_SIZE = 8192


def _use_wal(conn: sqlite3.Connection, attempts: int = 300) -> None:
    """Switch a new catalog to write-ahead logging (the mode stays with the file). The switch needs
    the file to itself and SQLite does not wait for it as it waits for other locks, so when several
    server processes open a new archive at once, the others retry until the first has switched."""
    for attempt in range(attempts):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def _row_of(doc: Document, edits: dict[str, Any] | None) -> tuple:
    return (doc.id, doc.sha256, json.dumps(doc.to_dict(with_text=False), ensure_ascii=False), doc.text,
            json.dumps(edits, ensure_ascii=False) if edits else "{}", doc.ingested_at)


class Catalog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._connection() as conn:
            conn.executescript(SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only a new, empty file takes it
            _use_wal(conn)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute(f"PRAGMA cache_size=-{CACHE_KB}")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def larger_cache(self, kb: int) -> Iterator[sqlite3.Connection]:
        """This thread's connection with a page cache of ``kb`` KB for a while: inserts at random
        places of a large table (reprint keys) each dirty a page, and with a small cache every
        page goes to disk again and again. The cache is given back afterwards."""
        conn = self._connection()
        before = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute(f"PRAGMA cache_size=-{int(kb)}")
        try:
            yield conn
        finally:
            conn.execute(f"PRAGMA cache_size={int(before)}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction at a time in this process; BEGIN IMMEDIATE across processes."""
        with self._write_lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    # -- writes -----------------------------------------------------------------------------------

    def insert(self, doc: Document, edits: dict[str, Any] | None = None) -> bool:
        """Insert a new record, listed as unindexed. Returns whether its id was listed already: its
        removal from the index is then still pending (see `delete`), so the index may hold an entry."""
        with self.transaction() as conn:
            conn.execute(INSERT_DOCUMENT, _row_of(doc, edits))
            return conn.execute(MARK_UNINDEXED, (doc.id,)).rowcount == 0

    def insert_many(self, docs: list[tuple[Document, dict[str, Any]]]) -> list[str]:
        """Insert records that are not there yet, in one transaction; returns the ids inserted. Which
        are there is asked once, and the rows go in with one statement for all of them."""
        with self.transaction() as conn:
            there = self._existing(conn, [doc.id for doc, _ in docs])
            fresh = []
            for doc, edits in docs:
                if doc.id not in there:
                    there.add(doc.id)
                    fresh.append((doc, edits))
            conn.executemany(INSERT_DOCUMENT, [_row_of(doc, edits) for doc, edits in fresh])
            conn.executemany(MARK_UNINDEXED, [(doc.id,) for doc, _ in fresh])
        return [doc.id for doc, _ in fresh]

    @staticmethod
    def _existing(conn, ids: list[str]) -> set[str]:
        """Those of ``ids`` the catalog holds."""
        return {r[0] for r in rows_in(conn, "SELECT id FROM documents WHERE id IN ({marks})", ids)}

    def existing(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` the catalog holds (one query per 500)."""
        return self._existing(self._connection(), ids)

    def set_edits(self, doc_id: str, edits: dict[str, Any]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE documents SET edits=? WHERE id=?", (json.dumps(edits, ensure_ascii=False), doc_id)
            )
            conn.execute(MARK_UNINDEXED, (doc_id,))

    def delete(self, doc_id: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM documents WHERE id=?", (doc_id,))
            conn.execute(MARK_UNINDEXED, (doc_id,))

    def is_unindexed(self, doc_id: str) -> bool:
        return self._connection().execute("SELECT 1 FROM unindexed WHERE id=?", (doc_id,)).fetchone() is not None

    def unindexed_ids(self) -> list[str]:
        """Ids changed in the catalog whose index entry was not confirmed (a crash in between)."""
        return [r[0] for r in self._connection().execute("SELECT id FROM unindexed ORDER BY id")]

    def mark_unindexed(self, ids: list[str]) -> None:
        """Ids whose index entry must be (re)written."""
        if not ids:
            return
        with self.transaction() as conn:
            conn.executemany(MARK_UNINDEXED, [(i,) for i in ids])

    def mark_indexed(self, ids: list[str]) -> None:
        if not ids:
            return
        with self.transaction() as conn:
            conn.executemany("DELETE FROM unindexed WHERE id=?", [(i,) for i in ids])

    # -- reads ------------------------------------------------------------------------------------

    def _row_to_doc(self, row) -> tuple[Document, dict[str, Any]]:
        record = json.loads(row[0])
        record["text"] = row[1]
        edits = json.loads(row[2]) if row[2] != "{}" else {}  # most records have none
        return Document.from_dict(record), edits

    def _record_of(self, row) -> Document:
        """The record of a (record, text, edits) row with its edits applied (a new one either way)."""
        doc, edits = self._row_to_doc(row)
        return doc.with_edits(edits) if edits else doc

    def get_raw(self, doc_id: str) -> tuple[Document, dict[str, Any]] | None:
        """The record as extracted and the edits, separately."""
        row = self._connection().execute(
            "SELECT record, text, edits FROM documents WHERE id=?", (doc_id,)
        ).fetchone()
        return self._row_to_doc(row) if row else None

    def get(self, doc_id: str) -> Document | None:
        raw = self.get_raw(doc_id)
        return raw[0].with_edits(raw[1]) if raw else None

    def get_many(self, ids: list[str], with_text: bool = True) -> dict[str, Document]:
        if not ids:
            return {}
        out: dict[str, Document] = {}
        conn = self._connection()
        text_col = "text" if with_text else "''"
        for row in rows_in(conn, f"SELECT id, record, {text_col}, edits FROM documents WHERE id IN ({{marks}})", ids):
            out[row[0]] = self._record_of(row[1:])
        return out

    def unedited(self, ids: list[str]) -> list[tuple[str, str]]:
        """(id, ingested_at) of each of ``ids`` stored without edits."""
        return list(rows_in(self._connection(),
                            "SELECT id, ingested_at FROM documents WHERE edits='{{}}' AND id IN ({marks})", ids))

    def has(self, doc_id: str) -> bool:
        return self._connection().execute("SELECT 1 FROM documents WHERE id=?", (doc_id,)).fetchone() is not None

    def count(self) -> int:
        return self._connection().execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def ids(self) -> list[str]:
        return [r[0] for r in self._connection().execute("SELECT id FROM documents ORDER BY id")]

    def iter_documents(self, batch: int = 1000) -> Iterator[Document]:
        """Every record with edits applied, in id order, without holding them all in memory."""
        for records in self.iter_batches(batch):
            yield from records

    def iter_batches(self, batch: int = 1000) -> Iterator[list[Document]]:
        """`iter_documents`, ``batch`` records at a time."""
        last = ""
        conn = self._connection()
        while True:
            rows = conn.execute(
                "SELECT id, record, text, edits FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            yield [self._record_of(row[1:]) for row in rows]
            last = rows[-1][0]

    def sha_for(self, doc_id: str) -> str | None:
        row = self._connection().execute("SELECT sha256 FROM documents WHERE id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def all_shas(self) -> set[str]:
        return {r[0] for r in self._connection().execute("SELECT DISTINCT sha256 FROM documents")}

    def sha_in_use(self, sha256_hex: str) -> bool:
        row = self._connection().execute("SELECT 1 FROM documents WHERE sha256=?", (sha256_hex,)).fetchone()
        return row is not None

    # -- small key/value store (settings the archive keeps about itself) ---------------------------

    def get_meta(self, key: str) -> str | None:
        row = self._connection().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
