"""Plain-text articles through the registry, from real files."""

import os
from pathlib import Path

import pytest

from index.errors import Unreadable, UnsupportedType
from index.ingest import extract
from index.ingest import text as text_reader

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "samples" / "text"
SEED = ROOT / "seeds" / "000_c0481cc1853d43d3.txt"


def load(name):
    path = SAMPLES / name
    return extract(path.read_bytes(), path.name)


# --- the seed article ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed():
    return extract(SEED.read_bytes(), SEED.name)


def test_seed_title(seed):
    assert seed.title == "Cuba’s Internationalist Response to COVID-19"


def test_seed_authors(seed):
    assert seed.authors == ["Andrew King"]


def test_seed_publication(seed):
    assert seed.publication == "Liberation Road"


def test_seed_original_publication(seed):
    assert seed.original_publication == "Massachusetts Peace Action"


def test_seed_published(seed):
    assert seed.published == "2020-04-30"
    assert seed.updated is None


def test_seed_language(seed):
    assert seed.language == "en"


def test_seed_sections(seed):
    assert "Medical Internationalism" in seed.sections
    assert "Structural Inequality Reaps Deadly Results" in seed.sections
    assert "To sign a petition, go to:" not in seed.sections


def test_seed_common_fields(seed):
    assert seed.content_type == "text/plain"
    assert seed.filename == SEED.name
    assert len(seed.id) == 16 and seed.sha256.startswith(seed.id)
    assert seed.word_count > 1000


def test_seed_text_keeps_bio_and_drops_title_line(seed):
    assert "Andrew King is a lecturer at Suffolk University" in seed.text
    assert seed.text.startswith("This article was originally written by Andrew King")
    assert "Cuba’s Internationalist Response to COVID-19" not in seed.text
    assert "\n\n\n" not in seed.text


def test_seed_summary_starts_with_prose(seed):
    assert seed.summary.startswith("As the coronavirus has spread across the globe")


# --- layouts -------------------------------------------------------------------------------------


def test_byline_by():
    doc = load("byline_by.txt")
    assert doc.title == "How a Small Town Rebuilt Its Library After the Flood"
    assert doc.authors == ["Jane Doe"]
    assert doc.published == "2021-05-03"
    assert doc.publication is None
    assert doc.sections == ["The Volunteers", "Lessons for Other Towns"]


def test_pipe_date():
    doc = load("pipe_date.txt")
    assert doc.title == "Why Night Trains Are Coming Back to Europe"
    assert doc.authors == ["Maria de la Cruz"]
    assert doc.published == "2019-03-14"
    assert doc.sections == ["The Economics of Sleeping Cars"]


def test_author_colon_with_published_and_updated():
    doc = load("author_colon.txt")
    assert doc.title == "The Hidden Cost of Free Shipping"
    assert doc.authors == ["Priya Natarajan", "Tom O'Brien"]
    assert doc.published == "2018-11-02"
    assert doc.updated == "2018-11-05"
    assert doc.sections == ["Who Pays"]


def test_posted_on_with_site_line():
    doc = load("posted_on.txt")
    assert doc.publication == "Riverside Notes"
    assert doc.title == "Ten Years of Counting Birds in the Same Marsh"
    assert doc.authors == ["Samuel Okafor"]
    assert doc.published == "2017-06-07"
    assert doc.sections == ["What the Numbers Show"]
    assert not doc.text.startswith("Riverside Notes")


def test_multi_author():
    doc = load("multi_author.txt")
    assert doc.title == "Mapping the Heat Islands of a Growing City"
    assert doc.authors == ["Ana Lima", "Kenji Watanabe", "Rachel McAdams"]
    assert doc.published == "2022-09-21"
    assert doc.sections == ["Trees and Asphalt"]


def test_dateline_is_not_an_author():
    doc = load("dateline_ap.txt")
    assert doc.title == "Senate Passes Stopgap Bill to Avert Shutdown"
    assert doc.authors == []
    assert doc.published is None
    assert doc.sections == []
    assert doc.text.startswith("WASHINGTON (AP) —")


def test_originally_published_in_footer():
    doc = load("originally_published.txt")
    assert doc.publication == "The Commons Review"
    assert doc.title == "What Cooperative Grocery Stores Teach Us About Ownership"
    assert doc.authors == ["Daniel Reyes"]
    assert doc.original_publication == "The Harbor Review"
    assert doc.published == "2016-02-12"


def test_first_appeared_and_bio_supplies_author():
    doc = load("first_appeared_bio.txt")
    assert doc.title == "The Quiet Return of the Public Bathhouse"
    assert doc.authors == ["Helen Marsh"]
    assert doc.original_publication == "Urban Commons Quarterly"
    assert doc.publication is None
    assert doc.published is None


def test_name_above_date():
    doc = load("name_over_date.txt")
    assert doc.title == "Learning to Repair Instead of Replace"
    assert doc.authors == ["Oliver Brennan"]
    assert doc.published == "2023-10-05"
    assert doc.publication is None


def test_no_metadata():
    doc = load("no_metadata.txt")
    assert doc.title == "A Beginner's Guide to Sourdough"
    assert doc.authors == []
    assert doc.published is None
    assert doc.publication is None
    assert doc.sections == ["Starting a Starter", "Baking the First Loaf"]
    assert doc.language == "en"


def test_french_article():
    doc = load("french.txt")
    assert doc.title == "La rénovation des écoles rurales prend du retard"
    assert doc.authors == ["Élodie Martin"]
    assert doc.published == "2020-04-30"
    assert doc.language == "fr"
    assert doc.sections == ["Un chantier coûteux"]


def test_latin1_spanish_article():
    raw = (SAMPLES / "latin1_spanish.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    doc = load("latin1_spanish.txt")
    assert doc.title == "El regreso de los mercados de barrio"
    assert doc.authors == ["Javier Muñoz"]
    assert doc.published == "2020-04-30"
    assert doc.language == "es"
    assert doc.sections == ["Una nueva vida"]
    assert "Durante años" in doc.text


def test_utf16_file_through_the_reader():
    # The registry's binary sniffing refuses UTF-16 (its NUL bytes count as control characters),
    # so the reader is called directly here.
    data = (SAMPLES / "byline_by.txt").read_text(encoding="utf-8").encode("utf-16")
    doc = text_reader.read(data, "byline_by.txt")
    assert doc.title == "How a Small Town Rebuilt Its Library After the Flood"
    assert doc.authors == ["Jane Doe"]


def test_every_sample_has_a_title_and_language():
    for name in sorted(os.listdir(SAMPLES)):
        doc = load(name)
        assert doc.title, name
        assert doc.language, name
        assert doc.text.strip(), name


# --- bad input -----------------------------------------------------------------------------------


def test_random_binary_is_refused():
    data = bytes((i * 151 + 7) % 256 for i in range(4096))
    with pytest.raises((Unreadable, UnsupportedType)):
        extract(data, "article.txt")


def test_high_bytes_without_an_encoding_are_refused():
    data = bytes((i * 37) % 128 + 128 for i in range(2048))
    with pytest.raises((Unreadable, UnsupportedType)):
        extract(data, "article.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\t \r\n  "])
def test_empty_or_whitespace_is_unreadable(data):
    with pytest.raises(Unreadable):
        extract(data, "empty.txt")


def test_bom_only_is_unreadable():
    with pytest.raises(Unreadable):
        extract(b"\xef\xbb\xbf \n", "bom.txt")


def test_markdown_title_with_standfirst_before_byline():
    doc = load("dek_markdown.txt")
    assert doc.title == "The Last Lighthouse Keepers"
    assert doc.authors == ["Tomás Ferreira"]
    assert doc.published == "2015-08-09"
    assert doc.sections == ["A Job That Outlived Its Purpose"]
    assert doc.summary.startswith("On a rock two miles from shore")


def test_by_at_the_start_of_a_sentence_is_not_a_byline():
    data = (
        "A Short Note on Timing\n\n"
        "By 2020, when the virus appeared, most of the doctors had already left.\n\n"
        "The rest of the story is told here in a few more sentences of ordinary prose."
    ).encode()
    doc = extract(data, "note.txt")
    assert doc.title == "A Short Note on Timing"
    assert doc.authors == []
