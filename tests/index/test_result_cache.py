"""Repeated searches are answered from memory, and never after the index changed."""

from __future__ import annotations

from index.search import SearchRequest


def _add(archive, name: str, body: str):
    return archive.add(f"{name}\n\nBy Ada Lovelace\n\n{body}\n".encode(), f"{name}.txt")[0]


def test_same_search_is_served_from_memory_until_a_commit(archive):
    first = _add(archive, "Engines of analysis", "The analytical engine weaves algebraic patterns.")
    cache = archive.engine.results
    a = archive.search(SearchRequest(q="engine"))
    hits_before = cache.hits
    b = archive.search(SearchRequest(q="engine"))
    assert cache.hits == hits_before + 1
    assert [h.id for h in a.hits] == [h.id for h in b.hits] == [first.id]
    assert b.facets == a.facets and b.total == a.total == 1

    second = _add(archive, "More engines", "Another engine, described at length.")
    c = archive.search(SearchRequest(q="engine"))
    assert c.total == 2 and {h.id for h in c.hits} == {first.id, second.id}

    archive.delete(first.id)
    d = archive.search(SearchRequest(q="engine"))
    assert [h.id for h in d.hits] == [second.id]


def test_requests_that_differ_get_their_own_answers(archive):
    _add(archive, "Engines of analysis", "The analytical engine weaves algebraic patterns.")
    _add(archive, "Looms", "A loom weaves silk; the engine was inspired by it.")
    everything = archive.search(SearchRequest(q="weaves"))
    one_page = archive.search(SearchRequest(q="weaves", per_page=1))
    filtered = archive.search(SearchRequest(q="weaves", filters={"author": ["Nobody Here"]}))
    assert everything.total == 2 and len(everything.hits) == 2
    assert len(one_page.hits) == 1
    assert filtered.total == 0 and filtered.hits == []
    again = archive.search(SearchRequest(q="weaves"))
    again.hits.clear()  # a caller changing its answer does not change the cached one
    assert len(archive.search(SearchRequest(q="weaves")).hits) == 2
