"""Rebuild the generated sample files under tests/samples (PDF, DOCX, ZIP and broken files).

The committed files are the output of this script; it documents how each was made and can rebuild
them: ``.venv/bin/python -m tests.samples.make_samples``. HTML, Markdown, e-mail and the real Debian
PDF were written or copied by hand and are not touched here.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

ARTICLE_PARAGRAPHS = [
    "Small harbours along the western coast face a choice that larger ports settled decades ago: "
    "whether to invest in their own energy supply or to keep buying power from a grid whose "
    "prices they cannot influence. This report looks at three towns that chose the first path.",
    "Each town depends on cold storage for its fishing fleet. Refrigeration accounts for more than "
    "half of the electricity the harbour uses, and the cost of running the ice plants rose sharply "
    "after the last two winters. The co-operatives asked the councils for help with the energy "
    "infrastructure they share.",
    "Tidal turbines were chosen because the channel between the towns runs fast and predictably. "
    "Unlike wind, the tide can be forecast years ahead, which made it easier to borrow against the "
    "savings the scheme is expected to bring.",
]


# -- a minimal PDF writer: enough for text in the standard fonts, an image, metadata ----------------


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    out = bytearray(b"(")
    for byte in raw:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte > 126:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b")")


def make_pdf(pages, info=None, xmp=None, image_only=False) -> bytes:
    """``pages``: lists of (x, y, size, text, bold). Returns the bytes of a valid PDF."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages) + (1 if image_only else 0) + 1
    image = None
    if image_only:
        pixels = bytes((x * 7 + y * 13) % 256 for y in range(64) for x in range(64))
        data = zlib.compress(pixels)
        image = add(b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
                    + data + b"\nendstream")
    page_ids = []
    for lines in pages:
        if image_only:
            content = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
        else:
            parts = []
            for x, y, size, text, is_bold in lines:
                parts.append(b"BT /%s %d Tf %d %d Td %s Tj ET" % (
                    b"F2" if is_bold else b"F1", size, x, y, _pdf_string(text)))
            content = b"\n".join(parts)
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        resources = b"<< /Font << /F1 %d 0 R /F2 %d 0 R >>" % (font, bold)
        if image:
            resources += b" /XObject << /Im1 %d 0 R >>" % image
        resources += b" >>"
        page_ids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources %s "
                            b"/Contents %d 0 R >>" % (pages_id, resources, stream)))
    info_id = add(b"<< " + b" ".join(b"/%s %s" % (k.encode(), _pdf_string(v)) for k, v in (info or {}).items())
                  + b" >>")
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % p for p in page_ids), len(page_ids))) == pages_id
    catalog_extra = b""
    if xmp:
        packet = xmp.encode("utf-8")
        meta = add(b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(packet) + packet
                   + b"\nendstream")
        catalog_extra = b" /Metadata %d 0 R" % meta
    root = add(b"<< /Type /Catalog /Pages %d 0 R%s >>" % (pages_id, catalog_extra))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, root, info_id, xref)
    return bytes(out)


def wrap(text: str, width: int = 86) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def article_pages(title: str, byline: str, date_line: str, header: str, page_count: int = 3):
    pages = []
    for number in range(1, page_count + 1):
        lines = [(72, 760, 9, header, False)]
        y = 720
        if number == 1:
            lines += [(72, y, 22, title, True), (72, y - 30, 12, byline, False), (72, y - 48, 10, date_line, False)]
            y -= 84
        for index, paragraph in enumerate(ARTICLE_PARAGRAPHS):
            body = paragraph if number == 1 else f"Part {number}, section {index + 1}. {paragraph}"
            wrapped = wrap(body)
            for i, line in enumerate(wrapped):  # a word broken across two lines, as typesetters do
                if "infrastructure" in line:
                    before, after = line.split("infrastructure", 1)
                    wrapped[i:i + 1] = [before + "infra-", "structure" + after]
                    break
            for line in wrapped:
                lines.append((72, y, 11, line, False))
                y -= 14
            y -= 12
        lines.append((290, 40, 9, f"Page {number} of {page_count}", False))
        pages.append(lines)
    return pages


XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Winter Grazing on Upland Farms</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>Ingrid Solberg</rdf:li><rdf:li>Kwame Mensah</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>en-GB</rdf:li></rdf:Bag></dc:language>
   <xmp:CreateDate>2020-02-17T10:00:00Z</xmp:CreateDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def build_pdfs() -> None:
    from pypdf import PdfReader, PdfWriter

    out = HERE / "pdf"
    header = "Coastal Energy Review - Vol. 12"
    report = make_pdf(
        article_pages("Tidal Energy and Small Harbours", "By Helen Carter and Raj Patel", "15 September 2021", header),
        info={"Title": "Tidal Energy and Small Harbours", "Author": "Helen Carter; Raj Patel",
              "CreationDate": "D:20210915083000+02'00'", "Producer": "sample generator"},
    )
    (out / "report_with_metadata.pdf").write_bytes(report)
    junk = make_pdf(
        article_pages("Heat Pumps in Listed Buildings", "By HELEN CARTER", "March 2019", header, page_count=2),
        info={"Title": "Microsoft Word - draft3.docx", "Author": "Administrator", "Creator": "Microsoft Word"},
    )
    (out / "junk_title.pdf").write_bytes(junk)
    (out / "xmp_only.pdf").write_bytes(make_pdf(
        article_pages("Winter Grazing", "Notes from the field", "", "Upland Farming Notes", page_count=2), xmp=XMP))
    (out / "scanned_no_text.pdf").write_bytes(make_pdf([[]], info={"Title": "Scanned letter"}, image_only=True))

    for name, user in (("encrypted_empty_password.pdf", ""), ("encrypted_with_password.pdf", "secret")):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(report)))
        writer.encrypt(user_password=user, owner_password="owner-secret", algorithm="AES-128")
        buf = io.BytesIO()
        writer.write(buf)
        (out / name).write_bytes(buf.getvalue())

    (HERE / "broken" / "truncated.pdf").write_bytes(report[: len(report) * 2 // 3])


def build_docx() -> None:
    import datetime

    import docx

    document = docx.Document()
    document.core_properties.title = "Community Energy Co-operatives"
    document.core_properties.author = "Peter Nowak"
    document.core_properties.created = datetime.datetime(2022, 5, 4, 9, 30)
    document.core_properties.modified = datetime.datetime(2022, 5, 4, 9, 30)
    document.add_heading("Community Energy Co-operatives", level=0)
    document.add_paragraph("By Peter Nowak")
    for paragraph in ARTICLE_PARAGRAPHS[:2]:
        document.add_paragraph(paragraph)
    document.add_heading("Financing the scheme", level=1)
    document.add_paragraph(ARTICLE_PARAGRAPHS[2])
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Town", "Turbines"
    table.cell(1, 0).text, table.cell(1, 1).text = "Port Avon", "8"
    _save_docx(document, HERE / "docx" / "coop_article.docx")

    untitled = docx.Document()
    untitled.core_properties.title = ""
    untitled.core_properties.author = "python-docx"
    untitled.add_paragraph("Letters from the Orchard", style="Title")
    for paragraph in ARTICLE_PARAGRAPHS[1:]:
        untitled.add_paragraph(paragraph)
    _save_docx(untitled, HERE / "docx" / "no_core_title.docx")


def _save_docx(document, path: Path) -> None:
    """python-docx stamps the current time into the package; fixing it keeps the bytes stable."""
    buf = io.BytesIO()
    document.save(buf)
    _restamp_zip(buf.getvalue(), path)


def _restamp_zip(data: bytes, path: Path) -> None:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2022, 5, 4, 9, 30, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


def build_zips() -> None:
    out = HERE / "zip"

    def write(name: str, members: dict[str, bytes], raw_names: bool = False) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for member, data in members.items():
                zf.writestr(zipfile.ZipInfo(member, date_time=(2023, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)
        (out / name).write_bytes(buf.getvalue())

    write("articles.zip", {
        "articles/": b"",
        "articles/news_jsonld.html": (HERE / "html" / "news_jsonld.html").read_bytes(),
        "articles/notes/front_matter_yaml.md": (HERE / "markdown" / "front_matter_yaml.md").read_bytes(),
        "articles/report_with_metadata.pdf": (HERE / "pdf" / "report_with_metadata.pdf").read_bytes(),
        "articles/broken.txt": b"\x00\x01\x02\x03binary junk\x00\x00\xff\xfe" * 20,
        "__MACOSX/articles/._news_jsonld.html": b"\x00\x05\x16\x07resource fork",
        ".DS_Store": b"\x00\x00\x00\x01Bud1",
    })
    write("zip_slip.zip", {
        "ok.txt": (HERE / "text" / "byline_by.txt").read_bytes(),
        "../../etc/cron.d/evil.txt": b"This member tries to climb out of the folder it is unpacked into.",
    })
    # 64 MB of one repeated byte compresses to about 64 KB: far more than any article expands.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        info = zipfile.ZipInfo("huge.txt", date_time=(2023, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as fh:
            chunk = b"A" * (1024 * 1024)
            for _ in range(64):
                fh.write(chunk)
    (out / "zip_bomb.zip").write_bytes(bomb.getvalue())


def build_broken() -> None:
    out = HERE / "broken"
    (out / "empty.txt").write_bytes(b"")
    (out / "whitespace_only.html").write_bytes(b"  \n\n\t \n")
    # A PNG signature and header followed by compressed noise, saved under a .txt name.
    (out / "binary_named.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00"
        + zlib.compress(bytes(range(256)) * 8))
    (out / "html_named_pdf.pdf").write_bytes(b"<html><body>Error 404: the report you asked for was not found"
                                         b".</body></html>")
    (out / "spreadsheet.xlsx").write_bytes(_fake_xlsx())


def _fake_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", date_time=(2023, 1, 1, 0, 0, 0)),
                    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr(zipfile.ZipInfo("xl/workbook.xml", date_time=(2023, 1, 1, 0, 0, 0)), b"<workbook/>")
    return buf.getvalue()


def main() -> None:
    for folder in ("pdf", "docx", "zip", "broken"):
        (HERE / folder).mkdir(exist_ok=True)
    build_pdfs()
    build_docx()
    build_broken()
    build_zips()


if __name__ == "__main__":
    main()
