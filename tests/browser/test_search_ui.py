"""Searching the way people do: typing, narrowing, misspelling, by keyboard only, and with script off."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, screenshot
from tests.browser.helpers import result_total


def test_search_as_you_type_then_open_a_result(page):
    page.goto("/")
    page.evaluate("window.__samePage = true")
    page.fill("#q", "packaging")
    expect(page.locator("#result-status")).to_contain_text("packaging")
    assert page.evaluate("window.__samePage") is True, "results should update without loading a new page"
    assert "q=packaging" in page.url
    assert result_total(page) > 0
    assert page.locator(".hit mark").count() > 0
    assert re.search(r"\d+ ms", page.locator("#result-status").inner_text())
    screenshot(page, "search")
    first = page.locator(".hit h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/documents/\w+$"))
    assert page.locator("h1#doc-title").inner_text() == title
    assert page.locator(".doc-side a", has_text="Download original").count() == 1
    screenshot(page, "document")


def test_narrow_with_two_facets_then_remove_one(page):
    page.goto("/?q=python")
    everything = result_total(page)
    page.locator(".facet", has=page.locator("h2", has_text="Authors")).locator("li a").first.click()
    page.wait_for_url(re.compile(r"author="))
    by_author = result_total(page)
    page.locator(".facet", has=page.locator("h2", has_text="Years")).locator("li a:not(.on)").first.click()
    page.wait_for_url(re.compile(r"author=.*year=|year=.*author="))
    both = result_total(page)
    chips = page.locator(".chips a.chip")
    assert chips.count() == 2
    assert everything > by_author >= both > 0
    screenshot(page, "search-filtered")
    page.locator(".chips a.chip", has_text="Author:").click()
    page.wait_for_url(lambda url: "author=" not in url)
    assert page.locator(".chips a.chip").count() == 1
    assert "Year:" in page.locator(".chips a.chip").inner_text()
    assert both <= result_total(page) <= everything


def test_misspelled_query_offers_did_you_mean(page):
    page.goto("/")
    page.fill("#q", "asyncronous")
    page.press("#q", "Enter")
    suggestion = page.locator(".suggestion a")
    suggestion.wait_for()
    word = suggestion.inner_text()
    assert word and word != "asyncronous"
    suggestion.click()
    page.wait_for_url(re.compile("q=" + re.escape(word)))
    assert page.input_value("#q") == word
    assert result_total(page) > 0
    assert page.locator(".suggestion").count() == 0


def test_pagination_and_sort_switch(page):
    page.goto("/?q=python")
    page.locator("nav.pages a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("nav.pages [aria-current=page]").inner_text() == "2"
    page.select_option("#sort", "oldest")
    page.wait_for_url(re.compile(r"sort=oldest"))
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert len(dates) > 2 and dates == sorted(dates)
    assert "page=" not in page.url, "changing the order starts again at the first page"


def test_keyboard_only_search(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("generator expressions")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=generator"))
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        if focused.evaluate("e => !!e.closest('.hit h2')"):
            break
    else:
        raise AssertionError("no search result could be reached with the Tab key")
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "the focused link must show where the focus is"
    title = focused.evaluate("e => e.textContent")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/documents/"))
    assert page.locator("h1").inner_text() == title


def test_search_works_with_javascript_disabled(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.fill("#q", "packaging")
    page.click("#searchbar button[type=submit]")
    page.wait_for_url(re.compile(r"q=packaging"))
    assert result_total(page) > 0
    page.select_option("#sort", "oldest")
    page.click(".sort button[type=submit]")
    page.wait_for_url(re.compile(r"sort=oldest"))
    dates = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates == sorted(dates)
    page.locator(".facet li a").first.click()
    page.wait_for_url(re.compile(r"author="))
    assert page.locator(".chips a.chip").count() == 1
    screenshot(page, "search-no-script")


def test_filters_fold_away_on_a_phone(new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/?q=packaging")
    panel = page.locator("#filters")
    assert panel.evaluate("d => d.open") is False
    assert not page.locator(".facet li a").first.is_visible()
    screenshot(page, "search-phone")
    page.locator("#filters > summary").click()
    assert page.locator(".facet li a").first.is_visible()


def test_dark_theme_follows_the_system(new_page):
    page = new_page(color_scheme="dark")
    page.goto("/?q=packaging")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert sum(channels) < 150, background
    screenshot(page, "search-dark")
