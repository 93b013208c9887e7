"""An inline SVG bar chart drawn on the server: no chart library, no script."""

from __future__ import annotations

from html import escape
from typing import Callable

from markupsafe import Markup


def bar_chart(buckets: list[tuple[str, int]], link: Callable[[str], str], height: int = 160) -> Markup:
    if not buckets:
        return Markup("")
    top = max(c for _, c in buckets) or 1
    bar_w, gap = 28, 6
    width = len(buckets) * (bar_w + gap) + gap
    top_margin = 16  # room for the count above the tallest bar
    parts = [
        f'<svg class="chart" role="group" aria-label="Articles per period" viewBox="0 {-top_margin} {width} '
        f'{height + top_margin + 20}" width="{width}" height="{height + top_margin + 20}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (value, count) in enumerate(buckets):
        h = max(2, round(count / top * height))
        x = gap + i * (bar_w + gap)
        y = height - h
        label = escape(bar_label(value))
        parts.append(
            f'<a href="{escape(link(value))}"><title>{escape(value)}: {count} article{"s" if count != 1 else ""}'
            f'</title><rect x="{x}" y="{y}" width="{bar_w}" height="{h}" rx="2"></rect>'
            f'<text x="{x + bar_w / 2}" y="{height + 14}" text-anchor="middle">{label}</text>'
            f'<text x="{x + bar_w / 2}" y="{y - 3}" text-anchor="middle" class="count">{count}</text></a>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def bar_label(value: str) -> str:
    """Short label under a bar: the year, the month's abbreviation, or the day of the month."""
    if len(value) == 7 and value[5:7].isdigit() and 1 <= int(value[5:7]) <= 12:
        return MONTH_ABBREVIATIONS[int(value[5:7]) - 1]
    return value[-2:] if len(value) > 4 else value
