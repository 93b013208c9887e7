"""From a PDF page's positioned text fragments to lines and paragraphs a person would read.

pypdf reports each piece of text with its font size and position. Lines come out in the order the
page draws them, which for single-column documents and most generators is reading order. Paragraph
breaks are not written in a PDF; they show as a larger vertical gap or a change of font size, so
that is how they are found here. Running headers and footers show as the same short line at the
top or bottom of most pages.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass


@dataclass
class Line:
    text: str
    size: float  # the largest font size used on the line, in points
    y: float  # baseline height on the page; larger is higher up


def page_lines(page) -> list[Line]:
    """The page's text lines with their font size and height."""
    fragments: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, font_size):
        if text:
            scale = abs(tm[3] * cm[3]) or 1.0
            fragments.append((text, (font_size or 0) * scale, tm[5] * (cm[3] or 1) + cm[5]))

    page.extract_text(visitor_text=visit)
    lines: list[Line] = []
    current, size, y = "", 0.0, None
    for text, frag_size, frag_y in fragments:
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i > 0:
                lines.append(Line(current, size, y if y is not None else 0.0))
                current, size, y = "", 0.0, None
            if part.strip():
                if y is None:
                    y = frag_y
                size = max(size, frag_size)
            current += part
    lines.append(Line(current, size, y if y is not None else 0.0))
    return [Line(" ".join(line.text.split()), round(line.size, 1), line.y) for line in lines
            if line.text.strip()]


# -- running headers and footers -----------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?(?:\s*(?:of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$",
    re.IGNORECASE,
)
EDGE_LINES = 2
#: Running heads and feet are short; a long line repeated on every page is body text.
MAX_RUNNING_WORDS = 12


def _shape(text: str) -> str:
    """The line with its numbers blanked, so "Page 3 of 9" and "Page 4 of 9" are the same line."""
    return re.sub(r"\d+", "#", text.lower()).strip()


def drop_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove page numbers and lines repeated at the top or bottom of many pages."""
    if not pages:
        return pages
    counts: Counter[str] = Counter()
    for lines in pages:
        edges = {_shape(line.text) for line in lines[:EDGE_LINES] + lines[-EDGE_LINES:]}
        counts.update(edges)
    # 40% rather than half: books alternate their running heads (author left, chapter right).
    threshold = max(2, math.ceil(len(pages) * 0.4))
    running = {shape for shape, n in counts.items()
               if n >= threshold and len(shape.split()) <= MAX_RUNNING_WORDS}
    out = []
    for lines in pages:
        keep = []
        for i, line in enumerate(lines):
            at_edge = i < EDGE_LINES or i >= len(lines) - EDGE_LINES
            if at_edge and (_shape(line.text) in running or _PAGE_NUMBER.match(line.text)):
                continue
            keep.append(line)
        out.append(keep)
    return out


# -- paragraphs ---------------------------------------------------------------------------------

_HYPHENATED = re.compile(r"(\w)[-\u00ad]$")
_BULLET = re.compile(r"^(?:[•◦▪●‣–*]\s|\(?[a-z0-9]{1,2}[.)]\s)")


def paragraphs(lines: list[Line]) -> list[str]:
    """Lines joined into paragraphs, hyphenated line breaks ("infra-" + "structure") rejoined."""
    if not lines:
        return []
    gaps = [a.y - b.y for a, b in zip(lines, lines[1:]) if 0 < a.y - b.y < 4 * max(a.size, 1)]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    body_size = statistics.median(line.size for line in lines)
    out: list[list[str]] = [[lines[0].text]]
    for prev, line in zip(lines, lines[1:]):
        gap = prev.y - line.y
        new_paragraph = (
            (usual_gap and (gap > usual_gap * 1.4 or gap < -1))
            or abs(line.size - prev.size) > 0.5
            or (prev.size > body_size + 0.5)
            or _BULLET.match(line.text)
        )
        if new_paragraph:
            out.append([line.text])
        else:
            out[-1].append(line.text)
    return [join_lines(p) for p in out]


def join_lines(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if not text:
            text = line
        elif _HYPHENATED.search(text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text += " " + line
    return text
