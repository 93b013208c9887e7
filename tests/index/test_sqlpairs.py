import json
import sqlite3

import numpy as np
import pytest

import index.sqlpairs as sqlpairs
from index.sqlpairs import insert_pairs, pairs_as_json

EXTREMES = [-2**63, -2**63 + 1, -10**18, -42, -1, 0, 1, 9, 10, 9999, 10_000, 10**18, 2**63 - 1]


def keys_table():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE pairs (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID")
    return conn


def stored(conn):
    return conn.execute("SELECT key, doc FROM pairs ORDER BY key, doc").fetchall()


def test_the_json_names_every_pair_with_its_numbers():
    first = np.array(EXTREMES, dtype=np.int64)
    second = first[::-1].copy()
    members = json.loads(pairs_as_json(first, second), object_pairs_hook=list)
    assert [(int(k), int(v)) for k, v in members] == list(zip(EXTREMES, EXTREMES[::-1]))
    assert json.loads(pairs_as_json(first[:0], second[:0])) == {}


def test_pairs_go_in_as_executemany_puts_them(monkeypatch):
    monkeypatch.setattr(sqlpairs, "PART", 7)  # several statements, one of them short
    rng = np.random.default_rng(5)
    first = np.concatenate([EXTREMES, rng.integers(-2**63, 2**63 - 1, 40, dtype=np.int64), [5, 5, 5, 5]])
    second = np.concatenate([EXTREMES[::-1], rng.integers(-2**63, 2**63 - 1, 40, dtype=np.int64), [3, 3, 4, -3]])
    expected, got = keys_table(), keys_table()
    expected.executemany("INSERT OR IGNORE INTO pairs (key, doc) VALUES (?,?)", zip(first.tolist(), second.tolist()))
    insert_pairs(got, "pairs", ("key", "doc"), first, second)
    assert stored(got) == stored(expected)
    assert (5, 3) in stored(got) and (5, 4) in stored(got) and (5, -3) in stored(got)
    assert len(stored(got)) == len(first) - 1  # the one pair given twice is kept once


def test_a_pair_already_there_is_ignored_or_refused():
    conn = keys_table()
    insert_pairs(conn, "pairs", ("key", "doc"), [1, 2], [10, 20])
    insert_pairs(conn, "pairs", ("key", "doc"), [2, 3], [20, 30])
    assert stored(conn) == [(1, 10), (2, 20), (3, 30)]
    with pytest.raises(sqlite3.IntegrityError):
        insert_pairs(conn, "pairs", ("key", "doc"), [4, 1], [40, 10], or_ignore=False)


def test_nothing_to_insert_and_uneven_pairs():
    conn = keys_table()
    insert_pairs(conn, "pairs", ("key", "doc"), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    assert stored(conn) == []
    with pytest.raises(ValueError):
        insert_pairs(conn, "pairs", ("key", "doc"), [1, 2], [1])
