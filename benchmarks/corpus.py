"""Deterministic benchmark corpora: synthetic Zipfian articles, or real paragraphs recombined.

Both produce plain records (``title``, ``authors``, ``date``, ``publication``, ``text``) as
``folio ingest corpus.jsonl`` reads them. The same seed always gives the same corpus.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

import numpy as np

#: Real English function words take the top ranks, as in real text (the analyzer drops most of them).
FUNCTION_WORDS = (
    "the of and to a in is that for it as was with be by on not he this are or his from at which but "
    "have an they you were her she there been one all we their has would when if so no will can more "
    "out up into do any your what some its our them than other then about only also"
).split()

FIRST_NAMES = (
    "Ada Alan Alice Amara Ana Andrew Anya Ben Bruno Carla Chen Clara Dan Diego Elena Emma Farah Felix "
    "Grace Hana Hugo Ines Ivan Jack Jana Jonas Julia Karim Kate Lars Lea Leo Lina Luis Maya Mei Mira "
    "Nadia Nina Omar Oscar Paula Pedro Rosa Ruth Sam Sara Tariq Tess Tom Uma Vera Yuki Zoe"
).split()
LAST_NAMES = (
    "Abbott Adler Baker Brandt Castro Chandra Costa Dalton Duarte Ellis Engel Fischer Flores Garcia "
    "Gupta Hart Haas Ito Jensen Kaur King Kowalski Lang Larsen Lopez Mendes Meyer Moreau Nakamura "
    "Novak Okafor Olsen Park Patel Quinn Reyes Richter Rossi Sato Schmidt Silva Singh Stone Tanaka "
    "Torres Vogel Walsh Weber Wong Yilmaz Young Zhang"
).split()
PUBLICATION_WORDS = (
    "Review Journal Gazette Times Post Quarterly Monthly Herald Chronicle Observer Letters Record "
    "Bulletin Digest Ledger Courier"
).split()
PLACES = (
    "Northern Atlantic Pacific Metropolitan Coastal Valley River Harbor Capital Union Central "
    "Western Eastern Southern Highland Prairie"
).split()

START = date(1995, 1, 1)
DAYS = (date(2024, 12, 31) - START).days


def pseudo_words(count: int, rng: random.Random) -> list[str]:
    """Distinct pronounceable words made of syllables, so stemming and spelling behave as on text."""
    onsets = "b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr ch sh th".split()
    vowels = "a e i o u ai ea io ou".split()
    codas = ["", "", "", "n", "r", "s", "l", "m", "st", "nd", "rk"]
    seen = set(FUNCTION_WORDS)
    words: list[str] = []
    while len(words) < count:
        syllables = rng.choice((1, 2, 2, 2, 3, 3, 4))
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)) + rng.choice(codas)
        if len(word) >= 3 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


class SyntheticCorpus:
    """Articles of about 330 words drawn from a Zipfian vocabulary (exponent 1.15: about 29,000
    distinct words in the first 1,000 articles, as in news text)."""

    def __init__(self, seed: int = 42, vocabulary: int = 80000, authors: int = 400, publications: int = 60):
        self.seed = seed
        rng = random.Random(seed)
        self.vocab = FUNCTION_WORDS + pseudo_words(vocabulary - len(FUNCTION_WORDS), rng)
        ranks = np.arange(1, len(self.vocab) + 1, dtype=np.float64)
        weights = 1.0 / ranks**1.15
        self.cdf = np.cumsum(weights) / weights.sum()
        names = {f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(authors * 3)}
        self.authors = sorted(names)[:authors]
        rng.shuffle(self.authors)
        pubs = {f"The {rng.choice(PLACES)} {rng.choice(PUBLICATION_WORDS)}" for _ in range(publications * 4)}
        self.publications = sorted(pubs)[:publications]

    def records(self, n: int) -> Iterator[dict]:
        rng = random.Random(self.seed + 1)
        nrng = np.random.default_rng(self.seed + 2)
        vocab = self.vocab
        author_weights = [1.0 / (i + 1) ** 0.7 for i in range(len(self.authors))]
        for i in range(n):
            length = int(min(2000, max(60, nrng.lognormal(mean=5.7, sigma=0.45))))
            ids = np.searchsorted(self.cdf, nrng.random(length))
            words = [vocab[j] for j in ids]
            paragraphs, pos = [], 0
            while pos < len(words):
                size = rng.randint(40, 120)
                chunk = words[pos:pos + size]
                pos += size
                sentences, k = [], 0
                while k < len(chunk):
                    step = rng.randint(8, 22)
                    sentence = " ".join(chunk[k:k + step])
                    sentences.append(sentence[:1].upper() + sentence[1:] + ".")
                    k += step
                paragraphs.append(" ".join(sentences))
            title_ids = np.searchsorted(self.cdf, nrng.uniform(self.cdf[80], self.cdf[-1], rng.randint(3, 8)))
            title = " ".join(vocab[j] for j in title_ids).capitalize()
            n_authors = rng.choice((1, 1, 1, 2, 2, 3))
            authors = list(dict.fromkeys(rng.choices(self.authors, weights=author_weights, k=n_authors)))
            yield {
                "title": title,
                "authors": authors,
                "date": (START + timedelta(days=rng.randrange(DAYS))).isoformat(),
                "publication": rng.choice(self.publications),
                "url": f"https://example.org/articles/{self.seed}/{i}",
                "text": "\n\n".join(paragraphs),
            }


class RecombinedCorpus:
    """Real paragraphs (e.g. the PEPs) recombined into as many articles as asked."""

    def __init__(self, path: Path, seed: int = 42):
        self.seed = seed
        self.paragraphs: list[str] = []
        self.titles: list[str] = []
        authors: set[str] = set()
        self.publications: list[str] = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                body = rec.get("text") or rec.get("body") or rec.get("content") or ""
                self.paragraphs += [p.strip() for p in body.split("\n\n") if len(p.split()) >= 8]
                if rec.get("title"):
                    self.titles.append(rec["title"])
                value = rec.get("authors") or rec.get("author") or []
                authors.update([value] if isinstance(value, str) else value)
                pub = rec.get("publication") or rec.get("source")
                if pub:
                    self.publications.append(pub)
        if not self.paragraphs:
            raise ValueError(f"{path}: no paragraphs of eight words or more")
        self.authors = sorted(a for a in authors if a) or SyntheticCorpus(seed).authors
        self.publications = sorted(set(self.publications)) or SyntheticCorpus(seed).publications
        self.titles = self.titles or ["Untitled"]

    def records(self, n: int) -> Iterator[dict]:
        rng = random.Random(self.seed + 1)
        for i in range(n):
            parts, words = [], 0
            while words < 300:
                p = rng.choice(self.paragraphs)
                parts.append(p)
                words += len(p.split())
            yield {
                "title": f"{rng.choice(self.titles)} ({i})",
                "authors": rng.sample(self.authors, rng.choice((1, 1, 2, 3))),
                "date": (START + timedelta(days=rng.randrange(DAYS))).isoformat(),
                "publication": rng.choice(self.publications),
                "url": f"https://example.org/recombined/{self.seed}/{i}",
                "text": "\n\n".join(parts),
            }


def write_jsonl(records, path: Path) -> tuple[int, int]:
    """Write records one per line; returns (count, bytes of title and text)."""
    count = text_bytes = 0
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            count += 1
            text_bytes += len(rec["title"].encode("utf-8")) + len(rec["text"].encode("utf-8"))
    return count, text_bytes
