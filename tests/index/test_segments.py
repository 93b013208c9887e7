"""Single uploads each add a small segment; when the writer is idle they are merged, so an archive
that takes uploads one by one does not pile up segments (each one costs every search)."""

from __future__ import annotations

import os

from index.search import SearchRequest


def note(i: int) -> bytes:
    """A short article with a word of its own, ``zq{i}x``."""
    return f"Harbour Note {i}\n\nBy Ann Bee\n\nThe harbour board met; marker zq{i}x was read out.\n".encode()


def segment_count(archive) -> int:
    return len(archive.engine.searcher().reader().leaf_readers())


def test_small_segments_merged_when_idle(archive):
    for i in range(20):
        archive.add(note(i), f"n{i}.txt")
    archive.engine.delete([])  # goes through the writer after the idle work the last upload left
    assert segment_count(archive) < 8
    for i in range(20):
        assert archive.search(SearchRequest(q=f"zq{i}x")).total == 1
    assert archive.search(SearchRequest(q="harbour")).total == 20


def test_deleted_documents_leave_with_the_merge(archive):
    ids = [archive.add(note(i), f"n{i}.txt")[0].id for i in range(12)]
    for doc_id in ids[:5]:
        archive.delete(doc_id)
    for i in range(12, 20):
        archive.add(note(i), f"n{i}.txt")
    archive.engine.delete([])
    assert archive.search(SearchRequest(q="harbour")).total == 15
    assert archive.check(verify_hashes=False).ok


class Sized:
    """A segment as `tier_to_merge` sees it: its number of documents."""

    def __init__(self, docs: int):
        self.docs = docs

    def doc_count_all(self) -> int:
        return self.docs


def test_idle_merges_take_one_size_tier_at_a_time():
    from index.engine import tier_to_merge

    def picked(*sizes):
        return sorted(seg.docs for seg in tier_to_merge([Sized(n) for n in sizes]))

    # eight single uploads merge without the large upload segment beside them
    assert picked(757, 1, 1, 1, 1, 1, 1, 1, 1) == [1] * 8
    assert picked(757, 1, 1, 1, 1, 1, 1, 1) == []
    # the smallest tier that is full goes first; segments past the limit are left to commits
    assert picked(25_000, 1000, 40, 12, 15, 33, 20, 10, 99, 64, 3, 2) == [10, 12, 15, 20, 33, 40, 64, 99]
    assert picked(*[1000] * 9) == []
    assert picked(*[150] * 8, *[5] * 8) == [5] * 8


def test_uploads_one_by_one_keep_few_segments(archive):
    for i in range(70):
        archive.add(note(i), f"n{i}.txt")
    archive.engine.delete([])
    assert segment_count(archive) <= 12
    assert archive.search(SearchRequest(q="harbour")).total == 70
    assert all(archive.search(SearchRequest(q=f"zq{i}x")).total == 1 for i in (0, 33, 69))


def test_idle_writer_opens_no_writer_when_nothing_is_to_merge(archive):
    """Opening a writer creates its files and cancelling it removes them again: an upload's commit
    is followed by that only when there is a tier to merge."""
    from index.engine import IDLE_MERGE_LOCK_WAIT

    engine = archive.engine
    opened = []
    writer = engine.ix.writer

    def counting_writer(*args, **kwargs):
        opened.append(kwargs.get("timeout"))
        return writer(*args, **kwargs)

    engine.ix.writer = counting_writer
    archive.add(note(0), "n0.txt")
    engine.delete([])
    idle = [t for t in opened if t == IDLE_MERGE_LOCK_WAIT]  # the idle merge's writer
    assert idle == [] and opened  # the upload's commit and the delete opened theirs
    for i in range(1, 9):
        archive.add(note(i), f"n{i}.txt")
    engine.delete([])
    assert [t for t in opened if t == IDLE_MERGE_LOCK_WAIT]  # eight single segments: a tier to merge
    assert segment_count(archive) < 8


def test_uploads_and_idle_merges_write_only_compound_files_to_disk(archive):
    """The parts of a small commit's segment (terms, postings, a column per field) are kept in
    memory and assembled into its one compound file; only that and the table of contents are
    files created on disk."""
    storage = archive.engine.ix.storage
    on_disk = []
    create_file = storage.create_file

    def noting_create_file(name, *args, **kwargs):
        created = create_file(name, *args, **kwargs)
        if os.path.exists(os.path.join(storage.folder, name)):
            on_disk.append(name)
        return created

    storage.create_file = noting_create_file
    for i in range(9):  # eight single segments make a tier the idle writer merges
        archive.add(note(i), f"n{i}.txt")
    archive.engine.delete([])
    assert segment_count(archive) < 8
    # a table of contents is written under a temporary name and renamed
    assert on_disk and all(name.endswith(".seg") or ".toc" in name for name in on_disk), on_disk
    assert storage.segments_held_in_memory() == []
    assert all(archive.search(SearchRequest(q=f"zq{i}x")).total == 1 for i in range(9))


def test_a_failed_commit_leaves_nothing_in_memory(archive):
    import dataclasses

    import pytest

    doc = archive.add(note(0), "n0.txt")[0]
    with pytest.raises(Exception):
        archive.engine.add([dataclasses.replace(doc, id="other", title=12345)])
    assert archive.engine.ix.storage.segments_held_in_memory() == []
    assert archive.search(SearchRequest(q="zq0x")).total == 1


def test_a_reopened_index_keeps_the_schema_it_was_opened_with(tmp_path):
    """Whoosh unpickles the schema from the table of contents whenever it reads it (every writer and
    every new searcher) unless it was given one; an index it created was, one it opened was not."""
    from index.engine import Engine

    Engine(tmp_path / "ix").close()
    engine = Engine(tmp_path / "ix")
    try:
        assert engine.ix.schema is engine.schema
        assert engine.searcher().schema is engine.schema
    finally:
        engine.close()
