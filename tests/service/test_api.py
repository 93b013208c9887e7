"""The JSON API through the real app: the seed, uploads, errors and browsing."""

from tests.conftest import TOKEN

SEED_RECORD = {
    "title": "Cuba’s Internationalist Response to COVID-19",
    "authors": ["Andrew King"],
    "publication": "Liberation Road",
    "original_publication": "Massachusetts Peace Action",
    "published": "2020-04-30",
    "language": "en",
}

ARTICLE = b"""The Quiet Harbour

By Maria Lopez | March 3, 2021

Fishing boats returned to the quiet harbour after the storm, and the zeppelin festival went ahead.
"""


def seed_hit(client):
    hits = client.get("/api/search", params={"q": "interferon"}).json()["hits"]
    assert len(hits) == 1
    return hits[0]


def test_seed_loaded_on_first_start_with_exact_record(client):
    doc = client.get(f"/api/documents/{seed_hit(client)['id']}").json()
    for key, value in SEED_RECORD.items():
        assert doc[key] == value, key
    assert {"Medical Internationalism", "Structural Inequality Reaps Deadly Results"} <= set(doc["sections"])
    assert "interferon" in doc["text"].lower()


def test_search_response_shape(client):
    body = client.get("/api/search", params={"q": "interferon"}).json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 10
    hit = body["hits"][0]
    assert set(hit) >= {"id", "title", "authors", "published", "publication", "snippet", "score"}
    assert "<mark>" in hit["snippet"]
    assert body["facets"]["author"] == [{"value": "Andrew King", "count": 1}]
    assert body["facets"]["year"] == [{"value": "2020", "count": 1}]


def test_browse_with_filters_and_empty_query(client):
    assert client.get("/api/search", params={"author": "Andrew King"}).json()["total"] == 1
    assert client.get("/api/search", params={"year": "2020"}).json()["total"] == 1
    assert client.get("/api/search", params={"year": "2019"}).json()["total"] == 0
    assert client.get("/api/search", params={"from": "2020-04-01", "to": "2020-04-30"}).json()["total"] == 1
    assert client.get("/api/authors").json() == {"authors": [{"name": "Andrew King", "count": 1}]}
    timeline = client.get("/api/timeline", params={"by": "month"}).json()
    assert timeline["buckets"] == [{"value": "2020-04", "count": 1}]


def test_upload_is_searchable_at_once_and_idempotent(client, auth):
    files = {"file": ("harbour.txt", ARTICLE, "text/plain")}
    first = client.post("/api/documents", files=files, headers=auth)
    assert first.status_code == 201, first.text
    record = first.json()
    assert record["authors"] == ["Maria Lopez"] and record["published"] == "2021-03-03"
    hits = client.get("/api/search", params={"q": "zeppelin"}).json()["hits"]
    assert [h["id"] for h in hits] == [record["id"]]
    again = client.post("/api/documents", files=files, headers=auth)
    assert again.status_code == 200 and again.json()["id"] == record["id"]


def test_upload_metadata_fields_override_extraction(client, auth):
    files = {"file": ("harbour.txt", ARTICLE, "text/plain")}
    data = {"title": "Harbour Notes", "authors": "Ana Ruiz; Bo Li", "tags": "sea, boats"}
    record = client.post("/api/documents", files=files, data=data, headers=auth).json()
    assert record["title"] == "Harbour Notes"
    assert record["authors"] == ["Ana Ruiz", "Bo Li"]
    assert record["tags"] == ["sea", "boats"]


def test_original_is_returned_as_a_download(client, auth):
    record = client.post("/api/documents", files={"file": ("h.txt", ARTICLE)}, headers=auth).json()
    response = client.get(f"/api/documents/{record['id']}/original")
    assert response.content == ARTICLE
    assert response.headers["content-disposition"].startswith("attachment")


def test_delete_needs_token_and_removes(client, auth):
    record = client.post("/api/documents", files={"file": ("h.txt", ARTICLE)}, headers=auth).json()
    assert client.delete(f"/api/documents/{record['id']}").status_code == 401
    assert client.delete(f"/api/documents/{record['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/documents/{record['id']}").status_code == 404
    assert client.get("/api/search", params={"q": "zeppelin"}).json()["total"] == 0


def test_patch_edits_metadata(client, auth):
    doc_id = seed_hit(client)["id"]
    response = client.patch(f"/api/documents/{doc_id}", json={"authors": ["A. King"]}, headers=auth)
    assert response.status_code == 200 and response.json()["authors"] == ["A. King"]
    assert client.get("/api/authors").json()["authors"] == [{"name": "A. King", "count": 1}]
    bad = client.patch(f"/api/documents/{doc_id}", json={"published": "not a date"}, headers=auth)
    assert bad.status_code == 422


def assert_error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and len(body["error"]["message"]) > 10


def count(client):
    return client.get("/healthz").json()["documents"]


def test_bad_uploads_get_clear_errors_and_store_nothing(client, auth):
    before = count(client)
    cases = [
        (("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200), 415),
        (("notes.xyz", b"plain words in an unknown kind of file"), 415),
        (("empty.txt", b""), 422),
        (("blank.txt", b"   \n\n  "), 422),
        (("junk.txt", bytes(range(256)) * 20), 415),
        (("bad.txt", b"caf\xe9 \xff\xfe\xfd \x81\x8d\x8f\x90\x9d" * 3), 422),
    ]
    for (name, data), status in cases:
        assert_error(client.post("/api/documents", files={"file": (name, data)}, headers=auth), status)
    assert count(client) == before


def test_upload_without_token_is_401(client):
    assert_error(client.post("/api/documents", files={"file": ("a.txt", ARTICLE)}), 401)
    wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "x"}
    assert_error(client.post("/api/documents", files={"file": ("a.txt", ARTICLE)}, headers=wrong), 401)


def test_oversized_upload_is_413(client, auth):
    big = b"word " * (300 * 1024)  # 1.5 MB against the fixture's 1 MB limit
    assert_error(client.post("/api/documents", files={"file": ("big.txt", big)}, headers=auth), 413)
    assert count(client) == 1


def test_unknown_document_is_404(client):
    assert_error(client.get("/api/documents/0000000000000000"), 404)
    assert_error(client.get("/api/documents/0000000000000000/original"), 404)


def test_invalid_parameters_are_422_not_500(client):
    assert_error(client.get("/api/search", params={"page": "zero"}), 422)
    assert_error(client.get("/api/search", params={"sort": "sideways"}), 422)
    assert_error(client.get("/api/timeline", params={"by": "century"}), 422)


def test_routes_are_worked_out_at_start_not_on_a_first_request(settings):
    """Each process works out its routes when it starts (the OpenAPI schema it builds then is
    served as it is), so no one's first upload or search waits for that."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    app = create_app(settings)
    assert app.openapi_schema is None
    with TestClient(app) as c:
        ready = app.openapi_schema
        assert ready is not None and "/api/documents" in ready["paths"] and "/api/search" in ready["paths"]
        assert c.get("/openapi.json").json() == ready
