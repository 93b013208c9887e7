"""Server-rendered HTML pages. They call the same archive functions as the API."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from index.errors import FolioError, Unauthorized
from index.search import SearchRequest
from service.api.documents import read_upload
from service.api.params import FACET_PARAMS, search_request
from service.auth import token_matches
from service.deps import ArchiveDep, SettingsDep
from service.timeline_chart import bar_chart

router = APIRouter(include_in_schema=False)

FACET_LABELS = {"author": "Authors", "publication": "Publications", "year": "Years", "month": "Months",
                "tag": "Tags", "language": "Languages", "content_type": "Formats"}


def render(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status)


def link_with(params, **changes) -> str:
    """The current page's query string with some parameters changed (None removes them)."""
    pairs = [(k, v) for k, v in params.multi_items() if k not in changes and k != "page"]
    for key, value in changes.items():
        if value is None:
            continue
        pairs.append((key, value))
    from urllib.parse import urlencode

    return "?" + urlencode(pairs)


def toggle_filter(params, name: str, value: str) -> str:
    """Link that adds a facet value to the selection, or removes it if it is selected."""
    from urllib.parse import urlencode

    pairs = [(k, v) for k, v in params.multi_items() if k != "page"]
    if (name, value) in pairs:
        pairs.remove((name, value))
    else:
        pairs.append((name, value))
    return "?" + urlencode(pairs)


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, archive: ArchiveDep):
    req = search_request(request.query_params)
    req.facets = ("author", "publication", "year") + (("month",) if "year" in req.filters else ())
    browsing = not req.q and not req.filters and not req.date_from and not req.date_to
    if browsing and request.query_params.get("sort") is None:
        req.sort = "newest"
    result = archive.search(req)
    selected = [(name, value) for name in FACET_PARAMS for value in req.filters.get(name, [])]
    return render(request, "search.html", {
        "result": result, "req": req, "selected": selected, "facet_labels": FACET_LABELS,
        "params": request.query_params, "link_with": link_with, "toggle": toggle_filter,
        "browsing": browsing,
    })


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, archive: ArchiveDep):
    doc = archive.get(doc_id)
    return render(request, "document.html", {"doc": doc, "paragraphs": paragraphs(doc.text, doc.sections)})


def paragraphs(text: str, sections: list[str]) -> list[tuple[str, str]]:
    """The text as (kind, content) blocks, headings marked, for a clean reading view."""
    heads = set(sections)
    out = []
    for block in text.split("\n\n"):
        block = block.strip()
        if not block:
            continue
        out.append(("h", block) if block in heads else ("p", block))
    return out


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request):
    return render(request, "upload.html", {})


@router.post("/upload", response_class=HTMLResponse)
def upload_submit(
    request: Request,
    archive: ArchiveDep,
    settings: SettingsDep,
    token: str = Form(""),
    file: UploadFile = File(...),
):
    try:
        if not token_matches(token, request.app.state.token):
            raise Unauthorized("The write token is missing or wrong.")
        data = read_upload(file, settings.max_upload_bytes)
        doc, created = archive.add(data, file.filename or "upload")
    except FolioError as exc:
        return render(request, "upload.html", {"error": exc.message}, status=exc.status)
    return RedirectResponse(f"/documents/{doc.id}", status_code=303)


@router.get("/authors", response_class=HTMLResponse)
def authors_page(request: Request, archive: ArchiveDep):
    authors = archive.authors()
    return render(request, "authors.html", {"authors": authors, "letters": group_by_letter(authors)})


def group_by_letter(authors: list[tuple[str, int]]) -> list[tuple[str, list[tuple[str, int]]]]:
    from index.archive import sort_name

    groups: dict[str, list] = {}
    for name, count in authors:
        letter = (sort_name(name)[:1] or "#").upper()
        letter = letter if letter.isalpha() else "#"
        groups.setdefault(letter, []).append((name, count))
    return list(groups.items())


@router.get("/authors/{name}", response_class=HTMLResponse)
def author_page(request: Request, name: str, archive: ArchiveDep):
    result = archive.search(SearchRequest(filters={"author": [name]}, sort="newest", per_page=100,
                                          facets=("publication", "year", "author"), facet_limit=0))
    return render(request, "author.html", {"name": name, "result": result})


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, archive: ArchiveDep):
    q = request.query_params.get("q", "")
    year = request.query_params.get("year")
    month = request.query_params.get("month")
    if month:
        by, filters = "day", {"month": [month]}
    elif year:
        by, filters = "month", {"year": [year]}
    else:
        by, filters = "year", {}
    buckets = archive.timeline(by, q=q, filters=filters)
    articles = None
    if year or month:
        req = SearchRequest(q=q, filters={"month": [month]} if month else {"year": [year]}, sort="newest",
                            per_page=50, facets=())
        articles = archive.search(req)
    chart = bar_chart(buckets, link=lambda v: "/timeline?" + _timeline_query(q, v, by))
    return render(request, "timeline.html", {
        "buckets": buckets, "by": by, "year": year, "month": month, "q": q, "chart": chart, "articles": articles,
    })


def _timeline_query(q: str, value: str, by: str) -> str:
    from urllib.parse import urlencode

    key = {"year": "year", "month": "month", "day": "month"}[by]
    pairs = [("q", q)] if q else []
    if by == "day":
        return urlencode(pairs + [("month", value[:7])])
    return urlencode(pairs + [(key, value)])


@router.get("/help", response_class=HTMLResponse)
def help_page(request: Request):
    return render(request, "help.html", {})
