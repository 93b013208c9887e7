"""E-mail messages (``.eml``), newsletters above all: subject, sender, date, list, text.

Title is the subject without list tags or reply prefixes; the author is the sender's name when it is
a person's name (a newsletter sent as "The Allotment Weekly" has none); the publication is the
mailing list's name, else the sender's domain. The text part is preferred; an HTML-only message is
read like a web page. (Named ``eml`` so it cannot shadow the standard library's ``email``.)
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime

from index.document import Document
from index.errors import Unreadable
from index.ingest.normalize import clean_author, clean_text, detect_language, split_authors

_SUBJECT_NOISE = re.compile(r"^\s*(?:(?:re|fwd?|aw|tr|wg)\s*:\s*|\[[^\]]{1,60}\]\s*)+", re.IGNORECASE)
_SIGNATURE = re.compile(r"\n-- ?\n.*\Z", re.DOTALL)
#: Newsletters lay out their HTML with tables; read as data tables they would come out as cells.
_LAYOUT_TABLE = re.compile(r"<(/?)(?:table|tbody|thead|tfoot|tr|td|th)\b[^>]*>", re.IGNORECASE)
_LIST_ID = re.compile(r"^\s*\"?([^<\"]*?)\"?\s*<([^>]+)>\s*$")


def read(data: bytes, filename: str) -> Document:
    name = filename or "The message"
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
    except (ValueError, TypeError, IndexError) as exc:
        raise Unreadable(f"{name} is not a readable e-mail message: {exc}") from exc
    if not isinstance(message, EmailMessage) or not (message["From"] or message["Subject"]):
        raise Unreadable(f"{name} does not look like an e-mail message (no From or Subject header).")
    text, html_doc = message_text(message, name)
    sender_name, sender_address = sender(message)
    authors = _sender_authors(sender_name)
    if not authors and html_doc is not None:
        authors = html_doc.authors
    if not authors:
        authors = byline(text)
    return Document(
        title=subject(message) or (html_doc.title if html_doc else ""),
        authors=authors,
        published=message_date(message),
        publication=list_name(message) or _domain(sender_address),
        url=_archive_url(message),
        language=_header(message, "Content-Language")[:2].lower() or detect_language(text) or None,
        text=text,
        content_type="message/rfc822",
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):  # a malformed header is left out, not fatal
        return ""
    return " ".join(str(value).split()) if value else ""


def subject(message: EmailMessage) -> str:
    return _SUBJECT_NOISE.sub("", _header(message, "Subject")).strip()


def sender(message: EmailMessage) -> tuple[str, str]:
    raw = _header(message, "From")
    addresses = getaddresses([raw]) if raw else []
    return addresses[0] if addresses else ("", "")


def _sender_authors(display_name: str) -> list[str]:
    if not display_name:
        return []
    names = split_authors(display_name)
    if names:
        return names
    one = clean_author(display_name)
    return [one] if one else []


def byline(text: str) -> list[str]:
    """A "By X" line near the top of the message: newsletters credit their writer there."""
    for line in [line for line in text.split("\n") if line.strip()][:8]:
        if len(line.split()) <= 10 and re.match(r"^\s*(?:by|von|par|por)\s", line, re.IGNORECASE):
            return split_authors(line)
    return []


def message_date(message: EmailMessage) -> str | None:
    raw = _header(message, "Date")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).date().isoformat()
    except (TypeError, ValueError, IndexError):
        from index.ingest.normalize import parse_date

        return parse_date(raw)


def list_name(message: EmailMessage) -> str | None:
    m = _LIST_ID.match(_header(message, "List-Id"))
    if m and m.group(1).strip():
        return m.group(1).strip()
    return None


def _domain(address: str) -> str | None:
    domain = address.rpartition("@")[2].strip().lower()
    return domain or None


def _archive_url(message: EmailMessage) -> str | None:
    m = re.search(r"<(https?://[^>]+)>", _header(message, "Archived-At") or _header(message, "List-Post"))
    return m.group(1) if m else None


def message_text(message: EmailMessage, name: str) -> tuple[str, Document | None]:
    """The plain-text part without its signature; else the HTML part read as a page."""
    try:
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        if plain is not None:
            text = clean_text(_SIGNATURE.sub("", "\n" + _content(plain)))
            if text:
                return text, None
        if html is not None:
            from index.ingest import html as html_reader

            markup = _LAYOUT_TABLE.sub(r"<\1div>", _content(html))
            doc = html_reader.read(markup.encode("utf-8"), name)
            return doc.text, doc
    except (LookupError, ValueError, UnicodeError, AttributeError) as exc:
        raise Unreadable(f"{name}: the message body cannot be decoded ({exc}).") from exc
    raise Unreadable(f"{name} has no text or HTML part to read.")


def _content(part) -> str:
    try:
        return part.get_content()
    except LookupError:  # an unknown charset: read it as the common Western one
        payload = part.get_payload(decode=True) or b""
        return payload.decode("cp1252", "replace")
