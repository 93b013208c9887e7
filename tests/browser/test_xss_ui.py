"""Nothing a document says can run as script: titles, authors and text full of payloads stay text."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.browser.conftest import screenshot
from tests.browser.helpers import upload_via_api

MARK = "xsszebrafinch"
TITLE = f'<script>window.__xss="title"</script><img src=x onerror="window.__xss=\'title-img\'"> {MARK} title'
AUTHORS = ('<img src=x onerror="window.__xss=\'author\'">; '
           '"><svg onload="window.__xss=\'author-svg\'">')
BODY = f"""{TITLE}

By <script>window.__xss="byline"</script> Mallory

2015-07-04

{MARK} <script>window.__xss="body"</script> and <img src=x onerror="window.__xss='body-img'">.

<iframe src="javascript:window.parent.__xss='iframe'"></iframe> <a href="javascript:window.__xss='link'">click</a>
</script><script>window.__xss="close"</script>
"""


def assert_nothing_ran(page, dialogs) -> None:
    assert page.evaluate("window.__xss") is None, "a payload ran"
    assert not dialogs
    scripts = page.evaluate("[...document.scripts].map(s => s.src ? new URL(s.src).pathname : 'inline')")
    assert scripts and all(src.startswith("/static/") for src in scripts), f"only Folio's own files: {scripts}"
    assert page.locator("img[src=x], iframe, svg[onload], a[href^='javascript:']").count() == 0


def test_script_payloads_never_run(page, server):
    record = upload_via_api(server, "payload.txt", BODY.encode(), title=TITLE, authors=AUTHORS,
                            publication='<b onmouseover="window.__xss=1">Pub</b>', tags="<script>x</script>",
                            url="javascript:window.__xss='url'")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pages = [
        f"/?q={MARK}",
        f"/documents/{record['id']}",
        "/timeline?month=2015-07",
        "/authors",
    ] + [f"/authors/{quote(name, safe='')}" for name in record["authors"]]
    assert len(record["authors"]) >= 1
    for path in pages:
        page.goto(path)
        page.mouse.move(10, 10)
        page.mouse.move(400, 300)
        assert_nothing_ran(page, dialogs)
    page.goto(f"/documents/{record['id']}")
    assert "<script>" in page.locator("h1").inner_text(), "the payload is shown as text"
    screenshot(page, "document-xss")
    page.goto(f"/?q={MARK}")
    page.fill("#q", f"{MARK} title")
    page.locator("#result-status").filter(has_text=re.compile("title")).wait_for()
    assert_nothing_ran(page, dialogs)
