"""Parsing in a child process with a time and a memory limit.

A hostile file (a decompression bomb, a PDF whose structure never ends, a reader bug that loops) must
not hang or exhaust the process that serves everyone else, so `extract_isolated` runs
`index.ingest.extract` in a short-lived child whose address space is capped (``RLIMIT_AS``), whose CPU
time is capped (``RLIMIT_CPU``, a backstop) and which is killed when it runs past its time.

Forking the server itself is unsafe (it runs threads: the index writer, the web server's pool), and
starting a fresh interpreter per file is slow, so each process that parses starts one small helper
(``python -m index.sandbox``): single-threaded, readers imported once, listening on a private Unix
socket. Every request gets its own forked child of the helper, forked before the request comes and
already past its first writes to memory (see `_serve_one`). The helper and its waiting child exit
when the process that started them goes away (its stdin closes).
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from index.document import Document
from index.errors import FolioError, Unavailable, Unreadable

DEFAULT_TIMEOUT = 30.0
DEFAULT_MEMORY_MB = 1024
#: how long the helper waits before forking a new child when the last one exited without a request
SPARE_RESTART_PAUSE = 0.1
PRELOAD = ("index.ingest", "index.ingest.text")


@dataclass(frozen=True)
class ParseLimits:
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB


# -- framing: 8-byte length + pickle ----------------------------------------------------------------


def _send(sock: socket.socket, obj) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(struct.pack("!Q", len(payload)) + payload)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("connection closed")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket):
    (n,) = struct.unpack("!Q", _recv_exact(sock, 8))
    return pickle.loads(_recv_exact(sock, n))


# -- the helper process -----------------------------------------------------------------------------


def serve(socket_path: str) -> None:
    """The helper's loop: accept a connection, fork a child to handle it, until stdin closes."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    from index.ingest import READERS

    for target in READERS.values():  # every reader imported once here, not once per file
        try:
            importlib.import_module(target.split(":")[0])
        except ImportError:
            pass
    _warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
    except BrokenPipeError:
        return  # the process that started us is already gone
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # nobody reads the pipe any more
    try:
        _accept_until_orphaned(listener)
    finally:
        remove_socket_folder(socket_path)


def _accept_until_orphaned(listener: socket.socket) -> None:
    """Keep one child forked ahead of the next request (see `_serve_one`), and fork the next one as
    soon as it takes a connection, or if it went away without one."""
    listener.setblocking(False)  # a child waits for it with select, and may find the caller gone
    spare = _fork_spare(listener)
    while True:
        readable, _, _ = select.select([spare, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1):
            return  # the process that started us is gone (and the spare sees it too)
        if spare in readable:
            took = os.read(spare, 1)
            os.close(spare)
            if not took:
                time.sleep(SPARE_RESTART_PAUSE)  # it died waiting: never a loop of forks
            spare = _fork_spare(listener)


def _fork_spare(listener: socket.socket) -> int:
    """Fork the next child; returns a pipe it writes a byte to once it has a connection (and which
    ends when it exits)."""
    took, tell = os.pipe()
    if os.fork() == 0:
        os.close(took)
        try:
            _serve_one(listener, tell)
        finally:
            os._exit(0)  # a child never runs the helper's clean-up
    os.close(tell)
    return took


def _serve_one(listener: socket.socket, tell: int) -> None:
    """In a child forked before its request: first read a small article, so the memory a parse
    touches is this process's own (each page a forked process first writes to is copied then: about
    5 ms of a small upload's parse), then wait for one connection and handle it."""
    _warm_up()
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable:
            return  # the server went away (nothing else is ever written there)
        try:
            conn, _ = listener.accept()
            break
        except BlockingIOError:
            continue  # the caller gave up before it was accepted
    try:
        os.write(tell, b"x")
    except BrokenPipeError:
        pass  # the helper is gone; this request is still answered
    os.close(tell)
    listener.close()
    conn.setblocking(True)
    _handle(conn)


def remove_socket_folder(socket_path: str) -> None:
    """Remove the socket and its private folder (left alone if something else was put in it)."""
    for remove, path in ((os.unlink, socket_path), (os.rmdir, os.path.dirname(socket_path))):
        try:
            remove(path)
        except OSError:
            pass


_PROSE = "The harbour master checked the tide tables twice, and the pilots agreed on the week's schedule. "
#: small articles of the common kinds, read before any file arrives (see `_warm_up`)
WARM_UP_SAMPLES = (
    ("warm-up.txt", "A Note on Harbours\n\nBy Ann Example\nMarch 3, 2020\n\n" + _PROSE * 6
     + "\n\nThe Tide Tables\n\n" + _PROSE * 3 + "\n\n- the first item\n- the second item\n\n"
     "This article was originally written by Ann Example for Harbour News on April 30, 2020.\n"),
    ("warm-up.md", "# A Note on Harbours\n\n*By Ann Example*\n\n## The Tide Tables\n\n" + _PROSE * 4
     + "\n\n* [a link](https://example.org/tides)\n"),
    ("warm-up.html", "<html><head><title>A Note on Harbours</title><meta name=\"author\" content=\"Ann Example\">"
     "</head><body><article><h1>A Note on Harbours</h1><p>" + _PROSE * 4 + "</p></article></body></html>"),
)


def _warm_up() -> None:
    """Read a few small articles, so what the readers load or build lazily (the language model,
    regular expressions compiled on first use) is in memory before the children are forked, instead
    of being made again in each child, and so a child's first writes to its memory (each page is
    copied then) happen before its file arrives."""
    from index.ingest import extract

    for name, sample in WARM_UP_SAMPLES:
        try:
            extract(sample.encode(), name)
        except Exception:
            pass


def _handle(conn: socket.socket) -> None:
    """In a forked child: send our pid (so the caller can kill us), cap resources, parse, reply."""
    _send(conn, os.getpid())
    data, filename, timeout, memory_mb = _recv(conn)
    limit = memory_mb * 1024 * 1024
    cpu = int(timeout) + 2
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        from index.ingest import extract

        reply = ("ok", extract(data, filename))
    except FolioError as exc:
        reply = ("error", exc.status, exc.message)
    except MemoryError:
        reply = ("limit", "needs more memory to read than is allowed")
    except RecursionError:
        reply = ("limit", "is nested too deeply to read")
    except Exception as exc:  # a reader bug on odd input: the file is unreadable, the server is fine
        reply = ("limit", f"could not be read ({type(exc).__name__})")
    try:
        _send(conn, reply)
    except MemoryError:
        pass  # the caller sees the connection close and reports the memory limit


# -- the caller's side ------------------------------------------------------------------------------


class _Helper:
    """One helper process per parsing process, started on first use."""

    def __init__(self):
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.socket_path: str | None = None

    def address(self) -> str:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            return self.socket_path

    def _start(self) -> None:
        if self.socket_path is not None:
            remove_socket_folder(self.socket_path)  # the helper before this one died without clean-up
        folder = tempfile.mkdtemp(prefix="folio-parse-")
        self.socket_path = os.path.join(folder, "s")
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "index.sandbox", self.socket_path],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
            start_new_session=True,
        )
        line = self.proc.stdout.readline()
        if line.strip() != b"ready":
            raise Unavailable("The server could not start its file reader process.")

    def reset(self) -> None:
        with self.lock:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            if self.socket_path is not None:
                remove_socket_folder(self.socket_path)  # a killed helper cannot clean up after itself
            self.proc = None
            self.socket_path = None


_helper = _Helper()


def start_helper() -> None:
    """Start the reader process now (the service does this on start, so the first upload is quick)."""
    _helper.address()


def stop_helper() -> None:
    """Stop this process's reader process (started again on next use)."""
    _helper.reset()


def extract_isolated(data: bytes, filename: str, limits: ParseLimits | None = None) -> Document:
    """`index.ingest.extract` in a child process; a FolioError (422 for limits) on bad input."""
    from index.ingest import display_name

    limits = limits or ParseLimits()
    name = display_name(filename)
    sock = _connect()
    try:
        sock.settimeout(limits.timeout)
        child_pid = _recv(sock)
        try:
            _send(sock, (data, filename, limits.timeout, limits.memory_mb))
            reply = _recv(sock)
        except socket.timeout:
            _kill_quietly(child_pid)  # still running, so the pid is still its own
            raise Unreadable(f"{name} took longer than {limits.timeout:g} s to read; it was not stored.") from None
        except (EOFError, OSError):
            raise Unreadable(f"{name} could not be read: the reader stopped (it may need more than "
                             f"{limits.memory_mb} MB); it was not stored.") from None
    except (socket.timeout, EOFError, OSError) as exc:  # the helper did not even hand over a child
        raise Unavailable("The server's file reader process is not answering; try again.") from exc
    finally:
        sock.close()
    if reply[0] == "ok":
        return reply[1]
    if reply[0] == "limit":
        raise Unreadable(f"{name} {reply[1]}; it was not stored.")
    _, status, message = reply
    raise FolioError(message, status=status)


def _connect() -> socket.socket:
    for attempt in range(2):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(_helper.address())
            return sock
        except OSError:
            sock.close()
            if attempt:
                raise Unavailable("The server's file reader process is not answering; try again.") from None
            _helper.reset()
    raise AssertionError("unreachable")


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


if __name__ == "__main__":
    serve(sys.argv[1])
