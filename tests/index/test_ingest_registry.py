"""The registry picks the reader from the bytes first and the file name second."""

from pathlib import Path

import pytest

from index.errors import Unreadable, UnsupportedType
from index.ingest import DOCX, ZIP, extract, sniff

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.mark.parametrize("name, content_type", [
    ("html/news_jsonld.html", "text/html"),
    ("html/no_metadata.html", "text/html"),
    ("pdf/report_with_metadata.pdf", "application/pdf"),
    ("markdown/front_matter_yaml.md", "text/markdown"),
    ("markdown/front_matter_toml.md", "text/markdown"),
    ("email/newsletter_multipart.eml", "message/rfc822"),
    ("docx/coop_article.docx", DOCX),
    ("zip/articles.zip", ZIP),
    ("text/byline_by.txt", "text/plain"),
])
def test_content_decides_even_under_a_wrong_name(name, content_type):
    data = sample(name)
    assert sniff(data, name.split("/")[-1]) == content_type
    assert sniff(data, "saved-without-a-clue.txt") == content_type or content_type == "text/plain"


def test_markdown_without_front_matter_needs_its_extension():
    data = sample("markdown/plain_notes.markdown")
    assert sniff(data, "plain_notes.markdown") == "text/markdown"
    assert sniff(data, "plain_notes.txt") == "text/plain"


def test_html_named_pdf_is_read_as_html():
    doc = extract(sample("broken/html_named_pdf.pdf"), "html_named_pdf.pdf")
    assert doc.content_type == "text/html"
    assert "404" in doc.text


def test_an_email_is_recognised_by_its_headers_not_its_name():
    doc = extract(sample("email/personal_note.eml"), "note.txt")
    assert doc.content_type == "message/rfc822"
    assert doc.title == "Notes from the library board meeting"


def test_a_text_that_starts_with_a_colon_line_is_not_an_email():
    data = b"Title: Gardens in winter\n\nThe garden sleeps, but the gardener does not. " * 3
    assert sniff(data, "notes.txt") == "text/plain"


@pytest.mark.parametrize("name, status, words", [
    ("broken/empty.txt", 422, "empty"),
    ("broken/whitespace_only.html", 422, "empty"),
    ("broken/binary_named.txt", 415, "binary"),
    ("broken/spreadsheet.xlsx", 415, "spreadsheet"),
    ("broken/truncated.pdf", 422, "incomplete"),
    ("pdf/encrypted_with_password.pdf", 422, "password"),
])
def test_bad_files_get_a_clear_error(name, status, words):
    with pytest.raises((Unreadable, UnsupportedType)) as caught:
        extract(sample(name), name.split("/")[-1])
    assert caught.value.status == status
    assert words in caught.value.message
    assert name.split("/")[-1] in caught.value.message


def test_a_zip_is_not_one_article():
    with pytest.raises(UnsupportedType) as caught:
        extract(sample("zip/articles.zip"), "articles.zip")
    assert "ZIP archive" in caught.value.message


def test_unknown_extension_with_text_is_refused_with_the_list_of_formats():
    with pytest.raises(UnsupportedType) as caught:
        extract(b"print('hello world, this is code')\n", "script.py")
    assert "'.py'" in caught.value.message and "PDF" in caught.value.message


def test_a_pdf_name_on_text_bytes_is_not_accepted_as_a_pdf():
    with pytest.raises(Unreadable) as caught:
        extract(b"just a few words that are not a PDF at all", "report.pdf")
    assert "not one" in caught.value.message


def test_a_damaged_zip_is_unreadable():
    with pytest.raises(Unreadable):
        extract(b"PK\x03\x04" + b"\x00" * 200, "broken.docx")

