"""Search over the seed and the PEPs corpus: query forms, filters, facets, snippets, suggestions."""

from index.archive import Archive
from index.search import SearchRequest


def ids(result):
    return [h.id for h in result.hits]


def test_seed_is_found_by_words_phrase_and_fields(archive, seed_bytes):
    doc, _ = archive.add(seed_bytes, "seed.txt")
    for q in ("interferon", '"medical internationalism"', "author:king", "publication:liberation",
              "Cuba's response", "cuba’s", "title:internationalist", "published:2020-04", "published:2020",
              "published:[2019 to 2021]", "published:>2020-01-01", "lang:en", "intern*", "interferom~"):
        assert ids(archive.search(SearchRequest(q=q))) == [doc.id], q
    for q in ("published:2019", "published:<2020-01-01", "cuba -interferon", "author:queen"):
        assert archive.search(SearchRequest(q=q)).total == 0, q


def test_malformed_queries_do_not_fail(archive, seed_bytes):
    archive.add(seed_bytes, "seed.txt")
    for q in ('"unbalanced', "((((", ":::", "title:", "AND OR NOT", "published:garbage", "*", "~", "[", "a:b:c"):
        result = archive.search(SearchRequest(q=q))
        assert result.total >= 0


def test_snippet_marks_and_escapes(archive):
    doc, _ = archive.add(b"A <b>bold</b> claim\n\nThe <script>alert(1)</script> interferon story.", "x.txt")
    hit = archive.search(SearchRequest(q="interferon")).hits[0]
    assert "<mark>interferon</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet


def test_suggestion_for_misspelled_word(archive, seed_bytes):
    archive.add(seed_bytes, "seed.txt")
    result = archive.search(SearchRequest(q="interferom"))
    assert result.suggestion == "interferon"
    assert archive.search(SearchRequest(q="interferon")).suggestion is None


def test_peps_author_filter_and_facets(peps):
    result = peps.search(SearchRequest(filters={"author": ["Guido van Rossum"]}, per_page=100))
    assert result.total >= 40
    assert all("Guido van Rossum" in h.authors for h in result.hits)
    facet = {f.value: f.count for f in result.facets["author"]}
    assert facet["Guido van Rossum"] == result.total


def test_peps_facet_counts_follow_query(peps):
    everything = peps.search(SearchRequest(q="", facets=("year",)))
    asyncio = peps.search(SearchRequest(q="asyncio", facets=("year",)))
    assert asyncio.total < everything.total
    assert sum(f.count for f in asyncio.facets["year"]) == asyncio.total


def test_peps_sorting_and_pagination(peps):
    newest = peps.search(SearchRequest(q="", sort="newest", per_page=20))
    dates = [h.published for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    page1 = peps.search(SearchRequest(q="import", per_page=10, page=1))
    page2 = peps.search(SearchRequest(q="import", per_page=10, page=2))
    assert not set(ids(page1)) & set(ids(page2))
    assert page1.total == page2.total > 20


def test_peps_long_question_still_finds_documents(peps):
    result = peps.search(SearchRequest(q="how should I write a good type hint for a function that returns nothing"))
    assert result.total > 0


def test_peps_date_range_filter(peps):
    result = peps.search(SearchRequest(date_from="2020", date_to="2020", per_page=100))
    assert result.total > 0
    assert all(h.published.startswith("2020") for h in result.hits)


def test_corrections_from_stemmed_terms_and_from_older_spelling_fields(tmp_path, seed_bytes):
    """Archives made before spelling fields were dropped still get their suggestions from them."""
    from index.engine import Engine

    for legacy in (False, True):
        root = tmp_path / f"spelling-{legacy}"
        Engine(root / "index", legacy_schema=legacy).close()
        with Archive(root) as archive:
            assert archive.engine.searcher().schema["text"].separate_spelling() is legacy
            archive.add(seed_bytes, "seed.txt")
            assert archive.search(SearchRequest(q="interferonn")).suggestion == "interferon"
            assert archive.search(SearchRequest(q="medicall brigades")).suggestion == "medical brigades"
            assert archive.search(SearchRequest(q="interferonn")).total == 1  # typo tolerance
            assert archive.search(SearchRequest(q="interferon")).suggestion is None


def test_close_terms_equal_a_scan_of_every_term(peps_dir):
    """The letter-pair index finds exactly the terms a full scan within two edits finds."""
    from index.spelling import edit_distance

    with Archive(peps_dir) as archive:
        searcher = archive.engine.searcher()
        reader = searcher.reader()
        every = {t.decode() for t in reader.lexicon("text")}
        speller = archive.engine.speller
        for word in ["generater", "pyhton", "modul", "decorater", "iterater", "asynchronus", "lamda", "x", "zq"]:
            expected = {t for t in every if t[:1] == word[:1] and edit_distance(word, t) <= 2}
            assert speller.close_terms(reader, "text", word) == expected, word


def test_correction_shows_the_written_form_nearest_to_what_was_typed(archive):
    """A stem stands for several words; the one shown is the closest to the typed word, whichever
    document comes first in the index."""
    archive.add(b"Queues\n\nBy Ann Bee\n\nWe asynchronize the queues every night.\n", "a.txt")
    archive.add(b"Calls\n\nBy Ann Bee\n\nAsynchronous calls return at once.\n", "b.txt")
    assert archive.search(SearchRequest(q="asyncronous")).suggestion == "asynchronous"
    assert archive.search(SearchRequest(q="asyncronize")).suggestion == "asynchronize"


def test_dates_as_day_numbers_answer_like_the_older_microsecond_field(tmp_path):
    """New indexes keep publication dates as day numbers; archives built before keep Whoosh's
    DATETIME field until 'folio reindex'. Ranges, filters and sorting give the same documents in
    all three, and the same documents a comparison of the records' own dates picks."""
    from index.engine import Engine
    from tests.conftest import load_peps

    queries = [SearchRequest(q=q, per_page=200) for q in (
        "published:2001", "published:2001-07", "published:2001-07-05", "published:[2000-03 to 2002-01-15]",
        "published:>2015-12-31", "published:<1999", "import published:2010..2014")]
    queries += [SearchRequest(date_from="2003-02", date_to="2005", per_page=200),
                SearchRequest(q="python", date_from="2019-06-01", per_page=200)]
    sorts = [SearchRequest(q=q, sort=s, per_page=30) for q in ("", "import") for s in ("newest", "oldest")]
    answers = {}
    for legacy in (False, True):
        root = tmp_path / f"legacy-{legacy}"
        Engine(root / "index", legacy_schema=legacy).close()
        with Archive(root) as archive:
            published = archive.engine.searcher().schema["published"]
            assert (type(published).__name__ == "DATETIME") is legacy
            assert ("ingested" in archive.engine.searcher().schema) is legacy
            load_peps(archive, limit=300)
            dates = {doc_id: doc.published for doc_id, doc in archive.catalog.get_many(archive.catalog.ids()).items()}
            found = [sorted(ids(archive.search(r))) for r in queries]
            ordered = [[dates[i] for i in ids(archive.search(r))] for r in sorts]
            answers[legacy] = (found, ordered)
            if legacy:  # 'folio reindex' rewrites an older archive in the current schema and format
                archive.reindex()
                reader = archive.engine.searcher().reader()
                assert type(reader.schema["published"]).__name__ == "PublishedDay"
                assert {type(leaf.segment().codec()).__name__ for leaf, _ in reader.leaf_readers()} == {"FolioCodec"}
                answers["reindexed"] = ([sorted(ids(archive.search(r))) for r in queries],
                                        [[dates[i] for i in ids(archive.search(r))] for r in sorts])
        expect_2001 = sorted(i for i, d in dates.items() if d and d.startswith("2001"))
        assert found[0] == expect_2001 and len(expect_2001) > 3
        expect_span = sorted(i for i, d in dates.items() if d and "2000-03" <= d[:10] <= "2002-01-15")
        assert found[3] == expect_span and len(expect_span) > len(expect_2001)
        assert found[4] == sorted(i for i, d in dates.items() if d and d[:10] > "2015-12-31")
        assert found[7] == sorted(i for i, d in dates.items() if d and "2003-02" <= d[:10] <= "2005-12-31")
        for dated, request in zip(ordered, sorts):
            assert dated == sorted(dated, reverse=request.sort == "newest") and len(dated) == 30
    assert answers[False] == answers[True] == answers["reindexed"]
    assert all(answers[False][0][:5])  # each of the first ranges finds something


def test_searches_in_one_process_take_turns(archive, seed_bytes):
    """A search waits while another holds the turn, then runs; threads still all get answers."""
    import threading

    doc, _ = archive.add(seed_bytes, "seed.txt")
    answers = []
    with archive.search_turn:
        waiting = [threading.Thread(target=lambda: answers.append(ids(archive.search(SearchRequest(q="interferon")))))
                   for _ in range(4)]
        for t in waiting:
            t.start()
        for t in waiting:
            t.join(timeout=0.3)
        assert answers == [] and all(t.is_alive() for t in waiting)
    for t in waiting:
        t.join(timeout=60)
    assert answers == [[doc.id]] * 4
