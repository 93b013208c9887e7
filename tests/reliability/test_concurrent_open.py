"""Several server processes opening a new archive at the same moment (``--workers N`` on an empty
data directory) all get a working catalog: one that finds the file busy being set up by another
waits for it instead of failing with "database is locked"."""

from __future__ import annotations

import sqlite3
import threading

from index.catalog import Catalog


def test_opening_a_catalog_another_connection_is_writing_waits(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE being_set_up (a)")
    other.execute("BEGIN IMMEDIATE")  # as another process does while it creates the tables
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        catalog = Catalog(path)
    finally:
        release.join()
        other.close()
    assert catalog.count() == 0
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    catalog.close()
    assert mode == "wal"
