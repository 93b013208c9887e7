"""Atom feeds of the newest matches of a search, an author or a publication: ``/feed?q=…``.

The same query parameters as the search page (``q``, ``author``, ``publication``, ``tag``, …), so a
page links to its own feed by passing its query string on. Newest first by publication date.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from fastapi import APIRouter, Request
from fastapi.responses import Response

from index.citations import archive_url
from index.document import Document
from service.api.params import FACET_PARAMS, search_request
from service.deps import ArchiveDep

router = APIRouter(tags=["feeds"])

ATOM = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 30
MEDIA_TYPE = "application/atom+xml; charset=utf-8"


def rfc3339(iso: str | None) -> str | None:
    """A partial ISO date or an ISO timestamp as an Atom date (UTC when no offset is given)."""
    if not iso:
        return None
    try:
        if len(iso) <= 10:
            parts = [int(p) for p in iso.split("-")] + [1, 1]
            when = datetime(parts[0], parts[1], parts[2], tzinfo=timezone.utc)
        else:
            when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
    except (ValueError, IndexError):
        return None
    return when.isoformat().replace("+00:00", "Z")


def feed_title(params) -> str:
    parts = []
    if params.get("q"):
        parts.append(f"“{params.get('q')}”")
    for name in FACET_PARAMS:
        for value in params.getlist(name):
            parts.append(f"{name}: {value}")
    return "Folio — " + (", ".join(parts) if parts else "newest articles")


def feed_query(params) -> str:
    pairs = [(k, v) for k, v in params.multi_items() if k in ("q", *FACET_PARAMS, "from", "to")]
    return urlencode(pairs)


def _text(parent, tag: str, text: str | None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def entry(feed: ET.Element, doc: Document, base: str) -> None:
    e = ET.SubElement(feed, f"{{{ATOM}}}entry")
    link = archive_url(base, doc.id)
    _text(e, "id", link)
    _text(e, "title", doc.title or doc.id)
    _text(e, "updated", rfc3339(doc.updated) or rfc3339(doc.published) or rfc3339(doc.ingested_at))
    if rfc3339(doc.published):
        _text(e, "published", rfc3339(doc.published))
    _text(e, "link", None, rel="alternate", type="text/html", href=link)
    if doc.url:
        _text(e, "link", None, rel="related", href=doc.url)
    for name in doc.authors or ["Unknown"]:
        _text(_text(e, "author", None), "name", name)
    if doc.publication:
        _text(e, "category", None, term=doc.publication, label=doc.publication)
    _text(e, "summary", doc.summary or "", type="text")


def build_feed(docs: list[Document], title: str, base: str, self_url: str, page_url: str) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", self_url)
    _text(feed, "title", title)
    stamps = [rfc3339(d.updated) or rfc3339(d.published) or rfc3339(d.ingested_at) for d in docs]
    stamps = [s for s in stamps if s]
    _text(feed, "updated", max(stamps) if stamps else "1970-01-01T00:00:00Z")
    _text(feed, "link", None, rel="self", type="application/atom+xml", href=self_url)
    _text(feed, "link", None, rel="alternate", type="text/html", href=page_url)
    _text(_text(feed, "author", None), "name", "Folio")
    _text(feed, "generator", "Folio")
    for doc in docs:
        entry(feed, doc, base)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@router.get("/feed")
def feed(request: Request, archive: ArchiveDep):
    """Atom feed of the newest matches; takes the search page's parameters."""
    req = search_request(request.query_params, facets=())
    req.sort, req.page, req.per_page, req.snippets = "newest", 1, FEED_ENTRIES, False
    result = archive.search(req)
    found = archive.catalog.get_many([h.id for h in result.hits], with_text=False)
    docs = [found[h.id] for h in result.hits if h.id in found]
    base = str(request.base_url).rstrip("/")
    query = feed_query(request.query_params)
    body = build_feed(docs, feed_title(request.query_params), base,
                      f"{base}/feed" + (f"?{query}" if query else ""), f"{base}/" + (f"?{query}" if query else ""))
    return Response(body, media_type=MEDIA_TYPE)
