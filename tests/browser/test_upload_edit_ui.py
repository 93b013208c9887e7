"""Adding articles by dragging files onto the upload page, and correcting their metadata."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.helpers import drop_files, result_total, upload_via_api
from tests.conftest import TOKEN

LIGHTHOUSE = """The Lighthouse Keepers of Quarrow Sound

By Marta Quillfeather

June 3, 2019

The keepers of the Quarrow Sound light wrote zorbquill in the margin of every log they kept.
"""

TIDES = """Tide Tables and the Zorbquill Method

By Ivo Saltmarsh

2018-11-20

Reading the tides by the zorbquill method needs a clock, a pole and patience.
"""


def log_in(page) -> None:
    page.goto("/login?next=/upload")
    page.fill("#login-token", TOKEN)
    page.click("form.login button[type=submit]")
    page.wait_for_url(re.compile(r"/upload$"))


def test_upload_two_files_by_drag_and_drop_then_find_them(page):
    log_in(page)
    assert page.locator("#token").count() == 0, "a logged-in browser needs no token field"
    drop_files(page, "#dropzone", [("lighthouse.txt", LIGHTHOUSE), ("tides.txt", TIDES)])
    done = page.locator(".upload-item.done")
    expect(done).to_have_count(2)
    assert page.locator(".upload-item progress").count() == 0, "progress bars give way to the result"
    first = done.filter(has_text="lighthouse.txt")
    expect(first.locator(".extracted")).to_contain_text("The Lighthouse Keepers of Quarrow Sound")
    expect(first.locator(".extracted")).to_contain_text("Marta Quillfeather")
    edit = first.locator("a", has_text="Edit metadata")
    assert re.search(r"/documents/\w+\?edit#edit$", edit.get_attribute("href"))
    screenshot(page, "upload")
    page.goto("/?q=zorbquill")
    assert result_total(page) == 2
    titles = page.locator(".hit h2 a").all_inner_texts()
    assert sorted(titles) == ["The Lighthouse Keepers of Quarrow Sound", "Tide Tables and the Zorbquill Method"]


def test_rejected_files_say_why_and_what_to_do(page):
    page.goto("/upload")
    page.fill("#token", "not-the-token")
    drop_files(page, "#dropzone", [("note.txt", "A Note\n\nBy Someone\n\nText.")])
    failed = page.locator(".upload-item.failed")
    expect(failed).to_have_count(1)
    expect(failed.locator(".error")).to_contain_text("token")
    expect(failed.locator(".advice")).to_contain_text("token")
    page.fill("#token", TOKEN)
    page.set_input_files("#file", files=[{"name": "picture.png", "mimeType": "image/png",
                                          "buffer": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4}])
    page.click("#upload-form button[type=submit]")
    expect(failed).to_have_count(2)
    second = failed.nth(1)
    expect(second).to_contain_text("picture.png")
    assert second.locator(".error").inner_text().strip()
    expect(second.locator(".advice")).to_contain_text("Save the article as")
    screenshot(page, "upload-rejected")


def test_edit_an_author_and_see_the_author_page_change(page, server):
    record = upload_via_api(server, "harbour.txt",
                            b"Harbour Lights at Dusk\n\nBy Nora Plainwright\n\n2017-05-02\n\n"
                            b"The harbour lights at dusk were counted by hand.\n")
    page.goto(f"/documents/{record['id']}")
    assert page.locator("#edit details").evaluate("d => d.open") is False
    page.locator("#edit summary").click()
    page.fill("#e-authors", "Nora Plainwright; Ottilie Brandvold")
    page.fill("#e-token", TOKEN)
    page.click(".edit-form button[type=submit]")
    page.wait_for_url(re.compile(r"\?saved"))
    expect(page.locator("#edit .ok")).to_contain_text("Saved")
    byline = page.locator(".byline")
    expect(byline).to_contain_text("Ottilie Brandvold")
    screenshot(page, "document-edited")
    byline.locator("a", has_text="Ottilie Brandvold").click()
    page.wait_for_url(re.compile("/authors/" + re.escape(quote("Ottilie Brandvold"))))
    expect(page.locator("h1")).to_have_text("Ottilie Brandvold")
    expect(page.locator(".hits")).to_contain_text("Harbour Lights at Dusk")
    screenshot(page, "author")
    page.goto("/authors")
    page.fill("#author-filter", "brandvold")
    visible = page.locator("#author-list li:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("Ottilie Brandvold")


def test_a_wrong_token_changes_nothing(page, server):
    record = upload_via_api(server, "pier.txt",
                            b"The Old Pier\n\nBy Lars Pierson\n\n2016-01-09\n\nThe old pier stood for a century.\n")
    page.goto(f"/documents/{record['id']}?edit")
    page.fill("#e-title", "Vandalised")
    page.fill("#e-token", "wrong")
    page.click(".edit-form button[type=submit]")
    expect(page.locator("#edit .error")).to_contain_text("token")
    page.goto(f"/documents/{record['id']}")
    expect(page.locator("h1")).to_have_text("The Old Pier")
