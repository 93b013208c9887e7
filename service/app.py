"""`create_app(settings)`: the FastAPI application. Nothing happens at import time."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.archive import Archive
from index.errors import FolioError
from service.auth import ensure_token
from service.limits import BodySizeLimit
from service.settings import Settings
from service.templates import make_templates
from ui import STATIC_DIR

log = logging.getLogger("folio")


def load_seeds(archive: Archive, seeds: Path | None) -> int:
    """Ingest the seed articles into an empty archive, so a new user sees something working."""
    if seeds is None or not Path(seeds).is_dir() or archive.count():
        return 0
    loaded = 0
    for path in sorted(Path(seeds).iterdir()):
        if path.is_file() and not path.name.startswith("."):
            try:
                archive.add(path.read_bytes(), path.name)
                loaded += 1
            except FolioError as exc:
                log.warning("seed %s not loaded: %s", path.name, exc.message)
    return loaded


def open_archive(settings: Settings) -> tuple[Archive, str]:
    from index.sandbox import ParseLimits

    from index.sandbox import start_helper

    archive = Archive(settings.data, ParseLimits(settings.parse_timeout, settings.parse_memory_mb))
    start_helper()
    token, generated = ensure_token(settings.data, settings.token)
    if generated:
        # the token itself never goes to a log: it is read from the file, which only its owner can read
        print(f"Folio generated a write token and keeps it in {settings.data / 'token'} (mode 0600).", flush=True)
    loaded = load_seeds(archive, settings.seeds)
    if loaded:
        log.info("loaded %d seed article(s) into the empty archive", loaded)
    report = archive.check(verify_hashes=False)
    if not report.ok:
        log.warning("catalog and index disagree: %d not indexed, %d index entries without a record; "
                    "run 'folio check --repair'", len(report.missing_from_index), len(report.orphans_in_index))
    return archive, token


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        archive, token = open_archive(settings)
        app.state.archive = archive
        app.state.token = token
        prepare_routes(app)
        try:
            yield
        finally:
            archive.close()

    from service.login import check_csrf, install_template_globals

    app = FastAPI(title="Folio", version="0.1.0", lifespan=lifespan,
                  description="Archive, search and browse articles.", dependencies=[Depends(check_csrf)])
    app.state.settings = settings
    app.state.templates = make_templates()
    install_template_globals(app.state.templates)
    app.add_middleware(BodySizeLimit, max_bytes_getter=lambda: settings.max_upload_bytes)
    from service.security import SecurityMiddleware

    app.add_middleware(SecurityMiddleware, private_getter=lambda: settings.private)
    if settings.workers > 1:
        from service.balancing import CloseAfterAnswer

        app.add_middleware(CloseAfterAnswer)
    install_error_handlers(app)

    from service.api import router as api_router
    from service.feeds import router as feeds_router
    from service.identity_pages import router as identity_router
    from service.passage_page import router as passage_router
    from service.login import router as login_router
    from service.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(login_router)
    app.include_router(feeds_router)
    app.include_router(passage_router)
    app.include_router(identity_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def prepare_routes(app: FastAPI) -> None:
    """Work out every route's parameters now rather than on the first request.

    FastAPI works out the routes of an included router (the validators of their parameters) when the
    first request reaches that router, in each process: a worker's first upload waited 22 ms for the
    documents router, more while other requests ran. Building the OpenAPI schema works out all of
    them, and it is kept for ``/openapi.json``."""
    app.openapi()


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def error_response(request: Request, status: int, message: str):
    """One place renders every error: JSON under /api, an error page elsewhere."""
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FolioError)
    async def folio_error(request: Request, exc: FolioError):
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        return error_response(request, 422, "Invalid request — " + "; ".join(parts))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, "Something went wrong on our side; the error was logged.")
