"""A real uvicorn process: first start loads the seed, uploads become searchable at once."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path, *extra):
    port = free_port()
    env = dict(os.environ, FOLIO_DATA=str(tmp_path / "data"))
    env.pop("FOLIO_TOKEN", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--log-level", "warning", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("server did not start: " + proc.stdout.read())
    return proc, base


def stop(proc):
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    proc, base = start(tmp_path)
    yield base, tmp_path / "data"
    stop(proc)


def test_real_server_serves_seed_and_takes_uploads(server):
    base, data = server
    token = (data / "token").read_text().strip()
    assert oct((data / "token").stat().st_mode & 0o777) == "0o600"
    hits = httpx.get(base + "/api/search", params={"q": "interferon"}).json()["hits"]
    assert hits and hits[0]["authors"] == ["Andrew King"]
    assert httpx.get(base + "/api/search", params={"author": "Andrew King", "year": "2020"}).json()["total"] == 1
    article = b"Night Trains\n\nBy Lea Roux\n\nSleeper trains are back across Europe, says the timetable."
    up = httpx.post(base + "/api/documents", files={"file": ("trains.txt", article)},
                    headers={"Authorization": f"Bearer {token}"})
    assert up.status_code == 201
    found = httpx.get(base + "/api/search", params={"q": "sleeper trains"}).json()
    assert [h["id"] for h in found["hits"]] == [up.json()["id"]]
    page = httpx.get(base + "/", params={"q": "interferon"})
    assert page.status_code == 200 and "<mark>" in page.text


def test_workers_share_one_archive_set_up_once(tmp_path):
    """``folio serve --workers 2``: two processes answer, the first start (token, seed) happened once."""
    proc, base = start(tmp_path, "--workers", "2")
    try:
        data = tmp_path / "data"
        kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len(kids) >= 2
        token = (data / "token").read_text().strip()
        assert httpx.get(base + "/api/search", params={"q": "interferon"}).json()["total"] == 1
        article = b"Ferry Notes\n\nBy Ola Berg\n\nThe island ferry now runs twice a day in winter."
        up = httpx.post(base + "/api/documents", files={"file": ("ferry.txt", article)},
                        headers={"Authorization": f"Bearer {token}"})
        assert up.status_code == 201
        time.sleep(1.0)  # each worker looks for other processes' commits every 50 ms
        for _ in range(6):  # new connections land on either worker
            with httpx.Client(base_url=base) as c:
                found = c.get("/api/search", params={"q": "island ferry"})
                assert found.json()["total"] == 1
                assert c.get("/api/search", params={"q": "*"}).json()["total"] == 2
                # a kept-alive connection would keep a client on one worker: answers close it
                assert found.headers["connection"] == "close"
    finally:
        stop(proc)


@pytest.mark.parametrize("workers", [1, 2])
def test_answers_close_their_connection_only_with_several_workers(settings, workers):
    """With several worker processes a kept-alive connection would tie a client to one of them;
    static files keep theirs, as a page fetches several."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    settings.workers = workers
    with TestClient(create_app(settings)) as c:
        answers = [c.get("/api/search", params={"q": "interferon"}), c.get("/"), c.get("/api/nothing-here")]
        assert [a.status_code for a in answers] == [200, 200, 404]
        static = c.get("/static/folio.css")
        assert static.status_code == 200
    closing = [a.headers.get("connection") == "close" for a in answers]
    assert closing == [workers > 1] * 3
    assert static.headers.get("connection") != "close"
