"""The baseline: the same corpus and the same search workload on SQLite FTS5 (standard library).

A search here does what a Folio search does: total count, top 10 by BM25 (title weighted) with a
snippet, and author, publication and year counts over all matches — each as its own SQL statement.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from benchmarks.queries import BenchQuery

SCHEMA = """
CREATE TABLE docs (id INTEGER PRIMARY KEY, published TEXT, year TEXT, publication TEXT);
CREATE TABLE doc_authors (doc_id INTEGER, author TEXT);
CREATE INDEX doc_authors_doc ON doc_authors(doc_id);
CREATE INDEX doc_authors_author ON doc_authors(author);
CREATE VIRTUAL TABLE fts USING fts5(title, text, author, publication,
    tokenize='porter unicode61 remove_diacritics 2');
"""


class Fts5Baseline:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")

    def ingest(self, jsonl: Path, batch: int = 1000) -> int:
        conn = self.conn
        conn.executescript(SCHEMA)
        count = 0
        rows = []

        def flush():
            conn.execute("BEGIN")
            for i, rec in rows:
                conn.execute("INSERT INTO docs VALUES (?,?,?,?)",
                             (i, rec["date"], rec["date"][:4], rec["publication"]))
                conn.executemany("INSERT INTO doc_authors VALUES (?,?)", [(i, a) for a in rec["authors"]])
                conn.execute("INSERT INTO fts (rowid, title, text, author, publication) VALUES (?,?,?,?,?)",
                             (i, rec["title"], rec["text"], " ; ".join(rec["authors"]), rec["publication"]))
            conn.execute("COMMIT")
            rows.clear()

        with open(jsonl, encoding="utf-8") as fh:
            for line in fh:
                count += 1
                rows.append((count, json.loads(line)))
                if len(rows) >= batch:
                    flush()
        if rows:
            flush()
        return count

    @staticmethod
    def match_expression(q: BenchQuery) -> str:
        if q.phrase:
            return '"%s"' % " ".join(q.words)
        return " ".join('"%s"' % w for w in q.words)

    def search(self, q: BenchQuery) -> dict:
        where = ["fts MATCH ?"]
        args: list = [self.match_expression(q)]
        for author in q.filters.get("author", []):
            where.append("fts.rowid IN (SELECT doc_id FROM doc_authors WHERE author = ?)")
            args.append(author)
        if q.date_from:
            where.append("docs.year >= ?")
            args.append(q.date_from)
        if q.date_to:
            where.append("docs.year <= ?")
            args.append(q.date_to)
        cond = " AND ".join(where)
        base = f"FROM fts JOIN docs ON docs.id = fts.rowid WHERE {cond}"
        c = self.conn
        total = c.execute(f"SELECT count(*) {base}", args).fetchone()[0]
        hits = c.execute(
            f"SELECT fts.rowid, title, snippet(fts, 1, '<mark>', '</mark>', ' … ', 24) {base} "
            "ORDER BY bm25(fts, 3.0, 1.0, 2.0, 1.5) LIMIT 10", args).fetchall()
        facets = {
            "year": c.execute(f"SELECT docs.year, count(*) {base} GROUP BY 1 ORDER BY 2 DESC LIMIT 30", args).fetchall(),
            "publication": c.execute(
                f"SELECT docs.publication, count(*) {base} GROUP BY 1 ORDER BY 2 DESC LIMIT 30", args).fetchall(),
            "author": c.execute(
                f"SELECT a.author, count(*) {base.replace('WHERE', 'JOIN doc_authors a ON a.doc_id = fts.rowid WHERE', 1)} "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 30", args).fetchall(),
        }
        return {"total": total, "hits": hits, "facets": facets}

    def close(self) -> None:
        self.conn.close()


def timed_ingest(db: Path, jsonl: Path) -> tuple[Fts5Baseline, int, float]:
    started = time.perf_counter()
    base = Fts5Baseline(db)
    count = base.ingest(jsonl)
    return base, count, time.perf_counter() - started
