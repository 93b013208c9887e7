"""Copies and passages through the real app: the seed is a reprint of a Massachusetts Peace Action article."""

from tests.service.reprint_helpers import seed_id, upload_original

PASSAGE = ("A brigade of 52 doctors and nurses was sent to Lombardi, Italy—the hardest hit region in the "
           "hardest hit country at the time.")


def test_copies_list_the_other_copy_and_name_the_original(client, auth):
    original = upload_original(client, auth)
    reprint = seed_id(client)
    body = client.get(f"/api/documents/{reprint}/copies").json()
    assert body["original"] == original
    assert [c["id"] for c in body["copies"]] == [original]
    copy = body["copies"][0]
    assert copy["publication"] == "Massachusetts Peace Action" and copy["published"] == "2020-04-30"
    assert copy["original"] is True
    back = client.get(f"/api/documents/{original}/copies").json()
    assert [c["id"] for c in back["copies"]] == [reprint] and back["copies"][0]["original"] is False


def test_search_shows_one_hit_with_copies_count_and_switch_shows_all(client, auth):
    upload_original(client, auth)
    one = client.get("/api/search", params={"q": "interferon"}).json()
    assert one["total"] == 1 and one["hits"][0]["copies"] == 2
    both = client.get("/api/search", params={"q": "interferon", "all_copies": "1"}).json()
    assert both["total"] == 2


def test_copies_of_a_document_without_copies_and_of_a_missing_one(client):
    reprint = seed_id(client)
    assert client.get(f"/api/documents/{reprint}/copies").json() == {"id": reprint, "original": None, "copies": []}
    missing = client.get("/api/documents/0000000000000000/copies")
    assert missing.status_code == 404 and "0000000000000000" in missing.json()["error"]["message"]


def test_passage_found_in_every_copy_with_span_marked(client, auth):
    upload_original(client, auth)
    body = client.get("/api/passages", params={"text": PASSAGE}).json()
    assert body["total"] == 2
    for match in body["matches"]:
        assert match["coverage"] == 1.0
        assert "<mark>A brigade of 52 doctors" in match["snippet"]
        assert "at the time</mark>" in match["snippet"]


def test_passage_mostly_present_still_found_and_unrelated_text_not(client):
    edited = PASSAGE.replace("the hardest hit country", "the worst affected country")
    assert client.get("/api/passages", params={"text": edited}).json()["total"] == 1
    unrelated = "The quarterly report on municipal water pipes was delayed by the committee again this spring."
    assert client.get("/api/passages", params={"text": unrelated}).json()["total"] == 0


def test_passage_too_short_or_missing_is_a_clear_400(client):
    for params in ({"text": "Cuba"}, {}):
        response = client.get("/api/passages", params=params)
        assert response.status_code == 400
        assert "Paste" in response.json()["error"]["message"]
