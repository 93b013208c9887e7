"""Every format through ``POST /api/documents``; every bad sample gets its 4xx and stores nothing."""

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.cli import main as folio_main

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def upload(client, auth, name: str, data: bytes | None = None, **fields):
    path = SAMPLES / name
    body = path.read_bytes() if data is None else data
    return client.post("/api/documents", headers=auth, files={"file": (path.name, body)}, data=fields)


def stored(settings) -> tuple[int, int]:
    """(catalog rows, original files) in the data directory, read directly from disk."""
    db = settings.data / "catalog.sqlite3"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    originals = [p for p in (settings.data / "originals").rglob("*") if p.is_file()]
    return rows, len(originals)


@pytest.mark.parametrize("name, status, words", [
    ("broken/empty.txt", 422, "empty"),
    ("broken/whitespace_only.html", 422, "empty"),
    ("broken/binary_named.txt", 415, "binary"),
    ("broken/spreadsheet.xlsx", 415, "spreadsheet"),
    ("broken/truncated.pdf", 422, "incomplete"),
    ("pdf/encrypted_with_password.pdf", 422, "password"),
    ("zip/zip_bomb.zip", 413, "zip bomb"),
    ("zip/zip_slip.zip", 422, "outside the archive"),
])
def test_bad_sample_gets_its_status_and_nothing_is_stored(client, auth, settings, name, status, words):
    before = stored(settings)
    response = upload(client, auth, name)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status
    assert words in error["message"]
    assert stored(settings) == before


def test_oversized_upload_is_413_and_nothing_is_stored(client, auth, settings):
    before = stored(settings)
    big = b"A long article. " * (settings.max_upload_bytes // 16 + 100)
    response = upload(client, auth, "text/byline_by.txt", data=big)
    assert response.status_code == 413
    assert "MB" in response.json()["error"]["message"]
    assert stored(settings) == before


@pytest.mark.parametrize("name, content_type, title", [
    ("html/news_jsonld.html", "text/html", "Harbour towns bet on tidal power as fuel bills climb"),
    ("pdf/report_with_metadata.pdf", "application/pdf", "Tidal Energy and Small Harbours"),
    ("markdown/front_matter_toml.md", "text/markdown", "Notes on mending a dry-stone wall"),
    ("email/newsletter_multipart.eml", "message/rfc822", "Issue 112: Slugs, beer traps and what actually works"),
    ("docx/coop_article.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Community Energy Co-operatives"),
])
def test_each_format_is_stored_and_searchable(client, auth, name, content_type, title):
    response = upload(client, auth, name)
    assert response.status_code == 201, response.text
    record = response.json()
    assert (record["content_type"], record["title"]) == (content_type, title)
    hits = client.get("/api/search", params={"q": f'title:"{title.split(":")[0]}"'}).json()["hits"]
    assert record["id"] in [h["id"] for h in hits]


def test_scanned_pdf_is_stored_and_reported_as_needing_ocr(client, auth):
    response = upload(client, auth, "pdf/scanned_no_text.pdf")
    assert response.status_code == 201, response.text
    assert response.json()["needs_ocr"] is True
    assert client.get(f"/api/documents/{response.json()['id']}").json()["needs_ocr"] is True


def test_zip_upload_stores_each_member_and_lists_failures(client, auth, settings):
    rows, files = stored(settings)
    response = upload(client, auth, "zip/articles.zip", tags="bundle")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] == 3
    assert sorted(d["filename"] for d in body["documents"]) == [
        "front_matter_yaml.md", "news_jsonld.html", "report_with_metadata.pdf"]
    assert all(d["tags"] == ["bundle"] for d in body["documents"])
    assert len(body["failed"]) == 1 and "broken.txt looks like a binary file" in body["failed"][0]
    assert stored(settings) == (rows + 3, files + 3)

    again = upload(client, auth, "zip/articles.zip")
    assert again.status_code == 200
    assert again.json()["created"] == 0
    assert stored(settings) == (rows + 3, files + 3)

    alone = upload(client, auth, "html/news_jsonld.html")
    assert alone.status_code == 200  # the member's record is the file's record
    assert alone.json()["id"] in [d["id"] for d in body["documents"]]


def test_zip_with_nothing_readable_is_422(client, auth, settings):
    before = stored(settings)
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", b"")
        zf.writestr("b.bin", b"\x00\x01\x02" * 40)
    response = client.post("/api/documents", headers=auth, files={"file": ("junk.zip", buf.getvalue())})
    assert response.status_code == 422
    assert "Nothing in junk.zip could be read" in response.json()["error"]["message"]
    assert stored(settings) == before


def test_edits_survive_reupload_and_reindex(settings, auth):
    with TestClient(create_app(settings)) as client:
        record = upload(client, auth, "pdf/junk_title.pdf").json()
        doc_id = record["id"]
        patched = client.patch(f"/api/documents/{doc_id}", headers=auth,
                               json={"title": "Heat Pumps in Historic Houses", "authors": ["Helen M. Carter"],
                                     "published": "March 4, 2019"})
        assert patched.status_code == 200, patched.text
        assert patched.json()["published"] == "2019-03-04"

        again = upload(client, auth, "pdf/junk_title.pdf")
        assert again.status_code == 200
        assert again.json()["title"] == "Heat Pumps in Historic Houses"
        assert again.json()["authors"] == ["Helen M. Carter"]

    assert folio_main(["--data", str(settings.data), "reindex"]) == 0

    with TestClient(create_app(settings)) as client:
        doc = client.get(f"/api/documents/{doc_id}").json()
        assert (doc["title"], doc["authors"], doc["published"]) == (
            "Heat Pumps in Historic Houses", ["Helen M. Carter"], "2019-03-04")
        hits = client.get("/api/search", params={"q": "historic houses"}).json()["hits"]
        assert [h["id"] for h in hits] == [doc_id]
        by_author = client.get("/api/search", params={"q": "", "author": "Helen M. Carter"}).json()["hits"]
        assert [h["id"] for h in by_author] == [doc_id]


def test_bad_patch_is_422_and_changes_nothing(client, auth):
    doc_id = upload(client, auth, "html/opengraph_only.html").json()["id"]
    response = client.patch(f"/api/documents/{doc_id}", headers=auth, json={"published": "sometime soon"})
    assert response.status_code == 422
    assert client.get(f"/api/documents/{doc_id}").json()["published"] == "2022-11-08"
