"""Security middleware: response headers, the CSRF cookie, and private mode.

Pure ASGI (no request body is touched), so it wraps every response, static files and errors included.
"""

from __future__ import annotations

import json
import secrets
from http.cookies import SimpleCookie

from service.auth import bearer_token, token_matches
from service.login import CSRF_COOKIE, SESSION_COOKIE, login_url, session_valid

#: no inline script or style, nothing from other origins, no framing, forms post only here
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: the interactive API docs load their script from a CDN; they show no archive content
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")
DOCS_POLICY = "default-src 'self' https://cdn.jsdelivr.net; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; " \
              "img-src 'self' data: https://fastapi.tiangolo.com; object-src 'none'; frame-ancestors 'none'"
#: reachable without the token in private mode
PUBLIC_PATHS = ("/login", "/healthz")
PUBLIC_PREFIXES = ("/static/",)
#: no page or API call needs a longer query string; longer ones are refused before any parsing
MAX_QUERY_STRING = 16 * 1024


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    policy = DOCS_POLICY if path in DOCS_PATHS else CONTENT_SECURITY_POLICY
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


def _cookies(headers: dict[bytes, bytes]) -> dict[str, str]:
    raw = headers.get(b"cookie", b"").decode("latin-1")
    jar = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed Cookie header is treated as no cookies
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


class SecurityMiddleware:
    """Adds the security headers; gives each browser a CSRF cookie; in private mode, turns away requests
    with neither the token nor a login session (401 JSON under /api, a redirect to /login elsewhere)."""

    def __init__(self, app, private_getter):
        self.app = app
        self.private_getter = private_getter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        cookies = _cookies(headers)
        new_seed = None
        if CSRF_COOKIE not in cookies and not path.startswith(("/api/", "/static/")):
            new_seed = secrets.token_hex(16)
            scope.setdefault("state", {})["csrf_seed"] = new_seed
        secure = scope.get("scheme") == "https"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = security_headers(path)
                if new_seed:
                    cookie = f"{CSRF_COOKIE}={new_seed}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                    extra.append((b"set-cookie", cookie.encode()))
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message = dict(message, headers=list(message.get("headers", []))
                               + [(k, v) for k, v in extra if k not in existing or k == b"set-cookie"])
            await send(message)

        if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            return await _plain_error(send_with_headers, 414, "The address is too long; shorten the query.")
        if self.private_getter() and not self._allowed(scope, path, headers, cookies):
            return await self._turn_away(scope, path, send_with_headers)
        return await self.app(scope, receive, send_with_headers)

    def _allowed(self, scope, path: str, headers: dict[bytes, bytes], cookies: dict[str, str]) -> bool:
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return True
        token = getattr(scope["app"].state, "token", None)
        if not token:
            return False
        given = bearer_token(headers.get(b"authorization", b"").decode("latin-1"))
        return token_matches(given, token) or session_valid(cookies.get(SESSION_COOKIE), token)

    async def _turn_away(self, scope, path: str, send):
        if path.startswith("/api/") or path.startswith("/openapi") or scope["method"] not in ("GET", "HEAD"):
            body = json.dumps({"error": {"status": 401, "message":
                               "This archive is private: send 'Authorization: Bearer <token>' or log in."}}).encode()
            start = {"type": "http.response.start", "status": 401,
                     "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                 (b"www-authenticate", b"Bearer")]}
        else:
            query = scope.get("query_string", b"").decode("latin-1")
            target = login_url(path + ("?" + query if query else ""))
            body = b""
            start = {"type": "http.response.start", "status": 303,
                     "headers": [(b"location", target.encode("latin-1", "replace")), (b"content-length", b"0")]}
        await send(start)
        await send({"type": "http.response.body", "body": body})


async def _plain_error(send, status: int, message: str) -> None:
    body = json.dumps({"error": {"status": status, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
