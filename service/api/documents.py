"""Documents: upload, read, download the original, edit, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from index.errors import TooLarge, Unreadable
from service.deps import ArchiveDep, SettingsDep, TokenDep
from service.limits import too_large_message

router = APIRouter(prefix="/api/documents", tags=["documents"])

OVERRIDE_FIELDS = ("title", "authors", "published", "publication", "original_publication", "language",
                   "tags", "summary", "url")


def read_upload(file: UploadFile, max_bytes: int) -> bytes:
    """The uploaded bytes, refusing (413) as soon as more than the limit has been read."""
    data = file.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(too_large_message(max_bytes))
    return data


@router.post("", dependencies=[TokenDep], status_code=201)
def upload(
    archive: ArchiveDep,
    settings: SettingsDep,
    file: UploadFile = File(..., description="the article: text, HTML, PDF or Markdown"),
    title: str | None = Form(None),
    authors: str | None = Form(None, description="names separated by commas or semicolons"),
    published: str | None = Form(None),
    publication: str | None = Form(None),
    original_publication: str | None = Form(None),
    language: str | None = Form(None),
    tags: str | None = Form(None),
    summary: str | None = Form(None),
    url: str | None = Form(None),
):
    """Store and index one file. 201 with the record; 200 with the existing record for the same content."""
    values = dict(title=title, authors=authors, published=published, publication=publication,
                  original_publication=original_publication, language=language, tags=tags,
                  summary=summary, url=url)
    overrides = {k: v for k, v in values.items() if v not in (None, "")}
    data = read_upload(file, settings.max_upload_bytes)
    doc, created = archive.add(data, file.filename or "upload", overrides)
    return JSONResponse(doc.to_dict(with_text=False), status_code=201 if created else 200)


@router.get("/{doc_id}")
def get_document(doc_id: str, archive: ArchiveDep):
    """The record with its full text."""
    return archive.get(doc_id).to_dict()


@router.get("/{doc_id}/original")
def get_original(doc_id: str, archive: ArchiveDep):
    """The stored bytes, always as a download so an uploaded page can never run in Folio's origin."""
    data, doc = archive.original(doc_id)
    return Response(
        data,
        media_type=safe_media_type(doc.content_type),
        headers={
            "Content-Disposition": content_disposition(doc.filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )


@router.patch("/{doc_id}", dependencies=[TokenDep])
def edit_document(doc_id: str, archive: ArchiveDep, changes: dict[str, Any] = Body(...)):
    """Correct metadata; corrections survive reindexing and re-uploads."""
    if not isinstance(changes, dict) or not changes:
        raise Unreadable("Send a JSON object with the fields to change.")
    return archive.update(doc_id, changes).to_dict(with_text=False)


@router.delete("/{doc_id}", dependencies=[TokenDep], status_code=204)
def delete_document(doc_id: str, archive: ArchiveDep):
    archive.delete(doc_id)
    return Response(status_code=204)


def safe_media_type(content_type: str) -> str:
    if content_type in ("application/pdf",):
        return content_type
    if content_type.startswith("text/") or content_type in ("application/x-ndjson",):
        return "text/plain; charset=utf-8" if content_type == "text/plain" else "application/octet-stream"
    return "application/octet-stream"


def content_disposition(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "original"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
