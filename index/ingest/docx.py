"""Word documents (``.docx``): paragraphs and tables in order, core properties as metadata.

Core properties are as unreliable as a PDF's: Word fills ``creator`` with the account name and
leaves the title empty, so a title paragraph (style "Title" or the first "Heading 1") and a
"By ..." paragraph under it are used when the properties say nothing useful.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from index.document import Document
from index.errors import Unreadable
from index.ingest.normalize import clean_text, detect_language, split_authors
from index.ingest.pdf import usable_author, usable_title

#: The creation date stamped into python-docx's default template: not when anything was written.
TEMPLATE_CREATED = (2013, 12, 23)
_HEADING_STYLE = re.compile(r"^(?:heading\s*(\d)|title)$", re.IGNORECASE)


def read(data: bytes, filename: str) -> Document:
    name = filename or "The Word document"
    document = open_docx(data, name)
    try:
        blocks = list(iter_blocks(document))
    except Exception as exc:  # same reason as in open_docx: a malformed part deep in the package
        raise Unreadable(f"{name} is a damaged Word document: its text cannot be read "
                         f"({type(exc).__name__}).") from exc
    text = clean_text("\n\n".join(text for text, _style in blocks if text))
    props = document.core_properties
    title = (props.title or "").strip()
    if not usable_title(title, filename):
        title = title_paragraph(blocks) or ""
    authors = split_authors(props.author or "") if usable_author(props.author) else []
    if not authors:
        authors = byline(blocks, title)
    return Document(
        title=title,
        authors=authors,
        published=_created(props),
        updated=_updated(props),
        language=_language(props.language) or detect_language(text),
        tags=[k.strip().lower() for k in re.split(r"[,;]", props.keywords or "") if k.strip()][:30],
        summary=(props.subject or props.comments or "").strip()[:5000],
        text=text,
        sections=[t for t, style in blocks if _is_heading(style) and t != title][:100],
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def open_docx(data: bytes, name: str):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return docx.Document(BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"{name} is a damaged Word document and cannot be read ({exc}).") from exc
    except Exception as exc:
        # python-docx assumes a well-formed package: a missing or malformed part surfaces as an
        # AttributeError, TypeError or lxml syntax error from deep inside it. All mean "damaged".
        raise Unreadable(f"{name} is a damaged Word document and cannot be read "
                         f"({type(exc).__name__}).") from exc


def iter_blocks(document):
    """(text, style name) for every paragraph and table row, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            style = item.style.name if item.style is not None else ""
            yield " ".join(item.text.split()), style
        elif isinstance(item, Table):
            for row in item.rows:
                cells = []
                for cell in row.cells:
                    value = " ".join(cell.text.split())
                    if value and (not cells or cells[-1] != value):  # merged cells repeat their text
                        cells.append(value)
                yield " | ".join(cells), "Table"


def _is_heading(style: str) -> bool:
    return bool(_HEADING_STYLE.match(style or ""))


def title_paragraph(blocks) -> str | None:
    for text, style in blocks:
        if text and (style or "").lower() == "title":
            return text
    for text, style in blocks:
        if text and (style or "").lower() == "heading 1":
            return text
    return None


def byline(blocks, title: str) -> list[str]:
    paragraphs = [text for text, _ in blocks if text and text != title][:4]
    for text in paragraphs:
        if len(text.split()) <= 12 and re.match(r"^\s*(?:by|von|par|por)\s", text, re.IGNORECASE):
            return split_authors(text)
    return []


def _created(props) -> str | None:
    created = props.created
    if not created or (created.year, created.month, created.day) == TEMPLATE_CREATED:
        return None
    return created.date().isoformat()


def _updated(props) -> str | None:
    if props.modified and props.created and props.modified.date() != props.created.date():
        return props.modified.date().isoformat()
    return None


def _language(value: str | None) -> str | None:
    m = re.match(r"^([a-zA-Z]{2,3})\b", value or "")
    return m.group(1).lower() if m else None
