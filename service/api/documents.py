"""Documents: upload, read, download the original, edit, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, File, Form, UploadFile
from fastapi.responses import JSONResponse, Response

from index.errors import FolioError, TooLarge, Unreadable
from index.ingest import is_archive
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
    file: UploadFile = File(..., description="the article: text, HTML, PDF, Markdown, e-mail, Word or a ZIP of those"),
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
    """Store and index one file. 201 with the record; 200 with the existing record for the same content.

    A ZIP archive stores each member as its own document and answers
    ``{"documents": [...], "failed": ["member: reason", ...], "created": n}``."""
    values = dict(title=title, authors=authors, published=published, publication=publication,
                  original_publication=original_publication, language=language, tags=tags,
                  summary=summary, url=url)
    overrides = {k: v for k, v in values.items() if v not in (None, "")}
    data = read_upload(file, settings.max_upload_bytes)
    if is_archive(data, file.filename or "upload"):
        return add_archive_members(archive, data, file.filename or "upload", overrides)
    doc, created = archive.add(data, file.filename or "upload", overrides)
    return JSONResponse(doc.to_dict(with_text=False), status_code=201 if created else 200)


def add_archive_members(archive, data: bytes, filename: str, overrides: dict) -> JSONResponse:
    """A ZIP upload: each member stored as its own document (the same record it would get uploaded
    alone). Answers ``{"documents": [...], "failed": [...], "created": n}``: 201 if anything new was
    stored, 200 if every readable member was already there; 4xx, storing nothing, if the archive is
    refused as a whole (a zip bomb, a path trick) or no member can be read."""
    from index.ingest import display_name
    from index.ingest.archive_zip import iter_members, member_failure, nothing_readable

    failures: list[str] = []
    results = []
    for member in iter_members(data, filename, failures):
        try:
            results.append(archive.add(member.data, member.name, overrides))
        except FolioError as exc:  # parsing in a child process re-raises errors as FolioError
            if exc.status not in (400, 413, 415, 422):
                raise
            failures.append(member_failure(display_name(filename), member.name, exc.message))
    if not results:
        raise nothing_readable(display_name(filename), failures)
    created = sum(1 for _, new in results if new)
    body = {"documents": [doc.to_dict(with_text=False) for doc, _ in results], "failed": failures,
            "created": created}
    return JSONResponse(body, status_code=201 if created else 200)


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
