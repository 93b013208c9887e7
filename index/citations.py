"""Citations of archived documents: BibTeX, RIS, CSL-JSON, CSV and JSON Lines.

Every citation carries the archive link, the SHA-256 of the stored original and the capture date,
so a reader can check that the copy quoted is the copy cited.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Iterable

from index.document import Document
from index.errors import BadRequest

FORMATS = ("bibtex", "ris", "csl-json", "csv", "jsonl")

MEDIA_TYPES = {
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson; charset=utf-8",
}

EXTENSIONS = {"bibtex": "bib", "ris": "ris", "csl-json": "json", "csv": "csv", "jsonl": "jsonl"}

CSV_COLUMNS = ("id", "title", "authors", "published", "updated", "captured", "publication",
               "original_publication", "url", "archive_url", "sha256", "language", "tags")


def check_format(name: str | None) -> str:
    fmt = (name or "").strip().lower()
    if fmt not in FORMATS:
        raise BadRequest(f"Unknown export format {name!r}; use one of: {', '.join(FORMATS)}.")
    return fmt


def archive_url(base_url: str, doc_id: str) -> str:
    return f"{base_url.rstrip('/')}/documents/{doc_id}"


def citation(doc: Document, base_url: str) -> dict:
    """The fields every format draws on."""
    return {
        "id": doc.id,
        "title": doc.title,
        "authors": list(doc.authors),
        "published": doc.published,
        "updated": doc.updated,
        "captured": doc.ingested_at,
        "publication": doc.publication,
        "original_publication": doc.original_publication,
        "url": doc.url,
        "archive_url": archive_url(base_url, doc.id),
        "original_file_url": f"{base_url.rstrip('/')}/api/documents/{doc.id}/original",
        "sha256": doc.sha256,
        "language": doc.language,
        "tags": list(doc.tags),
        "summary": doc.summary,
    }


def split_name(name: str) -> tuple[str, str]:
    """(family, given) of a byline name: "King, Andrew" or "Andrew J. King"."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    parts = name.split(" ")
    return parts[-1], " ".join(parts[:-1])


def date_parts(iso: str | None) -> list[int] | None:
    if not iso:
        return None
    try:
        return [int(p) for p in iso[:10].split("-") if p]
    except ValueError:
        return None


def archive_note(c: dict) -> str:
    return (f"Archived copy: {c['archive_url']}; SHA-256 {c['sha256']}; "
            f"captured {c['captured']}")


# -- BibTeX ----------------------------------------------------------------------------------------

_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")


def bibtex_escape(value: str) -> str:
    def swap(m):
        ch = m.group(1)
        return {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(ch, "\\" + ch)

    return _BIBTEX_SPECIAL.sub(swap, " ".join(str(value).split()))


def to_bibtex(c: dict) -> str:
    fields = [("title", c["title"])]
    if c["authors"]:
        fields.append(("author", " and ".join(
            f"{family}, {given}" if given else family for family, given in map(split_name, c["authors"]))))
    if c["publication"]:
        fields.append(("journaltitle", c["publication"]))
        fields.append(("journal", c["publication"]))
    if c["published"]:
        fields.append(("date", c["published"]))
        fields.append(("year", c["published"][:4]))
    fields.append(("url", c["url"] or c["archive_url"]))
    fields.append(("urldate", (c["captured"] or "")[:10]))
    if c["language"]:
        fields.append(("language", c["language"]))
    fields.append(("note", archive_note(c)))
    body = ",\n".join(f"  {name} = {{{bibtex_escape(value)}}}" for name, value in fields if value)
    kind = "article" if c["publication"] else "online"
    return f"@{kind}{{folio_{c['id']},\n{body}\n}}\n"


# -- RIS -------------------------------------------------------------------------------------------


def _ris_value(value) -> str:
    return " ".join(str(value).split())


def to_ris(c: dict) -> str:
    lines = [("TY", "NEWS" if c["publication"] else "ELEC"), ("ID", f"folio_{c['id']}"), ("TI", c["title"])]
    lines += [("AU", ", ".join(p for p in split_name(a) if p)) for a in c["authors"]]
    if c["published"]:
        lines.append(("PY", c["published"][:4]))
        parts = (c["published"].split("-") + ["", ""])[:3]
        lines.append(("DA", "/".join(parts)))
    if c["publication"]:
        lines.append(("T2", c["publication"]))
    lines.append(("UR", c["url"] or c["archive_url"]))
    lines.append(("L2", c["archive_url"]))
    if c["captured"]:
        lines.append(("Y2", c["captured"][:10].replace("-", "/")))
    if c["language"]:
        lines.append(("LA", c["language"]))
    lines += [("KW", t) for t in c["tags"]]
    if c["summary"]:
        lines.append(("AB", c["summary"]))
    lines.append(("N1", archive_note(c)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_ris_value(value)}".rstrip() + "\r\n" for tag, value in lines if value or tag == "ER")


# -- CSL-JSON --------------------------------------------------------------------------------------


def to_csl(c: dict) -> dict:
    item = {
        "id": f"folio_{c['id']}",
        "type": "article-newspaper" if c["publication"] else "webpage",
        "title": c["title"],
        "URL": c["url"] or c["archive_url"],
        "archive": "Folio",
        "archive_location": c["archive_url"],
        "note": archive_note(c),
        "custom": {"sha256": c["sha256"], "captured": c["captured"], "archive_url": c["archive_url"]},
    }
    if c["authors"]:
        item["author"] = [{"family": f, "given": g} if g else {"literal": f} for f, g in map(split_name, c["authors"])]
    if c["publication"]:
        item["container-title"] = c["publication"]
    issued = date_parts(c["published"])
    if issued:
        item["issued"] = {"date-parts": [issued]}
    accessed = date_parts(c["captured"])
    if accessed:
        item["accessed"] = {"date-parts": [accessed]}
    if c["language"]:
        item["language"] = c["language"]
    if c["summary"]:
        item["abstract"] = c["summary"]
    return item


# -- CSV -------------------------------------------------------------------------------------------


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: formulas (= + - @ at the start) are neutralised."""
    if isinstance(value, list):
        value = "; ".join(value)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# -- rendering -------------------------------------------------------------------------------------


def render(fmt: str, docs: Iterable[Document], base_url: str) -> str:
    """All documents in one format, as text."""
    fmt = check_format(fmt)
    cites = [citation(d, base_url) for d in docs]
    if fmt == "bibtex":
        return "\n".join(to_bibtex(c) for c in cites)
    if fmt == "ris":
        return "".join(to_ris(c) for c in cites)
    if fmt == "csl-json":
        return json.dumps([to_csl(c) for c in cites], ensure_ascii=False, indent=1) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cites)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for c in cites:
        writer.writerow([csv_cell(c[col]) for col in CSV_COLUMNS])
    return buffer.getvalue()

