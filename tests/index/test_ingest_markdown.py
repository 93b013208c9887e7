"""Markdown with YAML or TOML front matter; body text without markup."""

from pathlib import Path

import pytest

from index.errors import Unreadable
from index.ingest import extract
from index.ingest.markdown import strip_markup

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "markdown"


def load(name):
    return extract((SAMPLES / name).read_bytes(), name)


def test_yaml_front_matter():
    doc = load("front_matter_yaml.md")
    assert doc.title == "Why we still print the parish newsletter"
    assert doc.authors == ["Andrew King"]  # "KING, ANDREW"
    assert doc.published == "2021-07-04"
    assert doc.publication == "Saint Anne's Parish News"
    assert doc.url == "https://example.org/parish/why-we-print"
    assert doc.tags == ["community", "print", "newsletters"]
    assert doc.sections == ["Who reads it"]
    assert doc.content_type == "text/markdown"


def test_body_has_no_markup_and_no_repeated_title():
    doc = load("front_matter_yaml.md")
    assert not doc.text.startswith("Why we still print")
    for markup in ("**", "](", "## ", "```", "> A newsletter", "- It costs"):
        assert markup not in doc.text
    assert "three hundred copies" in doc.text
    assert "See our archive for past issues" in doc.text
    assert "copies = 300" in doc.text  # code keeps its content
    assert "\n\nWho reads it\n\n" in doc.text


def test_toml_front_matter_with_a_partial_date():
    doc = load("front_matter_toml.md")
    assert doc.title == "Notes on mending a dry-stone wall"
    assert doc.authors == ["Gwen Roberts", "Idris Pugh"]
    assert doc.published == "2018-09"
    assert doc.sections == ["Sorting the stone", "Building up"]


def test_no_front_matter_uses_heading_and_byline():
    doc = load("plain_notes.markdown")
    assert doc.title == "Seed swap at the village hall"
    assert doc.authors == ["Dora Fairweather"]
    assert doc.published == "2024-04-12"


def test_broken_front_matter_is_a_clear_error():
    data = b"---\ntitle: [unclosed\n---\n\nSome text that is long enough to be an article body.\n"
    with pytest.raises(Unreadable) as caught:
        extract(data, "broken.md")
    assert "front matter" in caught.value.message
    assert caught.value.__cause__ is not None


def test_front_matter_only_is_refused():
    with pytest.raises(Unreadable):
        extract(b"---\ntitle: Nothing here\n---\n", "empty.md")


@pytest.mark.parametrize("source, text", [
    ("Some *emphasis* and __strong__ words", "Some emphasis and strong words"),
    ("![a chart](chart.png) and [a link](https://x.org)", "a chart and a link"),
    ("snake_case_name stays", "snake_case_name stays"),
    ("1. first\n2. second", "first\nsecond"),
    ("Title\n=====\n\nBody", "Title\n\nBody"),
])
def test_strip_markup(source, text):
    assert strip_markup(source) == text
