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


def search_request(params: QueryParams, facets: tuple[str, ...] | None = None) -> SearchRequest:
    filters = {name: params.getlist(name) for name in FACET_PARAMS if params.getlist(name)}
    if "lang" in params:
        filters.setdefault("language", params.getlist("lang"))
    req = SearchRequest(
        q=params.get("q", ""),
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
