"""The write token: where it comes from, and the constant-time check every write goes through."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("folio.auth")

TOKEN_FILE = "token"


def ensure_token(data_dir: Path, configured: str | None) -> tuple[str, bool]:
    """The token to require: the configured one, else the one kept in the data directory, else a new one
    (written with mode 0600). Returns (token, newly_generated)."""
    if configured:
        return configured, False
    path = Path(data_dir) / TOKEN_FILE
    if path.exists():
        return path.read_text().strip(), False
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker of the same service wrote it first
        return _read_token_when_written(path), False
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")
    return token, True


def _read_token_when_written(path: Path) -> str:
    import time

    for _ in range(50):
        token = path.read_text().strip()
        if token:
            return token
        time.sleep(0.1)
    raise RuntimeError(f"the token file {path} is empty")


def token_matches(given: str | None, expected: str) -> bool:
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None
