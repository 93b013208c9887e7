"""Precision and recall of reprint grouping on PEPs with derived copies and shared quotations.

    .venv/bin/python -m benchmarks.eval_reprints [--originals 100] [--hard] [--peps PATH]

Builds the labelled set of `benchmarks.reprint_set` in a temporary archive (real catalog and index),
lets ingestion group it, and prints pairwise precision and recall, overall and per kind of copy.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from benchmarks.reprint_set import build, load_peps, pairs_of, precision_recall
from index.archive import Archive
from index.ingest.jsonl import read_line

DEFAULT_PEPS = Path(os.environ.get("FOLIO_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "corpus" / "peps.jsonl"


def group_positions(archive: Archive, ids: list[str]) -> list[list[int]]:
    position = {doc_id: i for i, doc_id in enumerate(ids)}
    return [[position[m] for m in group if m in position] for group in archive.reprints.groups()]


def evaluate(peps_path: Path, originals: int, root: Path, hard: bool = False) -> dict:
    labelled = build(load_peps(peps_path), originals, hard=hard)
    docs = [read_line(line, "reprints.jsonl", n + 1) for n, line in enumerate(labelled.lines)]
    started = time.perf_counter()
    with Archive(root) as archive:
        archive.add_many([(doc, line, {}) for doc, line in zip(docs, labelled.lines)])
        seconds = time.perf_counter() - started
        groups = group_positions(archive, [d.id for d in docs])
    precision, recall, predicted, truth = precision_recall(labelled.labels, groups)
    per_kind = {}
    found = pairs_of(groups)
    originals_at = {label: i for i, (label, kind) in enumerate(zip(labelled.labels, labelled.kinds))
                    if kind == "original"}
    for i, kind in enumerate(labelled.kinds):
        if kind in ("original", "quoted", "quoting", "same-quote", "commentary"):
            continue
        pair = tuple(sorted((originals_at[labelled.labels[i]], i)))
        hit, total = per_kind.get(kind, (0, 0))
        per_kind[kind] = (hit + (pair in found), total + 1)
    return {"documents": len(docs), "precision": precision, "recall": recall, "predicted_pairs": predicted,
            "true_pairs": truth, "per_kind": per_kind, "ingest_seconds": seconds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=100)
    parser.add_argument("--peps", type=Path, default=DEFAULT_PEPS)
    parser.add_argument("--hard", action="store_true",
                        help="add excerpts, heavy rewrites and commentaries built of long quotations")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        result = evaluate(args.peps, args.originals, Path(tmp) / "data", hard=args.hard)
    print(f"documents {result['documents']}  ingest {result['ingest_seconds']:.1f} s")
    print(f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
          f"(predicted pairs {result['predicted_pairs']}, true pairs {result['true_pairs']})")
    for kind, (hit, total) in sorted(result["per_kind"].items()):
        print(f"  {kind:10} {hit}/{total} copies grouped with their original")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
