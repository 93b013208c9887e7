"""Facets: counts for every facet, OR within a facet, AND across facets, counts that follow the query."""

from __future__ import annotations

import pytest

from index.search import SearchRequest
from tests.index.test_query import ARTICLES, put

ALL_FACETS = ("author", "publication", "year", "month", "tag", "language", "content_type")


@pytest.fixture
def small(archive):
    return archive, {key: put(archive, key) for key in ARTICLES}


def counts(result, facet: str) -> dict[str, int]:
    return {f.value: f.count for f in result.facets[facet]}


def test_every_facet_has_counts_and_keeps_full_names(small):
    archive, _ = small
    result = archive.search(SearchRequest(facets=ALL_FACETS))
    assert counts(result, "author") == {"Andrew King": 2, "Maria Lopez": 1, "Jean Martin": 1, "Sofia Reyes": 1}
    assert counts(result, "publication") == {"Liberation News": 2, "Caribbean Review": 2}
    assert counts(result, "year") == {"2018": 1, "2019": 1, "2020": 1, "2021": 1}
    assert counts(result, "tag") == {"health": 3, "economy": 2, "haiti": 1}
    assert counts(result, "language") == {"en": 3, "fr": 1}
    assert counts(result, "content_type") == {"text/plain": 4}
    assert sum(counts(result, "month").values()) == 4


def test_values_of_one_facet_combine_with_or(small):
    archive, ids = small
    result = archive.search(SearchRequest(filters={"author": ["Jean Martin", "Sofia Reyes"]}, facets=ALL_FACETS))
    assert {h.id for h in result.hits} == {ids["sugar"], ids["venezuela"]}
    result = archive.search(SearchRequest(filters={"tag": ["haiti", "economy"]}))
    assert {h.id for h in result.hits} == {ids["haiti"], ids["sugar"], ids["venezuela"]}


def test_different_facets_combine_with_and(small):
    archive, ids = small
    result = archive.search(SearchRequest(filters={"publication": ["Caribbean Review"], "tag": ["economy"]}))
    assert [h.id for h in result.hits] == [ids["venezuela"]]
    result = archive.search(SearchRequest(filters={"author": ["Andrew King", "Jean Martin"],
                                                   "language": ["en"], "year": ["2019", "2020", "2021"]}))
    assert {h.id for h in result.hits} == {ids["cuba"], ids["haiti"]}
    nothing = archive.search(SearchRequest(filters={"author": ["Jean Martin"], "language": ["en"]}))
    assert nothing.total == 0 and nothing.hits == []


def test_month_facet_within_a_selected_year(small):
    archive, ids = small
    result = archive.search(SearchRequest(filters={"year": ["2020"]}, facets=ALL_FACETS))
    assert counts(result, "month") == {"2020-04": 1}
    result = archive.search(SearchRequest(filters={"month": ["2020-04", "2021-11"]}))
    assert {h.id for h in result.hits} == {ids["cuba"], ids["sugar"]}


def test_counts_reflect_the_current_query_and_filters(small):
    archive, _ = small
    result = archive.search(SearchRequest(q="doctors", facets=ALL_FACETS))
    assert result.total == 3
    assert counts(result, "publication") == {"Caribbean Review": 2, "Liberation News": 1}
    assert counts(result, "language") == {"en": 3}
    narrowed = archive.search(SearchRequest(q="doctors", filters={"publication": ["Caribbean Review"]},
                                            facets=ALL_FACETS))
    assert narrowed.total == 2
    assert counts(narrowed, "author") == {"Andrew King": 1, "Maria Lopez": 1, "Sofia Reyes": 1}


def test_filter_values_are_matched_case_insensitively_for_tags_and_languages(small):
    archive, ids = small
    assert {h.id for h in archive.search(SearchRequest(filters={"tag": ["ECONOMY"]})).hits} == \
        {ids["sugar"], ids["venezuela"]}
    assert [h.id for h in archive.search(SearchRequest(filters={"language": ["FR"]})).hits] == [ids["sugar"]]


def test_peps_facets_sum_to_the_total_for_single_valued_fields(peps):
    # every copy of a reprinted article is counted in the facets; all_copies lists them all
    result = peps.search(SearchRequest(q="generator", facets=ALL_FACETS, facet_limit=0, all_copies=True))
    assert sum(counts(result, "year").values()) == result.total
    assert sum(counts(result, "language").values()) <= result.total
    two = peps.search(SearchRequest(q="generator", filters={"year": ["2001", "2005"]}, all_copies=True))
    assert two.total == counts(result, "year").get("2001", 0) + counts(result, "year").get("2005", 0)


@pytest.mark.parametrize("q", ["generator", "asyncio", "unicode normalization", "python", ""])
def test_peps_facet_counts_equal_counts_from_the_records(peps, q):
    """Few matches are counted document by document, many by a pass over the segment's entries:
    both give what the matching records say, for authors (several per document) and years."""
    from collections import Counter

    result = peps.search(SearchRequest(q=q, facets=("author", "year"), facet_limit=0, all_copies=True,
                                       per_page=100, page=1))
    matched = []
    for page in range(1, (result.total + 99) // 100 + 1):
        matched += [h.id for h in peps.search(SearchRequest(q=q, all_copies=True, per_page=100, page=page)).hits]
    assert len(matched) == result.total > 0
    docs = peps.catalog.get_many(matched, with_text=False)
    authors = Counter(a for d in docs.values() for a in dict.fromkeys(peps.identities.canonical_names(d.authors)))
    years = Counter(d.published[:4] for d in docs.values() if d.published)
    assert counts(result, "author") == dict(authors)
    assert counts(result, "year") == dict(years)
