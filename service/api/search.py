"""``GET /api/search``."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from service.api.params import search_request
from service.deps import ArchiveDep

router = APIRouter(prefix="/api", tags=["search"])


# This endpoint runs on the event loop, not in a worker thread. A search is Python work under the
# interpreter lock, and searches in one process take turns (`Archive.search`), so a thread gains
# nothing; and while a process searches it accepts no connection, so with several workers the next
# request goes to one that is free. 8 clients on 2 workers at 100,000 articles, alternating runs:
# p95 65-94 ms in a thread, 52-77 ms on the loop. The price: a slow search (it stops at its 5 s
# limit) holds its whole process meanwhile, and other requests go to other workers or wait.
@router.get("/search")
async def search(
    request: Request,
    archive: ArchiveDep,
    q: str = Query("", max_length=2000, description="query: words, \"phrases\", field:value, AND/OR/NOT"),
    author: list[str] = Query([], description="filter; repeat for either of several authors"),
    publication: list[str] = Query([]),
    year: list[str] = Query([]),
    month: list[str] = Query([], description="YYYY-MM; the month facet is returned when a year is selected"),
    tag: list[str] = Query([]),
    language: list[str] = Query([]),
    content_type: list[str] = Query([]),
    sort: str = Query("relevance", pattern="^(relevance|newest|oldest)$"),
    page: int = Query(1, ge=1, le=1000),
    per_page: int = Query(10, ge=1, le=100),
):
    """Search and browse: an empty ``q`` with filters lists documents.

    Values of one filter combine with OR, different filters with AND; the facet counts describe the
    current query and filters. ``suggestion`` is a corrected query when words look misspelled;
    ``partial`` is true when the search hit its time limit and the hits may be incomplete."""
    # The answer is made of JSON's own types, so it is rendered as it is. FastAPI's encoder would
    # first walk through every value of it: 0.3-0.4 ms of the 2.7 ms a remembered search cost.
    return JSONResponse(archive.search(search_request(request.query_params)).to_dict())


@router.get("/documents/{doc_id}/related")
def related(doc_id: str, archive: ArchiveDep, limit: int = Query(5, ge=1, le=50)):
    """Articles like this one ("more like this"), best first."""
    return {"id": doc_id, "related": [h.to_dict() for h in archive.similar(doc_id, limit=limit)]}
