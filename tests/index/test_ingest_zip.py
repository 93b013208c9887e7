"""ZIP archives: every member read on its own; bombs and path tricks refused before anything is read."""

import io
import zipfile
from pathlib import Path

import pytest

from index.errors import TooLarge, Unreadable
from index.ingest import extract, extract_many
from index.ingest import archive_zip

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def make_zip(members: dict[str, bytes], **kwargs) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, **kwargs) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_each_member_becomes_the_record_it_would_be_alone():
    result = extract_many((SAMPLES / "zip/articles.zip").read_bytes(), "articles.zip")
    names = sorted(doc.filename for doc, _ in result.documents)
    assert names == ["front_matter_yaml.md", "news_jsonld.html", "report_with_metadata.pdf"]
    for doc, original in result.documents:
        alone = extract(original, doc.filename)
        assert (doc.id, doc.title, doc.authors) == (alone.id, alone.title, alone.authors)
    html = next(doc for doc, _ in result.documents if doc.filename == "news_jsonld.html")
    assert html.id == extract((SAMPLES / "html/news_jsonld.html").read_bytes(), "x.html").id


def test_bad_members_are_reported_and_litter_is_skipped():
    result = extract_many((SAMPLES / "zip/articles.zip").read_bytes(), "articles.zip")
    assert len(result.failures) == 1
    assert result.failures[0].startswith("articles.zip: articles/broken.txt looks like a binary file")
    assert not any("__MACOSX" in f or "DS_Store" in f for f in result.failures)


def test_path_tricks_refuse_the_whole_archive():
    with pytest.raises(Unreadable) as caught:
        extract_many((SAMPLES / "zip/zip_slip.zip").read_bytes(), "zip_slip.zip")
    assert "points outside the archive" in caught.value.message


@pytest.mark.parametrize("member", ["/etc/passwd.txt", "C:/Windows/evil.txt", "a/../../b.txt", "..\\up.txt"])
def test_absolute_and_parent_paths(member):
    data = make_zip({member: b"Some words of text that would be an article if it were allowed in."})
    with pytest.raises(Unreadable):
        extract_many(data, "trick.zip")


def test_symbolic_link_member_is_refused():
    info = zipfile.ZipInfo("link.txt")
    info.external_attr = (0o120777 << 16)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(Unreadable) as caught:
        extract_many(buf.getvalue(), "links.zip")
    assert "symbolic link" in caught.value.message


def test_zip_bomb_is_refused_as_too_large():
    data = (SAMPLES / "zip/zip_bomb.zip").read_bytes()
    assert len(data) < 100_000
    with pytest.raises(TooLarge) as caught:
        extract_many(data, "zip_bomb.zip")
    assert caught.value.status == 413
    assert "zip bomb" in caught.value.message


def test_total_size_limit(monkeypatch):
    monkeypatch.setattr(archive_zip, "MAX_TOTAL_BYTES", 1000)
    text = (SAMPLES / "text/byline_by.txt").read_bytes()
    data = make_zip({"a.txt": text, "b.txt": text + b"\nAnother paragraph."})
    with pytest.raises(TooLarge):
        extract_many(data, "big.zip")


def test_too_many_members(monkeypatch):
    monkeypatch.setattr(archive_zip, "MAX_MEMBERS", 3)
    data = make_zip({f"{i}.txt": b"words " * 20 for i in range(5)})
    with pytest.raises(TooLarge):
        extract_many(data, "many.zip")


def test_nested_zip_is_a_member_failure():
    inner = make_zip({"a.txt": (SAMPLES / "text/byline_by.txt").read_bytes()})
    data = make_zip({"inner.zip": inner, "b.txt": (SAMPLES / "text/posted_on.txt").read_bytes()})
    result = extract_many(data, "outer.zip")
    assert [doc.filename for doc, _ in result.documents] == ["b.txt"]
    assert "inside a ZIP archive" in result.failures[0]


def test_nothing_readable_is_unreadable():
    data = make_zip({"a.bin": b"\x00\x01\x02" * 50})
    with pytest.raises(Unreadable) as caught:
        extract_many(data, "junk.zip")
    assert "Nothing in junk.zip could be read" in caught.value.message


def test_empty_archive():
    with pytest.raises(Unreadable) as caught:
        extract_many(make_zip({}), "empty.zip")
    assert "empty ZIP" in caught.value.message


def test_extract_many_on_a_single_file():
    data = (SAMPLES / "text/byline_by.txt").read_bytes()
    result = extract_many(data, "byline_by.txt")
    assert len(result.documents) == 1 and result.failures == []
