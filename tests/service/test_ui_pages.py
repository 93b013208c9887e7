"""The page routes behind the web UI's forms, through the real app: editing metadata, uploading several
files without script, and the reading view."""

from __future__ import annotations

import re

from service.pages import paragraphs, underlined_heading
from tests.conftest import TOKEN, page_csrf

NOTE = b"A Note on Lighthouses\n\nBy Tom Reed\n\n2019-04-02\n\nLighthouse keepers kept logs of every ship.\n"
TIDES = b"Tide Tables Explained\n\nBy Ivy Marsh\n\n2018-03-01\n\nTides follow the moon, mostly.\n"


def stored(client, auth, body: bytes = NOTE, name: str = "note.txt") -> dict:
    response = client.post("/api/documents", files={"file": (name, body)}, headers=auth)
    assert response.status_code in (200, 201), response.text
    return response.json()


def edit(client, doc_id: str, **fields):
    form = {"csrf_token": page_csrf(client, f"/documents/{doc_id}"), **fields}
    return client.post(f"/documents/{doc_id}/edit", data=form, follow_redirects=False)


def form_values(client, doc_id: str) -> dict[str, str]:
    page = client.get(f"/documents/{doc_id}").text
    return dict(re.findall(r'<input id="e-[\w-]+" name="(\w+)" value="([^"]*)"', page))


def test_edit_form_changes_only_what_was_changed(client, auth):
    doc = stored(client, auth)
    values = form_values(client, doc["id"])
    assert values["authors"] == "Tom Reed" and values["title"] == "A Note on Lighthouses"
    response = edit(client, doc["id"], **{**values, "authors": "Tom Reed; Ada Lovelace", "tags": "sea, Ships",
                                          "token": TOKEN})
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/documents/{doc['id']}?saved")
    record = client.get(f"/api/documents/{doc['id']}").json()
    assert record["authors"] == ["Tom Reed", "Ada Lovelace"]
    assert record["tags"] == ["sea", "ships"]
    assert record["title"] == "A Note on Lighthouses"
    author_page = client.get("/authors/Ada Lovelace").text
    assert "A Note on Lighthouses" in author_page


def test_edit_form_refuses_a_wrong_token_and_keeps_what_was_typed(client, auth):
    doc = stored(client, auth)
    values = form_values(client, doc["id"])
    response = edit(client, doc["id"], **{**values, "title": "Changed", "token": "wrong"})
    assert response.status_code == 401
    assert "token is missing or wrong" in response.text
    assert 'value="Changed"' in response.text
    assert client.get(f"/api/documents/{doc['id']}").json()["title"] == "A Note on Lighthouses"


def test_edit_form_explains_an_empty_title_and_a_bad_date(client, auth):
    doc = stored(client, auth)
    values = form_values(client, doc["id"])
    empty = edit(client, doc["id"], **{**values, "title": "", "token": TOKEN})
    assert empty.status_code == 422 and "title cannot be empty" in empty.text
    bad_date = edit(client, doc["id"], **{**values, "published": "next tuesday", "token": TOKEN})
    assert bad_date.status_code == 422
    assert client.get(f"/api/documents/{doc['id']}").json()["published"] == "2019-04-02"


def test_edit_form_needs_its_csrf_field(client, auth):
    doc = stored(client, auth)
    response = client.post(f"/documents/{doc['id']}/edit", data={"title": "X", "token": TOKEN},
                           follow_redirects=False)
    assert response.status_code == 403


def test_logged_in_browser_edits_without_the_token_field(client, auth):
    doc = stored(client, auth)
    login = client.post("/login", data={"token": TOKEN, "csrf_token": page_csrf(client, "/login")},
                        follow_redirects=False)
    assert login.status_code == 303
    page = client.get(f"/documents/{doc['id']}").text
    assert 'name="token"' not in page
    values = form_values(client, doc["id"])
    assert edit(client, doc["id"], **{**values, "publication": "Harbour Weekly"}).status_code == 303
    assert client.get(f"/api/documents/{doc['id']}").json()["publication"] == "Harbour Weekly"


def test_upload_form_without_script_takes_several_files(client):
    files = [("file", ("note.txt", NOTE)), ("file", ("tides.txt", TIDES)),
             ("file", ("blank.png", b"\x89PNG\r\n\x1a\n" + bytes(300)))]
    response = client.post("/upload", data={"token": TOKEN, "csrf_token": page_csrf(client, "/upload")},
                           files=files, follow_redirects=False)
    assert response.status_code == 200
    page = response.text
    assert "A Note on Lighthouses" in page and "Tide Tables Explained" in page
    assert len(re.findall(r'href="/documents/\w+\?edit#edit"', page)) == 2
    assert "blank.png" in page and "Not stored" in page and "Save the article as" in page


def test_upload_form_refuses_a_wrong_token_with_advice(client):
    response = client.post("/upload", data={"token": "nope", "csrf_token": page_csrf(client, "/upload")},
                           files={"file": ("note.txt", NOTE)}, follow_redirects=False)
    assert response.status_code == 401
    assert "token is missing or wrong" in response.text and "data folder" in response.text


def test_search_page_keeps_filters_in_the_search_box_form_and_offers_chips(client):
    page = client.get("/", params={"q": "covid", "author": "Andrew King", "sort": "newest"}).text
    header_form = page[page.index('id="searchbar"'):page.index("</form>", page.index('id="searchbar"'))]
    assert '<input type="hidden" name="author" value="Andrew King">' in header_form
    assert '<input type="hidden" name="sort" value="newest">' in header_form
    assert re.search(r'class="chip" href="\?q=covid&amp;sort=newest"', page)


def test_reading_view_blocks():
    text = "Abstract\n========\n\nFirst paragraph\ncontinues.\n\n    code = 1\n    more = 2\n\nPlain end."
    assert paragraphs(text, []) == [("h", "Abstract"), ("p", "First paragraph\ncontinues."),
                                    ("pre", "code = 1\nmore = 2"), ("p", "Plain end.")]
    assert paragraphs("Known Section\n\nBody.", ["Known Section"])[0] == ("h", "Known Section")
    assert underlined_heading("=====\nTitle\n=====") == "Title"
    assert underlined_heading("a - b\n---") == "a - b"
    assert underlined_heading("Not a heading\nsecond line") is None


def test_authors_page_filters_without_script_and_pages_by_letter_when_long(client, auth, monkeypatch):
    stored(client, auth)
    stored(client, auth, TIDES, "tides.txt")
    filtered = client.get("/authors", params={"filter": "marsh"}).text
    assert "/authors/Ivy%20Marsh" in filtered and "/authors/Tom%20Reed" not in filtered
    assert "No author’s name contains" in client.get("/authors", params={"filter": "zzzz"}).text
    import service.pages

    monkeypatch.setattr(service.pages, "AUTHORS_ON_ONE_PAGE", 1)
    first = client.get("/authors").text
    assert 'href="/authors?letter=R"' in first and 'href="/authors?letter=M"' in first
    letter_r = client.get("/authors", params={"letter": "r"}).text
    assert "/authors/Tom%20Reed" in letter_r and "/authors/Ivy%20Marsh" not in letter_r
