"""Browsing: authors, publications and the timeline, over a small archive and the PEPs corpus."""

from __future__ import annotations

import pytest

from index.search import SearchRequest
from tests.index.test_query import ARTICLES, put


@pytest.fixture
def small(archive):
    return archive, {key: put(archive, key) for key in ARTICLES}


def test_authors_a_to_z_by_family_name_with_counts(small):
    archive, _ = small
    assert archive.authors() == [("Andrew King", 2), ("Maria Lopez", 1), ("Jean Martin", 1), ("Sofia Reyes", 1)]


def test_publications_a_to_z_with_counts(small):
    archive, _ = small
    assert archive.publications() == [("Caribbean Review", 2), ("Liberation News", 2)]


def test_authors_and_publications_of_a_query(small):
    archive, _ = small
    assert archive.authors("oil") == [("Sofia Reyes", 1)]
    assert archive.publications("doctors") == [("Caribbean Review", 2), ("Liberation News", 1)]


def test_timeline_by_year_month_and_day_with_a_query(small):
    archive, _ = small
    assert archive.timeline("year") == [("2018", 1), ("2019", 1), ("2020", 1), ("2021", 1)]
    assert archive.timeline("year", q="doctors") == [("2018", 1), ("2019", 1), ("2020", 1)]
    assert archive.timeline("month", filters={"year": ["2020"]}) == [("2020-04", 1)]
    assert archive.timeline("day", filters={"month": ["2020-04"]}) == [("2020-04-12", 1)]


def test_author_browse_newest_first_with_coauthors(small):
    archive, ids = small
    result = archive.search(SearchRequest(filters={"author": ["Andrew King"]}, sort="newest",
                                          facets=("author", "publication", "year")))
    assert [h.id for h in result.hits] == [ids["cuba"], ids["haiti"]]
    coauthors = {f.value for f in result.facets["author"]} - {"Andrew King"}
    assert coauthors == {"Maria Lopez"}


def test_peps_author_has_articles_per_year(peps):
    result = peps.search(SearchRequest(filters={"author": ["Guido van Rossum"]}, sort="newest", per_page=100,
                                       facets=("year", "author"), facet_limit=0))
    per_year = {f.value: f.count for f in result.facets["year"]}
    assert sum(per_year.values()) == result.total >= 40
    dates = [h.published for h in result.hits]
    assert dates == sorted(dates, reverse=True)
    assert len(result.facets["author"]) > 10  # co-authors


def test_peps_timeline_spans_the_corpus(peps):
    years = dict(peps.timeline("year"))
    assert min(years) <= "2000" and max(years) >= "2024"
    assert sum(years.values()) == peps.count()
