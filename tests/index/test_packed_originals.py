"""JSON Lines records' originals, appended to packs by the readers: read back, checked, deleted,
backed up and restored like files."""

from __future__ import annotations

import json

import pytest

from index.archive import Archive
from index.backup import backup, restore
from index.errors import NotFound
from index.ingest.jsonl import PARALLEL_LINES
from service.bulk_ingest import Ingester
from tests.conftest import PEPS


@pytest.fixture(scope="module")
def long_jsonl(tmp_path_factory):
    peps = [json.loads(line) for line in PEPS.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [json.dumps({**pep, "title": f"{pep.get('title', '')} ({copy})", "body": pep["body"][:1500]}).encode()
             for copy in range(PARALLEL_LINES // len(peps) + 1) for pep in peps]
    path = tmp_path_factory.mktemp("jsonl") / "records.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, lines


def ingest(root, path, readers: int = 2) -> Archive:
    archive = Archive(root)
    ingester = Ingester(archive, lambda doc, created: None, readers=readers)
    ingester.ingest_file(path)
    ingester.index_deferred()
    assert ingester.report.failures == []
    return archive


def file_originals(archive) -> list:
    return [p for p in archive.blobs.root.glob("??/*") if p.is_file()]


def test_every_records_original_is_its_line_in_a_pack(tmp_path, long_jsonl):
    path, lines = long_jsonl
    with ingest(tmp_path / "a", path) as archive:
        ids = [doc_id for doc_id, _ in archive.catalog_authors()]
        assert len(ids) == len(lines)
        assert file_originals(archive) == []
        assert 1 <= len(list(archive.blobs.packs.folder.iterdir())) <= 2
        originals = sorted(archive.original(doc_id)[0] for doc_id in ids)
        assert originals == sorted(lines)
        report = archive.check(verify_hashes=True)
        assert report.missing_originals == [] and report.corrupt_originals == []
        assert archive.unreferenced_originals() == []


def test_a_deleted_records_packed_original_is_gone(tmp_path, long_jsonl):
    path, lines = long_jsonl
    with ingest(tmp_path / "a", path) as archive:
        doc_id = next(doc_id for doc_id, _ in archive.catalog_authors())
        data, doc = archive.original(doc_id)
        archive.delete(doc_id)
        assert not archive.blobs.exists(doc.sha256)
        packs = b"".join(p.read_bytes() for p in archive.blobs.packs.folder.iterdir())
        assert data not in packs
        with pytest.raises(NotFound):
            archive.original(doc_id)
        report = archive.check(verify_hashes=True)
        assert report.missing_originals == [] and report.corrupt_originals == []


def test_a_backup_of_packed_originals_restores_them(tmp_path, long_jsonl):
    path, lines = long_jsonl
    ingest(tmp_path / "a", path).close()
    manifest = backup(tmp_path / "a", tmp_path / "backup")
    assert manifest["originals"] == len(lines) and manifest["missing_or_corrupt_originals"] == []
    restore(tmp_path / "backup", tmp_path / "b")
    with Archive(tmp_path / "b") as restored:
        ids = [doc_id for doc_id, _ in restored.catalog_authors()]
        assert sorted(restored.original(doc_id)[0] for doc_id in ids) == sorted(lines)


def test_ingesting_the_same_records_again_appends_nothing(tmp_path, long_jsonl):
    path, lines = long_jsonl
    with ingest(tmp_path / "a", path) as archive:
        size = sum(p.stat().st_size for p in archive.blobs.packs.folder.iterdir())
        changed = tmp_path / "changed.jsonl"
        changed.write_bytes(path.read_bytes() + json.dumps({"title": "New", "text": "A new record."}).encode() + b"\n")
        Ingester(archive, lambda doc, created: None, readers=2).ingest_file(changed)
        grown = sum(p.stat().st_size for p in archive.blobs.packs.folder.iterdir())
        assert grown - size == len(json.dumps({"title": "New", "text": "A new record."}).encode())


def test_the_first_place_recorded_for_an_original_wins(tmp_path):
    """Within one call (whose rows go in sorted by digest) and across calls."""
    from index.packs import Packed, PackIndex

    index = PackIndex(tmp_path / "packs.sqlite3", tmp_path)
    a, b, c = "ff" * 32, "00" * 32, "7f" * 32
    # the later place for ``a`` sorts first by pack name: only the order given may decide
    index.record([Packed(a, "p2", 0, 10), Packed(b, "p2", 10, 5), Packed(a, "p1", 0, 10), Packed(c, "p1", 10, 3)])
    index.record([Packed(b, "p3", 0, 5)])
    assert [(found.pack, found.offset, found.length) for found in map(index.find, (a, b, c))] == \
        [("p2", 0, 10), ("p2", 10, 5), ("p1", 10, 3)]
    assert index.held([a, b, c, "11" * 32]) == {a, b, c}
