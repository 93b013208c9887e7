"""Load test: uploaders and searchers against a real uvicorn server on loopback, bounded in time.

    python -m tests.reliability.loadtest --documents 10000 --duration 60 --uploaders 8 --searchers 32

The archive is first filled with ``--documents`` generated articles (bulk path, before the server
starts); then every uploader sends new articles one after another and every searcher runs queries
one after another for ``--duration`` seconds. Afterwards every acknowledged upload must be
searchable, and catalog and index must agree. Prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

WORDS = ("harbour tide pilot ship storm cargo river bridge market council school railway station garden "
         "library museum theatre hospital factory mine farm forest mountain island coast lighthouse canal "
         "election budget treaty court verdict strike festival concert exhibition research vaccine climate").split()
AUTHORS = ["Ann Bee", "Tom Reed", "Lea Roux", "Omar Haddad", "Mei Chen", "Jon Smith", "Ada Novak", "Ivo Petrov"]


def article_line(i: int, rng: random.Random) -> bytes:
    words = " ".join(rng.choice(WORDS) for _ in range(120))
    record = {"title": f"{rng.choice(WORDS).title()} report {i}", "authors": [rng.choice(AUTHORS)],
              "published": f"{rng.randint(1990, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
              "language": "en", "text": f"{words}. Serial s{i}n."}
    return json.dumps(record).encode()


def fill(data: Path, count: int, seed: int = 1) -> None:
    from index.archive import Archive
    from index.ingest.jsonl import read_line

    rng = random.Random(seed)
    with Archive(data) as archive:
        batch = []
        for i in range(count):
            line = article_line(i, rng)
            batch.append((read_line(line, "load.jsonl", i + 1), line, {}))
            if len(batch) == 1000:
                archive.add_many(batch)
                batch = []
        if batch:
            archive.add_many(batch)


@dataclass
class Figures:
    uploads: list[str] = field(default_factory=list)
    upload_seconds: list[float] = field(default_factory=list)
    search_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def timed(figures: Figures, label: str, send) -> tuple[httpx.Response, float] | None:
    """The response to ``send()`` and the seconds it took; None (and an error noted) if it never came."""
    started = time.perf_counter()
    try:
        response = send()
    except httpx.HTTPError as exc:
        figures.errors.append(f"{label} transport error: {exc!r}")
        return None
    return response, time.perf_counter() - started


def uploader(base: str, token: str, n: int, stop: threading.Event, figures: Figures) -> None:
    i = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        while not stop.is_set():
            body = (f"Live upload {n}-{i}\n\nBy Ann Bee\n\nUploaded under load, marker u{n}x{i}y, "
                    f"about the {WORDS[i % len(WORDS)]} and the {WORDS[(i * 7) % len(WORDS)]}.").encode()
            sent = timed(figures, "upload", lambda: client.post("/api/documents", files={"file": (f"u{n}-{i}.txt", body)}))
            if sent is None:
                continue
            response, took = sent
            with figures.lock:
                if response.status_code == 201:
                    figures.uploads.append(f"u{n}x{i}y")
                    figures.upload_seconds.append(took)
                else:
                    figures.errors.append(f"upload {response.status_code}: {response.text[:200]}")
            i += 1


def searcher(base: str, n: int, stop: threading.Event, figures: Figures) -> None:
    rng = random.Random(n)
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            q = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2, 3))))
            params = {"q": q}
            if rng.random() < 0.2:
                params["author"] = rng.choice(AUTHORS)
            sent = timed(figures, "search", lambda: client.get("/api/search", params=params))
            if sent is None:
                continue
            response, took = sent
            with figures.lock:
                if response.status_code == 200:
                    figures.search_seconds.append(took)
                else:
                    figures.errors.append(f"search {response.status_code}: {response.text[:200]}")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(data: Path, documents: int, duration: float, uploaders: int, searchers: int) -> dict:
    from tests.reliability.server import Server

    token = "load-token-0123456789"
    started = time.perf_counter()
    fill(data, documents)
    fill_seconds = time.perf_counter() - started
    figures = Figures()
    stop = threading.Event()
    with Server(data, token) as server:
        threads = [threading.Thread(target=uploader, args=(server.base, token, n, stop, figures))
                   for n in range(uploaders)]
        threads += [threading.Thread(target=searcher, args=(server.base, n, stop, figures)) for n in range(searchers)]
        for t in threads:
            t.start()
        time.sleep(duration)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        missing = []
        with httpx.Client(base_url=server.base, timeout=60) as client:
            for marker in figures.uploads:
                if client.get("/api/search", params={"q": marker}).json()["total"] != 1:
                    missing.append(marker)
    from index.archive import Archive

    with Archive(data) as archive:
        report = archive.check(verify_hashes=False)
    return {
        "documents_before": documents, "fill_seconds": round(fill_seconds, 1), "duration_s": duration,
        "uploaders": uploaders, "searchers": searchers,
        "uploads_acknowledged": len(figures.uploads), "uploads_per_s": round(len(figures.uploads) / duration, 1),
        "upload_p95_ms": round(percentile(figures.upload_seconds, 95) * 1000, 1),
        "searches": len(figures.search_seconds), "searches_per_s": round(len(figures.search_seconds) / duration, 1),
        "search_p50_ms": round(percentile(figures.search_seconds, 50) * 1000, 1),
        "search_p95_ms": round(percentile(figures.search_seconds, 95) * 1000, 1),
        "search_p99_ms": round(percentile(figures.search_seconds, 99) * 1000, 1),
        "errors": len(figures.errors), "error_samples": figures.errors[:5],
        "lost_uploads": missing, "catalog_and_index_agree": report.ok, "records": report.records,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="a new data directory (default: a temporary one)")
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--uploaders", type=int, default=8)
    parser.add_argument("--searchers", type=int, default=32)
    args = parser.parse_args(argv)
    import tempfile

    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="folio-load-")) / "data"
    result = run(data, args.documents, args.duration, args.uploaders, args.searchers)
    print(json.dumps(result, indent=2))
    return 0 if not result["errors"] and not result["lost_uploads"] and result["catalog_and_index_agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
