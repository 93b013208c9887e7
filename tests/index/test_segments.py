"""Single uploads each add a small segment; when the writer is idle they are merged, so an archive
that takes uploads one by one does not pile up segments (each one costs every search)."""

from __future__ import annotations

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
