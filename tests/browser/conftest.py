"""Browser tests: one real Folio server (uvicorn in a subprocess) holding the PEPs corpus, driven by Debian's
Chromium through Playwright. The browser cannot be downloaded here, so a missing Chromium is a failure with
an explanation, never a skip."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PEPS, REPO, TOKEN

CHROMIUM = Path(os.environ.get("FOLIO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = REPO / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SERVER_START_SECONDS = 60


def browser_missing_message() -> str:
    required = os.environ.get("FOLIO_REQUIRE_BROWSER") == "1" or bool(os.environ.get("CI"))
    why = "CI requires it" if required else "the UI is only proven in a real browser"
    return (f"Chromium is not installed at {CHROMIUM} ({why}). Install it with 'apt-get install chromium' "
            "or point FOLIO_CHROMIUM at a Chromium binary; .ci/run installs it automatically.")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def folio_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from service.cli import main; sys.exit(main())", *args]


def wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the Folio server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the Folio server did not answer within {SERVER_START_SECONDS}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> str:
    """Base URL of a real Folio server whose archive holds the PEPs corpus, ingested with `folio ingest`."""
    if not PEPS.exists():
        pytest.fail(f"the PEPs corpus is missing at {PEPS} (set FOLIO_SHARED)")
    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    env = {**os.environ, "FOLIO_TOKEN": TOKEN, "FOLIO_DATA": str(data), "PYTHONUNBUFFERED": "1"}
    ingest = subprocess.run(folio_command("ingest", "--data", str(data), str(PEPS)), cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=600)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    port = free_port()
    log = root / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            folio_command("serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port),
                          "--log-level", "warning"),
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(browser_missing_message())
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(browser, server):
    """Open a fresh page (own cookies and storage) with the given options; every page opened here is
    checked for script errors when the test ends."""
    contexts, errors = [], []

    def open_page(**options):
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(base_url=server, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def page(new_page):
    return new_page()


def screenshot(page, name: str) -> Path:
    """Keep a picture of the page for people to look at (test-artifacts/ is not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
