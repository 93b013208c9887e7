"""Several uvicorn workers on one data directory: writes take turns on the index lock, and every
worker's searches see a new document at once (searchers look for other processes' commits every 50 ms)."""

from __future__ import annotations

import threading
import time

import httpx

from index.archive import Archive
from tests.reliability.server import Server

TOKEN = "workers-token-0123456789"


def test_two_workers_write_in_turn_and_read_each_others_documents(tmp_path):
    delays: list[float] = []
    errors: list[str] = []
    acknowledged: list[str] = []
    lock = threading.Lock()

    def uploader(server: Server, start: int):
        for i in range(start, start + 10):
            body = f"Worker Note {i}\n\nBy Ann Bee\n\nShared marker mk{i}q for the workers test.".encode()
            with httpx.Client(base_url=server.base, headers=server.auth, timeout=60) as client:
                response = client.post("/api/documents", files={"file": (f"w{i}.txt", body)})
            if response.status_code != 201:
                errors.append(f"upload {i}: {response.status_code} {response.text[:200]}")
                continue
            acked = time.monotonic()
            with lock:
                acknowledged.append(response.json()["id"])
            while True:  # fresh connections, so the searches land on either worker
                with httpx.Client(base_url=server.base, timeout=30) as client:
                    found = client.get("/api/search", params={"q": f"mk{i}q"})
                if found.status_code != 200:
                    errors.append(f"search {i}: {found.status_code}")
                    break
                if found.json()["total"] == 1:
                    delays.append(time.monotonic() - acked)
                    break
                if time.monotonic() - acked > 10:
                    errors.append(f"document {i} not visible after 10 s")
                    break
                time.sleep(0.05)

    with Server(tmp_path / "data", TOKEN, workers=2) as server:
        threads = [threading.Thread(target=uploader, args=(server, n * 10)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        # a worker re-checks the index at least every 50 ms, so after a second all agree
        time.sleep(1.0)
        for _ in range(20):
            with httpx.Client(base_url=server.base, timeout=30) as client:
                assert client.get("/api/search", params={"q": "marker"}).json()["total"] == 40
    assert not errors, errors
    assert len(acknowledged) == 40
    with Archive(tmp_path / "data") as archive:
        report = archive.check()
        assert report.ok and report.records == 40
    print(f"visible after: max {max(delays):.3f} s, mean {sum(delays) / len(delays):.3f} s")
