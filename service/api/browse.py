"""Browsing: authors, publications, timeline; and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Query

from service.deps import ArchiveDep

router = APIRouter(tags=["browse"])


@router.get("/api/authors")
def authors(archive: ArchiveDep, q: str = Query("", max_length=2000)):
    """Every author A–Z (by family name) with their number of articles."""
    return {"authors": [{"name": name, "count": count} for name, count in archive.authors(q)]}


@router.get("/api/publications")
def publications(archive: ArchiveDep, q: str = Query("", max_length=2000)):
    return {"publications": [{"name": name, "count": count} for name, count in archive.publications(q)]}


@router.get("/api/timeline")
def timeline(
    archive: ArchiveDep,
    by: str = Query("year", pattern="^(year|month|day)$"),
    q: str = Query("", max_length=2000),
    year: str | None = Query(None, pattern=r"^\d{4}$"),
    month: str | None = Query(None, pattern=r"^\d{4}-\d{2}$"),
    date: str = Query("published", pattern="^(published|updated|captured)$",
                      description="which date: published, updated or captured (added to the archive)"),
):
    """Articles per year, month or day, of the whole archive or of a query's matches."""
    filters = {}
    if year:
        filters["year"] = [year]
    if month:
        filters["month"] = [month]
    if date != "published":
        from index.schema import DATE_FILTERS

        filters = {DATE_FILTERS[date][step]: values for step, values in filters.items()}
    buckets = archive.dated_timeline(date, by, q=q, filters=filters)
    return {"by": by, "date": date, "q": q, "buckets": [{"value": v, "count": c} for v, c in buckets]}


@router.get("/healthz")
def healthz(archive: ArchiveDep):
    return {"status": "ok", "documents": archive.count()}
