"""Published, updated and captured dates kept apart: each one filters, facets and has a timeline."""

from index.search import SearchRequest


def add(archive, name, published, updated=None):
    text = f"{name}\n\nBy Maria Lopez\n\nA story about harbours and boats number {name}.\n".encode()
    overrides = {"published": published}
    if updated:
        overrides["updated"] = updated
    return archive.add(text, f"{name}.txt", overrides)[0]


def test_each_date_filters_and_facets_on_its_own(archive):
    old = add(archive, "old", "1999-05-01", updated="2024-02-03")
    new = add(archive, "new", "2024-06-01")
    captured_year = old.ingested_at[:4]
    assert archive.search(SearchRequest(filters={"year": ["2024"]})).hits[0].id == new.id
    assert [h.id for h in archive.search(SearchRequest(filters={"updated": ["2024"]})).hits] == [old.id]
    assert archive.search(SearchRequest(filters={"updated_month": ["2024-02"]})).total == 1
    assert archive.search(SearchRequest(filters={"captured": [captured_year]})).total == 2
    assert archive.search(SearchRequest(filters={"captured_month": [old.ingested_at[:7]]})).total == 2
    facets = archive.search(SearchRequest(facets=("year", "updated", "captured"))).facets
    assert {f.value for f in facets["year"]} == {"1999", "2024"}
    assert [(f.value, f.count) for f in facets["updated"]] == [("2024", 1)]
    assert [(f.value, f.count) for f in facets["captured"]] == [(captured_year, 2)]


def test_timeline_switches_between_dates(archive):
    old = add(archive, "old", "1999-05-01", updated="2024-02-03")
    add(archive, "new", "2024-06-01")
    assert archive.dated_timeline("published") == [("1999", 1), ("2024", 1)]
    assert archive.dated_timeline("updated") == [("2024", 1)]
    assert archive.dated_timeline("updated", "month") == [("2024-02", 1)]
    assert archive.dated_timeline("captured", "day") == [(old.ingested_at[:10], 2)]
