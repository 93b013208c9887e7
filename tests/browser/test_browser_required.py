"""Without Chromium the browser tests fail with an explanation; they are never skipped."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_missing_chromium_fails_the_browser_tests():
    env = {**os.environ, "FOLIO_CHROMIUM": "/nonexistent/chromium", "FOLIO_REQUIRE_BROWSER": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfEs",
         "tests/browser/test_search_ui.py::test_keyboard_only_search"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode != 0, run.stdout
    assert "Chromium is not installed at /nonexistent/chromium" in run.stdout
    assert "CI requires it" in run.stdout
    assert "skipped" not in run.stdout
