"""Search, related articles, facets and browsing through the real app over the PEPs archive."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest

from tests.conftest import TOKEN


@pytest.fixture(scope="module")
def peps_client(peps_dir, tmp_path_factory):
    """The real app over a copy of the PEPs archive (the shared one is never written to)."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    data = tmp_path_factory.mktemp("peps-app") / "data"
    shutil.copytree(peps_dir, data)
    with TestClient(create_app(Settings(data=data, token=TOKEN, seeds=None))) as c:
        yield c


def test_search_json_has_hits_facets_and_flags(peps_client):
    body = peps_client.get("/api/search", params={"q": "asyncio coroutines"}).json()
    assert body["total"] > 0 and body["hits"]
    assert set(body["facets"]) >= {"author", "publication", "year", "tag", "language", "content_type"}
    assert body["partial"] is False
    assert "<mark>" in body["hits"][0]["snippet"]
    assert sum(f["count"] for f in body["facets"]["year"]) >= body["total"]


def test_month_facet_within_a_selected_year(peps_client):
    body = peps_client.get("/api/search", params={"year": "2020"}).json()
    months = body["facets"]["month"]
    assert months and all(m["value"].startswith("2020-") for m in months)
    assert sum(m["count"] for m in months) == body["total"]


def test_suggestion_in_json_and_link_in_page(peps_client):
    body = peps_client.get("/api/search", params={"q": "corutine"}).json()
    assert body["suggestion"] in ("coroutine", "coroutines")
    page = peps_client.get("/", params={"q": "corutine"})
    assert "Did you mean" in page.text and f"q={body['suggestion']}" in page.text


def test_sorting_and_stable_pages_through_the_api(peps_client):
    first = peps_client.get("/api/search", params={"q": "import", "per_page": 20, "page": 1}).json()
    second = peps_client.get("/api/search", params={"q": "import", "per_page": 20, "page": 2}).json()
    both = [h["id"] for h in first["hits"] + second["hits"]]
    assert len(set(both)) == 40
    again = peps_client.get("/api/search", params={"q": "import", "per_page": 40}).json()
    assert [h["id"] for h in again["hits"]] == both
    newest = peps_client.get("/api/search", params={"q": "import", "sort": "newest", "per_page": 30}).json()
    dates = [h["published"] for h in newest["hits"]]
    assert dates == sorted(dates, reverse=True)


def test_malformed_queries_are_answered_not_failed(peps_client):
    for q in ('"unbalanced', "((((", "title:", "published:garbage", "*", "a*", "NOT", "~~", "x" * 300):
        response = peps_client.get("/api/search", params={"q": q})
        assert response.status_code == 200, q
        assert response.json()["total"] >= 0


def test_related_articles_api_and_document_page(peps_client):
    target = peps_client.get("/api/search", params={"q": 'title:"Assignment Expressions"'}).json()["hits"][0]
    body = peps_client.get(f"/api/documents/{target['id']}/related", params={"limit": 4}).json()
    related = body["related"]
    assert 1 <= len(related) <= 4 and target["id"] not in {r["id"] for r in related}
    page = peps_client.get(f"/documents/{target['id']}")
    assert f'/documents/{related[0]["id"]}' in page.text


def test_related_for_an_unknown_document_is_404(peps_client):
    response = peps_client.get("/api/documents/0000000000000000/related")
    assert response.status_code == 404
    assert "0000000000000000" in response.json()["error"]["message"]


def test_timeline_api_by_year_month_day_and_query(peps_client):
    years = peps_client.get("/api/timeline", params={"by": "year"}).json()["buckets"]
    assert {b["value"] for b in years} >= {"2000", "2020"}
    total = sum(b["count"] for b in years)
    topic = peps_client.get("/api/timeline", params={"by": "year", "q": "asyncio"}).json()["buckets"]
    assert 0 < sum(b["count"] for b in topic) < total
    months = peps_client.get("/api/timeline", params={"by": "month", "year": "2020"}).json()["buckets"]
    assert months and all(b["value"].startswith("2020-") for b in months)
    month = months[0]["value"]
    days = peps_client.get("/api/timeline", params={"by": "day", "month": month}).json()["buckets"]
    assert days and sum(b["count"] for b in days) == months[0]["count"]
    assert peps_client.get("/api/timeline", params={"by": "week"}).status_code == 422


def test_publications_pages(peps_client):
    listing = peps_client.get("/api/publications").json()["publications"]
    page = peps_client.get("/publications")
    assert page.status_code == 200
    if listing:
        name = listing[0]["name"]
        assert f"/publications/{quote(name)}" in page.text
        one = peps_client.get(f"/publications/{quote(name)}")
        assert one.status_code == 200 and str(listing[0]["count"]) in one.text
    empty = peps_client.get("/publications/No Such Publication")
    assert empty.status_code == 200 and "No articles" in empty.text


def test_author_page_lists_articles_newest_first_coauthors_and_years(peps_client):
    page = peps_client.get("/authors/Guido van Rossum")
    assert page.status_code == 200
    assert "Co-authors" in page.text and "Per year" in page.text
    dates = [d for d in __import__("re").findall(r'<time datetime="([^"]+)"', page.text)]
    assert dates and dates == sorted(dates, reverse=True)


def test_search_urls_are_bookmarkable(peps_client):
    url = "/?q=typing&author=Guido+van+Rossum&year=2014&sort=newest"
    first, second = peps_client.get(url), peps_client.get(url)
    assert first.status_code == 200 and first.text.count("<li class=\"hit") == second.text.count("<li class=\"hit")
    assert "Guido van Rossum" in first.text


def test_help_page_documents_the_query_language(peps_client):
    text = peps_client.get("/help").text
    for form in ("title:", "author:", "publication:", "tag:", "lang:", "published:2020-04", "intern*", "~",
                 "NOT", "-"):
        assert form in text, form


def test_help_page_states_the_limits(peps_client):
    text = peps_client.get("/help").text
    assert "published:[2019 to 2021]" in text and "Did you mean" in text and "incomplete" in text
