"""``GET /api/export`` through the real app: one document, a result set, bad requests."""

import csv
import io
import json

from tests.service.reprint_helpers import seed_id, upload_original


def test_one_document_as_bibtex_with_archive_link_and_hash(client):
    doc_id = seed_id(client)
    doc = client.get(f"/api/documents/{doc_id}").json()
    response = client.get("/api/export", params={"format": "bibtex", "id": doc_id})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-bibtex")
    assert f'filename="folio-{doc_id}.bib"' in response.headers["content-disposition"]
    text = response.text
    assert text.startswith(f"@article{{folio_{doc_id},")
    assert f"http://testserver/documents/{doc_id}" in text
    assert doc["sha256"] in text and f"urldate = {{{doc['ingested_at'][:10]}}}" in text
    assert "author = {King, Andrew}" in text


def test_result_set_in_every_format(client, auth):
    upload_original(client, auth)
    for fmt in ("bibtex", "ris", "csl-json", "csv", "jsonl"):
        response = client.get("/api/export", params={"format": fmt, "q": "interferon", "all_copies": "1"})
        assert response.status_code == 200, fmt
        assert response.headers["x-folio-count"] == "2", fmt
    items = json.loads(client.get("/api/export", params={"format": "csl-json", "q": "interferon",
                                                           "all_copies": "1"}).text)
    assert {i["container-title"] for i in items} == {"Liberation Road", "Massachusetts Peace Action"}
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export", params={"format": "csv", "q": "cuba"}).text)))
    assert len(rows) == 1  # one per group of copies unless all_copies is asked for
    lines = client.get("/api/export", params={"format": "jsonl", "author": "Andrew King", "all_copies": "1"}).text
    assert len(lines.splitlines()) == 2


def test_bad_format_missing_document_and_no_match(client):
    bad = client.get("/api/export", params={"format": "docx", "q": "cuba"})
    assert bad.status_code == 400 and "bibtex" in bad.json()["error"]["message"]
    missing = client.get("/api/export", params={"format": "ris", "id": "0000000000000000"})
    assert missing.status_code == 404
    none = client.get("/api/export", params={"format": "ris", "q": "zzzzqqqq"})
    assert none.status_code == 200 and none.text == "" and none.headers["x-folio-count"] == "0"
    no_format = client.get("/api/export", params={"q": "cuba"})
    assert no_format.status_code == 422
