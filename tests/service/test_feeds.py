"""Atom feeds through the real app, read back with a feed parser."""

import feedparser

from tests.service.reprint_helpers import seed_id

ARTICLE = b"""The Quiet Harbour

By Maria Lopez | March 3, 2021

Fishing boats returned to the quiet harbour after the storm, and the zeppelin festival went ahead.
"""


def parse(client, params):
    response = client.get("/feed", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_search_feed_is_valid_atom_with_archive_links(client):
    doc_id = seed_id(client)
    feed = parse(client, {"q": "interferon"})
    assert "interferon" in feed.feed.title
    assert feed.feed.links[0]["href"].startswith("http://testserver/feed?q=interferon")
    (entry,) = feed.entries
    assert entry.link == f"http://testserver/documents/{doc_id}"
    assert entry.id == entry.link
    assert entry.published.startswith("2020-04-30")
    assert entry.author == "Andrew King"
    assert entry.title.startswith("Cuba")


def test_author_and_publication_feeds_newest_first(client, auth):
    upload = client.post("/api/documents", headers=auth, files={"file": ("h.txt", ARTICLE, "text/plain")},
                         data={"publication": "Liberation Road"})
    assert upload.status_code == 201
    by_publication = parse(client, {"publication": "Liberation Road"})
    assert [e.published[:4] for e in by_publication.entries] == ["2021", "2020"]
    by_author = parse(client, {"author": "Maria Lopez"})
    assert [e.title for e in by_author.entries] == ["The Quiet Harbour"]


def test_feed_of_nothing_is_still_valid(client):
    feed = parse(client, {"q": "zzzzqqqq"})
    assert feed.entries == []


def test_titles_with_markup_are_escaped(client, auth):
    article = b"<script>alert(1)</script> & Co\n\nBy Maria Lopez\n\nA harbour story about zeppelins and boats and tides."
    client.post("/api/documents", headers=auth, files={"file": ("x.txt", article, "text/plain")})
    response = client.get("/feed", params={"q": "zeppelins"})
    assert b"<script>" not in response.content
    feed = feedparser.parse(response.content)
    assert not feed.bozo
