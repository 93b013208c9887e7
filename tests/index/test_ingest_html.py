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


BODY = "<p>" + "The council met on a wet evening to discuss the future of the town's harbour wall. " * 6 + "</p>"


def page(head: str, body: str) -> bytes:
    return f"<!doctype html><html lang='en'><head>{head}</head><body>{body}</body></html>".encode()


def test_organisation_as_json_ld_author_is_not_a_person():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour wall vote", '
          '"author": {"@type": "Organization", "name": "Harbour News Desk"}}</script>'
          '<meta name="author" content="Jo Baxter">')
    doc = extract(page(ld, f"<article><h1>Harbour wall vote</h1>{BODY}</article>"), "p.html")
    assert doc.authors == ["Jo Baxter"]


def test_comment_authors_and_sidebar_dates_are_not_the_articles():
    body = (f"<article><h1>Harbour wall vote</h1><p class='byline'>By Jo Baxter</p>{BODY}"
            "<p><time datetime='2021-06-02'>2 June 2021</time></p></article>"
            "<section id='comments'><div class='comment'><span class='comment-author'>Sam Reed</span>"
            "<time datetime='2021-06-09'>9 June</time><p>Great article, thanks for writing it up.</p></div></section>")
    head = "<title>Harbour wall vote</title>"
    doc = extract(page(head, "<aside><time datetime='2020-01-01'>1 Jan 2020</time></aside>" + body), "p.html")
    assert doc.authors == ["Jo Baxter"]
    assert doc.published == "2021-06-02"


def test_broken_json_ld_does_not_lose_the_other_sources():
    head = ('<script type="application/ld+json">{"@type": "Article", "headline": </script>'
            '<meta property="og:title" content="Harbour wall vote">'
            '<meta property="article:published_time" content="2021-06-02T10:00:00Z">')
    doc = extract(page(head, BODY), "p.html")
    assert doc.title == "Harbour wall vote"
    assert doc.published == "2021-06-02"


def test_url_author_meta_is_ignored():
    head = ('<meta property="article:author" content="https://www.facebook.com/someone">'
            '<meta name="author" content="Lena Fischer">')
    doc = extract(page(head, BODY), "p.html")
    assert doc.authors == ["Lena Fischer"]


def test_json_ld_references_are_followed():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
          '{"@type": "WebPage", "@id": "https://x.example/p#webpage", "name": "Harbour wall vote - Harbour Gazette",'
          ' "datePublished": "2021-06-01"},'
          '{"@type": "Article", "@id": "https://x.example/p#article", "headline": "Harbour wall vote",'
          ' "datePublished": "2021-06-02T08:00:00+00:00", "author": {"@id": "https://x.example/#/person/1"},'
          ' "publisher": {"@id": "https://x.example/#org"}},'
          '{"@type": "Person", "@id": "https://x.example/#/person/1", "name": "Jo Baxter"},'
          '{"@type": "Organization", "@id": "https://x.example/#org", "name": "Harbour Gazette"}]}</script>')
    doc = extract(page(ld, BODY), "p.html")
    assert doc.title == "Harbour wall vote"
    assert doc.authors == ["Jo Baxter"]
    assert doc.published == "2021-06-02"  # the Article's date, not the WebPage's
    assert doc.publication == "Harbour Gazette"


def test_a_year_guessed_by_trafilatura_stays_a_year():
    from index.ingest.html import guessed_date

    assert guessed_date("2018-01-01") == "2018"
    assert guessed_date("2018-03-01") == "2018-03-01"
    assert guessed_date(None) is None


def test_site_name_beside_the_headline_in_the_title():
    doc = extract(page("<title>Control Flow - The Rust Programming Language</title>", BODY), "p.html")
    assert doc.title == "Control Flow"
    assert doc.publication == "The Rust Programming Language"


def test_no_site_name_guessed_when_the_title_is_not_headline_plus_site():
    doc = extract(page("<title>thread.rs - source</title>", BODY), "p.html")
    assert doc.title == "thread.rs - source"
    assert doc.publication is None


@pytest.mark.parametrize("name, title, authors, published, publication", [
    ("wordpress_yoast.html", "Why our allotment switched to no-dig beds", ["Priya Raman"], "2019-08-14",
     "Muddy Boots Blog"),
    ("substack_like.html", "The quiet economics of the corner shop", ["Marcus Webb"], "2023-10-02", "The High Street"),
    ("medium_like.html", "Learning to read a tide table", ["Dana Kowalski"], "2021-04-19", "Medium"),
    ("local_news_visible_only.html", "Ferry timetable cut leaves islanders stranded", ["Samuel Okafor", "Lina Hassan"],
     "2022-06-07", "Island Courier"),
])
def test_common_publishing_platforms(name, title, authors, published, publication):
    doc = load(name)
    assert (doc.title, doc.authors, doc.published, doc.publication) == (title, authors, published, publication)


def test_wordpress_comments_are_not_sections_or_authors():
    doc = load("wordpress_yoast.html")
    assert doc.sections == ["What we use", "What went wrong"]
    assert "Tom Hughes" not in doc.authors
    assert doc.updated == "2020-02-03"


def test_a_tiny_page_still_gives_its_text():
    doc = extract(b"<html><body><h1>Gate code</h1><p>The new gate code is on the notice board.</p></body></html>",
                  "note.html")
    assert "notice board" in doc.text
    assert doc.title == "Gate code"
