"""Queries built to break the parser: never a server error, always a page or a clear 4xx."""

from __future__ import annotations

import pytest

def short_words(n: int) -> list[str]:
    """n distinct three-letter words (the whole query must fit in a URL)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[i // 676 % 26] + letters[i // 26 % 26] + letters[i % 26] for i in range(n)]


QUERIES = {
    "ten thousand terms": " ".join(short_words(10_000)),
    "ten thousand ORs": " OR ".join(w[1:] for w in short_words(10_000)),
    "deep nesting": "(" * 5000 + "harbour" + ")" * 5000,
    "unbalanced nesting": "(" * 5000 + "harbour",
    "closing only": ")" * 300,
    "lone quote": '"',
    "open phrase": '"harbour pilots',
    "three quotes": '"""',
    "dangling operators": "AND OR NOT",
    "field without value": "title:",
    "unknown field": "nosuchfield:value",
    "wildcard only": "*",
    "leading wildcards": "*a* ?b? *",
    "range junk": "published:[2020 TO",
    "fuzzy junk": "harbour~~~~99",
    "boost junk": "harbour^^^1e308",
    "control characters": "harbour\x00\x07\x1b[31m",
    "long word": "x" * 60_000,
    "html": "<script>alert(1)</script>",
    "backslashes": "\\" * 1001,
}


@pytest.mark.parametrize("label", sorted(QUERIES))
def test_hostile_query_never_fails_the_server(client, label):
    q = QUERIES[label]
    api = client.get("/api/search", params={"q": q})
    assert api.status_code < 500, (label, api.text[:300])
    if api.status_code >= 400:
        assert api.json()["error"]["message"]
    page = client.get("/", params={"q": q})
    assert page.status_code < 500, label
    assert "<script>alert(1)</script>" not in page.text


@pytest.mark.parametrize("label", ["lone quote", "deep nesting", "html"])
def test_hostile_query_in_other_places(client, label):
    q = QUERIES[label]
    for path, params in (("/timeline", {"q": q}), ("/authors", {"q": q}), ("/api/authors", {"q": q})):
        response = client.get(path, params=params)
        assert response.status_code < 500, (path, label)
