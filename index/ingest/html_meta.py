"""Article metadata from a web page's markup, strongest evidence first.

Publishers describe their articles in several overlapping vocabularies. A value a publisher wrote
for machines about *this* article (JSON-LD ``Article``, OpenGraph ``article:*``) is trusted over one
written for a generic purpose (``<meta name="author">``, Dublin Core), which is trusted over what is
merely visible on the page (``rel=author`` links, ``<time>`` elements, "By ..." bylines). Each
``*_candidates`` function returns raw strings in that order; `PageMeta` keeps the first that cleans
up into a valid value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from index.ingest.normalize import parse_date, split_authors

ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "scholarlyarticle", "techarticle", "report", "webpage", "posting",
    "socialmediaposting", "liveblogposting", "creativework", "backgroundnewsarticle",
}

GENERIC_TYPES = {"webpage", "creativework", "['webpage']", "['creativework']"}
ORGANISATION_TYPES = {"organization", "newsmediaorganization", "corporation", "governmentorganization",
                      "educationalorganization", "ngo", "website", "brand"}

AUTHOR_META = ("author", "article:author", "dc.creator", "dcterms.creator", "citation_author",
               "parsely-author", "sailthru.author", "byl", "twitter:creator:name", "og:article:author")
DATE_META = ("article:published_time", "og:article:published_time", "citation_publication_date",
             "citation_date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
             "dcterms.created", "date", "pubdate", "publishdate", "publish-date", "publication_date",
             "sailthru.date", "parsely-pub-date", "article.published", "datepublished")
UPDATED_META = ("article:modified_time", "og:updated_time", "dcterms.modified", "dc.date.modified",
                "datemodified", "last-modified")
TITLE_META = ("og:title", "twitter:title", "citation_title", "dc.title", "dcterms.title",
              "parsely-title", "sailthru.title", "headline")
SITE_META = ("og:site_name", "citation_journal_title", "dc.publisher", "dcterms.publisher",
             "application-name", "publisher")
BYLINE_CLASS = re.compile(r"byline|author|writer|contributor", re.IGNORECASE)


@dataclass
class PageMeta:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    #: A date shown in the article's own ``<time>`` element: weaker than declared metadata, stronger
    #: than a date guessed from the page at large.
    shown_date: str | None = None
    updated: str | None = None
    publication: str | None = None
    url: str | None = None
    language: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    page_title: str = ""  # the <title> element as written, site name and all


def read_page_meta(tree) -> PageMeta:
    """Everything the markup of ``tree`` (an lxml HTML document) says about its article."""
    metas = meta_tags(tree)
    ld = json_ld_articles(tree)
    return PageMeta(
        title=first_text(title_candidates(tree, metas, ld)),
        authors=first_names(author_candidates(tree, metas, ld)),
        published=first_date(date_candidates(tree, metas, ld, "datePublished", DATE_META)),
        shown_date=first_date(shown_dates(tree)),
        updated=first_date(date_candidates(tree, metas, ld, "dateModified", UPDATED_META, visible=False)),
        publication=first_text(publication_candidates(metas, ld)),
        url=first_text(url_candidates(tree, metas, ld)),
        language=page_language(tree, metas),
        description=first_text(metas.get(k) for k in ("description", "og:description",
                                                       "twitter:description", "dc.description")),
        tags=page_tags(metas, ld),
        page_title=text_of(tree.find(".//title")) if tree.find(".//title") is not None else "",
    )


# -- the raw material ---------------------------------------------------------------------------


def meta_tags(tree) -> dict[str, str]:
    """``<meta name|property|itemprop=... content=...>``, keys lower-cased; the first of each wins."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), " ".join(content.split()))
    return out


def json_ld_articles(tree) -> list[dict[str, Any]]:
    """JSON-LD objects describing an article, from every ``application/ld+json`` script on the page,
    with references (``"author": {"@id": "#person-1"}``, as WordPress SEO plugins write them)
    replaced by the objects they point to."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except ValueError:
            continue  # broken JSON-LD is common; the other sources still count
        nodes.extend(_walk_ld(data))
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    articles = []
    for obj in nodes:
        types = obj.get("@type")
        types = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and t.lower() in ARTICLE_TYPES for t in types):
            articles.append({k: _resolve(v, by_id) for k, v in obj.items()})
    # A specific article type says more than the page around it (WebPage, CreativeWork).
    articles.sort(key=lambda o: str(o.get("@type")).lower() in GENERIC_TYPES)
    return articles


def _resolve(value: Any, by_id: dict[str, dict]) -> Any:
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in by_id:
        return by_id[value["@id"]]
    if isinstance(value, list):
        return [_resolve(v, by_id) for v in value]
    return value


def _walk_ld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_ld(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "itemListElement"):
            if key in data:
                yield from _walk_ld(data[key], depth + 1)


def _ld_names(value: Any, people_only: bool = False) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        kind = value.get("@type")
        if people_only and isinstance(kind, str) and kind.lower() in ORGANISATION_TYPES:
            return []  # "author": {"@type": "Organization", "name": "BBC News"} names no person
        name = value.get("name") or " ".join(
            str(value.get(k, "")) for k in ("givenName", "familyName") if value.get(k))
        return [name] if isinstance(name, str) and name.strip() else []
    if isinstance(value, list):
        return [n for item in value for n in _ld_names(item, people_only)]
    return []


def _ld_first(ld: list[dict], key: str) -> Iterator[str]:
    for obj in ld:
        value = obj.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name") or value.get("@id") or value.get("url")
        if isinstance(value, (str, int)) and str(value).strip():
            yield str(value)


def text_of(el) -> str:
    return " ".join(el.text_content().split())


# -- candidates per field -----------------------------------------------------------------------


def title_candidates(tree, metas, ld) -> Iterator[str | None]:
    yield from _ld_first(ld, "headline")
    for key in TITLE_META:
        yield metas.get(key)
    h1 = [text_of(h) for h in tree.iter("h1")]
    title = tree.find(".//title")
    title_text = text_of(title) if title is not None else ""
    for heading in h1:  # an <h1> that the <title> starts with is the headline without the site name
        if heading and title_text.startswith(heading):
            yield heading
    yield from _ld_first(ld, "name")
    if title_text:
        yield title_text
    if len(h1) == 1:
        yield h1[0]


def author_candidates(tree, metas, ld) -> Iterator[list[str]]:
    for obj in ld:
        names = _ld_names(obj.get("author"), True) + _ld_names(obj.get("creator"), True)
        if names:
            yield names
    for key in AUTHOR_META:
        value = metas.get(key)
        if value and not value.startswith(("http://", "https://", "@")):
            yield [value]
    rel = [text_of(a) for a in tree.xpath('//a[contains(concat(" ", normalize-space(@rel), " "), " author ")]')]
    if rel:
        yield rel
    itemprop = [text_of(el) for el in tree.xpath('//*[@itemprop="author"]')]
    if itemprop:
        yield itemprop
    scope = article_scope(tree)
    for el in scope.xpath(".//*[@class or @id]"):
        marker = (el.get("class") or "") + " " + (el.get("id") or "")
        if BYLINE_CLASS.search(marker) and el.tag not in ("body", "html", "script", "style", "meta"):
            text = text_of(el)
            if 3 <= len(text) <= 120 and not in_comments(el):
                yield [text]
    for el in scope.iter("p", "div", "span"):
        text = text_of(el)
        if text[:3].lower() == "by " and len(text) <= 80 and not in_comments(el):
            yield [text]


def date_candidates(tree, metas, ld, ld_key: str, meta_keys, visible: bool = True) -> Iterator[str | None]:
    yield from _ld_first(ld, ld_key)
    for key in meta_keys:
        yield metas.get(key)
    if not visible:
        return
    for el in tree.xpath('//*[@itemprop="datePublished"]'):
        yield el.get("content") or el.get("datetime") or text_of(el)
    for el in tree.iter("time"):
        if el.get("pubdate") is not None or "publish" in (el.get("class") or ""):
            yield el.get("datetime") or text_of(el)


def shown_dates(tree) -> Iterator[str | None]:
    """Dates in ``<time>`` elements of the article (not of comments or related links), when the page
    marks its article; on a page that does not, a ``<time>`` could belong to anything."""
    scope = article_scope(tree)
    if scope is tree:
        return
    for el in scope.iter("time"):
        if not in_comments(el):
            yield el.get("datetime") or text_of(el)


def article_scope(tree):
    """The article element when the page marks one, else its main part, else the whole page."""
    for path in ('//article[not(ancestor::*[contains(@class, "comment")])]', '//*[@itemprop="articleBody"]',
                 "//main", '//*[@role="main"]'):
        found = tree.xpath(path)
        if found:
            return found[0]
    return tree


def in_comments(el) -> bool:
    return bool(el.xpath('ancestor-or-self::*[contains(@class, "comment") or contains(@id, "comment")]'
                         '|ancestor::aside|ancestor::footer|ancestor::nav'))


def publication_candidates(metas, ld) -> Iterator[str | None]:
    """The site's own name first: a blog's publisher is often a society or company, but readers and
    catalogues know it by the site's name."""
    yield metas.get("og:site_name")
    for obj in ld:
        for key in ("publisher", "sourceOrganization", "isPartOf"):
            names = _ld_names(obj.get(key))
            if names:
                yield names[0]
    for key in SITE_META:
        yield metas.get(key)


def url_candidates(tree, metas, ld) -> Iterator[str | None]:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            yield link.get("href")
    yield metas.get("og:url")
    yield from _ld_first(ld, "url")
    yield from _ld_first(ld, "mainEntityOfPage")


def page_language(tree, metas) -> str | None:
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    for value in (root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"),
                  metas.get("content-language"), metas.get("og:locale"), metas.get("dc.language"),
                  metas.get("language")):
        code = re.match(r"^\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*\s*$", value or "")
        if code:
            return code.group(1).lower()
    return None


def page_tags(metas, ld) -> list[str]:
    raw: list[str] = []
    for obj in ld:
        keywords = obj.get("keywords")
        if isinstance(keywords, list):
            raw.extend(str(k) for k in keywords)
        elif isinstance(keywords, str):
            raw.extend(keywords.split(","))
    if not raw:
        raw = [metas[k] for k in ("article:tag",) if k in metas]
        raw += (metas.get("keywords") or metas.get("news_keywords") or "").split(",")
    tags: list[str] = []
    for tag in raw:
        tag = " ".join(tag.split()).lower()
        if tag and len(tag) <= 60 and tag not in tags:
            tags.append(tag)
    return tags[:30]


# -- choosing -----------------------------------------------------------------------------------


def first_text(candidates) -> str | None:
    for value in candidates:
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def first_names(candidates) -> list[str]:
    for group in candidates:
        names: list[str] = []
        for raw in group:
            for name in split_authors(raw):
                if name not in names:
                    names.append(name)
        if names:
            return names
    return []


def first_date(candidates) -> str | None:
    for value in candidates:
        if isinstance(value, str) and value.strip():
            iso = parse_date(value.strip())
            if iso:
                return iso
    return None
