"""``GET /api/export``: one document (``id``) or a result set (``q`` and filters) as citations."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from index.citations import EXTENSIONS, MEDIA_TYPES, check_format, render
from index.errors import BadRequest
from service.api.params import search_request
from service.deps import ArchiveDep

router = APIRouter(prefix="/api", tags=["export"])

MAX_EXPORT = 5000


def result_set(archive, request: Request, limit: int) -> list:
    """The documents a search finds, in its order, up to ``limit``."""
    req = search_request(request.query_params)
    req.facets, req.snippets, req.per_page = (), False, 100
    ids: list[str] = []
    page = 1
    while len(ids) < limit:
        req.page = page
        result = archive.search(req)
        ids += [h.id for h in result.hits]
        if page >= result.pages or not result.hits:
            break
        page += 1
    found = archive.catalog.get_many(ids[:limit], with_text=False)
    return [found[i] for i in ids[:limit] if i in found]


@router.get("/export")
def export(
    request: Request,
    archive: ArchiveDep,
    format: str = Query(..., description="bibtex, ris, csl-json, csv or jsonl"),
    id: list[str] = Query([], description="one or more document ids; else the documents q finds"),
    q: str = Query("", max_length=2000),
    limit: int = Query(1000, ge=1, le=MAX_EXPORT),
):
    """Citations with the archive link, the content hash and the capture date of each document."""
    fmt = check_format(format)
    if id:
        if len(id) > MAX_EXPORT:
            raise BadRequest(f"Export at most {MAX_EXPORT} documents at once.")
        docs = [archive.get(doc_id) for doc_id in dict.fromkeys(id)]
    else:
        docs = result_set(archive, request, limit)
    body = render(fmt, docs, str(request.base_url))
    name = f"folio-{docs[0].id if id and len(docs) == 1 else 'export'}.{EXTENSIONS[fmt]}"
    return Response(body, media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Folio-Count": str(len(docs))})
