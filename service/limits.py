"""Request body limit enforced while the body arrives, so an oversized upload is never read whole."""

from __future__ import annotations

import json

from index.errors import TooLarge


class BodySizeLimit:
    """Pure ASGI middleware: refuse by Content-Length at once, and stop counting bodies sent without one."""

    def __init__(self, app, max_bytes_getter):
        self.app = app
        self.max_bytes_getter = max_bytes_getter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.max_bytes_getter()
        # multipart framing adds a little: allow 64 KiB of it on top of the file itself
        allowed = limit + 64 * 1024
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > allowed
            except ValueError:
                too_big = False
            if too_big:
                return await self._refuse(scope, send, limit)
        received = 0

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed:
                    raise TooLarge(too_large_message(limit))
            return message

        return await self.app(scope, counting_receive, send)

    async def _refuse(self, scope, send, limit):
        body = json.dumps({"error": {"status": 413, "message": too_large_message(limit)}}).encode()
        await send({
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": body})


def too_large_message(limit: int) -> str:
    return f"The upload is larger than the limit of {limit / (1024 * 1024):g} MB."
