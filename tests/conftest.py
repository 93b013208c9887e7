"""Shared fixtures: real archives in temporary directories, the real app, the PEPs corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index.archive import Archive
from service.settings import REPO_SEEDS, Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "samples"
SHARED = Path(os.environ.get("FOLIO_SHARED", REPO.parent / "shared"))
PEPS = SHARED / "corpus" / "peps.jsonl"
CISI = SHARED / "corpus" / "cisi"
SEED = next(REPO_SEEDS.glob("*.txt"))
TOKEN = "test-token-0123456789"


@pytest.fixture
def archive(tmp_path):
    with Archive(tmp_path / "data") as a:
        yield a


@pytest.fixture
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data=tmp_path / "data", token=TOKEN, seeds=REPO_SEEDS, max_upload_mb=1)


@pytest.fixture
def client(settings):
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def auth() -> dict:
    return {"Authorization": f"Bearer {TOKEN}"}


def page_csrf(client, path: str = "/login") -> str:
    """The CSRF field value a page form carries for this client (whose cookie the page sets)."""
    import re

    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)
    assert match, f"{path} has no CSRF field"
    return match.group(1)


def load_peps(archive: Archive, limit: int | None = None) -> int:
    from index.ingest.jsonl import iter_lines, read_line

    data = PEPS.read_bytes()
    batch = []
    for number, line in iter_lines(data):
        if limit is not None and number > limit:
            break
        batch.append((read_line(line, "peps.jsonl", number), line, {}))
    archive.add_many(batch)
    return len(batch)


def segmented_peps(root: Path, limits: tuple[int, ...], delete: slice) -> Archive:
    """An archive of PEPs added in growing batches (a segment or more each) with some deleted."""
    archive = Archive(root)
    for limit in limits:
        load_peps(archive, limit=limit)
    for doc_id in archive.catalog.ids()[delete]:
        archive.delete(doc_id)
    return archive


@pytest.fixture(scope="session")
def peps_dir(tmp_path_factory) -> Path:
    """A data directory holding the whole PEPs corpus (built once per test run; do not write to it)."""
    if not PEPS.exists():
        pytest.fail(f"the PEPs corpus is missing at {PEPS} (set FOLIO_SHARED)")
    root = tmp_path_factory.mktemp("peps") / "data"
    with Archive(root) as a:
        load_peps(a)
    return root


@pytest.fixture(scope="session")
def peps(peps_dir):
    """The PEPs archive, opened read-mostly for a whole test run."""
    with Archive(peps_dir) as a:
        yield a
