"""Selecting a paragraph on a document page and following the link finds every article holding it."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_select_a_paragraph_and_find_where_it_appears(page):
    page.goto("/?q=%22Python+Enhancement+Proposal%22")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/documents/"))
    doc_path = page.url.split(page.url.split("/documents/")[0])[1]
    paragraph = page.locator("article .text p").filter(has_text=re.compile(r"(\w+\W+){12}")).first
    paragraph.evaluate("""p => { const r = document.createRange(); r.selectNodeContents(p);
                                 const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }""")
    link = page.locator("#find-passage")
    expect(link).to_have_text("Find where the selected passage appears")
    link.click()
    page.wait_for_url(re.compile(r"/passages\?text="))
    expect(page.locator(f'.hit h2 a[href="{doc_path}"]')).to_have_count(1)
    assert page.locator(".hit .snippet mark").count() >= 1
