"""Plain text as pasted from real sites: labelled dates, affiliations, bylines in other languages."""

import pytest

from index.ingest import extract
from index.ingest.normalize import clean_author, split_authors

BODY = ("\n\nThe council met on a wet evening to discuss the future of the town's harbour wall, which has "
        "been crumbling for years and now needs urgent repair before the winter storms arrive.\n\n"
        "More text follows here about the plans and the costs involved in the repair work.\n")


def read(head: str):
    return extract((head + BODY).encode("utf-8"), "pasted.txt")


def test_name_over_a_labelled_update_date():
    doc = read("Harbour wall vote delayed\n\nJo Baxter\nUpdated: March 5, 2021 at 10:32 a.m. ET")
    assert doc.title == "Harbour wall vote delayed"
    assert doc.authors == ["Jo Baxter"]
    assert doc.updated == "2021-03-05"


def test_published_and_updated_on_one_line():
    doc = read("Harbour wall vote delayed\n\nBy Jo Baxter\nPublished 3 March 2021 | Updated 5 March 2021")
    assert (doc.published, doc.updated) == ("2021-03-03", "2021-03-05")


@pytest.mark.parametrize("byline, date_line, authors, published", [
    ("Von Jana Becker", "5. März 2021", ["Jana Becker"], "2021-03-05"),
    ("Por María García", "5 de marzo de 2021", ["María García"], "2021-03-05"),
    ("Par Élodie Martin", "le 5 mars 2021", ["Élodie Martin"], "2021-03-05"),
    ("By JO BAXTER", "Mar. 5, 2021", ["Jo Baxter"], "2021-03-05"),
    ("By Jo Baxter, Sam Reed and Lena Fischer", "2021-03-05T10:00:00Z", ["Jo Baxter", "Sam Reed", "Lena Fischer"],
     "2021-03-05"),
    ("By Jo Baxter (jo@gazette.example), Harbour Gazette", "March 2021", ["Jo Baxter"], "2021-03"),
])
def test_bylines_and_dates(byline, date_line, authors, published):
    doc = read(f"Harbour wall vote delayed\n\n{byline}\n{date_line}")
    assert doc.authors == authors
    assert doc.published == published


@pytest.mark.parametrize("raw, names", [
    ("Jo Baxter, Harbour Gazette", ["Jo Baxter"]),
    ("Jo Baxter, University of Leeds", ["Jo Baxter"]),
    ("Emily Post", ["Emily Post"]),
    ("News Desk", []),
    ("Carter, Helen; Patel, Raj", ["Helen Carter", "Raj Patel"]),
    ("Carter, Helen M. and Patel, Raj", ["Helen M. Carter", "Raj Patel"]),
    ("Jo Baxter, Sam Reed", ["Jo Baxter", "Sam Reed"]),
])
def test_affiliations_are_not_authors(raw, names):
    assert split_authors(raw) == names


def test_organisation_alone_is_not_a_name():
    assert clean_author("Harbour Gazette") is None
    assert clean_author("Harbour Gazette Staff") is None
