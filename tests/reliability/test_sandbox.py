"""Parsing runs in a child process whose time and memory are limited; the caller survives both."""

from __future__ import annotations

import pytest

from index.archive import Archive
from index.errors import FolioError
from index.sandbox import ParseLimits, extract_isolated

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
