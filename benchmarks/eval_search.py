"""Ranking evaluation over the CISI test collection: Folio's search next to a plain BM25 baseline.

CISI (1,460 abstracts on information science, 112 natural-language queries of which 76 have
relevance judgements) is indexed into a temporary archive through the same `Archive` and engine
the service uses, and every query goes through `Archive.search()` exactly as typed. The baseline is
textbook Okapi BM25 (k1=1.2, b=0.75) over one field (title, authors and abstract together),
lower-cased words without stemming, the usual short stop list — computed in the same run over the
same documents, so the two columns are comparable.

    python -m benchmarks.eval_search [--cisi DIR] [--depth 1000] [--per-query]
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or that the this to us we when "
    "will with yet you your".split()
)


def default_cisi_dir() -> Path:
    shared = Path(os.environ.get("FOLIO_SHARED", REPO.parent / "shared"))
    return shared / "corpus" / "cisi"


# -- reading the collection --------------------------------------------------------------------------


def read_sections(path: Path) -> dict[str, dict[str, str]]:
    """SMART-format records (``.I n`` then ``.T``/``.A``/``.W``/``.X``/``.B`` sections) by number."""
    records: dict[str, dict[str, str]] = {}
    current: dict[str, list[str]] | None = None
    section = None
    for line in path.read_text(encoding="latin-1").splitlines():
        m = re.match(r"^\.([A-Z])\s*(.*)$", line)
        if m and m.group(1) == "I":
            current = defaultdict(list)
            records[m.group(2).strip()] = current  # type: ignore[assignment]
            section = None
        elif m and len(line.split()[0]) == 2:
            section = m.group(1)
            if m.group(2).strip():
                current[section].append(m.group(2))
        elif current is not None and section:
            current[section].append(line)
    return {num: {k: "\n".join(v).strip() for k, v in rec.items()} for num, rec in records.items()}


def read_judgements(path: Path) -> dict[str, set[str]]:
    rel: dict[str, set[str]] = defaultdict(set)
    for line in path.read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            rel[parts[0]].add(parts[1])
    return rel


def cisi_authors(value: str) -> list[str]:
    """``Comaromi, J.P.`` lines as ``J.P. Comaromi``."""
    names = []
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        if "," in line:
            family, given = [p.strip() for p in line.split(",", 1)]
            line = f"{given} {family}".strip()
        names.append(line)
    return names


# -- Folio ------------------------------------------------------------------------------------------


def build_archive(root: Path, docs: dict[str, dict[str, str]]):
    from index.archive import Archive
    from index.document import Document, content_sha256, count_words, document_id, make_summary, now_iso

    archive = Archive(root)
    batch = []
    by_id: dict[str, str] = {}
    for num, rec in docs.items():
        raw = f"CISI {num}\n{rec.get('T', '')}\n{rec.get('A', '')}\n\n{rec.get('W', '')}".encode("utf-8")
        sha = content_sha256(raw)
        text = " ".join(rec.get("W", "").split())
        doc = Document(
            id=document_id(sha), title=" ".join(rec.get("T", "").split()), authors=cisi_authors(rec.get("A", "")),
            text=text, summary=make_summary(text), content_type="text/plain", filename=f"cisi-{num}.txt",
            sha256=sha, word_count=count_words(text), ingested_at=now_iso(), language="en",
        )
        by_id[doc.id] = num
        batch.append((doc, raw, {}))
    archive.add_many(batch)
    return archive, by_id


def folio_ranking(archive, by_id: dict[str, str], question: str, depth: int) -> list[str]:
    from index.search import MAX_PER_PAGE, SearchRequest

    ranked: list[str] = []
    page = 1
    while len(ranked) < depth:
        result = archive.search(SearchRequest(q=question, per_page=MAX_PER_PAGE, page=page, facets=(),
                                              snippets=False))
        ranked.extend(by_id[h.id] for h in result.hits)
        if page * MAX_PER_PAGE >= min(result.total, depth):
            break
        page += 1
    return ranked[:depth]


# -- the baseline -----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text.lower()) if w not in STOP_WORDS]


class PlainBM25:
    """Okapi BM25 over one field, no stemming: the reference Folio should beat."""

    def __init__(self, docs: dict[str, str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.tf = {num: Counter(words(text)) for num, text in docs.items()}
        self.length = {num: sum(c.values()) for num, c in self.tf.items()}
        self.avg = sum(self.length.values()) / max(1, len(self.length))
        df: Counter = Counter()
        for counts in self.tf.values():
            df.update(counts.keys())
        n = len(self.tf)
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.postings: dict[str, list[str]] = defaultdict(list)
        for num, counts in self.tf.items():
            for t in counts:
                self.postings[t].append(num)

    def rank(self, question: str, depth: int) -> list[str]:
        scores: Counter = Counter()
        for t in set(words(question)):
            for num in self.postings.get(t, ()):
                f = self.tf[num][t]
                norm = self.k1 * (1 - self.b + self.b * self.length[num] / self.avg)
                scores[num] += self.idf[t] * f * (self.k1 + 1) / (f + norm)
        return [num for num, _ in sorted(scores.items(), key=lambda kv: (-kv[1], int(kv[0])))][:depth]


# -- measures ---------------------------------------------------------------------------------------


def average_precision(ranked: list[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for i, num in enumerate(ranked, 1):
        if num in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant) if relevant else 0.0


def ndcg_at(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    dcg = sum(1 / math.log2(i + 1) for i, num in enumerate(ranked[:k], 1) if num in relevant)
    ideal = sum(1 / math.log2(i + 1) for i in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal if ideal else 0.0


def evaluate(rankings: dict[str, list[str]], judged: dict[str, set[str]]) -> tuple[float, float]:
    aps = [average_precision(rankings.get(q, []), rel) for q, rel in judged.items()]
    ndcgs = [ndcg_at(rankings.get(q, []), rel) for q, rel in judged.items()]
    return sum(aps) / len(aps), sum(ndcgs) / len(ndcgs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cisi", type=Path, default=default_cisi_dir(), help="directory with CISI.ALL/QRY/REL")
    ap.add_argument("--depth", type=int, default=1000, help="ranked documents per query for MAP")
    ap.add_argument("--per-query", action="store_true", help="print average precision per judged query")
    args = ap.parse_args(argv)
    for name in ("CISI.ALL", "CISI.QRY", "CISI.REL"):
        if not (args.cisi / name).exists():
            print(f"missing {args.cisi / name} (set FOLIO_SHARED or pass --cisi)", file=sys.stderr)
            return 2
    docs = read_sections(args.cisi / "CISI.ALL")
    queries = {num: " ".join(rec.get("W", "").split()) for num, rec in read_sections(args.cisi / "CISI.QRY").items()}
    judged = {q: rel for q, rel in read_judgements(args.cisi / "CISI.REL").items() if q in queries and rel}

    with tempfile.TemporaryDirectory(prefix="folio-eval-") as tmp:
        started = time.perf_counter()
        archive, by_id = build_archive(Path(tmp) / "data", docs)
        indexed = time.perf_counter() - started
        try:
            started = time.perf_counter()
            folio = {q: folio_ranking(archive, by_id, text, args.depth) for q, text in queries.items()}
            searched = time.perf_counter() - started
        finally:
            archive.close()

    flat = {num: f"{rec.get('T', '')} {rec.get('A', '')} {rec.get('W', '')}" for num, rec in docs.items()}
    bm25 = PlainBM25(flat)
    baseline = {q: bm25.rank(text, args.depth) for q, text in queries.items()}

    f_map, f_ndcg = evaluate(folio, judged)
    b_map, b_ndcg = evaluate(baseline, judged)
    print(f"CISI: {len(docs)} documents, {len(queries)} queries, {len(judged)} judged; depth {args.depth}")
    print(f"indexed in {indexed:.1f} s; {len(queries)} queries searched in {searched:.1f} s")
    print(f"{'':18}{'MAP':>8}{'nDCG@10':>10}")
    print(f"{'plain BM25':18}{b_map:8.4f}{b_ndcg:10.4f}")
    print(f"{'Folio':18}{f_map:8.4f}{f_ndcg:10.4f}")
    print(f"{'difference':18}{f_map - b_map:+8.4f}{f_ndcg - b_ndcg:+10.4f}")
    if args.per_query:
        for q in sorted(judged, key=int):
            print(f"q{q:>4}  folio {average_precision(folio[q], judged[q]):.3f}  "
                  f"bm25 {average_precision(baseline[q], judged[q]):.3f}  {queries[q][:70]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
