"""Author identities: suggestions of byline variants that look like one person; merge and split."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body

from index.errors import BadRequest
from service.deps import ArchiveDep, TokenDep

router = APIRouter(prefix="/api/identities", tags=["authors"])


@router.get("/suggestions")
def suggestions(archive: ArchiveDep):
    """Groups of names that may be one person, with the evidence: shared publications, co-authors, years."""
    return {"suggestions": [s.to_dict() for s in archive.identities.suggestions()]}


@router.get("")
def merges(archive: ArchiveDep):
    """Every merged variant with its canonical name, and the names a person split apart."""
    return {"merges": archive.identities.merges(),
            "distinct": [list(pair) for pair in archive.identities.distinct_pairs()]}


@router.post("/merge", dependencies=[TokenDep])
def merge(archive: ArchiveDep, body: dict[str, Any] = Body(...)):
    """``{"names": [...], "canonical": "…"}``: these names are one person (``canonical`` is optional)."""
    names = body.get("names")
    if not isinstance(names, list):
        raise BadRequest("Send 'names': a list of the author names that are one person.")
    return archive.merge_authors(names, body.get("canonical"))


@router.post("/split", dependencies=[TokenDep])
def split(archive: ArchiveDep, body: dict[str, Any] = Body(...)):
    """``{"name": "…"}``: a merged variant stands for itself again (a canonical name: all its variants)."""
    return archive.split_author(body.get("name"))
