"""SIGKILL ``folio ingest`` of JSON Lines files again and again: every record it reported as stored
survives, a rerun completes the corpus, and catalog, stored originals and index agree afterwards."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

from index.archive import Archive
from index.search import SearchRequest
from tests.reliability.server import REPO

DOCUMENTS = 1000
FILES = 10
KILLS = 20


def write_corpus(folder: Path) -> None:
    folder.mkdir()
    per_file = DOCUMENTS // FILES
    for f in range(FILES):
        with open(folder / f"part{f:02d}.jsonl", "w", encoding="utf-8") as out:
            for i in range(f * per_file, (f + 1) * per_file):
                out.write(json.dumps({
                    "title": f"Canal Bulletin {i}",
                    "author": f"Writer{i % 41} Example",
                    "date": f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    "text": f"Bulletin {i} on canal locks. Marker word cb{i}q appears only here. "
                            "Barges waited at the lower gate while the keepers checked the water level.",
                }) + "\n")


def run_ingest(data: Path, corpus: Path, acknowledged: set[str], kill_after: float | None) -> int | None:
    """One ``folio ingest --json`` run; ids it printed are stored and indexed. With ``kill_after`` it
    is killed after that many seconds or right after its first new acknowledgement, whichever comes
    first, so kills land at start-up, mid-batch and mid-output. Returns the exit code, or None when
    it was killed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "--data", str(data), "ingest", str(corpus), "--json"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )

    first_new = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            try:
                doc_id = json.loads(line)["id"]
            except (ValueError, KeyError):
                continue  # a line cut short by the kill was never a complete acknowledgement
            if doc_id not in acknowledged:
                acknowledged.add(doc_id)
                first_new.set()

    reader = threading.Thread(target=read)
    reader.start()
    killed = False
    if kill_after is not None:
        first_new.wait(timeout=kill_after)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed = True
    code = proc.wait(timeout=600)
    reader.join(timeout=60)
    return None if killed else code


def test_sigkill_during_bulk_ingest_loses_nothing_reported(tmp_path):
    rng = random.Random(20261125)
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus)
    acknowledged: set[str] = set()
    kills = 0
    attempts = 0
    while kills < KILLS and attempts < 3 * KILLS:
        attempts += 1
        if run_ingest(data, corpus, acknowledged, kill_after=rng.uniform(0.3, 3.0)) is None:
            kills += 1
            with Archive(data) as archive:  # reopening replays anything the kill left unindexed
                missing = [doc_id for doc_id in acknowledged if not archive.catalog.has(doc_id)]
                assert not missing, f"acknowledged records lost after kill {kills}: {missing[:5]}"
    assert kills == KILLS
    assert run_ingest(data, corpus, acknowledged, kill_after=None) == 0
    with Archive(data) as archive:
        report = archive.check()
        assert report.ok, report.to_dict()
        assert report.records == DOCUMENTS
        assert acknowledged <= set(archive.catalog.ids())
        for i in rng.sample(range(DOCUMENTS), 25):
            assert archive.search(SearchRequest(q=f"cb{i}q")).total == 1, i
