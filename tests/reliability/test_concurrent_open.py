"""Several server processes opening a new archive at the same moment (``--workers N`` on an empty
data directory) all get a working catalog: one that finds the file busy being set up by another
waits for it instead of failing with "database is locked"."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

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


def _open_engine_at(path: str, start_at: float, results) -> None:
    from index.engine import Engine

    time.sleep(max(0.0, start_at - time.time()))
    try:
        engine = Engine(Path(path))
        results.put(("ok", engine.doc_count()))
        engine.close()
    except Exception as exc:  # reported to the test, which names it
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def test_processes_creating_one_new_index_at_once_all_open_it(tmp_path):
    """Whoosh creates an index by first deleting every file of that name, so a second process
    creating the same new index deleted the table of contents the first had just written."""
    context = multiprocessing.get_context("spawn")
    outcomes = []
    for round_ in range(4):
        results = context.Queue()
        start_at = time.time() + 1.5  # after the spawned interpreters have imported
        path = str(tmp_path / f"index{round_}")
        procs = [context.Process(target=_open_engine_at, args=(path, start_at, results)) for _ in range(6)]
        for p in procs:
            p.start()
        outcomes += [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    assert outcomes == [("ok", 0)] * 24, [o for o in outcomes if o[0] != "ok"]
