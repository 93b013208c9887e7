"""``python -m benchmarks.run --n 10000 [--corpus FILE.jsonl]``: Folio against its targets and SQLite FTS5.

One run, one machine, one corpus: bulk ingest through ``folio ingest corpus.jsonl``, search through
``Archive.search`` (the function the API calls), the same workload on SQLite FTS5, a real uvicorn
server under concurrent clients, upload-to-searchable latency, memory, sizes and cold start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import http_bench
from benchmarks.corpus import RecombinedCorpus, SyntheticCorpus, write_jsonl
from benchmarks.fts5 import timed_ingest
from benchmarks.queries import CLASSES, BenchQuery, QueryMaker

#: the issue's targets at 100,000 documents
TARGETS = {
    "search_p95_ms": 50, "search_median_ms": 15, "http_p95_ms": 80, "http_searches_per_s": 100,
    "ingest_docs_per_s": 1500, "upload_p95_ms": 200, "server_memory_mb": 600, "index_to_text": 1.5,
    "cold_start_s": 3.0,
}
#: the machine's speed when the targets were set: SQLite FTS5 indexed the 100,000 articles at about
#: this many per second (the issue). Machines here are shared, and one ran from 1.3x to 0.5x this
#: speed over a few weeks, so each run also shows the targets scaled by its own FTS5 ingest rate.
REFERENCE_FTS5_DOCS_PER_S = 5400
#: targets that are not a matter of speed, and those where more is better
UNSCALED = {"server_memory_mb", "index_to_text"}
HIGHER_IS_BETTER = {"http_searches_per_s", "ingest_docs_per_s"}
SAMPLE = 3000


def say(message: str) -> None:
    """Progress on stderr as each stage ends, so a long run shows its figures as they come."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def stats_ms(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0, "median_ms": None, "p95_ms": None, "max_ms": None}
    a = np.asarray(seconds) * 1000
    return {"n": len(a), "median_ms": round(float(np.median(a)), 2),
            "p95_ms": round(float(np.percentile(a, 95)), 2), "max_ms": round(float(a.max()), 2)}


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def build_corpus(args, path: Path) -> tuple[int, int, list[dict]]:
    source = RecombinedCorpus(Path(args.corpus), args.seed) if args.corpus else SyntheticCorpus(args.seed)
    sample: list[dict] = []

    def keep_sample(records):
        for rec in records:
            if len(sample) < SAMPLE:
                sample.append(rec)
            yield rec

    count, text_bytes = write_jsonl(keep_sample(source.records(args.n)), path)
    return count, text_bytes, sample


def read_corpus(path: Path) -> tuple[int, int, list[dict]]:
    """Count, text size and sample of a corpus file written by an earlier run (``--reuse``)."""
    count = text_bytes = 0
    sample: list[dict] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            count += 1
            text_bytes += len((rec.get("title", "") + rec.get("text", "")).encode("utf-8"))
            if len(sample) < SAMPLE:
                sample.append(rec)
    return count, text_bytes, sample


def folio_ingest(data: Path, corpus: Path) -> tuple[float, float]:
    """``folio ingest corpus.jsonl`` in its own process, as a person would run it: seconds taken, and
    the peak resident size in MB of the largest process it ran (itself or one of its workers)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "--data", str(data), "ingest", str(corpus)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError("folio ingest failed: " + stderr.decode("utf-8", "replace")[-2000:])
    return elapsed, usage.ru_maxrss / 1024


COLD_START = """
import json, sys, time
t0 = time.perf_counter()
from index.archive import Archive
from index.search import SearchRequest
t1 = time.perf_counter()
archive = Archive(sys.argv[1])
result = archive.search(SearchRequest(q=sys.argv[2]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "open_and_first_search_s": t2 - t1, "total": result.total}))
archive.close()
"""


def cold_start(data: Path, word: str) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD_START, str(data), word], capture_output=True, check=True)
    report = json.loads(out.stdout)
    report["process_s"] = time.perf_counter() - started
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in report.items()}


def request_for(q: BenchQuery):
    from index.search import SearchRequest

    return SearchRequest(q=q.q, filters=dict(q.filters), date_from=q.date_from, date_to=q.date_to)


def run_workload(search, queries: list[BenchQuery]) -> tuple[dict, list[int]]:
    """Each query once; latencies by class and overall, and the totals found."""
    by_class: dict[str, list[float]] = {k: [] for k in CLASSES}
    totals = []
    for q in queries:
        t = time.perf_counter()
        totals.append(search(q))
        by_class[q.kind].append(time.perf_counter() - t)
    out = {k: stats_ms(v) for k, v in by_class.items()}
    out["all"] = stats_ms([x for v in by_class.values() for x in v])
    return out, totals


def folio_searches(data: Path, warmup: list[BenchQuery], measured: list[BenchQuery]) -> dict:
    from index.archive import Archive

    with Archive(data) as archive:
        def search(q):
            return archive.search(request_for(q)).total

        run_workload(search, warmup)
        first, totals = run_workload(search, measured)
        repeated, _ = run_workload(search, measured)
    return {"first": first, "repeated": repeated, "matched": sum(1 for t in totals if t),
            "mean_total": round(float(np.mean(totals)), 1) if totals else 0}


def fts5_searches(db: Path, corpus: Path, warmup, measured) -> dict:
    base, count, seconds = timed_ingest(db, corpus)
    try:
        run_workload(lambda q: base.search(q)["total"], warmup)
        first, totals = run_workload(lambda q: base.search(q)["total"], measured)
    finally:
        base.close()
    return {"ingest_docs_per_s": round(count / seconds, 1), "ingest_s": round(seconds, 2), "first": first,
            "matched": sum(1 for t in totals if t), "size_bytes": db.stat().st_size}


def http_run(data: Path, queries: list[BenchQuery], clients: int, seconds: float, uploads: int,
             workers: int) -> dict:
    with http_bench.server(data, workers=workers) as (base, pid, startup_s):
        http_bench.search_load(base, queries[: clients * 3], clients, seconds=min(3.0, seconds))  # warm every thread
        load = http_bench.search_load(base, queries, clients, seconds)
        rss_after_search = memory(pid)
        up = http_bench.upload_latency(base, uploads, queries[::-1])
        rss_end = memory(pid)
    return {
        "server_start_s": round(startup_s, 2),
        "clients": clients,
        "workers": workers,
        "search": stats_ms(load["latencies"]),
        "searches_per_s": round(len(load["latencies"]) / load["elapsed"], 1),
        "errors": load["errors"],
        "upload_to_searchable": stats_ms(up["latencies"]),
        "upload_errors": up["errors"],
        "searches_during_uploads": up["background_searches"],
        "rss_after_search_mb": rss_after_search["rss_mb"],
        "rss_mb": rss_end["rss_mb"],
        "pss_mb": max(rss_after_search["pss_mb"], rss_end["pss_mb"]),
        "rss_per_process_mb": rss_end["per_process"],
    }


def memory(pid: int) -> dict:
    """Memory of the server: its processes (uvicorn's supervisor, workers, file readers) added up.
    Proportional sizes count pages the processes share once; resident sizes count them in each."""
    each = [http_bench.rss_mb(p) for p in [pid, *http_bench.descendants(pid)]]
    return {"rss_mb": round(sum(e["rss_mb"] for e in each), 1),
            "pss_mb": round(sum(e["pss_mb"] for e in each), 1),
            "per_process": [e["rss_mb"] for e in each]}


def warm_file_cache(data: Path) -> dict:
    """Read the index and the catalog once, so the warm stages find them in the operating system's
    file cache as on a machine in use. This machine gives unused file cache back to its host within
    minutes: a run that found it empty measured a search median of 35.7 ms and an HTTP p95 of 275 ms,
    against 10.2 and 96 ms right after reading the files (same archive, same hour)."""
    started, total = time.perf_counter(), 0
    files = sorted((data / "index").iterdir()) + sorted(data.glob("catalog.sqlite3*"))
    for path in files:
        if path.is_file():
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    total += len(chunk)
    return {"mb": round(total / 1e6, 1), "seconds": round(time.perf_counter() - started, 2)}


def run(args) -> dict:
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="folio-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus, data, db = work / "corpus.jsonl", work / "data", work / "fts5.sqlite3"
    reuse = args.reuse and corpus.exists() and (data / "catalog.sqlite3").exists()
    if not reuse:
        shutil.rmtree(data, ignore_errors=True)
    if db.exists():
        db.unlink()
    report: dict = {"n": args.n, "corpus": args.corpus or f"synthetic (seed {args.seed})", "workdir": str(work)}
    try:
        t = time.perf_counter()
        if reuse:
            count, text_bytes, sample = read_corpus(corpus)
        else:
            count, text_bytes, sample = build_corpus(args, corpus)
        report["corpus_build_s"] = round(time.perf_counter() - t, 2)
        report["documents"] = count
        report["text_mb"] = round(text_bytes / 1e6, 2)

        if reuse:
            report["ingest"] = {"seconds": None, "docs_per_s": None, "reused": True}
        else:
            seconds, peak_mb = folio_ingest(data, corpus)
            report["ingest"] = {"seconds": round(seconds, 2), "docs_per_s": round(count / seconds, 1),
                                "peak_resident_mb": round(peak_mb, 1)}
        say(f"corpus {count} docs, {report['text_mb']} MB; folio ingest {report['ingest']}")
        report["sizes"] = {
            "index_mb": round(dir_bytes(data / "index") / 1e6, 2),
            "catalog_mb": round(dir_bytes(data) / 1e6 - dir_bytes(data / "index") / 1e6
                                - dir_bytes(data / "originals") / 1e6, 2),
            "originals_mb": round(dir_bytes(data / "originals") / 1e6, 2),
        }
        report["sizes"]["index_to_text"] = round(report["sizes"]["index_mb"] / max(report["text_mb"], 1e-9), 2)

        maker = QueryMaker(sample, seed=args.seed + 7)
        warmup = maker.workload(max(2, args.per_class // 4))
        measured = maker.workload(args.per_class)
        http_queries = maker.workload(max(args.per_class, 100))
        report["cold_start"] = cold_start(data, maker.common[0])
        say(f"sizes {report['sizes']}; cold start {report['cold_start']}")
        report["file_cache"] = [warm_file_cache(data)]
        report["search"] = folio_searches(data, warmup, measured)
        say(f"Archive.search: {report['search']['first']['all']}")
        report["fts5"] = fts5_searches(db, corpus, warmup, measured)
        say(f"FTS5: ingest {report['fts5']['ingest_docs_per_s']} docs/s, search {report['fts5']['first']['all']}")
        report["ratio_folio_to_fts5"] = {
            k: round(report["search"]["first"][k]["median_ms"] / max(report["fts5"]["first"][k]["median_ms"], 1e-3), 2)
            for k in list(CLASSES) + ["all"] if report["search"]["first"][k]["n"]
        }
        report["file_cache"].append(warm_file_cache(data))
        report["http"] = http_run(data, http_queries, args.clients, args.http_seconds, args.uploads, args.workers)
        report["targets"] = check_targets(report)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    return report


def check_targets(r: dict) -> dict:
    s, h = r["search"]["first"]["all"], r["http"]
    measured = {
        "search_p95_ms": s["p95_ms"], "search_median_ms": s["median_ms"], "http_p95_ms": h["search"]["p95_ms"],
        "http_searches_per_s": h["searches_per_s"], "ingest_docs_per_s": r["ingest"]["docs_per_s"],
        "upload_p95_ms": h["upload_to_searchable"]["p95_ms"], "server_memory_mb": h["pss_mb"],
        "index_to_text": r["sizes"]["index_to_text"], "cold_start_s": r["cold_start"]["open_and_first_search_s"],
    }
    speed = machine_speed(r)
    out = {}
    for key, target in TARGETS.items():
        value = measured[key]
        scaled = scaled_target(key, target, speed)
        out[key] = {"target": target, "measured": value, "met": meets(key, value, target),
                    "scaled_target": scaled, "met_scaled": meets(key, value, scaled)}
    return out


def machine_speed(r: dict) -> float | None:
    """This run's FTS5 ingest rate against the one when the targets were set; None where that rate
    was not measured here or the corpus is not the targets' 100,000 documents (FTS5 is faster on
    a smaller one)."""
    rate = (r.get("fts5") or {}).get("ingest_docs_per_s")
    if not rate or r.get("documents") != 100_000:
        return None
    return rate / REFERENCE_FTS5_DOCS_PER_S


def scaled_target(key: str, target: float, speed: float | None) -> float | None:
    """The target as it would read on a machine of ``speed`` (1.0: the one the targets were set on)."""
    if speed is None:
        return None
    if key in UNSCALED:
        return target
    return round(target * speed if key in HIGHER_IS_BETTER else target / speed, 2)


def meets(key: str, value: float | None, target: float | None) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if key in HIGHER_IS_BETTER else value <= target


def print_report(r: dict) -> None:
    p = print
    p(f"Folio benchmark: {r['documents']} documents, {r['corpus']}, {r['text_mb']} MB of title+text")
    p(f"  corpus built in {r['corpus_build_s']} s; work dir {r['workdir']}")
    p(f"ingest (folio ingest corpus.jsonl): {r['ingest']['seconds']} s = {r['ingest']['docs_per_s']} docs/s"
      f"   | FTS5: {r['fts5']['ingest_docs_per_s']} docs/s")
    if r["ingest"].get("peak_resident_mb") is not None:
        p(f"  ingest memory: largest process peaked at {r['ingest']['peak_resident_mb']} MB resident")
    z = r["sizes"]
    p(f"sizes: index {z['index_mb']} MB ({z['index_to_text']}x text), catalog {z['catalog_mb']} MB, "
      f"originals {z['originals_mb']} MB | FTS5 db {round(r['fts5']['size_bytes'] / 1e6, 2)} MB")
    c = r["cold_start"]
    p(f"cold start: open + first search {c['open_and_first_search_s']} s (imports {c['import_s']} s, "
      f"whole process {c['process_s']} s)")
    p("file cache: index and catalog read once before the in-process and again before the HTTP stages ("
      + ", ".join(f"{w['mb']} MB in {w['seconds']} s" for w in r["file_cache"]) + ")")
    p("search through Archive.search, warm, each query once (ms):")
    p(f"  {'class':12} {'n':>4} {'median':>8} {'p95':>8} {'max':>8} | {'FTS5 med':>8} {'FTS5 p95':>8} | "
      f"{'ratio':>6} | {'repeat med':>10} {'repeat p95':>10}")
    for k in list(CLASSES) + ["all"]:
        a, b, rep = r["search"]["first"][k], r["fts5"]["first"][k], r["search"]["repeated"][k]
        p(f"  {k:12} {a['n']:>4} {a['median_ms']:>8} {a['p95_ms']:>8} {a['max_ms']:>8} | "
          f"{b['median_ms']:>8} {b['p95_ms']:>8} | {r['ratio_folio_to_fts5'].get(k, '-'):>6} | "
          f"{rep['median_ms']:>10} {rep['p95_ms']:>10}")
    p(f"  queries with matches: Folio {r['search']['matched']}, FTS5 {r['fts5']['matched']} "
      f"(mean total {r['search']['mean_total']})")
    h = r["http"]
    p(f"HTTP (folio serve --workers {h['workers']}, {h['clients']} clients): median {h['search']['median_ms']} ms, p95 {h['search']['p95_ms']} ms, "
      f"{h['searches_per_s']} searches/s, {h['errors']} errors; server start {h['server_start_s']} s")
    u = h["upload_to_searchable"]
    p(f"upload to searchable while searching: median {u['median_ms']} ms, p95 {u['p95_ms']} ms "
      f"({u['n']} uploads, {h['upload_errors']} errors, {h['searches_during_uploads']} searches meanwhile)")
    p(f"server memory, all processes: proportional {h['pss_mb']} MB, resident {h['rss_mb']} MB "
      f"(resident per process {h['rss_per_process_mb']})")
    speed = machine_speed(r)
    p("targets (stated for 100,000 documents):")
    if speed is not None:
        p(f"  scaled: for this machine's speed in this run, FTS5 ingest {r['fts5']['ingest_docs_per_s']} docs/s "
          f"against {REFERENCE_FTS5_DOCS_PER_S} when the targets were set ({speed:.2f}x)")
    for key, t in r["targets"].items():
        line = f"  {key:22} target {t['target']:>7}  measured {t['measured']!s:>9}  {verdict_of(t['met']):12}"
        if speed is not None:
            line += f"  scaled target {t['scaled_target']:>8}  {verdict_of(t['met_scaled'])}"
        p(line.rstrip())


def verdict_of(met: bool | None) -> str:
    return "not measured" if met is None else ("met" if met else "NOT met")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10000, help="documents in the corpus")
    p.add_argument("--corpus", help="a .jsonl file whose paragraphs are recombined (default: synthetic)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--per-class", type=int, default=30, help="measured queries per query class")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="folio serve --workers for the HTTP stage (default: one per CPU)")
    p.add_argument("--http-seconds", type=float, default=15.0)
    p.add_argument("--uploads", type=int, default=20)
    p.add_argument("--workdir", help="keep corpus, archive and FTS5 database here")
    p.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    p.add_argument("--reuse", action="store_true",
                   help="with --workdir: search the corpus and archive an earlier run left there (no ingest)")
    p.add_argument("--json", help="also write the report as JSON to this file")
    return p


def main(argv: list[str] | None = None) -> dict:
    args = build_parser().parse_args(argv)
    if args.n < 1:
        raise SystemExit("--n must be at least 1")
    report = run(args)
    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
