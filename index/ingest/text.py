"""Plain-text articles, as people save them by copying a page from a site.

A pasted article has no markup, but its layout still says what each line is. The top of the file
(the *header*) usually holds, in some order: the site's name, the title, a byline, dates, a note
that the piece first ran elsewhere, sometimes a short author bio; then the body starts. Inside the
body, short standalone lines introduce sections. The last paragraphs (the *footer*) often repeat a
bio or "originally published in ..." note.

The reader walks the header line by line, recognising each line by its pattern, and stops at the
first paragraph that reads like running prose. Every heuristic below is small and says why it
exists; none knows about any particular site or article.

Text field: the site line and the title line are removed from ``text`` because they are stored in
``publication`` and ``title`` (search and display show them from there, so keeping them would show
the title twice). Everything else, bylines, bios and "originally published" notes included, stays
in ``text`` exactly as the author's page had it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.document import Document, make_summary
from index.errors import Unreadable
from index.ingest.normalize import (
    clean_author,
    decode_text,
    detect_language,
    find_date,
    parse_date,
    split_authors,
)

#: The header is never longer than this many lines; past it, everything is body.
HEADER_LINES = 15
#: Bios and republishing notes at the end sit in the last few paragraphs.
FOOTER_PARAGRAPHS = 4
#: Metadata lines are short; a long line is prose even if it starts with "By".
MAX_META_WORDS = 20
MAX_NOTE_WORDS = 45
MAX_TITLE_WORDS = 25
MAX_TITLE_CHARS = 250
MAX_SITE_WORDS = 6
MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 100


@dataclass
class Line:
    text: str
    para: int  # index of the paragraph (block between blank lines) the line belongs to
    pos: int  # position inside that paragraph
    para_len: int  # number of lines in that paragraph

    @property
    def alone(self) -> bool:
        """A standalone line: a blank line (or the file edge) before and after it."""
        return self.para_len == 1

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Meta:
    """What the header and footer lines say about the article."""

    title: str | None = None
    publication: str | None = None
    original_publication: str | None = None
    authors: list[str] = field(default_factory=list)
    bio_authors: list[str] = field(default_factory=list)
    published: str | None = None
    updated: str | None = None
    consumed: set[int] = field(default_factory=set)  # line indexes moved out of the text

    def add_authors(self, names: list[str]) -> None:
        for name in names:
            if name not in self.authors:
                self.authors.append(name)

    def merge(self, other: "Meta") -> None:
        self.add_authors(other.authors)
        self.published = self.published or other.published
        self.updated = self.updated or other.updated
        self.original_publication = self.original_publication or other.original_publication


def read(data: bytes, filename: str) -> Document:
    text = decode_text(data, filename or "The file")
    if not text:
        raise Unreadable(f"{filename or 'The file'} contains no readable text.")
    lines = split_lines(text)
    meta = Meta()
    body_start = read_header(lines, meta)
    read_footer(lines, body_start, meta)
    if not meta.authors:
        meta.add_authors(meta.bio_authors)

    kept = [line for i, line in enumerate(lines) if i not in meta.consumed]
    body = join_lines(kept) or text
    # The summary starts where the prose does: a byline or "originally published" note says nothing
    # about what the article is about.
    prose = join_lines(
        [line for i, line in enumerate(lines) if i >= body_start and i not in meta.consumed]
    )
    return Document(
        title=meta.title or "",
        authors=meta.authors,
        published=meta.published,
        updated=meta.updated,
        publication=meta.publication,
        original_publication=meta.original_publication,
        language=detect_language(body),
        text=body,
        summary=make_summary(prose) if prose else "",
        sections=find_sections(lines, body_start, meta),
    )


# -------------------------------------------------------------------------------------------------
# Layout
# -------------------------------------------------------------------------------------------------


def split_lines(text: str) -> list[Line]:
    """Lines with their paragraph position: the blank lines around a line are part of its sense."""
    lines: list[Line] = []
    for p, paragraph in enumerate(text.split("\n\n")):
        rows = [row.strip() for row in paragraph.split("\n") if row.strip()]
        for i, row in enumerate(rows):
            lines.append(Line(_strip_markdown(row), p, i, len(rows)))
    return lines


def _strip_markdown(row: str) -> str:
    """"# Title", "**Title**" and "*Title*" read the same: markup is not part of the words."""
    row = re.sub(r"^#{1,6}\s+", "", row)
    match = re.fullmatch(r"(\*\*|__|\*|_)(.+)\1", row)
    return match.group(2).strip() if match else row


def join_lines(lines: list[Line]) -> str:
    out: list[str] = []
    previous = None
    for line in lines:
        if previous is not None:
            out.append("\n" if line.para == previous else "\n\n")
        out.append(line.text)
        previous = line.para
    return "".join(out).strip()


def paragraph_text(lines: list[Line], para: int) -> str:
    return " ".join(line.text for line in lines if line.para == para)


# -------------------------------------------------------------------------------------------------
# Header
# -------------------------------------------------------------------------------------------------


def read_header(lines: list[Line], meta: Meta) -> int:
    """Fill ``meta`` from the top of the file; return the index of the first body line.

    The title is the first title-like line that is not metadata. Metadata lines may come before or
    after it. The header ends at the first line that reads like prose.
    """
    i = 0
    while i < min(len(lines), HEADER_LINES):
        line = lines[i]
        found = parse_meta_line(line.text)
        if found is not None:
            meta.merge(found)
        elif (bio := bio_author(line, lines)) is not None:
            meta.bio_authors.extend(n for n in bio if n not in meta.bio_authors)
        elif is_dateline(line.text):
            return i
        elif is_prose(line.text) or is_wrapped_prose(lines, i):
            if not (meta.title and is_dek(lines, i)):
                return i
        elif meta.title is None and is_title_like(line.text):
            if is_site_line(lines, i):
                meta.publication = line.text
                meta.consumed.add(i)
                i += 1
            meta.title = lines[i].text
            meta.consumed.add(i)
        elif meta.title is not None and (names := name_beside_date(lines, i)):
            meta.add_authors(names)
        else:
            return i
        i += 1
    return i


def is_prose(text: str) -> bool:
    """Running prose: a long line, or a sentence of several words ending like a sentence."""
    words = len(text.split())
    return words >= 30 or (words >= 8 and bool(re.search(r"[.!?…][\"'”’)]?$", text)))


def is_wrapped_prose(lines: list[Line], i: int) -> bool:
    """The first line of a hard-wrapped paragraph: no line alone reads as prose, the whole does.

    Without this, the first wrapped line of an article with no title line would become the title.
    """
    line = lines[i]
    if line.pos != 0 or line.para_len < 3:
        return False
    rows = [row.text for row in lines if row.para == line.para]
    return is_prose(" ".join(rows)) and all(parse_meta_line(row) is None for row in rows)


def is_dek(lines: list[Line], i: int) -> bool:
    """A one-sentence standfirst under the title, with the byline still to come below it.

    Sites often put a summary sentence between the headline and the byline; it reads like prose,
    but the header has not ended while a metadata line follows right after it.
    """
    line = lines[i]
    if line.para_len != 1 or line.words > 40 or i + 1 >= len(lines):
        return False
    return parse_meta_line(lines[i + 1].text) is not None


#: "WASHINGTON (AP) — The Senate ...": the city and agency open the body; they are not a byline.
_DATELINE = re.compile(
    r"^[A-Z][A-Z .,'’-]{2,40}(?:,\s*[A-Z][\w.]*)?\s*(?:\([A-Za-z .&-]{1,30}\))?\s*[—–-]{1,2}\s"
)


def is_dateline(text: str) -> bool:
    return bool(_DATELINE.match(text))


def is_title_like(text: str) -> bool:
    """A headline: short, starts like a sentence, does not end like one (titles have no period)."""
    if not text or len(text) > MAX_TITLE_CHARS or len(text.split()) > MAX_TITLE_WORDS:
        return False
    if not re.match(r"[\"'“‘«¿¡(]?[^\W_a-z]", text):
        return False
    if re.search(r"[.,;:]$", text) and not text.endswith("..."):
        return False
    if re.match(r"https?://|www\.", text) or parse_date(text):
        return False
    return any(ch.isalpha() for ch in text)


def is_site_line(lines: list[Line], i: int) -> bool:
    """A site or publication name above the title.

    Copying a page often catches the site's name first: a short standalone line with no sentence
    punctuation, followed by a blank line and the real title. A title followed by a section heading
    looks the same, so the site line must be shorter than the title below it, or the title must be
    followed by metadata (a byline or a date), which headings never are.
    """
    line = lines[i]
    if not line.alone or line.words > MAX_SITE_WORDS or i + 1 >= len(lines):
        return False
    if re.search(r"[!?;:,]", line.text) or (
        "." in line.text and not re.fullmatch(r"[\w-]+(\.[\w-]+)+", line.text)
    ):
        return False
    title = lines[i + 1]
    if title.pos != 0 or parse_meta_line(title.text) is not None or not is_title_like(title.text):
        return False
    if name_beside_date(lines, i + 1):  # "Title" above "Jane Doe / May 1, 2020": that is the byline
        return False
    after = lines[i + 2].text if i + 2 < len(lines) else ""
    return title.words > line.words or parse_meta_line(after) is not None


def name_beside_date(lines: list[Line], i: int) -> list[str]:
    """A bare name right above or below a date is the byline ("Jane Doe\\nMay 1, 2020"), also when the
    date carries its label ("Jane Doe\\nUpdated: March 5, 2021 at 10:32 a.m. ET")."""
    line = lines[i]
    if line.words > 5:
        return []
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines) and lines[j].para == line.para and is_date_line(lines[j].text):
            return split_authors(line.text)
    return []


def is_date_line(text: str) -> bool:
    if parse_date(text):
        return True
    found = parse_meta_line(text)
    return found is not None and not found.authors and bool(found.published or found.updated)


# -------------------------------------------------------------------------------------------------
# Metadata lines
# -------------------------------------------------------------------------------------------------

_SEGMENT_SPLIT = re.compile(r"\s+[|•·]\s+|;\s+|\s+[|•·]$")
_PUBLISHED_LABEL = re.compile(
    r"^(?:first\s+)?(?:published|posted|date|dated|publi[ée]e?\s+le|publi[ée]e?|ver[öo]ffentlicht|"
    r"publicado|pubblicato)\b\s*(?:on|:|am|le|el|il|em)?\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_UPDATED_LABEL = re.compile(
    r"^(?:last\s+)?(?:updated|modified|mis\s+[àa]\s+jour|aktualisiert|actualizado|aggiornato|"
    r"atualizado)\b\s*(?:on|:|am|le|el|il|em)?\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BY_LABEL = re.compile(
    r"^(?:(?:(?:written|words|reported|text|story)\s+)?by|par|von|por|di|door)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_AUTHOR_LABEL = re.compile(
    r"^(?:authors?|writers?|byline|reporters?|auteur|autor|autore)\s*:\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_BY_INSIDE = re.compile(r"\bby\s+(?P<rest>.+)$", re.IGNORECASE)


def parse_meta_line(text: str) -> Meta | None:
    """What one metadata line says, or None when it is not a metadata line.

    A line may pack several facts separated by bars or semicolons ("Jane Doe | April 30, 2020",
    "Published: May 1, 2020; Updated: May 2, 2020"), so each segment is read on its own. A segment
    that is only a name counts as a byline when the same line also carries a date.
    """
    if not text or len(text.split()) > MAX_NOTE_WORDS:
        return None
    note = parse_republished_note(text)
    if note is not None:
        return note
    if len(text.split()) > MAX_META_WORDS:
        return None
    meta = Meta()
    matched = False
    leftovers: list[str] = []
    for segment in filter(None, (s.strip() for s in _SEGMENT_SPLIT.split(text))):
        if _read_segment(segment, meta):
            matched = True
        else:
            leftovers.append(segment)
    if matched and (meta.published or meta.updated):
        for segment in leftovers:
            if not meta.authors:
                meta.add_authors(split_authors(segment))
    return meta if matched else None


def _read_segment(segment: str, meta: Meta) -> bool:
    """Read one labelled fact from ``segment`` into ``meta``; False when it is not metadata."""
    if match := _UPDATED_LABEL.match(segment):
        meta.updated = meta.updated or _date_in(match["rest"])
        return meta.updated is not None
    if match := _PUBLISHED_LABEL.match(segment):
        rest = match["rest"]
        by = _BY_INSIDE.search(rest)
        if by:
            meta.add_authors(split_authors(by["rest"]))
            rest = rest[: by.start()]
        meta.published = meta.published or _date_in(rest)
        return meta.published is not None or bool(meta.authors)
    if match := _BY_LABEL.match(segment) or _AUTHOR_LABEL.match(segment):
        names = split_authors(match["rest"])
        meta.add_authors(names)
        if names:
            meta.published = meta.published or _date_in(match["rest"])
        return bool(names)
    if (iso := parse_date(segment)) is not None:
        meta.published = meta.published or iso
        return True
    # "April 30, 2020 by Jane Doe": a date, then the byline.
    by = _BY_INSIDE.search(segment)
    if by and (iso := parse_date(segment[: by.start()])) and (names := split_authors(by["rest"])):
        meta.published = meta.published or iso
        meta.add_authors(names)
        return True
    return False


def _date_in(text: str) -> str | None:
    hit = find_date(text)
    if hit:
        return hit[0]
    return parse_date(text.strip(" .,"))


_REPUBLISHED = re.compile(
    r"\b(?:originally|first)\s+(?:written|published|appeared|posted|ran|printed|run)\b"
    r"|\b(?:republished|reprinted|cross-?posted|reposted|reproduced)"
    r"(?:\s+with\s+(?:kind\s+)?permission)?"
    r"|\bthis\s+(?:article|story|piece|post|essay)\s+(?:appeared|ran|was\s+published)\b",
    re.IGNORECASE,
)
_NOTE_BY = re.compile(r"^by\s+(?P<names>.+?)(?=\s+(?:for|in|on|at|from|to)\s|$)", re.IGNORECASE)
_NOTE_PLACE = re.compile(r"^(?:for|in|on|at|from|to|by)\s+(?P<place>.+)$", re.IGNORECASE)
_NOTE_PLACE_END = re.compile(
    r"\s*(?:[,;(]|\.\s|\band\s+(?:is|was|has|are)\b|\bwith\s+(?:kind\s+)?permission\b|\bunder\b"
    r"|\bas\s+part\b).*$",
    re.IGNORECASE,
)


def parse_republished_note(text: str) -> Meta | None:
    """"This article was originally written by X for Y on DATE." and its relatives.

    Such a note names where the piece first ran (``original_publication``), often its author and
    date. The site the copy was taken from stays the ``publication``.
    """
    trigger = _REPUBLISHED.search(text)
    if trigger is None:
        return None
    meta = Meta()
    tail = text[trigger.end():]
    hit = find_date(tail)
    if hit:
        meta.published, (start, end) = hit
        before = re.sub(r"(?:\s*,|\s+on|\s+in|\s+le|\s+am|\s+el)\s*$", "", tail[:start], flags=re.I)
        tail = before + tail[end:]
    tail = tail.strip().rstrip(".!")
    by = _NOTE_BY.match(tail)
    if by:
        meta.add_authors(split_authors(by["names"]))
        tail = tail[by.end():].strip()
    place = _NOTE_PLACE.match(tail)
    if place:
        name = _NOTE_PLACE_END.sub("", place["place"]).strip(" .,\"“”")
        if _looks_like_publication(name):
            meta.original_publication = name
    return meta


def _looks_like_publication(name: str) -> bool:
    """A publication name: a few words, the first capitalised (or a domain)."""
    words = name.split()
    if not 1 <= len(words) <= 8:
        return False
    return bool(re.match(r"[\"“]?[^\W_a-z]", name) or re.fullmatch(r"[\w-]+(\.[\w-]+)+", name))


_BIO = re.compile(
    r"^(?P<name>[^\W\d_][\w.'’-]*(?:\s+[\w.'’-]+){1,4}?)\s+(?:is|was)\s+"
    r"(?:also\s+|currently\s+|now\s+)?(?:a|an|the)\s+(?P<rest>.*)$"
)
#: What a bio says a person is; a body sentence "X is a ..." rarely uses these words.
_BIO_WORDS = re.compile(
    r"\b(?:lecturer|professor|writer|journalist|author|editor|member|director|reporter|"
    r"correspondent|fellow|student|candidate|researcher|columnist|contributor|activist|"
    r"organi[sz]er|founder|co-founder|analyst|economist|historian|scholar|teacher|coordinator|"
    r"freelance|chair|ph\.?\s?d|blogger|novelist|poet|photographer|filmmaker|lawyer|attorney|"
    r"physician|scientist)\b",
    re.IGNORECASE,
)


def bio_author(line: Line, lines: list[Line]) -> list[str] | None:
    """The person an author bio is about ("Jane Doe is a lecturer at ..."), or None for other text.

    A bio is metadata: it can confirm or supply the author, but it is never the title. It is left in
    the text because it is part of what the page showed.
    """
    text = paragraph_text(lines, line.para) if line.pos == 0 else ""
    if not text or len(text.split()) > 120:
        return None
    match = _BIO.match(text)
    if not match or not _BIO_WORDS.search(match["rest"].split(".")[0]):
        return None
    name = clean_author(match["name"])
    return [name] if name else None


# -------------------------------------------------------------------------------------------------
# Footer
# -------------------------------------------------------------------------------------------------


def read_footer(lines: list[Line], body_start: int, meta: Meta) -> None:
    """Republishing notes, labelled bylines and bios at the end of the article.

    Only explicit patterns are read here: a bare date or name at the end of an article is too often
    part of the prose (a signature, a quoted source) to be trusted.
    """
    if not lines:
        return
    last_para = lines[-1].para
    for line in lines[body_start:]:
        if line.para <= last_para - FOOTER_PARAGRAPHS:
            continue
        short = len(line.text.split()) <= MAX_NOTE_WORDS
        note = parse_republished_note(line.text) if short else None
        if note is not None:
            meta.merge(note)
        elif match := _AUTHOR_LABEL.match(line.text):
            meta.add_authors(split_authors(match["rest"]))
        elif (bio := bio_author(line, lines)) is not None:
            meta.bio_authors.extend(n for n in bio if n not in meta.bio_authors)


# -------------------------------------------------------------------------------------------------
# Sections
# -------------------------------------------------------------------------------------------------

#: Standalone short lines that are page furniture, not headings.
_FURNITURE = re.compile(
    r"^(?:photo|image|picture|credit|source|caption|read\s+more|related|advertisement|share|"
    r"subscribe|sign\s+up|follow\s+us|tags?|filed\s+under|comments?|click|listen|watch)\b",
    re.IGNORECASE,
)
_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "over", "the", "to", "up", "vs", "with", "is", "are", "de", "la", "le", "les", "et",
    "du", "des", "el", "y", "en", "der", "die", "das", "und",
}


def find_sections(lines: list[Line], body_start: int, meta: Meta) -> list[str]:
    """Headings inside the body: short standalone lines, followed by a paragraph of prose.

    A heading has no final period, starts with a capital, is Title-ish (most of its words
    capitalised, or only a few words), sits between blank lines and is followed by body text,
    which is what tells it apart from a one-line paragraph or a list item.
    """
    sections: list[str] = []
    for i in range(body_start, len(lines)):
        line = lines[i]
        if i in meta.consumed or not line.alone or not is_heading(line.text):
            continue
        following = lines[i + 1] if i + 1 < len(lines) else None
        if following is None or not _is_body_paragraph(lines, following):
            continue
        if line.text not in sections:
            sections.append(line.text)
    return sections


def is_heading(text: str) -> bool:
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > MAX_HEADING_CHARS:
        return False
    if re.search(r"[.,;:]$", text) or not re.match(r"[\"'“‘]?[^\W_a-z]", text):
        return False
    if _FURNITURE.match(text) or parse_meta_line(text) is not None or re.match(r"[-*•]\s", text):
        return False
    return _titleish(words)


def _titleish(words: list[str]) -> bool:
    """Most significant words capitalised ("Reaps Deadly Results"), or only a few words."""
    significant = [w for w in words if w.lower().strip("\"'“”‘’()") not in _SMALL_WORDS]
    if len(words) <= 5 or not significant:
        return True
    capitalised = sum(1 for w in significant if w.lstrip("\"'“‘(")[:1].isupper() or w[:1].isdigit())
    return capitalised / len(significant) >= 0.6


def _is_body_paragraph(lines: list[Line], first: Line) -> bool:
    text = paragraph_text(lines, first.para)
    return len(text.split()) >= 12 or bool(re.search(r"[.!?…][\"'”’)]?$", text))
