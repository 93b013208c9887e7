"""Small helpers the browser tests share: reading counts off pages and storing documents over HTTP."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

from tests.conftest import TOKEN


def result_total(page) -> int:
    """The number of matches the search page announces."""
    text = page.locator("#result-status strong").inner_text()
    return int(re.sub(r"[^\d]", "", text))


def multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload_via_api(server: str, filename: str, data: bytes, **fields: str) -> dict:
    """Store a document through the JSON API, as a script would."""
    body, content_type = multipart(fields, filename, data)
    request = urllib.request.Request(server + "/api/documents", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def drop_files(page, selector: str, files: list[tuple[str, str]]) -> None:
    """Drop files on an element the way a person dragging them from the desktop does."""
    transfer = page.evaluate_handle(
        """files => {
            const dt = new DataTransfer();
            for (const [name, text] of files) dt.items.add(new File([text], name, {type: "text/plain"}));
            return dt;
        }""",
        files,
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})
