"""Login session, CSRF on page forms, security headers, private mode, and the token kept secret."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.login import SESSION_COOKIE
from service.settings import Settings
from tests.conftest import TOKEN, page_csrf

ARTICLE = b"Harbour Pilots\n\nBy Ann Bee\n\nThe pilots came back after the storm."


def login(client, token: str = TOKEN, next_path: str = "/upload"):
    return client.post("/login", data={"token": token, "next": next_path, "csrf_token": page_csrf(client)},
                       follow_redirects=False)


def test_pages_carry_the_security_headers(client):
    for path in ("/", "/upload", "/login", "/static/folio.css", "/api/search", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script(client):
    from tests.security.inert import active_content

    for path in ("/", "/upload", "/login", "/authors", "/timeline", "/help"):
        page = client.get(path).text
        assert active_content(page) == [], path
        assert "<script>" not in page, path


def test_login_sets_a_signed_httponly_samesite_cookie(client):
    response = login(client)
    assert response.status_code == 303 and response.headers["location"] == "/upload"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE + "=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert TOKEN not in cookie


def test_wrong_token_does_not_log_in(client):
    response = login(client, token="wrong")
    assert response.status_code == 401 and SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_forged_session_cookie_is_worthless(client):
    client.cookies.set(SESSION_COOKIE, "99999999999.deadbeef")
    response = client.post("/upload", data={"csrf_token": page_csrf(client, "/upload")},
                           files={"file": ("a.txt", ARTICLE)}, follow_redirects=False)
    assert response.status_code == 401


def test_logged_in_upload_form_needs_no_token_field(client):
    assert 'name="token"' in client.get("/upload").text
    login(client)
    form = client.get("/upload").text
    assert 'name="token"' not in form and 'name="csrf_token"' in form
    response = client.post("/upload", data={"csrf_token": page_csrf(client, "/upload")},
                           files={"file": ("a.txt", ARTICLE)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/documents/")


def test_page_form_without_csrf_field_is_refused_even_when_logged_in(client):
    login(client)
    response = client.post("/upload", files={"file": ("a.txt", ARTICLE)}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/api/search", params={"q": "pilots"}).json()["total"] == 0


def test_csrf_field_from_another_browser_is_refused(client, settings):
    with TestClient(create_app(settings)) as other:
        foreign = page_csrf(other, "/upload")
    login(client)
    response = client.post("/upload", data={"csrf_token": foreign}, files={"file": ("a.txt", ARTICLE)},
                           follow_redirects=False)
    assert response.status_code == 403


def test_login_form_itself_needs_csrf(client):
    response = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert response.status_code == 403


def test_api_with_session_needs_the_csrf_header(client):
    login(client)
    refused = client.post("/api/documents", files={"file": ("a.txt", ARTICLE)})
    assert refused.status_code == 403
    accepted = client.post("/api/documents", files={"file": ("a.txt", ARTICLE)},
                           headers={"X-CSRF-Token": page_csrf(client, "/upload")})
    assert accepted.status_code == 201


def test_api_writes_without_credentials_are_refused(client):
    assert client.post("/api/documents", files={"file": ("a.txt", ARTICLE)}).status_code == 401
    assert client.post("/api/documents", files={"file": ("a.txt", ARTICLE)},
                       headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"}).status_code == 401


def test_logout_ends_the_session(client):
    login(client)
    response = client.post("/logout", data={"csrf_token": page_csrf(client, "/upload")}, follow_redirects=False)
    assert response.status_code == 303
    assert 'name="token"' in client.get("/upload").text


def test_login_redirect_stays_on_this_site(client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = login(client, next_path=target)
        assert response.headers["location"] == "/", target


@pytest.fixture
def private_client(tmp_path):
    settings = Settings(data=tmp_path / "data", token=TOKEN, seeds=None, private=True)
    with TestClient(create_app(settings)) as c:
        yield c


def test_private_mode_needs_the_token_or_a_session_for_everything(private_client, auth):
    c = private_client
    for path in ("/api/search", "/api/authors", "/openapi.json"):
        assert c.get(path).status_code == 401, path
        assert c.get(path, headers=auth).status_code == 200, path
    page = c.get("/authors", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=/authors")
    assert c.get("/login").status_code == 200 and c.get("/static/folio.css").status_code == 200
    response = c.post("/login", data={"token": TOKEN, "next": "/authors", "csrf_token": page_csrf(c)},
                      follow_redirects=False)
    assert response.status_code == 303
    assert c.get("/authors").status_code == 200
    assert c.get("/api/search").status_code == 200


def test_private_mode_hides_documents_and_originals(private_client, auth):
    c = private_client
    record = c.post("/api/documents", files={"file": ("a.txt", ARTICLE)}, headers=auth).json()
    for path in (f"/api/documents/{record['id']}", f"/api/documents/{record['id']}/original",
                 f"/documents/{record['id']}"):
        response = c.get(path, follow_redirects=False)
        assert response.status_code in (401, 303) and "Harbour" not in response.text, path


def test_the_token_never_appears_in_pages_or_logs(tmp_path, caplog, capsys):
    settings = Settings(data=tmp_path / "data", token=None, seeds=None)
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(settings)) as c:
        token = (tmp_path / "data" / "token").read_text().strip()
        login(c, token=token)
        pages = [c.get(p).text for p in ("/", "/upload", "/login", "/help", "/openapi.json")]
        c.post("/api/documents", files={"file": ("a.txt", ARTICLE)}, headers={"Authorization": f"Bearer {token}"})
        c.post("/api/documents", files={"file": ("b.txt", ARTICLE)}, headers={"Authorization": "Bearer wrong"})
    assert all(token not in page for page in pages)
    captured = capsys.readouterr()
    assert token not in caplog.text and token not in captured.out and token not in captured.err
