"""Every page stays light: under 100 KB of HTML, CSS and script, not counting an article's own text."""

from __future__ import annotations

import pytest

BUDGET = 100_000
PAGES = ["/", "/?q=packaging", "/?q=python&sort=newest&page=3", "/authors", "/authors/Guido%20van%20Rossum",
         "/publications", "/timeline", "/timeline?year=2001", "/upload", "/help", "/login", "/documents/"]


def document_path(page) -> str:
    page.goto("/?q=packaging")
    return page.locator(".hit h2 a").first.get_attribute("href")


@pytest.mark.parametrize("path", PAGES)
def test_page_weight_under_budget(new_page, path):
    page = new_page()
    if path == "/documents/":
        path = document_path(page)
        page = new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(path)
    page.wait_for_load_state("load")
    counted = [r for r in responses if r.request.resource_type in ("document", "stylesheet", "script")]
    assert {r.request.resource_type for r in counted} == {"document", "stylesheet", "script"}
    total = sum(len(r.body()) for r in counted)
    own_text = 0
    if path.startswith("/documents/"):
        own_text = page.locator(".text").evaluate("e => new TextEncoder().encode(e.innerHTML).length")
    weight = total - own_text
    print(f"{path}: {total} bytes, {weight} without the article's text")
    assert weight < BUDGET, f"{path} weighs {weight} bytes of HTML+CSS+JS"
