"""Server-rendered HTML pages. They call the same archive functions as the API."""

from __future__ import annotations

import re
import textwrap

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from index.errors import FolioError, Unauthorized
from index.ingest import SUPPORTED
from index.schema import DATE_FILTERS
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
    req.facets = SearchRequest().facets + (("month",) if "year" in req.filters else ())
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
    original, copies = archive.copies(doc_id)
    return render(request, "document.html", document_context(doc, edit_open="edit" in request.query_params,
                                                              edit_saved="saved" in request.query_params,
                                                              copies=copies, original=original,
                                                              related=archive.similar(doc_id)))


def document_context(doc, **extra) -> dict:
    """What the document page shows: the record, its reading view and the edit form's values."""
    return {"doc": doc, "paragraphs": paragraphs(doc.text, doc.sections), "form": edit_form_values(doc),
            "related": [], **extra}


def edit_form_values(doc) -> dict[str, str]:
    """The record as the edit form shows it: lists joined, missing values empty."""
    values = {name: getattr(doc, name) or "" for name in EDIT_FORM_FIELDS}
    values["authors"] = "; ".join(doc.authors)
    values["tags"] = ", ".join(doc.tags)
    return values


EDIT_FORM_FIELDS = ("title", "authors", "published", "publication", "original_publication", "language", "tags",
                    "url")


@router.post("/documents/{doc_id}/edit", response_class=HTMLResponse)
async def document_edit(request: Request, doc_id: str, archive: ArchiveDep):
    """The edit form: only the fields a person changed become corrections."""
    doc = archive.get(doc_id)
    form = await request.form()
    submitted = {name: str(form.get(name, "")).strip() for name in EDIT_FORM_FIELDS}
    current = edit_form_values(doc)
    changes = {name: (value or None) for name, value in submitted.items() if value != current[name]}
    try:
        if not form_may_write(request, form):
            raise Unauthorized("The write token is missing or wrong; nothing was changed.")
        if changes:
            archive.update(doc_id, changes)
    except FolioError as exc:
        context = document_context(doc, edit_open=True, edit_error=exc.message)
        context["form"].update(submitted)
        return render(request, "document.html", context, status=exc.status)
    return RedirectResponse(f"/documents/{doc_id}?saved#edit", status_code=303)


def paragraphs(text: str, sections: list[str]) -> list[tuple[str, str]]:
    """The text as (kind, content) blocks for a clean reading view: "h" headings, "pre" indented blocks
    (code, quoted layout) and "p" paragraphs."""
    heads = set(sections)
    out = []
    for raw in text.split("\n\n"):
        block = raw.strip()
        if not block:
            continue
        if all(line[:1] in (" ", "\t") for line in raw.strip("\n").split("\n") if line.strip()):
            out.append(("pre", textwrap.dedent(raw.strip("\n"))))
            continue
        underlined = underlined_heading(block)
        if underlined:
            out.append(("h", underlined))
        else:
            out.append(("h", block) if block in heads else ("p", block))
    return out


_UNDERLINE = re.compile(r"^([=\-~^*#+])\1{2,}$")


def underlined_heading(block: str) -> str | None:
    """A plain-text heading underlined with a row of '=' or '-' (as reStructuredText and many plain-text
    articles write them): the heading's words, else None."""
    lines = [line.strip() for line in block.split("\n")]
    if len(lines) == 3 and _UNDERLINE.match(lines[0]) and lines[0] == lines[2]:
        lines = lines[1:2] + lines[2:]
    if len(lines) == 2 and _UNDERLINE.match(lines[1]) and 0 < len(lines[0]) <= 120:
        return lines[0]
    return None


def form_may_write(request: Request, form) -> bool:
    """Whether a page form may change the archive: a login session, or the write token in the form.
    (Its CSRF field was already checked by `service.login.check_csrf`.)"""
    from service.login import logged_in

    return logged_in(request) or token_matches(str(form.get("token", "")), request.app.state.token)


#: What to do about a rejected upload, by the HTTP status of the refusal (shown by the page and its script).
UPLOAD_ADVICE = {
    401: "Enter the write token (the command 'folio token' prints it; it is also kept in the file 'token' "
         "of the data folder), or log in once.",
    413: "Split the file into smaller parts, or ask whoever runs Folio to raise FOLIO_MAX_UPLOAD_MB.",
    415: "Save the article as " + SUPPORTED + ", then upload it again.",
    422: "Check that the file opens on your computer; a scanned PDF needs text recognition (OCR) first.",
    0: "Try again in a moment; if it keeps failing, the server log says why.",
}


def upload_context(settings, **extra) -> dict:
    return {"max_mb": settings.max_upload_mb, "max_bytes": settings.max_upload_bytes, "supported": SUPPORTED,
            "advice": UPLOAD_ADVICE, **extra}


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, settings: SettingsDep):
    return render(request, "upload.html", upload_context(settings))


@router.post("/upload", response_class=HTMLResponse)
async def upload_submit(request: Request, archive: ArchiveDep, settings: SettingsDep):
    """The form without script: any number of files; one stored alone goes straight to its page."""
    form = await request.form()
    files = [f for f in form.getlist("file") if getattr(f, "filename", None) is not None]
    if not form_may_write(request, form):
        error = Unauthorized("The write token is missing or wrong; nothing was stored.")
        return render(request, "upload.html", upload_context(settings, error=error.message, error_status=401),
                      status=401)
    if not files:
        return render(request, "upload.html", upload_context(settings, error="Choose at least one file."),
                      status=422)
    outcomes = []
    for file in files:
        try:
            data = read_upload(file, settings.max_upload_bytes)
            doc, created = archive.add(data, file.filename or "upload")
            outcomes.append({"filename": file.filename, "doc": doc, "created": created})
        except FolioError as exc:
            outcomes.append({"filename": file.filename, "error": exc.message, "status": exc.status,
                             "advice": UPLOAD_ADVICE.get(exc.status, UPLOAD_ADVICE[0])})
    if len(outcomes) == 1 and "doc" in outcomes[0]:
        return RedirectResponse(f"/documents/{outcomes[0]['doc'].id}", status_code=303)
    failed = [o for o in outcomes if "error" in o]
    status = failed[0]["status"] if len(failed) == len(outcomes) else 200
    return render(request, "upload.html", upload_context(settings, outcomes=outcomes), status=status)


@router.get("/authors", response_class=HTMLResponse)
def authors_page(request: Request, archive: ArchiveDep):
    """Every author A–Z; a long list shows one letter at a time so the page stays light."""
    authors = archive.authors()
    filter_text = request.query_params.get("filter", "").strip()
    shown = [(n, c) for n, c in authors if filter_text.lower() in n.lower()] if filter_text else authors
    letters = group_by_letter(shown)
    paged = len(shown) > AUTHORS_ON_ONE_PAGE
    letter = request.query_params.get("letter", "").upper()
    if paged:
        letter = letter if letter in dict(letters) else letters[0][0]
    return render(request, "authors.html", {
        "authors": authors, "shown": len(shown), "all_letters": [g for g, _ in letters],
        "letters": [(g, names) for g, names in letters if not paged or g == letter],
        "paged": paged, "letter": letter if paged else None, "filter_text": filter_text,
    })


#: above this many authors the A–Z page shows one letter at a time
AUTHORS_ON_ONE_PAGE = 600


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
    name = archive.identities.canonical(name)  # any spelling of a person shows the person
    result = archive.search(SearchRequest(filters={"author": [name]}, sort="newest", per_page=100,
                                          facets=("publication", "year", "author"), facet_limit=0))
    years = sorted(result.facets.get("year", []), key=lambda f: f.value)
    return render(request, "author.html", {"name": name, "result": result, "years": years,
                                           "variants": archive.identities.variants(name)})


@router.get("/publications", response_class=HTMLResponse)
def publications_page(request: Request, archive: ArchiveDep):
    """Every publication A–Z with its number of articles, and a filter box."""
    publications = archive.publications()
    filter_text = request.query_params.get("filter", "").strip()
    shown = [(n, c) for n, c in publications if filter_text.lower() in n.lower()] if filter_text else publications
    groups: dict[str, list] = {}
    for name, count in shown:
        letter = name[:1].upper() if name[:1].isalpha() else "#"
        groups.setdefault(letter, []).append((name, count))
    return render(request, "publications.html", {"publications": publications, "shown": shown,
                                                 "letters": list(groups.items()), "filter_text": filter_text})


@router.get("/publications/{name}", response_class=HTMLResponse)
def publication_page(request: Request, name: str, archive: ArchiveDep):
    """A publication's articles newest first, its authors and its articles per year."""
    result = archive.search(SearchRequest(filters={"publication": [name]}, sort="newest", per_page=100,
                                          facets=("author", "year"), facet_limit=0, snippets=False))
    years = sorted(result.facets.get("year", []), key=lambda f: f.value)
    return render(request, "publication.html", {"name": name, "result": result, "years": years})


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, archive: ArchiveDep):
    q = request.query_params.get("q", "")
    year = request.query_params.get("year")
    month = request.query_params.get("month")
    date = request.query_params.get("date", "published")  # which date: published, updated or captured
    date = date if date in DATE_FILTERS else "published"
    if month:
        by, filters = "day", {DATE_FILTERS[date]["month"]: [month]}
    elif year:
        by, filters = "month", {DATE_FILTERS[date]["year"]: [year]}
    else:
        by, filters = "year", {}
    buckets = archive.dated_timeline(date, by, q=q, filters=filters)
    articles = None
    if year or month:
        req = SearchRequest(q=q, filters=filters, sort="newest", per_page=50, facets=())
        articles = archive.search(req)

    def link(value: str) -> str:
        if date != "published":  # other dates: a day leads to its month's articles
            return "/timeline?" + _timeline_query(q, value, by) + f"&date={date}"
        return timeline_link(q, value, by)

    chart = bar_chart(buckets, link=link)
    return render(request, "timeline.html", {
        "buckets": buckets, "by": by, "year": year, "month": month, "q": q, "chart": chart, "articles": articles,
        "bucket_link": link, "month_name": month_name(month), "date": date,
    })


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def month_name(month: str | None) -> str | None:
    """'2020-04' -> 'April 2020'."""
    try:
        return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}" if month else None
    except (ValueError, IndexError):
        return None


def timeline_link(q: str, value: str, by: str) -> str:
    """Where a bar leads: a year to its months, a month to its days, a day to that day's articles."""
    from urllib.parse import urlencode

    if by == "day":
        return "/?" + urlencode(([("q", q)] if q else []) + [("from", value), ("to", value), ("sort", "oldest")])
    return "/timeline?" + _timeline_query(q, value, by)


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
