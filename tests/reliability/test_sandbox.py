"""Parsing runs in a child process whose time and memory are limited; the caller survives both."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import sandbox
from index.archive import Archive
from index.errors import FolioError
from index.sandbox import ParseLimits, extract_isolated

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = b"Harbour Pilots\n\nBy Ann Bee\n\nThe pilots came back after the storm, the harbour master said."


def big_article(megabytes: int = 20) -> bytes:
    line = b"The tide tables were checked twice and the pilots agreed on the schedule again.\n"
    return b"Long Report\n\nBy Ann Bee\n\n" + line * (megabytes * 1024 * 1024 // len(line))


def test_isolated_extraction_gives_the_same_record_as_in_process():
    from index.ingest import extract

    isolated, direct = extract_isolated(ARTICLE, "a.txt"), extract(ARTICLE, "a.txt")
    assert isolated.id == direct.id and isolated.title == direct.title and isolated.authors == direct.authors


def test_reader_errors_keep_their_status():
    with pytest.raises(FolioError) as err:
        extract_isolated(b"\x00\x01\x02" * 100, "junk.txt")
    assert err.value.status == 415


def test_a_file_that_takes_too_long_is_refused_and_the_next_one_works():
    with pytest.raises(FolioError) as err:
        extract_isolated(big_article(), "long.txt", ParseLimits(timeout=0.05))
    assert err.value.status == 422 and "longer than" in err.value.message
    assert extract_isolated(ARTICLE, "a.txt").title == "Harbour Pilots"


def test_a_file_that_needs_too_much_memory_is_refused_and_the_next_one_works():
    with pytest.raises(FolioError) as err:
        extract_isolated(big_article(), "big.txt", ParseLimits(timeout=60, memory_mb=64))
    assert err.value.status == 422 and "memory" in err.value.message
    assert extract_isolated(ARTICLE, "a.txt").title == "Harbour Pilots"


def test_archive_add_parses_in_the_child_and_stores_nothing_on_failure(tmp_path):
    with Archive(tmp_path / "data", ParseLimits(timeout=0.05)) as archive:
        with pytest.raises(FolioError):
            archive.add(big_article(), "long.txt")
        assert archive.count() == 0 and list(archive.blobs.all_digests()) == []


def start_helper_process(socket_path):
    proc = subprocess.Popen([sys.executable, "-m", "index.sandbox", str(socket_path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout.readline().strip() == b"ready"
    return proc


def test_the_helper_removes_its_socket_folder_when_its_starter_goes_away(tmp_path):
    folder = tmp_path / "folio-parse-x"
    folder.mkdir()
    proc = start_helper_process(folder / "s")
    assert (folder / "s").exists()
    proc.stdin.close()  # what happens when the process that started it exits
    assert proc.wait(timeout=30) == 0
    assert not folder.exists()


def test_stopping_the_helper_removes_its_socket_folder():
    sandbox.start_helper()
    folder = os.path.dirname(sandbox._helper.socket_path)
    assert os.path.exists(folder)
    sandbox.stop_helper()
    assert not os.path.exists(folder)
    assert extract_isolated(ARTICLE, "a.txt").title == "Harbour Pilots"  # started again on next use


def helper_children(pid: int) -> set[int]:
    return {int(n) for n in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def child_taking_a_request(socket_path: str) -> int:
    """Connect as `extract_isolated` does and read the pid the child answers with (then hang up)."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(socket_path)
        return sandbox._recv(sock)


def test_the_child_that_reads_a_file_is_forked_before_the_file_arrives(tmp_path):
    """A fork costs a few milliseconds, and the first writes to its memory as many again: the helper
    keeps one child ready, and forks the next when it takes a request."""
    proc = start_helper_process(tmp_path / "s")
    try:
        waiting = _wait_for(lambda: helper_children(proc.pid))
        assert len(waiting) == 1
        took = child_taking_a_request(str(tmp_path / "s"))
        assert took in waiting
        replaced = _wait_for(lambda: helper_children(proc.pid) - {took})
        assert len(replaced) == 1 and took not in replaced
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def test_a_waiting_child_that_dies_is_replaced_and_files_are_still_read(tmp_path):
    import signal

    proc = start_helper_process(tmp_path / "s")
    try:
        (first,) = _wait_for(lambda: helper_children(proc.pid))
        os.kill(first, signal.SIGKILL)
        (second,) = _wait_for(lambda: helper_children(proc.pid) - {first})
        assert child_taking_a_request(str(tmp_path / "s")) == second
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0


def test_waiting_children_leave_with_the_helper(tmp_path):
    proc = start_helper_process(tmp_path / "s")
    (waiting,) = _wait_for(lambda: helper_children(proc.pid))
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    assert _wait_for(lambda: not Path(f"/proc/{waiting}").exists() or "Z" in _state(waiting))


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def _wait_for(probe, seconds: float = 30):
    """``probe()`` once it is truthy (a helper and its children start in the background)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.02)
