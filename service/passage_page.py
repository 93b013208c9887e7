"""``/passages``: paste a paragraph, see every document holding it (the HTML face of `/api/passages`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from index.errors import FolioError
from index.passages import find_passages
from service.deps import ArchiveDep

router = APIRouter(include_in_schema=False)


@router.get("/passages", response_class=HTMLResponse)
def passages_page(request: Request, archive: ArchiveDep):
    text = request.query_params.get("text", "")
    matches, error, status = None, None, 200
    if text.strip():
        try:
            matches = find_passages(archive, text)
        except FolioError as exc:
            error, status = exc.message, exc.status
    return request.app.state.templates.TemplateResponse(
        request, "passages.html", {"text": text, "matches": matches, "error": error}, status_code=status)
