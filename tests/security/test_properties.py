"""Property-based tests: whatever bytes, names, metadata or queries come in, the parsers and the
query layer answer with a record or a FolioError (a 4xx), never anything else.

Files are parsed as uploads are, in the reader child process: an unexpected exception inside a reader
becomes a 422 there, so these properties hold for the service even while a reader has a bug."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.archive import Archive
from index.edits import clean_edits, clean_string
from index.errors import FolioError
from index.ingest import safe_filename
from index.sandbox import extract_isolated as extract  # the path uploads take: a reader bug is a 422
from index.search import SearchRequest

PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# text that looks a little like articles, with hostile bits mixed in
article_text = st.lists(
    st.one_of(
        st.text(min_size=0, max_size=80),
        st.sampled_from(["By Ann Bee", "Published 2021-03-04", "<script>alert(1)</script>", "\x00", "\ufeff",
                         "Title: x", "---", "# Heading", "\r\n", "\u202e", "%PDF-1.4", "PK\x03\x04"]),
    ),
    max_size=12,
).map("\n".join)

file_names = st.one_of(
    st.sampled_from(["a.txt", "a.html", "a.md", "a.pdf", "a.eml", "a.docx", "a.zip", "noext", "../x.txt", ".hidden"]),
    st.text(max_size=300),
)


def check_record(doc) -> None:
    assert doc.id and len(doc.sha256) == 64
    assert doc.title.strip()
    assert "/" not in doc.filename and "\x00" not in doc.filename and len(doc.filename) <= 200
    assert not CONTROL.search(doc.title)
    for name in doc.authors:
        assert name.strip() and not CONTROL.search(name)
    assert doc.published is None or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", doc.published)


@PROFILE
@given(data=st.binary(max_size=4096), filename=file_names)
def test_extract_on_any_bytes_gives_a_record_or_a_folio_error(data, filename):
    try:
        doc = extract(data, filename)
    except FolioError as exc:
        assert 400 <= exc.status < 500 and exc.message
        return
    check_record(doc)


@PROFILE
@given(text=article_text, encoding=st.sampled_from(["utf-8", "utf-16", "latin-1", "cp1252"]),
       filename=st.sampled_from(["a.txt", "a.html", "a.md", "a"]))
def test_extract_on_article_like_text_gives_a_record_or_a_folio_error(text, encoding, filename):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    try:
        doc = extract(data, filename)
    except FolioError as exc:
        assert 400 <= exc.status < 500
        return
    check_record(doc)


@PROFILE
@given(name=st.text(max_size=2000))
def test_safe_filename_is_never_a_path(name):
    safe = safe_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert len(safe) <= 200 and not safe.startswith(".")


@PROFILE
@given(value=st.text(max_size=5000))
def test_clean_string_is_one_bounded_printable_line(value):
    out = clean_string(value)
    assert len(out) <= 2000 and not CONTROL.search(out) and "\n" not in out


@PROFILE
@given(changes=st.dictionaries(st.sampled_from(["title", "authors", "published", "publication", "tags",
                                                "summary", "url", "language", "other"]),
                               st.one_of(st.none(), st.text(max_size=300), st.lists(st.text(max_size=50), max_size=5),
                                         st.integers(), st.booleans()),
                               max_size=6))
def test_clean_edits_accepts_or_refuses_clearly(changes):
    try:
        out = clean_edits(changes)
    except FolioError as exc:
        assert exc.status == 422
        return
    assert set(out) <= set(changes) - {"other"}


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("props") / "data"
    with Archive(root) as archive:
        for i, (title, author) in enumerate([("Harbour Pilots", "Ann Bee"), ("River Bridges", "Tom Reed"),
                                             ("Storm Warning", "Lea Roux"), ("Cargo and Tides", "Ann Bee")]):
            archive.add(f"{title}\n\nBy {author}\n\nPublished 2021-0{i + 1}-0{i + 1}\n\n"
                        f"Article {i} about {title.lower()}, the harbour, and the pilots.".encode(), f"a{i}.txt")
        yield archive


query_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(['harbour', 'pilots', '"', '(', ')', 'AND', 'OR', 'NOT', '*', '?', '~', '^2',
                              'title:', 'author:"Ann', '[', ']', 'TO', '{', '}', '-', '+', ':', '\\', 'tide*']),
             max_size=30).map(" ".join),
)


@PROFILE
@given(q=query_text, sort=st.sampled_from(["relevance", "newest", "oldest"]), page=st.integers(1, 5),
       author=st.one_of(st.none(), st.text(max_size=30)))
def test_any_query_gives_a_result_or_a_folio_error(small_archive, q, sort, page, author):
    req = SearchRequest(q=q, sort=sort, page=page, filters={"author": [author]} if author else {})
    try:
        result = small_archive.search(req)
    except FolioError as exc:
        assert 400 <= exc.status < 500
        return
    assert result.total >= len(result.hits) >= 0
    ids = [h.id for h in result.hits]
    assert len(ids) == len(set(ids))
    for hit in result.hits:
        assert "<script" not in hit.title_html and "<script" not in hit.snippet
        stripped = re.sub(r"</?mark>", "", hit.snippet)
        assert "<" not in stripped, hit.snippet
