"""PDFs: reading order, running heads dropped, metadata with junk detection, encryption, scans."""

from pathlib import Path

import pytest

from index.errors import Unreadable
from index.ingest import extract
from index.ingest.pdf import pdf_date, usable_title

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def load(name):
    path = SAMPLES / name
    return extract(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def report():
    return load("pdf/report_with_metadata.pdf")


def test_info_dictionary_metadata(report):
    assert report.title == "Tidal Energy and Small Harbours"
    assert report.authors == ["Helen Carter", "Raj Patel"]
    assert report.published == "2021-09-15"
    assert report.pages == 3
    assert report.content_type == "application/pdf"
    assert report.needs_ocr is False


def test_running_header_and_page_numbers_are_dropped(report):
    assert "Coastal Energy Review" not in report.text
    assert "Page 1 of 3" not in report.text and "Page 3 of 3" not in report.text


def test_hyphenated_line_breaks_are_joined(report):
    assert "energy infrastructure they share" in report.text
    assert "infra-" not in report.text


def test_lines_are_joined_into_paragraphs_in_reading_order(report):
    paragraphs = report.text.split("\n\n")
    assert any(p.startswith("Small harbours along the western coast") and p.endswith("chose the first path.")
               for p in paragraphs)
    assert report.text.index("Part 2, section 1.") < report.text.index("Part 3, section 1.")


def test_junk_metadata_falls_back_to_the_first_page():
    doc = load("pdf/junk_title.pdf")
    assert doc.title == "Heat Pumps in Listed Buildings"  # not "Microsoft Word - draft3.docx"
    assert doc.authors == ["Helen Carter"]  # not "Administrator"; "By HELEN CARTER" cleaned
    assert doc.published == "2019-03"  # "March 2019" on the page: month kept, no day invented
    assert doc.pages == 2


def test_xmp_metadata_wins_over_the_page():
    doc = load("pdf/xmp_only.pdf")
    assert doc.title == "Winter Grazing on Upland Farms"
    assert doc.authors == ["Ingrid Solberg", "Kwame Mensah"]
    assert doc.published == "2020-02-17"
    assert doc.language == "en"


def test_real_debian_document_with_empty_metadata():
    doc = load("pdf/shared-mime-info-spec.pdf")
    assert doc.title == "Shared MIME-info Database"  # the largest line on page one
    assert doc.authors == ["Thomas Leonard"]  # not "X Desktop Group", not the e-mail line
    assert doc.published == "2022-04-29"
    assert doc.pages == 17
    assert doc.sections[:2] == ["1. Introduction", "1.1. Version"]  # not the title block or contact line
    # The running head repeats the title on every page; it is not left in the body text.
    assert doc.text.count("Shared MIME-info Database") < 5


def test_encrypted_with_an_empty_password_is_read():
    doc = load("pdf/encrypted_empty_password.pdf")
    assert doc.title == "Tidal Energy and Small Harbours"
    assert "energy infrastructure" in doc.text


def test_encrypted_with_a_password_is_refused_clearly():
    with pytest.raises(Unreadable) as caught:
        load("pdf/encrypted_with_password.pdf")
    assert caught.value.status == 422
    assert "password" in caught.value.message


def test_truncated_pdf_is_refused():
    with pytest.raises(Unreadable) as caught:
        load("broken/truncated.pdf")
    assert "incomplete" in caught.value.message


def test_damaged_pdf_keeps_the_cause():
    data = (SAMPLES / "pdf/report_with_metadata.pdf").read_bytes()
    broken = data[:9] + b"\x00garbage\x00" * 200 + b"\n%%EOF\n"
    with pytest.raises(Unreadable) as caught:
        extract(broken, "garbage.pdf")
    assert caught.value.status == 422


def test_scan_without_text_is_kept_and_marked_for_ocr(archive):
    data = (SAMPLES / "pdf/scanned_no_text.pdf").read_bytes()
    doc, created = archive.add(data, "scanned_no_text.pdf")
    assert created and doc.needs_ocr is True
    assert doc.text == ""
    assert doc.title == "Scanned letter"
    assert archive.get(doc.id).needs_ocr is True


@pytest.mark.parametrize("title, ok", [
    ("Microsoft Word - draft3.docx", False),
    ("Untitled", False),
    ("Document1", False),
    ("report_final_v2", False),
    ("C:\\Users\\jo\\Desktop\\memo.doc", False),
    ("Slide 1", False),
    ("", False),
    ("Tidal Energy and Small Harbours", True),
    ("Document Management in Small Libraries", True),
])
def test_junk_titles(title, ok):
    assert usable_title(title, "upload.pdf") is ok


@pytest.mark.parametrize("raw, iso", [
    ("D:20210915083000+02'00'", "2021-09-15"),
    ("D:202109", "2021-09"),
    ("D:2021", "2021"),
    ("D:20211399", None),
    ("", None),
])
def test_pdf_dates(raw, iso):
    assert pdf_date(raw) == iso


def test_alternating_running_heads_of_a_book_are_dropped():
    from tests.samples.make_samples import make_pdf

    pages = []
    for number in range(1, 7):
        head = "Jane Author" if number % 2 == 0 else "Chapter Two: Tides"
        body = [(72, 700 - 14 * k, 11, f"Line {k} of page {number} tells part of the story of the harbour wall.", False)
                for k in range(8)]
        pages.append([(72, 760, 9, head, False)] + body + [(300, 40, 9, str(number), False)])
    doc = extract(make_pdf(pages, info={"Title": "Tides", "Author": "Jane Author"}), "book.pdf")
    assert "Chapter Two: Tides" not in doc.text
    assert "Jane Author" not in doc.text
    assert "Line 0 of page 1 tells" in doc.text and "Line 7 of page 6 tells" in doc.text
    assert doc.pages == 6


def test_one_author_per_line_under_the_title():
    from tests.samples.make_samples import make_pdf

    lines = [(72, 700, 22, "Reading the Tides", True), (72, 660, 14, "Ana Lima", False),
             (72, 644, 14, "Kenji Watanabe", False), (72, 628, 14, "Rachel McAdams (rachel@example.org)", False),
             (72, 600, 14, "1 Introduction", True)]
    lines += [(72, 580 - 14 * k, 10, f"Sentence {k} of the introduction explains how the tide tables work.", False)
              for k in range(10)]
    doc = extract(make_pdf([lines], info={"Producer": "TeX"}), "tides.pdf")
    assert doc.title == "Reading the Tides"
    assert doc.authors == ["Ana Lima", "Kenji Watanabe", "Rachel McAdams"]
    assert doc.sections == ["1 Introduction"]


def test_web_page_printed_to_pdf_keeps_the_articles_date_not_the_printing():
    from tests.samples.make_samples import make_pdf

    pages = []
    for number in (1, 2):
        lines = [(40, 770, 8, "07/06/2022, 18:40    Ferry timetable cut leaves islanders stranded | Island Courier", False)]
        if number == 1:
            lines += [(72, 720, 20, "Ferry timetable cut leaves islanders stranded", True),
                      (72, 690, 11, "By Samuel Okafor", False), (72, 675, 11, "June 7, 2022", False)]
        lines += [(72, 640 - 14 * k, 11, f"Paragraph line {k} on page {number} about the winter ferry crossings.", False)
                  for k in range(10)]
        lines.append((40, 30, 8, f"https://courier.example/news/ferry-cut    {number}/2", False))
        pages.append(lines)
    info = {"Title": "Ferry timetable cut leaves islanders stranded | Island Courier", "Producer": "Skia/PDF m120",
            "Creator": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0", "CreationDate": "D:20240305101500Z"}
    doc = extract(make_pdf(pages, info=info), "printed.pdf")
    assert doc.title == "Ferry timetable cut leaves islanders stranded"
    assert doc.publication == "Island Courier"
    assert doc.authors == ["Samuel Okafor"]
    assert doc.published == "2022-06-07"  # not 2024-03-05, the day it was printed
    assert "courier.example" not in doc.text and "18:40" not in doc.text
