"""Author identities: variants suggested with evidence, merged and split, used by facets, filters,
``author:`` queries, and kept through re-ingest and reindex."""

import pytest

from index.errors import BadRequest
from index.identities import canonical_choice, name_parts, same_person_possible
from index.search import SearchRequest

VARIANTS = ["Andrew King", "A. King", "KING, Andrew", "Andrew J. King"]


def article(title: str, byline: str, words: str) -> bytes:
    return f"{title}\n\nBy {byline}\n\n{words} The harbour board met on Tuesday to talk about boats.\n".encode()


@pytest.fixture
def kings(archive):
    ids = {}
    for n, name in enumerate(VARIANTS):
        doc, _ = archive.add(article(f"Report number {n}", "Someone", f"Story {n} about zeppelins{n}."),
                             f"k{n}.txt", {"authors": [name, "Maria Lopez"], "publication": "Harbour News",
                                           "published": f"202{n}-01-01"})
        ids[name] = doc.id
    other, _ = archive.add(article("Alice writes", "Alice King", "A different person entirely."), "alice.txt",
                           {"authors": ["Alice King"], "publication": "Elsewhere"})
    ids["Alice King"] = other.id
    return ids


def test_name_parts_and_compatibility():
    assert name_parts("KING, Andrew") == name_parts("Andrew King")
    assert name_parts("Andrew J. King").given == ("andrew", "j")
    assert all(same_person_possible("Andrew King", v) for v in VARIANTS)
    assert not same_person_possible("Andrew King", "Alice King")
    assert not same_person_possible("Andrew King", "Andrew Kong")
    assert canonical_choice(VARIANTS) == "Andrew King"


def test_variants_suggested_as_one_person_with_evidence(archive, kings):
    (suggestion,) = [s for s in archive.identities.suggestions() if "Andrew King" in s.names]
    assert sorted(suggestion.names) == sorted(VARIANTS)
    assert "Alice King" not in suggestion.names
    assert suggestion.canonical == "Andrew King"
    assert suggestion.evidence["publications"] == ["Harbour News"]
    assert suggestion.evidence["coauthors"] == ["Maria Lopez"]
    assert suggestion.evidence["years"] == ["2020", "2023"]


def test_merge_makes_facets_filters_and_author_queries_see_one_person(archive, kings):
    result = archive.merge_authors(VARIANTS)
    assert result["canonical"] == "Andrew King" and result["documents"] == 4
    names = dict(archive.authors())
    assert names["Andrew King"] == 4 and not {"A. King", "KING, Andrew", "Andrew J. King"} & set(names)
    for spelling in VARIANTS:
        assert archive.search(SearchRequest(filters={"author": [spelling]})).total == 4, spelling
    assert archive.search(SearchRequest(q='author:"andrew king"')).total == 4
    assert archive.search(SearchRequest(q='author:"a king"')).total == 4
    assert archive.identities.suggestions() == [] or all("Andrew King" not in s.names
                                                         for s in archive.identities.suggestions())


def test_merge_survives_reindex_and_reingest(archive, kings):
    archive.merge_authors(VARIANTS)
    archive.reindex()
    assert dict(archive.authors())["Andrew King"] == 4
    again, created = archive.add(article("Report number 1", "Someone", "Story 1 about zeppelins1."), "k1.txt")
    assert not created
    assert dict(archive.authors())["Andrew King"] == 4


def test_split_restores_the_variant_and_stops_suggesting_it(archive, kings):
    archive.merge_authors(VARIANTS)
    archive.split_author("A. King")
    names = dict(archive.authors())
    assert names["A. King"] == 1 and names["Andrew King"] == 3
    assert archive.search(SearchRequest(filters={"author": ["A. King"]})).total == 1
    for s in archive.identities.suggestions():
        assert not {"A. King", "Andrew King"} <= set(s.names)
    archive.split_author("Andrew King")
    assert dict(archive.authors())["Andrew J. King"] == 1


def test_bad_merges_are_refused(archive, kings):
    with pytest.raises(BadRequest):
        archive.merge_authors(["Andrew King"])
    with pytest.raises(BadRequest):
        archive.merge_authors(["Andrew King", ""])
    with pytest.raises(BadRequest):
        archive.split_author("Nobody Merged")


def test_index_entries_of_many_records_get_each_ones_names_and_group(archive, kings):
    archive.merge_authors(VARIANTS)
    long_story = " ".join(f"The {n}th boat of the harbour board sailed at dawn number {n * 7}." for n in range(80))
    first, _ = archive.add(article("A long report", "Someone", long_story), "long.txt", {"authors": ["Alice King"]})
    copy, _ = archive.add(article("The long report, reprinted", "Someone", long_story), "copy.txt",
                          {"authors": ["A. King", "Andrew King", "Nobody Else"]})
    docs = list(archive.catalog.get_many([*kings.values(), first.id, copy.id]).values())
    one_at_a_time = [{"authors": archive.identities.canonical_names(d.authors),
                      "author_variants": [v for c in archive.identities.canonical_names(d.authors)
                                          for v in archive.identities.variants(c)],
                      "reprint_group": archive.reprints.group_of(d.id)} for d in docs]
    assert archive.index_extras(docs) == one_at_a_time
    assert any(e["reprint_group"] for e in one_at_a_time) and any(e["author_variants"] for e in one_at_a_time)
    by_id = dict(zip([d.id for d in docs], one_at_a_time))
    assert by_id[copy.id]["authors"] == ["Andrew King", "Nobody Else"]
