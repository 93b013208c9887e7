"""SIGKILL a real server again and again while 1,000 documents are uploaded: nothing acknowledged is
lost, and catalog, stored originals and index agree afterwards."""

from __future__ import annotations

import os
import random
import threading
import time

import httpx

from index.archive import Archive
from tests.reliability.server import Server

DOCUMENTS = 1000
KILLS = 20
UPLOADERS = 4
TOKEN = "kill-test-token-0123456789"


def article(i: int) -> bytes:
    return (f"Dispatch number {i}\n\nBy Writer{i % 37} Example\n\n"
            f"Report {i} on harbour traffic. Marker word zq{i}x appears only here. "
            "The tide tables were checked twice and the pilots agreed on the schedule.\n").encode()


class Uploads:
    """Documents still to be acknowledged, and the ids the server acknowledged."""

    def __init__(self, count: int):
        self.pending = list(range(count))
        self.acknowledged: dict[int, str] = {}
        self.lock = threading.Lock()
        self.failures: list[str] = []

    def take(self) -> int | None:
        with self.lock:
            return self.pending.pop(0) if self.pending else None

    def put_back(self, i: int) -> None:
        with self.lock:
            self.pending.append(i)

    def upload_until_refused(self, server: Server) -> None:
        with httpx.Client(base_url=server.base, headers=server.auth, timeout=30) as client:
            while (i := self.take()) is not None:
                try:
                    response = client.post("/api/documents", files={"file": (f"d{i}.txt", article(i))})
                except httpx.TransportError:
                    self.put_back(i)  # not acknowledged: it must be sent again
                    return
                if response.status_code in (200, 201):
                    with self.lock:
                        self.acknowledged[i] = response.json()["id"]
                elif response.status_code == 503:
                    self.put_back(i)
                else:
                    self.failures.append(f"{i}: {response.status_code} {response.text[:200]}")


def run_uploaders(server: Server, uploads: Uploads) -> list[threading.Thread]:
    threads = [threading.Thread(target=uploads.upload_until_refused, args=(server,), daemon=True)
               for _ in range(UPLOADERS)]
    for t in threads:
        t.start()
    return threads


def test_sigkill_during_uploads_loses_nothing_acknowledged(tmp_path):
    seed = int(os.environ.get("FOLIO_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    data = tmp_path / "data"
    uploads = Uploads(DOCUMENTS)
    kills = 0
    server = Server(data, TOKEN)
    while kills < KILLS:
        server.start()
        before = len(uploads.acknowledged)
        threads = run_uploaders(server, uploads)
        while len(uploads.acknowledged) == before and any(t.is_alive() for t in threads):
            time.sleep(0.01)  # kill while uploads are flowing, not while the server is still warming up
        time.sleep(rng.uniform(0.0, 1.0))
        server.kill()
        kills += 1
        for t in threads:
            t.join(timeout=60)
    acknowledged_before_last_start = dict(uploads.acknowledged)
    assert len(acknowledged_before_last_start) < DOCUMENTS, "the kills came too late to interrupt anything"

    server.start()
    try:
        with httpx.Client(base_url=server.base, timeout=30) as client:
            for i, doc_id in acknowledged_before_last_start.items():  # present right after the restart
                assert client.get(f"/api/documents/{doc_id}").status_code == 200, (seed, i)
        for t in run_uploaders(server, uploads):
            t.join(timeout=300)
    finally:
        server.stop()

    assert not uploads.failures, (seed, uploads.failures[:5])
    assert len(uploads.acknowledged) == DOCUMENTS
    with Archive(data) as archive:
        report = archive.check(verify_hashes=True)
        assert report.ok, (seed, report.to_dict())
        assert report.records == report.indexed == DOCUMENTS
        assert archive.unreferenced_originals() == []
        assert archive.catalog.unindexed_ids() == []
        indexed = archive.engine.indexed_ids()
        catalogued = set(archive.catalog.ids())
        for i, doc_id in uploads.acknowledged.items():
            assert doc_id in catalogued and doc_id in indexed, (seed, i)
        from index.search import SearchRequest

        sample = rng.sample(sorted(uploads.acknowledged), 20)
        for i in sample:
            hits = archive.search(SearchRequest(q=f"zq{i}x")).hits
            assert [h.id for h in hits] == [uploads.acknowledged[i]], (seed, i)
    print(f"kills survived: {kills}; documents acknowledged: {len(uploads.acknowledged)}; seed {seed}")
