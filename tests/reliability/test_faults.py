"""Check and repair, backup and restore, and storage faults: a clear error and a non-zero exit or a
503, never silent loss, never deleting the index or an original to "recover"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.archive import Archive
from index.errors import Unavailable
from index.search import SearchRequest
from tests.reliability.server import REPO, Server

ARTICLES = [(f"a{i}.txt", f"Report {i}\n\nBy Ann Bee\n\nHarbour pilots note number q{i}z on the tide.".encode())
            for i in range(12)]


def folio(data: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "service.cli", "--data", str(data), *args], cwd=REPO,
                          env=dict(os.environ, PYTHONPATH=str(REPO), **(env or {})),
                          capture_output=True, text=True, timeout=300)


def filled(root: Path) -> list[str]:
    with Archive(root) as archive:
        return [archive.add(data, name)[0].id for name, data in ARTICLES]


def index_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "index").iterdir()}


def test_check_finds_and_repair_fixes_index_disagreements_without_deleting_records(tmp_path):
    root = tmp_path / "data"
    ids = filled(root)
    with Archive(root) as archive:
        archive.engine.delete(ids[:3])  # index entries lost
        ghost = archive.catalog.get(ids[3])
        archive.catalog.delete(ids[3])  # a record gone, its index entry left behind
        archive.catalog.mark_indexed([ids[3]])
        assert ghost is not None
    result = folio(root, "check")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["missing_from_index"] == sorted(ids[:3]) and report["orphans_in_index"] == [ids[3]]
    originals_before = sorted(p.name for p in (root / "originals").rglob("*") if p.is_file())
    assert folio(root, "check", "--repair").returncode == 0
    assert folio(root, "check").returncode == 0
    assert sorted(p.name for p in (root / "originals").rglob("*") if p.is_file()) == originals_before
    with Archive(root) as archive:
        assert archive.count() == 11
        assert archive.search(SearchRequest(q="q0z")).total == 1


def test_check_reports_a_missing_or_corrupt_original_and_keeps_everything(tmp_path):
    root = tmp_path / "data"
    ids = filled(root)
    with Archive(root) as archive:
        first, second = archive.get(ids[0]), archive.get(ids[1])
        archive.blobs.path_for(first.sha256).unlink()
        archive.blobs.path_for(second.sha256).write_bytes(b"tampered")
    for args in (("check",), ("check", "--repair")):
        result = folio(root, *args)
        assert result.returncode == 1 and "missing or corrupt" in result.stderr
        report = json.loads(result.stdout)
        assert report["missing_originals"] == [ids[0]] and report["corrupt_originals"] == [ids[1]]
    with Archive(root) as archive:
        assert archive.count() == len(ARTICLES)


def test_a_crash_between_catalog_and_index_is_replayed_on_open(tmp_path):
    root = tmp_path / "data"
    with Archive(root) as archive:
        archive.add(ARTICLES[0][1], ARTICLES[0][0])
        from index.ingest import extract

        late = extract(ARTICLES[1][1], ARTICLES[1][0])
        archive.blobs.put(ARTICLES[1][1])
        archive.catalog.insert(late)  # committed, then the process "dies" before indexing
        assert late.id not in archive.engine.indexed_ids()
    with Archive(root) as archive:
        assert late.id in archive.engine.indexed_ids()
        assert archive.catalog.unindexed_ids() == []
        assert archive.check().ok


def test_backup_and_restore_round_trip(tmp_path):
    root = tmp_path / "data"
    ids = filled(root)
    with Archive(root) as archive:
        archive.update(ids[0], {"title": "Corrected Title"})
        archive.delete(ids[1])
    result = folio(root, "backup", str(tmp_path / "backup"))
    assert result.returncode == 0, result.stderr
    assert oct((tmp_path / "backup" / "token").stat().st_mode & 0o777) == "0o600" \
        if (root / "token").exists() else True
    restored = tmp_path / "restored"
    result = folio(restored, "restore", str(tmp_path / "backup"))
    assert result.returncode == 0, result.stderr
    assert folio(restored, "check").returncode == 0
    with Archive(root) as a, Archive(restored) as b:
        assert a.catalog.ids() == b.catalog.ids() and len(b.catalog.ids()) == len(ARTICLES) - 1
        assert b.get(ids[0]).title == "Corrected Title"
        assert [h.id for h in b.search(SearchRequest(q="q5z")).hits] == [ids[5]]
        for doc_id in b.catalog.ids():
            assert b.original(doc_id)[0] == a.original(doc_id)[0]
    again = folio(restored, "restore", str(tmp_path / "backup"))
    assert again.returncode == 1 and "not empty" in again.stderr


def test_backup_while_the_server_takes_uploads_is_consistent(tmp_path):
    import threading

    import httpx

    root = tmp_path / "data"
    with Server(root, "backup-token-0123456789") as server:
        stop = threading.Event()

        def keep_uploading():
            i = 0
            with httpx.Client(base_url=server.base, headers=server.auth, timeout=30) as client:
                while not stop.is_set():
                    client.post("/api/documents", files={"file": (f"live{i}.txt",
                                f"Live {i}\n\nBy Ann Bee\n\nUploaded during backup w{i}k.".encode())})
                    i += 1

        uploader = threading.Thread(target=keep_uploading)
        uploader.start()
        try:
            result = folio(root, "backup", str(tmp_path / "backup"))
        finally:
            stop.set()
            uploader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert folio(tmp_path / "restored", "restore", str(tmp_path / "backup")).returncode == 0
    assert folio(tmp_path / "restored", "check").returncode == 0


def test_missing_segment_file_is_a_clear_error_and_the_index_is_kept(tmp_path):
    root = tmp_path / "data"
    filled(root)
    segment = next(p for p in (root / "index").iterdir() if p.suffix == ".seg")
    segment.unlink()
    left = index_files(root)
    result = folio(root, "search", "harbour")
    assert result.returncode == 1
    assert "cannot be read" in result.stderr and "folio reindex" in result.stderr and "Traceback" not in result.stderr
    assert index_files(root) == left  # nothing deleted to "recover"
    with pytest.raises(Unavailable):
        Archive(root)
    server = Server(root, "segment-token-0123456789")
    with pytest.raises(RuntimeError):
        server.start(timeout=60)  # the service refuses to start rather than serve a broken index
    assert server.proc.returncode != 0
    assert "folio reindex" in server.log.read_text()
    assert folio(root, "reindex").returncode == 0
    assert folio(root, "check").returncode == 0


def test_whoosh_lock_held_elsewhere_gives_503_not_loss(tmp_path, client, auth):
    writer = client.app.state.archive.engine.ix.writer()  # someone else holds the index lock
    try:
        archive = client.app.state.archive
        before = archive.count()
        response = client.post("/api/documents", headers=auth,
                               files={"file": ("locked.txt", b"Locked Out\n\nBy Ann Bee\n\nWaiting for the lock.")},
                               )
        assert response.status_code == 503, response.text
        assert "lock" in response.json()["error"]["message"].lower() or "index" in response.json()["error"]["message"]
        assert archive.count() == before  # no half-record left behind
    finally:
        writer.cancel()
    ok = client.post("/api/documents", headers=auth,
                     files={"file": ("locked.txt", b"Locked Out\n\nBy Ann Bee\n\nWaiting for the lock.")})
    assert ok.status_code == 201


def _immutable(path: Path, on: bool) -> None:
    subprocess.run(["chattr", "-R", "+i" if on else "-i", str(path)], check=True)


def test_read_only_data_directory_is_a_clear_error(tmp_path):
    root = tmp_path / "data"
    filled(root)
    _immutable(root, True)  # root ignores permission bits; the immutable flag stops even root
    try:
        article = tmp_path / "new.txt"
        article.write_bytes(b"New Article\n\nBy Ann Bee\n\nThis one cannot be stored on a read-only disk.")
        result = folio(root, "ingest", str(article))
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert "read-only" in result.stderr or "cannot" in result.stderr, result.stderr
    finally:
        _immutable(root, False)
    with Archive(root) as archive:
        assert archive.count() == len(ARTICLES) and archive.check().ok


def test_full_disk_gives_503_and_stores_nothing(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    try:
        root = mount / "data"
        server = Server(root, "disk-token-0123456789")
        server.log = tmp_path / "server.log"
        with server:
            import httpx

            statuses, acknowledged = [], []
            with httpx.Client(base_url=server.base, headers=server.auth, timeout=60) as client:
                for i in range(40):
                    body = f"Filler {i}\n\nBy Ann Bee\n\n".encode() + os.urandom(48 * 1024).hex().encode()[:200_000]
                    response = client.post("/api/documents", files={"file": (f"f{i}.txt", body)})
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        acknowledged.append(response.json()["id"])
                    if statuses[-1] == 503:
                        assert "full" in response.json()["error"]["message"] or "index" in response.json()["error"]["message"]
                        break
                assert statuses[-1] == 503, statuses
                assert set(statuses[:-1]) <= {201}
                assert client.get("/healthz").status_code == 200
                found = client.get("/api/search", params={"q": "filler", "per_page": 100}).json()
                assert {h["id"] for h in found["hits"]} == set(acknowledged)
        # with space again (a copy on the big disk), everything acknowledged is there and all agrees
        import shutil

        copy = tmp_path / "copy"
        shutil.copytree(root, copy)
    finally:
        subprocess.run(["umount", str(mount)], check=True)
    with Archive(copy) as archive:
        assert archive.check().ok, archive.check().to_dict()
        assert set(acknowledged) <= set(archive.catalog.ids())


def test_service_start_logs_what_the_cheap_check_finds(tmp_path, caplog):
    import logging

    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    root = tmp_path / "data"
    ids = filled(root)
    with Archive(root) as archive:
        archive.engine.delete(ids[:2])
    caplog.set_level(logging.INFO)
    with TestClient(create_app(Settings(data=root, token="start-token-0123456789", seeds=None))) as client:
        assert client.get("/healthz").status_code == 200
    assert "2 not indexed" in caplog.text and "folio check --repair" in caplog.text
