"""Start and stop real uvicorn processes on loopback for the reliability tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `uvicorn service.app:create_app --factory` process (or several workers) on a data directory."""

    def __init__(self, data: Path, token: str, workers: int = 1, env: dict | None = None, port: int | None = None):
        self.data, self.token, self.workers = Path(data), token, workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        self.log = self.data.parent / f"server-{self.port}.log"

    @property
    def auth(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def start(self, timeout: float = 60) -> "Server":
        empty_seeds = self.data.parent / "no-seeds"
        empty_seeds.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, FOLIO_DATA=str(self.data), FOLIO_TOKEN=self.token, FOLIO_SEEDS=str(empty_seeds),
                   PYTHONPATH=str(REPO))
        env.update(self.extra_env)
        cmd = [sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("server did not start: " + self.log.read_text()[-3000:])

    def kill(self) -> None:
        """SIGKILL the whole process group (workers and parse helpers included), as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
