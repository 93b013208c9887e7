"""The server-rendered pages work without JavaScript and escape what they show."""

import re


def test_search_page_lists_highlighted_results_and_facets(client):
    page = client.get("/", params={"q": "interferon"})
    assert page.status_code == 200
    assert "Cuba’s Internationalist Response to COVID-19" in page.text
    assert "<mark>" in page.text
    assert "Andrew King" in page.text
    assert re.search(r'href="\?[^"]*author=Andrew\+King', page.text)


def test_document_author_and_timeline_pages(client):
    doc_id = client.get("/api/search", params={"q": "interferon"}).json()["hits"][0]["id"]
    doc = client.get(f"/documents/{doc_id}")
    assert doc.status_code == 200
    assert "<h2>Medical Internationalism</h2>" in doc.text
    assert f"/api/documents/{doc_id}/original" in doc.text
    authors = client.get("/authors")
    assert "/authors/Andrew%20King" in authors.text
    author = client.get("/authors/Andrew King")
    assert "Cuba’s Internationalist" in author.text
    timeline = client.get("/timeline")
    assert "<svg" in timeline.text and "2020" in timeline.text
    assert "2020-04" in client.get("/timeline", params={"year": "2020"}).text


def test_upload_form_stores_a_document(client):
    from tests.conftest import TOKEN, page_csrf

    response = client.post(
        "/upload", data={"token": TOKEN, "csrf_token": page_csrf(client, "/upload")},
        files={"file": ("note.txt", b"A Note on Lighthouses\n\nBy Tom Reed\n\nLighthouse keepers kept logs.")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "A Note on Lighthouses" in page.text


def test_html_in_documents_is_escaped(client, auth):
    body = b"<script>alert(1)</script> Title\n\nBy <b>Evil</b> Person\n\nText with <img src=x onerror=alert(1)> inside."
    record = client.post("/api/documents", files={"file": ("x.txt", body)}, headers=auth).json()
    page = client.get(f"/documents/{record['id']}")
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text


def test_error_page_for_unknown_document(client):
    page = client.get("/documents/doesnotexist")
    assert page.status_code == 404
    assert "text/html" in page.headers["content-type"]
