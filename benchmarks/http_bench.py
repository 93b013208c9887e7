"""A real ``folio serve`` (uvicorn) on loopback: search latency and throughput with concurrent
clients, single-upload-to-searchable latency while searches run, and the server's resident size.

Every load is bounded in time, and the server is always stopped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks.queries import BenchQuery

TOKEN = "bench-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Every process started under ``pid`` (uvicorn's workers and their parsing helpers), from /proc."""
    try:
        kids = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return kids + [d for k in kids for d in descendants(k)]


def rss_mb(pid: int) -> dict[str, float]:
    """Resident, peak resident and proportional (shared pages divided among their users) size of a
    process, from /proc."""
    out = {}
    for source, keys in ((f"/proc/{pid}/status", ("VmRSS:", "VmHWM:")), (f"/proc/{pid}/smaps_rollup", ("Pss:",))):
        try:
            for line in Path(source).read_text().splitlines():
                if line.startswith(keys):
                    key, value = line.split(":", 1)
                    out[key] = int(value.split()[0]) / 1024
        except OSError:
            pass
    return {"rss_mb": round(out.get("VmRSS", 0.0), 1), "peak_rss_mb": round(out.get("VmHWM", 0.0), 1),
            "pss_mb": round(out.get("Pss", 0.0), 1)}


@contextmanager
def server(data: Path, startup_timeout: float = 120.0, workers: int = 1):
    """``folio serve`` in its own process (with ``workers`` worker processes); yields (base_url, pid,
    seconds until it answered)."""
    port = free_port()
    env = dict(os.environ, FOLIO_TOKEN=TOKEN, FOLIO_DATA=str(data))
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "--data", str(data), "serve", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError("folio serve exited: " + proc.stderr.read().decode("utf-8", "replace")[-2000:])
            try:
                if httpx.get(base + "/api/search", params={"q": "x"}, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("folio serve did not answer in time")
            time.sleep(0.1)
        yield base, proc.pid, time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def params(q: BenchQuery) -> list[tuple[str, str]]:
    out = [("q", q.q)]
    for facet, values in q.filters.items():
        out += [(facet, v) for v in values]
    if q.date_from:
        out.append(("from", q.date_from))
    if q.date_to:
        out.append(("to", q.date_to))
    return out


def search_load(base: str, queries: list[BenchQuery], clients: int, seconds: float,
                stop: threading.Event | None = None) -> dict:
    """``clients`` threads, each with its own connection, searching through ``queries`` for ``seconds``."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(k: int) -> None:
        mine: list[float] = []
        bad = 0
        with httpx.Client(base_url=base, timeout=30) as c:
            i = k
            while time.monotonic() < deadline and not (stop and stop.is_set()):
                q = queries[i % len(queries)]
                i += clients
                t = time.perf_counter()
                try:
                    ok = c.get("/api/search", params=params(q)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - t)
                bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors[0], "elapsed": elapsed}


def upload_latency(base: str, uploads: int, background_queries: list[BenchQuery], clients: int = 4) -> dict:
    """Upload one small article at a time while ``clients`` keep searching; the time from sending it
    to a search finding it, each."""
    stop = threading.Event()
    result: dict = {}
    bg = threading.Thread(target=lambda: result.update(
        search_load(base, background_queries, clients, seconds=600, stop=stop)))
    bg.start()
    latencies = []
    errors = 0
    try:
        time.sleep(0.5)
        with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            for i in range(uploads):
                marker = f"zqxbench{i}u{int(time.time() * 1000) % 10**9}"
                body = (f"Benchmark upload {i}\n\nBy Bench Writer\n\n"
                        f"This short article mentions {marker} once, among ordinary words about archives.\n")
                t = time.perf_counter()
                r = c.post("/api/documents", files={"file": (f"upload-{marker}.txt", body.encode(), "text/plain")})
                if r.status_code not in (200, 201):
                    errors += 1
                    continue
                while True:
                    found = c.get("/api/search", params={"q": marker}).json()["total"]
                    if found or time.perf_counter() - t > 30:
                        break
                latencies.append(time.perf_counter() - t)
                time.sleep(0.2)
    finally:
        stop.set()
        bg.join()
    return {"latencies": latencies, "errors": errors, "background_searches": len(result.get("latencies", []))}
