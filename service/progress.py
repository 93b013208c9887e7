"""A progress line for long terminal commands: count, rate and time left, on stderr.

On a terminal the line redraws in place a few times a second; when stderr is a file or a pipe (a cron
job's log) it prints a plain line every so often instead, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

REDRAW_SECONDS = 0.2
LOG_SECONDS = 10.0
BAR_WIDTH = 24


class Progress:
    def __init__(self, total: int, unit: str = "files", stream: TextIO | None = None):
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn = False

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        wait = REDRAW_SECONDS if self._interactive else LOG_SECONDS
        if now - self._last_draw >= wait or self.done >= self.total:
            self._last_draw = now
            self.draw()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else None
        share = self.done / self.total if self.total else 1.0
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return (f"[{bar}] {self.done}/{self.total} {self.unit}  {rate:.1f} {self.unit}/s  "
                f"ETA {format_seconds(left)}")

    def draw(self) -> None:
        if self._interactive:
            self.stream.write("\r\x1b[K" + self.line())
            self._drawn = True
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """Wipe the line before something else is printed to the same terminal."""
        if self._interactive and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False

    def finish(self) -> None:
        if self._interactive and self._drawn:
            self.stream.write("\n")
            self.stream.flush()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
