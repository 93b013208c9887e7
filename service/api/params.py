"""Turning query-string parameters into a `SearchRequest`, shared by the API and the pages."""

from __future__ import annotations

from starlette.datastructures import QueryParams

from index.search import SearchRequest

FACET_PARAMS = ("author", "publication", "year", "month", "tag", "language", "content_type", "updated", "captured",
                "captured_month", "updated_month")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


#: longer queries are refused before they reach the parser: each word costs spelling suggestions
MAX_QUERY_CHARS = 2000
MAX_QUERY_WORDS = 200


def bounded_query(q: str) -> str:
    """The query, or a 422 a person understands when it is too long to be a search."""
    from index.errors import Unreadable

    if len(q) > MAX_QUERY_CHARS:
        raise Unreadable(f"The query is {len(q):,} characters long; at most {MAX_QUERY_CHARS:,} are searched.")
    if len(q.split()) > MAX_QUERY_WORDS:
        raise Unreadable(f"The query has {len(q.split()):,} words; at most {MAX_QUERY_WORDS} are searched.")
    return q


def search_request(params: QueryParams, facets: tuple[str, ...] | None = None) -> SearchRequest:
    filters = {name: params.getlist(name) for name in FACET_PARAMS if params.getlist(name)}
    if "lang" in params:
        filters.setdefault("language", params.getlist("lang"))
    req = SearchRequest(
        q=bounded_query(params.get("q", "")),
        filters=filters,
        date_from=params.get("from") or None,
        date_to=params.get("to") or None,
        sort=params.get("sort", "relevance"),
        page=_int(params.get("page"), 1),
        per_page=_int(params.get("per_page"), 10),
        all_copies=params.get("all_copies", "").lower() in ("1", "true", "yes", "on"),
    )
    if facets is not None:
        req.facets = facets
    elif "year" in filters:
        req.facets = req.facets + ("month",)
    return req.normalised()
