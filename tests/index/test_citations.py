"""Citations in each format carry the archive link, the content hash and the capture date."""

import csv
import io
import json
import re

import pytest

from index.citations import FORMATS, check_format, render, split_name
from index.document import Document
from index.errors import BadRequest

BASE = "https://folio.example.org/"

DOC = Document(
    id="0123456789abcdef", title="Cuba’s Response: 100% {Solidarity} & Care_", authors=["Andrew J. King", "Lee, Ann"],
    published="2020-04-30", updated="2020-05-02", publication="Liberation Road",
    original_publication="Massachusetts Peace Action", language="en", tags=["cuba", "health"],
    summary="Cuba sent doctors.", sha256="ab" * 32, ingested_at="2026-11-25T10:00:00+00:00",
    url="https://example.org/cuba",
)
FORMULA = Document(id="fedcba9876543210", title="=HYPERLINK(\"http://evil\")", sha256="cd" * 32,
                   ingested_at="2026-11-25T11:00:00+00:00")


CAPTURED = {"bibtex": "urldate = {2026-11-25}", "ris": "Y2  - 2026/11/25", "csl-json": "2026-11-25T10:00:00+00:00",
            "csv": "2026-11-25T10:00:00+00:00", "jsonl": "2026-11-25T10:00:00+00:00"}


def test_every_format_carries_link_hash_and_capture_date():
    for fmt in FORMATS:
        text = render(fmt, [DOC], BASE)
        assert "https://folio.example.org/documents/0123456789abcdef" in text, fmt
        assert "ab" * 32 in text, fmt
        assert CAPTURED[fmt] in text, fmt


def test_bibtex_escapes_specials_and_lists_authors_family_first():
    text = render("bibtex", [DOC], BASE)
    assert text.startswith("@article{folio_0123456789abcdef,")
    assert r"100\% \{Solidarity\} \& Care\_" in text
    assert "author = {King, Andrew J. and Lee, Ann}" in text
    assert "date = {2020-04-30}" in text and "urldate = {2026-11-25}" in text
    assert text.count("{") - text.count(r"\{") == text.count("}") - text.count(r"\}")


def test_ris_lines_are_well_formed():
    text = render("ris", [DOC, FORMULA], BASE)
    lines = text.split("\r\n")[:-1]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  -( .*)?", line) for line in lines)
    assert lines[0] == "TY  - NEWS" and lines.count("ER  -") == 2
    assert "AU  - King, Andrew J." in lines and "DA  - 2020/04/30" in lines and "Y2  - 2026/11/25" in lines


def test_csl_json_items():
    items = json.loads(render("csl-json", [DOC], BASE))
    item = items[0]
    assert item["type"] == "article-newspaper" and item["container-title"] == "Liberation Road"
    assert item["author"][0] == {"family": "King", "given": "Andrew J."}
    assert item["issued"] == {"date-parts": [[2020, 4, 30]]}
    assert item["accessed"] == {"date-parts": [[2026, 11, 25]]}
    assert item["custom"]["sha256"] == "ab" * 32
    assert item["archive_location"] == "https://folio.example.org/documents/0123456789abcdef"


def test_csv_round_trips_and_neutralises_formulas():
    rows = list(csv.DictReader(io.StringIO(render("csv", [DOC, FORMULA], BASE))))
    assert rows[0]["authors"] == "Andrew J. King; Lee, Ann"
    assert rows[0]["captured"] == "2026-11-25T10:00:00+00:00" and rows[0]["sha256"] == "ab" * 32
    assert rows[1]["title"].startswith("'=")


def test_jsonl_one_object_per_document():
    lines = render("jsonl", [DOC, FORMULA], BASE).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [DOC.id, FORMULA.id]


def test_unknown_format_is_refused():
    with pytest.raises(BadRequest, match="bibtex"):
        check_format("docx")


def test_split_name_both_orders():
    assert split_name("KING, Andrew") == ("KING", "Andrew")
    assert split_name("Andrew J. King") == ("King", "Andrew J.")
    assert split_name("Plato") == ("Plato", "")
