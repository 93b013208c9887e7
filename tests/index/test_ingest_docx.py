"""Word documents: text in order, core properties, title and byline paragraphs as fallbacks."""

from pathlib import Path

import pytest

from index.errors import Unreadable
from index.ingest import extract

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "docx"


def load(name):
    return extract((SAMPLES / name).read_bytes(), name)


def test_core_properties():
    doc = load("coop_article.docx")
    assert doc.title == "Community Energy Co-operatives"
    assert doc.authors == ["Peter Nowak"]
    assert doc.published == "2022-05-04"
    assert doc.sections == ["Financing the scheme"]
    assert doc.content_type.endswith("wordprocessingml.document")


def test_paragraphs_and_tables_in_order():
    doc = load("coop_article.docx")
    assert doc.text.index("Small harbours") < doc.text.index("Financing the scheme") < doc.text.index("Port Avon | 8")


def test_empty_properties_fall_back_to_the_title_paragraph():
    doc = load("no_core_title.docx")
    assert doc.title == "Letters from the Orchard"
    assert doc.authors == []  # "python-docx" is a program, not a person
    assert doc.published is None  # the template's creation date is not this document's


def test_a_zip_with_a_broken_document_part_is_unreadable():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document>not closed")
    with pytest.raises(Unreadable) as caught:
        extract(buf.getvalue(), "broken.docx")
    assert "damaged Word document" in caught.value.message
