"""Browsing without a query: the timeline from years down to a month's articles, and the authors A–Z."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def test_browse_the_timeline_down_to_a_month(page):
    page.goto("/timeline")
    bars = page.locator("svg.chart a")
    assert bars.count() > 10, "the PEPs span more than ten years"
    screenshot(page, "timeline")
    bars.filter(has_text="2001").first.click()
    page.wait_for_url(re.compile(r"year=2001"))
    expect(page.locator("h1")).to_have_text("2001")
    months = page.locator(".buckets a")
    assert months.count() > 1
    first_month = months.first.inner_text()
    assert re.fullmatch(r"2001-\d\d", first_month)
    page.locator("svg.chart a").first.click()
    page.wait_for_url(re.compile(r"month=" + first_month))
    month_number = int(first_month[5:])
    month_names = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"]
    expect(page.locator("h1")).to_have_text(f"{month_names[month_number - 1]} 2001")
    dates = page.locator(".hits time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates and all(d.startswith(first_month) for d in dates)
    assert page.get_by_role("link", name="2001", exact=True).count() == 1
    screenshot(page, "timeline-month")
    page.locator("svg.chart a").first.click()
    page.wait_for_url(re.compile(r"from=" + first_month))
    assert page.locator(".hit").count() >= 1


def test_authors_a_to_z_with_letters_and_filter(page):
    page.goto("/authors")
    letters = page.locator("nav.letters a").all_inner_texts()
    assert letters == sorted(letters, key=lambda c: (c == "#", c)) and len(letters) > 10
    screenshot(page, "authors")
    page.fill("#author-filter", "rossum")
    visible = page.locator("#author-list li:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("Guido van Rossum")
    expect(page.locator("#author-filter-status")).to_have_text("1 shown")
    visible.locator("a").click()
    page.wait_for_url(re.compile(r"/authors/Guido"))
    assert page.locator(".hits .hit").count() > 10
    assert page.locator(".facet h2", has_text="Co-authors").count() == 1
