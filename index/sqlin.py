"""Queries with an ``IN (...)`` list of many values, a chunk of values per statement."""

from __future__ import annotations

import sqlite3
from typing import Iterator, Sequence

#: values per statement: well under SQLite's limit on bound parameters (32,766; 999 before 3.32)
IN_CHUNK = 500


def rows_in(conn: sqlite3.Connection, sql: str, values: Sequence) -> Iterator[tuple]:
    """The rows of ``sql``, whose ``{marks}`` stands for an IN list, for all of ``values``."""
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start:start + IN_CHUNK]
        yield from conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)
