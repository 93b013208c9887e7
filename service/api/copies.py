"""Reprints and reused passages: ``GET /api/documents/{id}/copies`` and ``GET /api/passages``."""

from __future__ import annotations

from fastapi import APIRouter, Query

from index.passages import MAX_CHARS, find_passages
from service.deps import ArchiveDep

router = APIRouter(prefix="/api", tags=["reprints"])


@router.get("/documents/{doc_id}/copies")
def copies(doc_id: str, archive: ArchiveDep):
    """The other copies of this article (republished elsewhere, retitled, trimmed, lightly edited) and
    which copy is the original, where the metadata says so."""
    original, found = archive.copies(doc_id)
    return {"id": doc_id, "original": original, "copies": found}


@router.get("/passages")
def passages(
    archive: ArchiveDep,
    text: str = Query("", max_length=MAX_CHARS, description="a paragraph to find in the archive"),
    limit: int = Query(50, ge=1, le=200),
):
    """Every document containing the passage or most of it, with the matching span in ``<mark>``."""
    matches = find_passages(archive, text, limit=limit)
    return {"total": len(matches), "matches": [m.to_dict() for m in matches]}
