"""A labelled set for measuring reprint grouping, derived from the PEPs corpus.

Originals are PEPs. Each chosen original gets copies the way articles are republished: a new header
and byline layout ("re-headed"), a retitle, a trimmed ending with a "read the rest" line, light
editing (words changed, a sentence dropped), or all of these at once. Beside them are documents that
are NOT copies of each other but share a quotation: a PEP with a paragraph of another PEP quoted in
it, and two PEPs that quote the same paragraph of a third. Everything is seeded, so the set is the
same on every run.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

PUBLICATIONS = ("Liberation Road", "Peace Action News", "The Python Digest", "Weekly Reprints", "Open Source Herald")


@dataclass
class LabelledSet:
    #: JSON Lines records (one per document), in insertion order
    lines: list[bytes] = field(default_factory=list)
    #: label per line: documents with the same label are copies of one article
    labels: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, record: dict, label: str, kind: str) -> None:
        self.lines.append(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        self.labels.append(label)
        self.kinds.append(kind)


def load_peps(path: Path, min_words: int = 400) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return [r for r in records if len(r["body"].split()) >= min_words]


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def reheaded(rec: dict, rng: random.Random) -> dict:
    pub = rng.choice(PUBLICATIONS)
    author = ", ".join(rec["authors"]).upper()
    header = (f"{pub} — republished with permission\n\nBY {author}\n\n"
              f"This article first appeared at {rec['url']}.\n\n")
    return {"title": rec["title"] + " (reprint)", "authors": rec["authors"], "date": rec["date"],
            "url": rec["url"], "publication": pub, "original_publication": "Python Enhancement Proposals",
            "body": header + rec["body"] + "\n\nShare this article. Support independent media."}


def trimmed(rec: dict, rng: random.Random) -> dict:
    paras = paragraphs(rec["body"])
    keep = max(3, int(len(paras) * rng.uniform(0.45, 0.8)))
    body = "\n\n".join(paras[:keep]) + f"\n\nRead the rest of this article at {rec['url']}"
    return {"title": rec["title"], "authors": rec["authors"], "date": rec["date"], "url": rec["url"],
            "publication": rng.choice(PUBLICATIONS), "body": body}


def edited(rec: dict, rng: random.Random, rate: float = 0.03) -> dict:
    words = rec["body"].split(" ")
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(("really", "also", "the", "new", "Python", "indeed", words[i].upper()))
    body = " ".join(words)
    paras = paragraphs(body)
    if len(paras) > 6:
        del paras[rng.randrange(1, len(paras) - 1)]
    return {"title": "Opinion: " + rec["title"].lower(), "authors": list(reversed(rec["authors"])),
            "date": rec["date"], "publication": rng.choice(PUBLICATIONS), "body": "\n\n".join(paras)}


def all_at_once(rec: dict, rng: random.Random) -> dict:
    return edited(trimmed(reheaded(rec, rng), rng), rng, rate=0.02)


def excerpt(rec: dict, rng: random.Random) -> dict:
    """Only the opening quarter or so, as a teaser that links to the rest (a hard case)."""
    paras = paragraphs(rec["body"])
    keep = max(2, int(len(paras) * rng.uniform(0.2, 0.35)))
    return {"title": rec["title"], "authors": rec["authors"], "date": rec["date"], "url": rec["url"],
            "publication": rng.choice(PUBLICATIONS),
            "body": "\n\n".join(paras[:keep]) + f"\n\nContinue reading at {rec['url']}"}


def rewritten(rec: dict, rng: random.Random) -> dict:
    """Heavily edited: one word in twelve changed and several paragraphs dropped (a hard case)."""
    out = edited(rec, rng, rate=0.08)
    paras = paragraphs(out["body"])
    for _ in range(min(3, len(paras) // 4)):
        del paras[rng.randrange(len(paras))]
    out["body"] = "\n\n".join(paras)
    return out


DERIVATIONS = {"reheaded": reheaded, "trimmed": trimmed, "edited": edited, "all": all_at_once}
HARD_DERIVATIONS = {"excerpt": excerpt, "rewritten": rewritten}


def commentary(source: dict, rng: random.Random) -> dict:
    """A short new piece built around two long quotations of another (not a copy of it: a hard case)."""
    quotes = sorted(paragraphs(source["body"]), key=len)[-2:]
    body = (f"A short note on {source['title']}, which deserves a wider audience.\n\n"
            f'It argues:\n\n"{quotes[0]}"\n\nAnd further:\n\n"{quotes[1]}"\n\n'
            "Whether one agrees or not, the argument is worth reading in full, and we will come back to it.")
    return {"title": "A note on " + source["title"], "authors": ["Sam Editor"], "date": source["date"], "body": body}


def quoting(rec: dict, quote: str, source_title: str, rng: random.Random) -> dict:
    """``rec`` with a paragraph of another document quoted in its middle."""
    paras = paragraphs(rec["body"])
    at = rng.randrange(1, max(2, len(paras)))
    paras.insert(at, f'As "{source_title}" puts it:\n\n"{quote}"')
    return {"title": rec["title"], "authors": rec["authors"], "date": rec["date"], "body": "\n\n".join(paras)}


def longest_paragraph(text: str) -> str:
    return max(paragraphs(text), key=len)


def build(peps: list[dict], originals: int, seed: int = 8, hard: bool = False) -> LabelledSet:
    """``originals`` PEPs with copies, and as many quoting pairs, all from distinct PEPs. ``hard`` adds
    excerpts and heavy rewrites (copies) and commentaries made of long quotations (not copies)."""
    rng = random.Random(seed)
    pool = peps[:]
    rng.shuffle(pool)
    need = originals * 2 + (originals // 2) * 3
    if len(pool) < need:
        raise ValueError(f"need {need} PEPs with enough words, have {len(pool)}")
    out = LabelledSet()
    derivations = {**DERIVATIONS, **(HARD_DERIVATIONS if hard else {})}
    kinds = list(derivations)
    for n in range(originals):
        rec = pool.pop()
        label = f"a{n}"
        out.add({k: rec[k] for k in ("title", "authors", "date", "body")} | {"publication": "Python Enhancement Proposals"},
                label, "original")
        for kind in rng.sample(kinds, rng.randint(1, 3)):
            out.add(derivations[kind](rec, rng), label, kind)
        if hard and n % 2 == 0:
            out.add(commentary(rec, rng), f"c{n}", "commentary")
    for n in range(originals):  # an original's paragraph quoted in a different PEP
        source, quoter = pool.pop(), pool.pop()
        out.add({k: source[k] for k in ("title", "authors", "date", "body")}, f"q{n}", "quoted")
        out.add(quoting(quoter, longest_paragraph(source["body"]), source["title"], rng), f"r{n}", "quoting")
    for n in range(originals // 2):  # two PEPs quoting the same paragraph of a third, absent one
        source, first, second = pool.pop(), pool.pop(), pool.pop()
        quote = longest_paragraph(source["body"])
        out.add(quoting(first, quote, source["title"], rng), f"s{n}", "same-quote")
        out.add(quoting(second, quote, source["title"], rng), f"t{n}", "same-quote")
    return out


def pairs_of(groups: list[list[int]]) -> set[tuple[int, int]]:
    out = set()
    for group in groups:
        members = sorted(group)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                out.add((a, b))
    return out


def precision_recall(labels: list[str], predicted_groups: list[list[int]]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of predicted groups (lists of positions) against the labels."""
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    truth = pairs_of(list(by_label.values()))
    predicted = pairs_of(predicted_groups)
    right = len(truth & predicted)
    precision = right / len(predicted) if predicted else 1.0
    recall = right / len(truth) if truth else 1.0
    return precision, recall, len(predicted), len(truth)
