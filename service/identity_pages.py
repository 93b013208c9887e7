"""``/identities``: review suggested author identities, merge them, split merged names."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from index.errors import FolioError, Unauthorized
from service.deps import ArchiveDep

router = APIRouter(include_in_schema=False)


def _page(request: Request, archive, status: int = 200, **extra) -> HTMLResponse:
    context = {"suggestions": archive.identities.suggestions(), "merges": _grouped(archive.identities.merges()),
               **extra}
    return request.app.state.templates.TemplateResponse(request, "identities.html", context, status_code=status)


def _grouped(merges: list[dict]) -> list[tuple[str, list[str]]]:
    out: dict[str, list[str]] = {}
    for m in merges:
        out.setdefault(m["canonical"], []).append(m["variant"])
    return sorted(out.items())


@router.get("/identities", response_class=HTMLResponse)
def identities_page(request: Request, archive: ArchiveDep):
    return _page(request, archive, done=request.query_params.get("done"))


@router.post("/identities/merge", response_class=HTMLResponse)
async def merge_form(request: Request, archive: ArchiveDep):
    from service.pages import form_may_write

    form = await request.form()
    try:
        if not form_may_write(request, form):
            raise Unauthorized("The write token is missing or wrong; nothing was merged.")
        result = archive.merge_authors([str(n) for n in form.getlist("names")], str(form.get("canonical") or "") or None)
    except FolioError as exc:
        return _page(request, archive, status=exc.status, error=exc.message)
    return RedirectResponse(f"/identities?done={quote('Merged into ' + result['canonical'])}", status_code=303)


@router.post("/identities/split", response_class=HTMLResponse)
async def split_form(request: Request, archive: ArchiveDep):
    from service.pages import form_may_write

    form = await request.form()
    try:
        if not form_may_write(request, form):
            raise Unauthorized("The write token is missing or wrong; nothing was split.")
        archive.split_author(str(form.get("name") or ""))
    except FolioError as exc:
        return _page(request, archive, status=exc.status, error=exc.message)
    return RedirectResponse(f"/identities?done={quote('Split ' + str(form.get('name')))}", status_code=303)
