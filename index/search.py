"""What a search asks and what it answers — plain data shared by the API, the pages and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
#: seconds a search may take before it answers with what it has found so far (flagged ``partial``)
SEARCH_TIME_LIMIT = 5.0


@dataclass
class SearchRequest:
    q: str = ""
    #: facet name (author, publication, year, month, tag, language, content_type) -> selected values;
    #: values of one facet combine with OR, different facets with AND.
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    #: "month" is added by the API and pages when a year is selected (months within that year)
    facets: tuple[str, ...] = ("author", "publication", "year", "tag", "language", "content_type")
    facet_limit: int = 30
    snippets: bool = True
    time_limit: float | None = SEARCH_TIME_LIMIT
    #: every copy of a reprinted article, instead of one hit per group of copies
    all_copies: bool = False

    def normalised(self) -> "SearchRequest":
        self.q = (self.q or "").strip()
        self.sort = self.sort if self.sort in SORTS else "relevance"
        self.page = min(max(1, int(self.page or 1)), MAX_PAGE)
        self.per_page = min(max(1, int(self.per_page or 10)), MAX_PER_PAGE)
        self.filters = {k: [v for v in vs if v] for k, vs in self.filters.items() if any(vs)}
        return self


@dataclass
class Hit:
    id: str
    title: str
    authors: list[str]
    published: str | None
    publication: str | None
    score: float
    snippet: str = ""
    title_html: str = ""
    language: str | None = None
    content_type: str = ""
    #: documents in this hit's group of reprints (1 when it has no copies)
    copies: int = 1

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "title_html": self.title_html,
            "authors": self.authors,
            "published": self.published,
            "publication": self.publication,
            "snippet": self.snippet,
            "score": round(self.score, 4),
            "copies": self.copies,
        }


@dataclass
class FacetValue:
    value: str
    count: int


@dataclass
class SearchResult:
    request: SearchRequest
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    partial: bool = False
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    def to_dict(self) -> dict:
        return {
            "q": self.request.q,
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "sort": self.request.sort,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [{"value": f.value, "count": f.count} for f in v] for k, v in self.facets.items()},
            "suggestion": self.suggestion,
            "partial": self.partial,
            "took_ms": round(self.took_ms, 2),
        }
