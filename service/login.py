"""The UI's login session and the CSRF protection of every page form that changes data.

Logging in trades the write token for a signed cookie (HttpOnly, SameSite=Lax, Secure over HTTPS).
Its signing key is derived from the token, so changing the token ends every session.

CSRF: each browser gets a random ``folio_csrf`` cookie (set by `service.security.SecurityMiddleware`);
forms carry ``csrf_token`` = HMAC(key, cookie). A page on another site can make the browser send the
cookie, but cannot read it, so it cannot forge the field. `check_csrf` runs before every non-GET page
route (it is an app-wide dependency); scripts calling the JSON API with the session send the same value
in the ``X-CSRF-Token`` header instead.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from index.errors import Forbidden
from service.auth import bearer_token, token_matches

SESSION_COOKIE = "folio_session"
CSRF_COOKIE = "folio_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_DAYS = 30
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

router = APIRouter(include_in_schema=False)


# -- signing ----------------------------------------------------------------------------------------


def _key(token: str) -> bytes:
    return hmac.new(token.encode("utf-8"), b"folio-ui-signing-key", hashlib.sha256).digest()


def _sign(token: str, message: str) -> str:
    return hmac.new(_key(token), message.encode("utf-8"), hashlib.sha256).hexdigest()


def make_session(token: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_DAYS * 86400)
    return f"{expires}.{_sign(token, f'session:{expires}')}"


def session_valid(value: str | None, token: str) -> bool:
    if not value or "." not in value:
        return False
    expires, _, signature = value.partition(".")
    if not expires.isdigit() or int(expires) < time.time():
        return False
    return hmac.compare_digest(signature.encode(), _sign(token, f"session:{expires}").encode())


def logged_in(request: Request) -> bool:
    return session_valid(request.cookies.get(SESSION_COOKIE), request.app.state.token)


def has_write_access(request: Request) -> bool:
    """A valid bearer token or a login session (the session alone; CSRF is checked separately)."""
    token = request.app.state.token
    return token_matches(bearer_token(request.headers.get("authorization")), token) or logged_in(request)


# -- CSRF -------------------------------------------------------------------------------------------


def csrf_seed(request: Request) -> str:
    """This browser's random CSRF cookie (a fresh one on its first visit, set by the middleware)."""
    return request.scope.get("state", {}).get("csrf_seed") or request.cookies.get(CSRF_COOKIE, "")


def csrf_token(request: Request) -> str:
    seed = csrf_seed(request)
    return _sign(request.app.state.token, f"csrf:{seed}") if seed else ""


def csrf_valid(request: Request, given: str | None) -> bool:
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), csrf_token_for_seed(request, seed).encode())


def csrf_token_for_seed(request: Request, seed: str) -> str:
    return _sign(request.app.state.token, f"csrf:{seed}")


async def check_csrf(request: Request) -> None:
    """App-wide dependency: every page request that changes data must carry the form's CSRF field.

    The JSON API is exempt when it is called with the bearer token (a browser never sends that on its
    own); called with the login session it needs the ``X-CSRF-Token`` header."""
    if request.method in SAFE_METHODS:
        return
    if request.url.path.startswith("/api/"):
        if bearer_token(request.headers.get("authorization")):
            return
        if request.cookies.get(SESSION_COOKIE) and not csrf_valid(request, request.headers.get(CSRF_HEADER)):
            raise Forbidden("This request needs the X-CSRF-Token header of your login session.")
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not csrf_valid(request, given):
        raise Forbidden("This form has expired or did not come from Folio; reload the page and try again.")


def install_template_globals(templates) -> None:
    """``csrf_input()``, ``csrf_token()`` and ``logged_in()`` for every template."""
    from jinja2 import pass_context

    @pass_context
    def _csrf_input(context) -> Markup:
        value = csrf_token(context["request"])
        return Markup('<input type="hidden" name="%s" value="%s">') % (CSRF_FIELD, value)

    @pass_context
    def _csrf_token(context) -> str:
        return csrf_token(context["request"])

    @pass_context
    def _logged_in(context) -> bool:
        return logged_in(context["request"])

    templates.env.globals.update(csrf_input=_csrf_input, csrf_token=_csrf_token, logged_in=_logged_in)


# -- routes -----------------------------------------------------------------------------------------


def safe_next(target: str | None) -> str:
    """Only a path on this site: never '//evil.example' or 'https://…'."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _render(request: Request, context: dict, status: int = 200) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, "login.html", context, status_code=status)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return _render(request, {"next": safe_next(request.query_params.get("next")), "logged_in_now": logged_in(request)})


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, token: str = Form(""), next: str = Form("/")):
    target = safe_next(next)
    if not token_matches(token, request.app.state.token):
        return _render(request, {"next": target, "error": "That is not the write token."}, status=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, make_session(request.app.state.token), max_age=SESSION_DAYS * 86400,
                        httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/")
    return response


@router.post("/logout")
def logout(request: Request):
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def login_url(path: str) -> str:
    return "/login?next=" + quote(path, safe="/")
