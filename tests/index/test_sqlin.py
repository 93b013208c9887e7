"""IN-list queries over more values than one statement takes."""

import sqlite3

from index.sqlin import IN_CHUNK, rows_in


def test_rows_for_every_chunk_of_values_and_none_for_values_not_there():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    count = 2 * IN_CHUNK + 1
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(k, f"v{k}") for k in range(count)])
    asked = list(range(-5, count + 5))
    rows = sorted(rows_in(conn, "SELECT k, v FROM t WHERE k IN ({marks})", asked))
    assert rows == [(k, f"v{k}") for k in range(count)]
    assert list(rows_in(conn, "SELECT k FROM t WHERE k IN ({marks})", [])) == []
