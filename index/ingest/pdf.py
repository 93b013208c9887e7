"""PDF articles and reports (pypdf): text in reading order and the document's metadata.

Metadata comes from the document information dictionary and the XMP packet. Both are often empty
or junk left by the program that made the file ("Microsoft Word - draft3.docx", "Untitled",
author "Administrator"), so a title or author that does not look like one is ignored and the first
page is read instead: its largest line near the top is the title, a short line of names under it the
byline. A PDF without a text layer (a scan) is kept and marked as needing OCR.
"""

from __future__ import annotations

import re
import zlib
from io import BytesIO

from index.document import Document
from index.errors import Unreadable
from index.ingest.html import site_from_title, strip_site_suffix
from index.ingest.normalize import clean_text, detect_language, find_date, parse_date, split_authors
from index.ingest.pdf_layout import Line, drop_running_lines, page_lines, paragraphs

#: A file that has been cut short has no end-of-file marker near its end.
EOF_WINDOW = 4096
MAX_TITLE_WORDS = 30
#: Lines under the title that may hold a byline.
BYLINE_WINDOW = 6

_JUNK_TITLE = re.compile(
    r"^(?:microsoft\s+(?:word|powerpoint|excel)\s*-|untitled|document\d*$|slide\s*\d+$|title$|"
    r"no\s+title|presentation\d*$|book\d*$|layout\s*\d|\s*$)"
    r"|\.(?:docx?|pdf|rtf|odt|tex|dvi|ps|indd|qxd|pages|pptx?|xlsx?|txt|html?)\s*$"
    r"|^[a-z]:\\|^/|^\W*$|^[\w-]+_[\w_-]+$",
    re.IGNORECASE,
)
#: Producers of PDFs that are web pages printed from a browser.
_PRINTED_BY_BROWSER = re.compile(r"skia/pdf|mozilla|firefox|chrom(?:e|ium)|print to pdf|quartz pdfcontext|"
                                 r"wkhtmltopdf|weasyprint", re.IGNORECASE)
_CONTACT = re.compile(r"@|https?://|www\.|\b\w+ at \w+\.\w{2,}\b")
_EMAIL_OR_BRACKETS = re.compile(r"\([^)]*\)|<[^>]*>|\S+@\S+")
_ORGANISATION = re.compile(
    r"\b(?:group|inc|ltd|llc|gmbh|university|universit[éä]t|department|institute|press|society|"
    r"association|foundation|corporation|company|council|committee|office|ministry|agency|school|"
    r"college|laboratory|centre|center)\b",
    re.IGNORECASE,
)


def read(data: bytes, filename: str) -> Document:
    name = filename or "The PDF"
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise Unreadable(f"{name} is incomplete: the PDF ends before its last part (it may have been "
                         "cut short while downloading or copying).")
    reader = open_pdf(data, name)
    pages = read_pages(reader, name)
    first_page = pages[0] if pages else []
    body_pages = drop_running_lines(pages)
    text = clean_text("\n\n".join(p for lines in body_pages for p in paragraphs(lines)))
    info = document_info(reader)
    title = info.get("title") if usable_title(info.get("title"), filename) else None
    first_title, title_index = title_from_first_page(first_page)
    title = title or first_title
    authors = split_authors(info.get("author") or "") if usable_author(info.get("author")) else []
    page_authors, title_block_end = byline_from_first_page(first_page, title_index)
    authors = authors or page_authors
    publication = None
    if info["printed_page"]:
        # A web page printed to PDF: its dates are the printing's, its title the browser tab's.
        tab_title = title or ""
        title = strip_site_suffix(tab_title, None) if tab_title else title
        publication = site_from_title(tab_title, title or "")
        published = date_from_first_page(body_pages[0] if body_pages else [])
        info["updated"] = None
    else:
        published = info.get("published") or date_from_first_page(first_page)
    return Document(
        title=title or "",
        authors=authors,
        published=published,
        updated=info.get("updated"),
        publication=publication,
        language=info.get("language") or detect_language(text),
        tags=info.get("tags") or [],
        summary=info.get("subject") or "",
        text=text,
        sections=section_titles(first_page, pages, title_block_end),
        content_type="application/pdf",
        pages=len(pages),
        needs_ocr=not text.strip(),
    )


def open_pdf(data: bytes, name: str):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise Unreadable(f"{name} is encrypted in a way this installation cannot open.") from exc
            if not opened:
                raise Unreadable(f"{name} is protected by a password; remove the password and upload it again.")
        len(reader.pages)  # forces the page tree to load, where most damage shows
    except Unreadable:
        raise
    except FileNotDecryptedError as exc:
        raise Unreadable(f"{name} is protected by a password; remove the password and upload it again.") from exc
    except NotImplementedError as exc:  # a security handler other than the standard one
        raise Unreadable(f"{name} is encrypted in a way Folio cannot open ({exc}).") from exc
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, AttributeError,
            IndexError, RecursionError, OSError, AssertionError, zlib.error) as exc:
        raise Unreadable(f"{name} is a damaged PDF and cannot be read ({exc}).") from exc
    return reader


def read_pages(reader, name: str) -> list[list[Line]]:
    """Every page's lines; a damaged page counts as empty unless every page is damaged."""
    pages: list[list[Line]] = []
    errors: list[Exception] = []
    try:
        page_list = list(reader.pages)
    except Exception as exc:  # pypdf raises many unrelated types on a damaged page tree
        raise Unreadable(f"{name} is a damaged PDF: its pages cannot be found ({exc}).") from exc
    for page in page_list:
        try:
            pages.append(page_lines(page))
        except Exception as exc:  # same: a damaged content stream can fail in any way
            errors.append(exc)
            pages.append([])
    if page_list and len(errors) == len(page_list):
        raise Unreadable(f"{name} is a damaged PDF: none of its pages can be read ({errors[0]}).") from errors[0]
    return pages


# -- metadata -----------------------------------------------------------------------------------


def document_info(reader) -> dict:
    """Title, author, dates, subject, keywords, language: XMP first (it is the newer and usually
    the more careful of the two), then the information dictionary."""
    out: dict = {}
    xmp = _xmp(reader)
    raw = {}
    try:
        raw = reader.metadata or {}
    except Exception:  # a damaged info dictionary is no reason to refuse the text
        raw = {}
    out["title"] = _clean(xmp.get("title") or _info(raw, "/Title"))
    if not usable_title(out["title"], "") and usable_title(_clean(_info(raw, "/Title")), ""):
        out["title"] = _clean(_info(raw, "/Title"))
    out["author"] = _clean(xmp.get("author") or _info(raw, "/Author"))
    out["published"] = xmp.get("published") or pdf_date(_info(raw, "/CreationDate"))
    out["updated"] = xmp.get("updated") or pdf_date(_info(raw, "/ModDate"))
    out["subject"] = _clean(xmp.get("description") or _info(raw, "/Subject"))
    keywords = _clean(_info(raw, "/Keywords"))
    out["tags"] = [k.strip().lower() for k in re.split(r"[,;]", keywords) if k.strip()][:30]
    out["language"] = xmp.get("language")
    out["printed_page"] = bool(_PRINTED_BY_BROWSER.search(_info(raw, "/Producer") + " " + _info(raw, "/Creator")))
    if out["updated"] == out["published"]:
        out["updated"] = None
    return out


def _info(raw, key: str) -> str:
    try:
        value = raw.get(key)
    except Exception:
        return ""
    return str(value) if value is not None else ""


def _clean(value) -> str:
    return " ".join(str(value or "").replace("\x00", "").split())


def _xmp(reader) -> dict:
    try:
        xmp = reader.xmp_metadata
    except Exception:  # malformed XML in the packet: fall back to the information dictionary
        return {}
    if xmp is None:
        return {}
    out = {}
    try:
        titles = xmp.dc_title or {}
        out["title"] = titles.get("x-default") or next(iter(titles.values()), "")
        out["author"] = "; ".join(xmp.dc_creator or [])
        descriptions = xmp.dc_description or {}
        out["description"] = descriptions.get("x-default") or next(iter(descriptions.values()), "")
        created = xmp.xmp_create_date
        out["published"] = created.date().isoformat() if created else None
        modified = xmp.xmp_modify_date
        out["updated"] = modified.date().isoformat() if modified else None
        languages = xmp.dc_language or []
        out["language"] = languages[0][:2].lower() if languages and languages[0][:2].isalpha() else None
    except Exception:  # pypdf parses XMP lazily; one bad property must not lose the others
        pass
    return out


_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def pdf_date(value: str) -> str | None:
    """``D:20210915083000+02'00'`` -> ``2021-09-15``; ``D:2021`` stays ``2021``."""
    m = _PDF_DATE.match((value or "").strip())
    if not m:
        return parse_date(value) if value else None
    year, month, day = m.groups()
    return parse_date("-".join(p for p in (year, month, day) if p))


def usable_title(title: str | None, filename: str) -> bool:
    if not title or _JUNK_TITLE.search(title.strip()):
        return False
    stem = re.sub(r"\.[^.]*$", "", filename or "").lower()
    return title.strip().lower() != stem and len(title.split()) <= MAX_TITLE_WORDS


def usable_author(author: str | None) -> bool:
    return bool(author) and not _ORGANISATION.search(author or "")


# -- the first page -----------------------------------------------------------------------------


def title_from_first_page(lines: list[Line]) -> tuple[str | None, int]:
    """The lines set in the page's largest type near its top, and the index of the last of them."""
    top = [line for line in lines[:15] if not _is_noise(line.text)]
    if not top:
        return None, -1
    body = sorted(line.size for line in lines)[len(lines) // 2]
    largest = max(line.size for line in top)
    if largest <= body + 0.5:
        return None, -1
    start = next(i for i, line in enumerate(lines) if line in top and line.size == largest)
    picked = [lines[start]]
    for line in lines[start + 1:]:
        if abs(line.size - largest) > 0.5 or len(picked) >= 3:
            break
        picked.append(line)
    title = " ".join(line.text for line in picked).strip()
    if len(title.split()) > MAX_TITLE_WORDS or not re.search(r"[^\W\d_]", title):
        return None, -1
    return title, start + len(picked) - 1


def byline_from_first_page(lines: list[Line], title_index: int) -> tuple[list[str], int]:
    """The names under the title, on one line or one per line, and the index of the last of them."""
    names: list[str] = []
    last = title_index
    for index in range(title_index + 1, min(len(lines), title_index + 1 + BYLINE_WINDOW)):
        text = lines[index].text
        if len(text.split()) > 15:
            break  # the body has started
        found = [] if _ORGANISATION.search(text) else split_authors(text)
        if found and _names_fill_line(found, _EMAIL_OR_BRACKETS.sub(" ", text)):
            names += [name for name in found if name not in names]
            last = index
        elif names:
            break  # the block of names has ended
    return names, last


def _names_fill_line(names: list[str], text: str) -> bool:
    """A byline is names and little else, so a sentence that happens to start with one is not."""
    rest = re.sub(r"^\s*(?:by|von|par|por)\s+", "", text, flags=re.IGNORECASE).lower()
    for name in names:
        for word in name.lower().split():
            rest = rest.replace(word, " ", 1)
    leftover = re.findall(r"[^\W\d_]+", rest)
    return len(leftover) <= 2 and all(w in ("and", "und", "et", "y", "with") for w in leftover)


def date_from_first_page(lines: list[Line]) -> str | None:
    for line in lines[:12]:
        iso = parse_date(line.text)
        if iso:
            return iso
    for line in lines[:12]:
        hit = find_date(line.text)
        if hit and len(line.text.split()) <= 12:
            return hit[0]
    return None


def section_titles(first_page: list[Line], pages: list[list[Line]], title_block_end: int = -1) -> list[str]:
    """Short lines set larger than the body text: the document's headings."""
    all_lines = [line for lines in pages for line in lines]
    if not all_lines:
        return []
    sizes = sorted(line.size for line in all_lines)
    body = sizes[len(sizes) // 2]
    title_size = max((line.size for line in first_page[:3]), default=0)
    # The title block (title, organisation, byline) is not a section of the document, and neither is
    # a contact line under it (an e-mail or web address).
    out: list[str] = []
    for line in all_lines[title_block_end + 1:]:
        if _CONTACT.search(line.text):
            continue
        if body + 0.5 < line.size < title_size and len(line.text.split()) <= 12 and line.text not in out:
            out.append(line.text)
            if len(out) >= 100:
                break
    return out


def _is_noise(text: str) -> bool:
    return len(text) < 3 or not re.search(r"[^\W\d_]{2}", text)
