"""The small page additions: copies, export and feed links, passage search, author variants."""

from tests.service.reprint_helpers import seed_id, upload_original
from tests.service.test_copies_api import PASSAGE


def test_document_page_lists_other_copy_and_the_original(client, auth):
    original = upload_original(client, auth)
    page = client.get(f"/documents/{seed_id(client)}").text
    assert "Also published in" in page
    assert f'href="/documents/{original}">Massachusetts Peace Action</a>' in page
    assert "original</strong>" in page
    assert "/api/export?format=bibtex&amp;id=" in page
    own = client.get(f"/documents/{original}").text
    assert "This copy is the original." in own


def test_search_page_shows_copies_switch_feed_and_export(client, auth):
    upload_original(client, auth)
    page = client.get("/", params={"q": "interferon"}).text
    assert "2 copies" in page and "Show every copy" in page
    assert 'type="application/atom+xml"' in page and "/feed?q=interferon" in page
    assert "/api/export?q=interferon&amp;format=ris" in page
    every = client.get("/", params={"q": "interferon", "all_copies": "1"}).text
    assert "One result per article" in every and every.count('class="hit"') == 2


def test_passage_page_marks_the_span_and_escapes_input(client):
    page = client.get("/passages", params={"text": PASSAGE}).text
    assert "1 article contains this passage" in page and "<mark>A brigade of 52 doctors" in page
    short = client.get("/passages", params={"text": "<b>Cuba</b>"})
    assert short.status_code == 400 and "<b>Cuba</b>" not in short.text and "&lt;b&gt;Cuba" in short.text


def test_author_page_of_a_variant_shows_the_person_with_a_feed(client, auth):
    client.post("/api/documents", headers=auth,
                files={"file": ("n.txt", b"Harbour notes\n\nBy A. King\n\nThe boats came back after the storm.",
                                "text/plain")})
    client.post("/api/identities/merge", headers=auth, json={"names": ["Andrew King", "A. King"]})
    page = client.get("/authors/A. King").text
    assert "<h1>Andrew King</h1>" in page and "Also bylined as A. King" in page
    assert '/feed?author=Andrew%20King' in page
    assert "2 articles" in page


def csrf_of(page: str) -> str:
    import re

    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_identities_page_merges_and_splits_with_the_token(client, auth):
    from tests.conftest import TOKEN

    client.post("/api/documents", headers=auth,
                files={"file": ("n.txt", b"Harbour notes\n\nBy A. King\n\nThe boats came back after the storm.",
                                "text/plain")})
    page = client.get("/identities").text
    assert 'value="A. King" checked' in page and 'value="Andrew King" checked' in page
    csrf = csrf_of(page)
    names = {"names": ["Andrew King", "A. King"], "canonical": "Andrew King", "csrf_token": csrf}
    refused = client.post("/identities/merge", data={**names, "token": "wrong"})
    assert refused.status_code == 401 and "nothing was merged" in refused.text
    forged = client.post("/identities/merge", data={**names, "token": TOKEN, "csrf_token": "x"})
    assert forged.status_code == 403
    merged = client.post("/identities/merge", data={**names, "token": TOKEN}, follow_redirects=False)
    assert merged.status_code == 303
    after = client.get(merged.headers["location"]).text
    assert "Merged into Andrew King" in after and "also bylined as" in after
    split = client.post("/identities/split", data={"name": "A. King", "token": TOKEN, "csrf_token": csrf},
                        follow_redirects=False)
    assert split.status_code == 303
    assert "Nothing merged yet." in client.get("/identities").text


def test_timeline_page_switches_to_capture_dates(client):
    published = client.get("/timeline").text
    assert 'value="published" selected' in published and ">2020<" in published
    captured = client.get("/timeline", params={"date": "captured"}).text
    assert 'value="captured" selected' in captured and ">2020<" not in captured
    assert "&amp;date=captured" in captured or "&date=captured" in captured
