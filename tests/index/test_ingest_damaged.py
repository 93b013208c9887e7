"""Damaged copies of every sample: each is read or refused with a 4xx, never an unexpected crash."""

import random
from pathlib import Path

import pytest

from index.errors import FolioError
from index.ingest import extract_many

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
FILES = sorted(p for folder in ("html", "pdf", "markdown", "email", "docx", "zip")
               for p in (SAMPLES / folder).iterdir() if p.stat().st_size < 100_000)


def damaged_copies(data: bytes, seed: str, count: int = 8):
    rng = random.Random(seed)
    for k in range(count):
        copy = bytearray(data)
        if k < 3:
            yield bytes(copy[: rng.randint(1, len(copy))])  # cut short
        else:
            for _ in range(rng.randint(1, 20)):  # bytes flipped
                copy[rng.randrange(len(copy))] = rng.randrange(256)
            yield bytes(copy)


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_damaged_file_is_read_or_refused_cleanly(path):
    for data in damaged_copies(path.read_bytes(), path.name):
        try:
            result = extract_many(data, path.name)
        except FolioError as exc:
            assert 400 <= exc.status < 500
            assert exc.message
        else:
            assert result.documents
