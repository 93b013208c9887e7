"""Dependencies routes declare: the archive, the settings, and the token check for writes.

They are ``async`` because they only look at the request: FastAPI runs a plain function in a
worker thread, and the trip there and back waits for the event loop each way, behind whatever
search it is running."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from index.archive import Archive
from index.errors import Unauthorized
from service.auth import bearer_token, token_matches
from service.settings import Settings


async def get_archive(request: Request) -> Archive:
    return request.app.state.archive


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def require_token(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """Writes need ``Authorization: Bearer <token>``, or a login session (whose CSRF header the
    app-wide `service.login.check_csrf` has already verified)."""
    from service.login import logged_in

    if not token_matches(bearer_token(authorization), request.app.state.token) and not logged_in(request):
        raise Unauthorized("This needs the write token: send 'Authorization: Bearer <token>'.")


ArchiveDep = Annotated[Archive, Depends(get_archive)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TokenDep = Depends(require_token)
