"""Big hostile files, built at test time: parsing them is bounded in time and memory by the child
process, and the server answers a 4xx (or stores what it could read) and keeps serving."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import TOKEN
from tests.samples.hostile import make_hostile

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def big_client(tmp_path_factory):
    data = tmp_path_factory.mktemp("bombs") / "data"
    settings = Settings(data=data, token=TOKEN, seeds=None, max_upload_mb=40, parse_timeout=20,
                        parse_memory_mb=768)
    with TestClient(create_app(settings)) as client:
        yield client


BUILDERS = {
    "million_xref.pdf": make_hostile.million_xref_pdf,
    "bomb_stream.pdf": make_hostile.bomb_pdf,
    "bomb.zip": make_hostile.bomb_zip,
    "deeply_nested.pdf": lambda: make_hostile.nested_pdf(depth=400_000),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_big_hostile_file_is_bounded(big_client, name):
    data = BUILDERS[name]()
    response = big_client.post("/api/documents", files={"file": (name, data)}, headers=AUTH)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["message"]
    else:
        record = response.json()
        assert big_client.get(f"/api/documents/{record['id']}").status_code == 200
    # the server is still fine: it answers and takes a normal article
    ok = big_client.post("/api/documents", headers=AUTH,
                         files={"file": (f"after-{name}.txt", f"After {name}\n\nBy Ann Bee\n\nStill working.".encode())})
    assert ok.status_code in (200, 201), ok.text
