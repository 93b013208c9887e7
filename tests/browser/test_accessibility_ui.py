"""Accessibility checks in the real browser: language, one main heading, a label on every control, and
text contrast of at least 4.5:1 (WCAG AA) in both the light and the dark theme."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot

PAGES = ["/", "/?q=packaging&year=2001", "/authors", "/authors/Guido%20van%20Rossum", "/publications",
         "/timeline?year=2001", "/upload", "/login", "/help", "/documents/no-such-document", "document"]

CONTRAST_PROBLEMS = """() => {
  const rgb = s => { const m = s.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const background = el => {
    for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const problems = [], seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (el.closest("svg, .visually-hidden, .skip, [hidden], option") || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const a = lum(rgb(style.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) problems.push(`${el.tagName.toLowerCase()}.${el.className} "${node.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return problems;
}"""

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter(el => el.type !== "hidden")
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
  .map(el => el.outerHTML)"""


def resolve(page, path: str) -> str:
    if path != "document":
        return path
    page.goto("/?q=packaging")
    return page.locator(".hit h2 a").first.get_attribute("href")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_page_is_labelled_and_readable(new_page, path, scheme):
    page = new_page(color_scheme=scheme)
    page.goto(resolve(page, path))
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").count() == 1
    assert page.locator("main#main").count() == 1 and page.locator("a.skip[href='#main']").count() == 1
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(CONTRAST_PROBLEMS) == []
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    screenshot(page, f"page-{slug}-{scheme}")


def test_every_control_on_the_document_page_is_reachable_by_keyboard(page):
    page.goto(resolve(page, "document"))
    page.keyboard.press("Tab")
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.textContent.trim() || document.activeElement.id"))
        if "Edit metadata" in reached:
            break
    assert "Download original" in reached and "Edit metadata" in reached
    page.keyboard.press("Enter")
    assert page.locator("#edit details").evaluate("d => d.open") is True
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "e-title"
