"""Web pages: main text without boilerplate, metadata from what the publisher declared."""

from pathlib import Path

import pytest

from index.ingest import extract
from index.ingest.html import strip_site_suffix

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "html"


def load(name):
    return extract((SAMPLES / name).read_bytes(), name)


@pytest.fixture(scope="module")
def news():
    return load("news_jsonld.html")


def test_json_ld_article_gives_the_metadata(news):
    assert news.title == "Harbour towns bet on tidal power as fuel bills climb"
    assert news.authors == ["Siobhan O'Neill", "Tomás Ferreira"]
    assert news.published == "2023-03-14"
    assert news.updated == "2023-03-15"
    assert news.publication == "The Coastal Ledger"
    assert news.url == "https://coastal-ledger.example/energy/2023/03/14/harbour-towns-tidal-power"
    assert news.language == "en"
    assert news.tags == ["energy", "tidal power", "fishing"]
    assert news.content_type == "text/html"


def test_boilerplate_is_left_out(news):
    assert "tidal turbine array" in news.text
    for boilerplate in ("We use cookies", "Related stories", "All rights reserved", "Subscribe"):
        assert boilerplate not in news.text
    assert news.sections == ["A channel with a strong pull", "Who pays"]


def test_opengraph_only():
    doc = load("opengraph_only.html")
    assert doc.title == "Night trains return to the Alps"
    assert doc.authors == ["Greta Lindqvist"]
    assert (doc.published, doc.updated) == ("2022-11-08", "2022-11-09")
    assert doc.publication == "Rail Notes"
    assert doc.url == "https://railnotes.example/2022/11/night-trains-alps/"
    assert doc.tags == ["night trains"]
    assert "Popular posts" not in doc.text


def test_no_metadata_falls_back_to_what_is_visible():
    doc = load("no_metadata.html")
    assert doc.title == "The allotment that feeds a school"
    assert doc.authors == ["Maria Lopez"]
    assert doc.published == "2021-03-03"
    assert doc.publication is None
    assert doc.language == "en"


def test_dublin_core_with_catalogue_name_and_partial_date():
    doc = load("dublin_core.html")
    assert doc.authors == ["Andrew King"]  # "KING, ANDREW"
    assert doc.published == "2019-05"  # a month stays a month: no invented day
    assert doc.publication == "Library Quarterly Review"


def test_misdeclared_charset_is_decoded_correctly():
    doc = load("misdeclared_charset.html")
    assert doc.title == "Le café du port rouvre ses portes"
    assert doc.authors == ["Élodie Marchand"]
    assert "Après trois mois de fermeture" in doc.text
    assert "\ufffd" not in doc.text
    assert doc.language == "fr"


def test_documentation_page_keeps_the_content_and_drops_the_navigation():
    doc = load("python_docs_control_flow.html")
    assert doc.title == "4. More Control Flow Tools"
    assert doc.publication == "Python documentation"
    assert doc.url == "https://docs.python.org/3/tutorial/controlflow.html"
    assert "Perhaps the most well-known statement type" in doc.text
    assert "Quick search" not in doc.text and "Report a Bug" not in doc.text
    assert "¶" not in doc.text
    assert doc.sections == ["4.1. if Statements", "4.2. for Statements", "4.3. The range() Function"]
    assert doc.authors == []


def test_real_saved_documentation_page():
    doc = load("rustdoc_book_page.html")
    assert doc.title == "What is rustdoc?"  # "- The rustdoc book" removed
    assert "Basic usage" in doc.sections
    assert "The standard Rust distribution ships with a tool called rustdoc" in " ".join(doc.text.split())


def test_utf8_page_declaring_latin1_is_read_as_utf8():
    page = ('<html><head><meta charset="iso-8859-1"><title>Ça déménage</title></head><body>'
            "<p>" + "Un article en français sur le déménagement des bureaux de la rédaction. " * 5 + "</p>"
            "</body></html>").encode("utf-8")
    doc = extract(page, "page.html")
    assert doc.title == "Ça déménage"
    assert "français" in doc.text


@pytest.mark.parametrize("title, site, expected", [
    ("Harbour towns bet on tidal power | The Coastal Ledger", "The Coastal Ledger", "Harbour towns bet on tidal power"),
    ("The Coastal Ledger | Harbour towns bet on tidal power", "The Coastal Ledger", "Harbour towns bet on tidal power"),
    ("What is rustdoc? - The rustdoc book", None, "What is rustdoc?"),
    ("Rock - Paper - Scissors", None, "Rock - Paper - Scissors"),
])
def test_site_suffix(title, site, expected):
    assert strip_site_suffix(title, site) == expected
