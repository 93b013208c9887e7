"""Extraction quality on the sample files: how many recorded metadata fields Folio gets right.

``tests/samples/expected.json`` holds, for each sample, the values a cataloguer records by reading
the file (title, authors, published date, publication, language, URL, page count ...), and for each
broken file the HTTP status it must get. This prints, per format, the fields that match; for HTML it
also scores trafilatura's own metadata on title, authors and date, the reference Folio has to beat.

    python -m benchmarks.eval_extract [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "samples"
BASELINE_FIELDS = ("title", "authors", "published")


def extracted_fields(path: Path) -> dict:
    from index.ingest import extract, extract_many

    if path.suffix == ".zip":
        result = extract_many(path.read_bytes(), path.name)
        return {"members": sorted(doc.filename for doc, _ in result.documents), "failed": len(result.failures)}
    return extract(path.read_bytes(), path.name).to_dict()


def trafilatura_fields(path: Path) -> dict:
    """trafilatura's metadata as it gives it, put in Folio's shapes (ISO date, list of names)."""
    import trafilatura

    found = trafilatura.bare_extraction(path.read_bytes(), with_metadata=True)
    data = found.as_dict() if found is not None else {}
    authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
    return {"title": data.get("title"), "authors": authors, "published": data.get("date")}


def score(expected: dict, got: dict, fields) -> tuple[int, list[str]]:
    misses = [f"{f}: expected {expected[f]!r}, got {got.get(f)!r}" for f in fields if got.get(f) != expected[f]]
    return len(fields) - len(misses), misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every field that does not match")
    args = parser.parse_args(argv)
    from index.errors import FolioError

    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # files, matched, fields
    by_field: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    baseline: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ours_on_baseline: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    problems: list[str] = []

    for name, want in expected["documents"].items():
        fmt = name.split("/")[0]
        try:
            got = extracted_fields(SAMPLES / name)
        except FolioError as exc:
            got = {}
            problems.append(f"{name}: refused with {exc.status}: {exc.message}")
        matched, misses = score(want, got, list(want))
        totals[fmt][0] += 1
        totals[fmt][1] += matched
        totals[fmt][2] += len(want)
        for field in want:
            by_field[fmt][field][0] += got.get(field) == want[field]
            by_field[fmt][field][1] += 1
        problems += [f"{name}: {m}" for m in misses]
        if fmt == "html":
            theirs = trafilatura_fields(SAMPLES / name)
            for field in BASELINE_FIELDS:
                baseline[field][0] += theirs.get(field) == want[field]
                baseline[field][1] += 1
                ours_on_baseline[field][0] += got.get(field) == want[field]
                ours_on_baseline[field][1] += 1

    for name, status in expected["errors"].items():
        fmt = "refused"
        try:
            extracted_fields(SAMPLES / name)
            got_status = None
        except FolioError as exc:
            got_status = exc.status
        totals[fmt][0] += 1
        totals[fmt][1] += got_status == status
        totals[fmt][2] += 1
        if got_status != status:
            problems.append(f"{name}: expected status {status}, got {got_status}")

    print(f"{'format':10} {'files':>5} {'fields matched':>16}   per field")
    for fmt in sorted(totals):
        files, matched, fields = totals[fmt]
        detail = "  ".join(f"{f} {m}/{n}" for f, (m, n) in by_field[fmt].items()) if fmt in by_field else "status"
        print(f"{fmt:10} {files:5d} {matched:7d}/{fields:<4d} {100 * matched / fields:5.1f}%   {detail}")
    all_matched = sum(t[1] for t in totals.values())
    all_fields = sum(t[2] for t in totals.values())
    print(f"{'all':10} {sum(t[0] for t in totals.values()):5d} {all_matched:7d}/{all_fields:<4d} "
          f"{100 * all_matched / all_fields:5.1f}%")
    if baseline:
        print("\nHTML metadata against trafilatura's own (same pages, same expected values):")
        for field in BASELINE_FIELDS:
            print(f"  {field:10} Folio {ours_on_baseline[field][0]}/{ours_on_baseline[field][1]}   "
                  f"trafilatura {baseline[field][0]}/{baseline[field][1]}")
    if problems and args.verbose:
        print("\nMismatches:")
        for line in problems:
            print("  " + line)
    elif problems:
        print(f"\n{len(problems)} mismatch(es); run with --verbose to list them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
