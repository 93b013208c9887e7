"""The query language end to end, over a small hand-made archive and the PEPs corpus."""

from __future__ import annotations

import re

import pytest

from index.document import Document, content_sha256, document_id, now_iso
from index.search import SearchRequest

ARTICLES = {
    "cuba": dict(title="Cuba's medical internationalism", authors=["Andrew King"], published="2020-04-12",
                 publication="Liberation News", tags=["health"], language="en",
                 text="Cuban doctors travelled abroad with interferon. Medical internationalism is older than "
                      "the pandemic; Havana sent brigades to many countries."),
    "haiti": dict(title="Doctors in Haiti", authors=["Maria Lopez", "Andrew King"], published="2019-06-01",
                  publication="Caribbean Review", tags=["health", "haiti"], language="en",
                  text="After the earthquake, doctors from Cuba and elsewhere worked in Haiti's clinics. "
                       "Vaccination campaigns followed."),
    "sugar": dict(title="The sugar harvest", authors=["Jean Martin"], published="2021-11-30",
                  publication="Liberation News", tags=["economy"], language="fr",
                  text="La récolte de la canne à sucre. The economy of the island depended on sugar exports."),
    "venezuela": dict(title="Oil and medicine", authors=["Sofia Reyes"], published="2018-02-02",
                      publication="Caribbean Review", tags=["economy", "health"], language="en",
                      text="Venezuela traded oil for medical services. Internationalism of another kind: "
                           "oil shipments paid for clinics staffed by doctors."),
}


def put(archive, key: str) -> str:
    fields = ARTICLES[key]
    raw = repr(sorted(fields.items())).encode()
    sha = content_sha256(raw)
    doc = Document(id=document_id(sha), sha256=sha, content_type="text/plain", filename=f"{key}.txt",
                   ingested_at=now_iso(), summary=fields["text"][:80], **fields)
    archive.add_document(doc, raw)
    return doc.id


@pytest.fixture
def small(archive):
    ids = {key: put(archive, key) for key in ARTICLES}
    return archive, ids


def found(archive, q: str, **kw) -> set[str]:
    return {h.id for h in archive.search(SearchRequest(q=q, per_page=100, **kw)).hits}


def keys(ids: dict[str, str], *names: str) -> set[str]:
    return {ids[n] for n in names}


@pytest.mark.parametrize("q, expected", [
    ("doctors cuba", ("haiti", "cuba")),  # all words (the Cuba article says "Cuban", stemmed apart)
    ('"medical internationalism"', ("cuba",)),
    ("doctors AND vaccination", ("haiti",)),
    ("sugar OR oil", ("sugar", "venezuela")),
    ("doctors NOT haiti", ("cuba", "venezuela")),
    ("doctors -haiti", ("cuba", "venezuela")),
    ("(sugar OR oil) economy", ("sugar",)),
    ("(haiti OR venezuela) clinics", ("haiti", "venezuela")),
    ("internation*", ("cuba", "venezuela")),
    ("interferom~", ("cuba",)),
    ("vacination~", ("haiti",)),
    ("title:doctors", ("haiti",)),
    ("author:king", ("cuba", "haiti")),
    ("author:lopez", ("haiti",)),
    ("publication:liberation", ("cuba", "sugar")),
    ("tag:economy", ("sugar", "venezuela")),
    ("lang:fr", ("sugar",)),
    ("published:2020", ("cuba",)),
    ("published:2020-04", ("cuba",)),
    ("published:[2019 to 2021]", ("cuba", "haiti", "sugar")),
    ("published:>2020-01-01", ("cuba", "sugar")),
    ("published:<2019-01-01", ("venezuela",)),
    ("doctors published:[2019 TO 2020]", ("cuba", "haiti")),
])
def test_every_query_form(small, q, expected):
    archive, ids = small
    assert found(archive, q) == keys(ids, *expected), q


def test_misspelled_word_still_finds_documents_and_is_corrected(small):
    archive, ids = small
    result = archive.search(SearchRequest(q="interferom"))
    assert {h.id for h in result.hits} == keys(ids, "cuba")
    assert result.suggestion == "interferon"


def test_all_words_preferred_but_a_long_question_still_answers(small):
    archive, ids = small
    assert found(archive, "doctors clinics") == keys(ids, "haiti", "venezuela")  # not cuba: no clinics
    question = "which countries sent doctors abroad as part of medical internationalism?"
    result = archive.search(SearchRequest(q=question))
    assert result.total >= 2
    assert result.hits[0].id == ids["cuba"]


def test_no_document_has_every_word_so_the_best_partial_matches_show(small):
    archive, ids = small
    result = archive.search(SearchRequest(q="sugar interferon"))
    assert {h.id for h in result.hits} == keys(ids, "sugar", "cuba")


@pytest.mark.parametrize("q", [
    '"unbalanced', "((((", "))", ":::", "title:", "AND OR NOT", "NOT", "published:garbage", "published:[2020 to",
    "*", "~", "[", "]", "a:b:c", "^^^", "-", "--doctors", "\\", "doctors~~~~", "author:", "*:*", "{x TO}",
    "published:>", "lang:", '""', "?", "doctors?", "ünïcödé~", "\x00", "a" * 5000,
])
def test_malformed_queries_never_error(small, q):
    archive, _ = small
    result = archive.search(SearchRequest(q=q))
    assert result.total >= 0
    assert result.to_dict()["q"] == q.strip()


def test_question_marks_and_dashes_read_as_punctuation(small):
    archive, ids = small
    assert found(archive, "clinics?") == keys(ids, "haiti", "venezuela")
    assert found(archive, "doctors - clinics") == keys(ids, "haiti", "venezuela")


def test_bare_star_is_everything_and_one_letter_prefix_is_literal(small):
    archive, _ = small
    assert archive.search(SearchRequest(q="*")).total == len(ARTICLES)
    assert archive.search(SearchRequest(q="o*")).total == 0  # read as the word "o", not every o-word


def test_thousands_of_terms_are_bounded(small):
    archive, ids = small
    q = " ".join(f"word{i}" for i in range(5000)) + " sugar"
    result = archive.search(SearchRequest(q=q))
    assert result.total >= 0  # answered; the words after the first few hundred are dropped


def test_huge_expansions_are_capped(archive):
    from index.bounds import MAX_EXPANSIONS, bound_query
    from index.query import parse

    words = " ".join(f"zz{i:04d}" for i in range(MAX_EXPANSIONS * 2))
    raw = words.encode()
    sha = content_sha256(raw)
    archive.add_document(Document(id=document_id(sha), sha256=sha, title="many", text=words,
                                  content_type="text/plain", filename="many.txt", ingested_at=now_iso()), raw)
    s = archive.engine.searcher()
    bounded = bound_query(parse("text:zz*", s.schema).query, s.reader())
    assert len(list(bounded.leaves())) == MAX_EXPANSIONS
    assert archive.search(SearchRequest(q="zz*")).total == 1
    fuzzy = bound_query(parse("zz0001~9", s.schema).query, s.reader())
    assert all(getattr(leaf, "maxdist", 2) <= 2 for leaf in fuzzy.leaves())


def test_time_limit_returns_partial_results_flagged(small):
    archive, _ = small
    cut = archive.search(SearchRequest(q="doctors OR sugar", time_limit=1e-9))
    assert cut.partial is True
    assert cut.to_dict()["partial"] is True
    full = archive.search(SearchRequest(q="doctors OR sugar"))
    assert full.partial is False and full.total == 4


def test_title_and_author_matches_outrank_body_matches(small):
    archive, ids = small
    hits = archive.search(SearchRequest(q="doctors")).hits
    assert hits[0].id == ids["haiti"]  # "doctors" in the title
    hits = archive.search(SearchRequest(q="king")).hits
    assert {h.id for h in hits} == keys(ids, "cuba", "haiti")


def test_proximity_helps(archive):
    def add(key, text):
        raw = f"{key}\n{text}".encode()
        sha = content_sha256(raw)
        archive.add_document(Document(id=document_id(sha), sha256=sha, title=key, text=text,
                                      content_type="text/plain", filename=key, ingested_at=now_iso()), raw)
        return document_id(sha)

    filler = " ".join(["lorem"] * 40)
    far = add("far", f"climate {filler} policy")
    near = add("near", f"policy {filler} climate policy")
    hits = archive.search(SearchRequest(q="climate policy")).hits
    assert [h.id for h in hits] == [near, far]


def test_snippets_have_at_most_three_marked_escaped_fragments(archive):
    text = "\n\n".join(
        f"Paragraph {i} <b>says</b> interferon works & more {'filler ' * 40}" for i in range(8))
    raw = text.encode()
    sha = content_sha256(raw)
    archive.add_document(Document(id=document_id(sha), sha256=sha, title="Interferon <i>news</i>", text=text,
                                  content_type="text/plain", filename="x.txt", ingested_at=now_iso()), raw)
    hit = archive.search(SearchRequest(q="interferon")).hits[0]
    assert 1 <= hit.snippet.count("<mark>interferon</mark>") <= 3
    assert "<b>" not in hit.snippet and "&lt;b&gt;" in hit.snippet
    assert re.sub(r"</?mark>", "", hit.snippet).count("<") == 0
    assert hit.title_html == "<mark>Interferon</mark> &lt;i&gt;news&lt;/i&gt;"


def test_peps_sorting_is_stable_across_pages(peps):
    seen: list[str] = []
    total = None
    for page in range(1, 6):
        result = peps.search(SearchRequest(q="import", sort="relevance", per_page=20, page=page, snippets=False))
        total = result.total
        seen.extend(h.id for h in result.hits)
    assert len(seen) == len(set(seen)) == min(100, total)
    again = [h.id for h in peps.search(SearchRequest(q="import", per_page=100, snippets=False)).hits]
    assert again == seen
    oldest = peps.search(SearchRequest(q="import", sort="oldest", per_page=50, snippets=False)).hits
    dates = [h.published for h in oldest]
    assert dates == sorted(dates)


def test_peps_natural_language_question_ranks_the_right_pep_first(peps):
    result = peps.search(SearchRequest(q="how do I write a type hint for a function that returns nothing",
                                       per_page=10, snippets=False))
    assert result.total > 0
    assert any("Type Hints" in h.title or "Typing" in h.title or "typing" in h.title for h in result.hits[:5])
    result = peps.search(SearchRequest(q="what is the walrus operator assignment expression", per_page=5,
                                       snippets=False))
    assert any(h.title == "Assignment Expressions" for h in result.hits[:5])


def test_peps_related_articles(peps):
    target = peps.search(SearchRequest(q='title:"Assignment Expressions"', per_page=1)).hits[0]
    related = peps.similar(target.id, limit=5)
    assert 1 <= len(related) <= 5
    assert target.id not in {h.id for h in related}
    assert [h.score for h in related] == sorted((h.score for h in related), reverse=True)


def test_deleted_and_edited_documents_leave_the_ranking(small):
    archive, ids = small
    archive.delete(ids["sugar"])
    assert found(archive, "sugar harvest") == set()
    assert found(archive, "tag:economy") == {ids["venezuela"]}
    archive.update(ids["venezuela"], {"title": "Petroleum diplomacy"})
    assert found(archive, "petroleum diplomacy") == {ids["venezuela"]}
    assert ids["venezuela"] not in found(archive, "title:medicine")


def test_peps_short_query_prefers_the_words_together_in_the_title(peps):
    assert peps.search(SearchRequest(q="type hints", per_page=1, snippets=False)).hits[0].title == "Type Hints"
