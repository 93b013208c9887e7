"""Web pages saved as HTML: the article's text without navigation or boilerplate, and its metadata.

The main text comes from trafilatura, the reference extractor. Metadata comes first from what the
publisher declared (`index.ingest.html_meta`), then from trafilatura's own guesses, because declared
values (JSON-LD, OpenGraph) are right far more often than heuristics about the page's layout.
"""

from __future__ import annotations

import re

from index.document import Document
from index.errors import Unreadable
from index.ingest.html_meta import PageMeta, article_scope, in_comments, read_page_meta, text_of
from index.ingest.normalize import clean_text, decode_text, detect_language, parse_date, split_authors

_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TITLE_SEPARATORS = (" | ", " - ", " — ", " – ", " :: ", " · ", " « ", " » ")
MAX_SECTIONS = 100
MAX_SITE_WORDS = 6
#: Documentation generators put a pilcrow link after each heading; it is not part of the text.
_HEADERLINK = re.compile(r"[ \t]*¶(?=\n|$)")


def read(data: bytes, filename: str) -> Document:
    name = filename or "The page"
    markup = decode_html(data, name)
    tree = parse_tree(markup, name)
    meta = read_page_meta(tree)
    found = run_trafilatura(markup, meta.url)
    text = _HEADERLINK.sub("", clean_text(found.get("text") or "")) or visible_text(tree)
    # trafilatura's site name is often a guess; the <title> names the site only beside the headline.
    title = strip_site_suffix(meta.title or found.get("title") or "", meta.publication)
    publication = meta.publication or site_from_title(meta.page_title, title)
    return Document(
        title=title,
        authors=meta.authors or split_authors(found.get("author") or ""),
        published=meta.published or meta.shown_date or guessed_date(found.get("date")),
        updated=meta.updated if meta.updated != meta.published else None,
        publication=publication,
        url=meta.url or found.get("url"),
        language=meta.language or detect_language(text),
        tags=meta.tags or [t.lower() for t in (found.get("tags") or []) if t][:30],
        summary=_summary(meta),
        text=text,
        sections=headings(tree),
        content_type="text/html",
    )


def decode_html(data: bytes, name: str) -> str:
    """The page as text. Valid UTF-8 is UTF-8 whatever the page declares (pages are often saved as
    UTF-8 with the server's old ``charset=iso-8859-1`` left in); otherwise the declared charset if it
    decodes cleanly, else detection."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared:
        charset = declared.group(1).decode("ascii", "ignore").lower()
        if charset in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
            charset = "cp1252"  # what browsers do, and what such pages really contain
        if charset not in ("utf-8", "utf8"):
            try:
                return data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
    return decode_text(data, name)


def parse_tree(markup: str, name: str):
    import lxml.html
    from lxml.etree import ParserError

    try:
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup, count=1))
    except (ParserError, ValueError) as exc:
        raise Unreadable(f"{name} could not be read as HTML: {exc}") from exc
    return tree


def run_trafilatura(markup: str, url: str | None) -> dict:
    import trafilatura

    try:
        found = trafilatura.bare_extraction(
            markup, url=url, with_metadata=True, include_comments=False, include_tables=True,
            favor_recall=True,
        )
    except (ValueError, TypeError) as exc:  # trafilatura has no error type of its own
        raise Unreadable(f"The page could not be read: {exc}") from exc
    if found is None:
        return {}
    return found.as_dict() if hasattr(found, "as_dict") else dict(found)


def visible_text(tree) -> str:
    """All text outside scripts and styles: the last resort when no main text was found."""
    body = tree.find(".//body")
    if body is None:
        return ""
    for el in body.xpath(".//script|.//style|.//noscript|.//template"):
        el.drop_tree()
    blocks = [text_of(el) for el in body.iter("p", "h1", "h2", "h3", "h4", "li", "pre", "blockquote", "td")]
    text = "\n\n".join(b for b in blocks if b)
    return clean_text(text or body.text_content())


def headings(tree) -> list[str]:
    out: list[str] = []
    for el in article_scope(tree).iter("h2", "h3"):
        if in_comments(el) or el.xpath('ancestor::header|ancestor::*[@role="navigation"]'):
            continue
        text = text_of(el).rstrip("¶#").strip()
        if text and len(text) <= 150 and text not in out:
            out.append(text)
            if len(out) >= MAX_SECTIONS:
                break
    return out


def strip_site_suffix(title: str, publication: str | None) -> str:
    """"The Headline | The Site" -> "The Headline", when the tail is the site's name or a short tag."""
    title = " ".join(title.split())
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, _, tail = title.rpartition(sep)
        if publication and tail.strip().lower() == publication.strip().lower():
            return head.strip()
        if len(tail.split()) <= 5 and len(head.split()) >= 2 and title.count(sep) == 1:
            return head.strip()
        first, _, rest = title.partition(sep)  # "The Site | The Headline"
        if publication and first.strip().lower() == publication.strip().lower():
            return rest.strip()
    return title


def site_from_title(page_title: str, headline: str) -> str | None:
    """"Headline :: Island Courier" names the site when one side is exactly the headline."""
    page_title = " ".join(page_title.split())
    if not headline:
        return None
    for sep in _TITLE_SEPARATORS:
        if page_title.count(sep) != 1:
            continue
        left, _, right = page_title.partition(sep)
        site = right if left.strip() == headline else left if right.strip() == headline else None
        if site and 1 <= len(site.split()) <= MAX_SITE_WORDS and site[:1].isupper():
            return site.strip()
    return None


def guessed_date(value: str | None) -> str | None:
    """trafilatura's date, as a year when it is January 1st: its date finder fills a date it only
    knows the year of (a copyright line, "2018 edition") with -01-01, and Folio does not invent days."""
    iso = parse_date(value or "")
    if iso and iso.endswith("-01-01"):
        return iso[:4]
    return iso


def _summary(meta: PageMeta) -> str:
    description = meta.description or ""
    return description if len(description.split()) >= 8 else ""
