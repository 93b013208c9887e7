"""The archive end to end on a real catalog, blob store and Whoosh index."""

import pytest

from index.archive import Archive
from index.errors import NotFound, Unreadable, UnsupportedType
from index.search import SearchRequest
from tests.conftest import PEPS


@pytest.fixture(scope="module")
def pep_records():
    from benchmarks.reprint_set import load_peps

    return load_peps(PEPS)


def test_add_stores_record_original_and_index(archive, seed_bytes):
    doc, created = archive.add(seed_bytes, "seed.txt")
    assert created
    assert archive.get(doc.id).title == doc.title
    assert archive.original(doc.id)[0] == seed_bytes
    result = archive.search(SearchRequest(q="interferon"))
    assert [h.id for h in result.hits] == [doc.id]


def test_same_bytes_twice_is_one_document(archive, seed_bytes):
    first, created1 = archive.add(seed_bytes, "a.txt")
    second, created2 = archive.add(seed_bytes, "b.txt")
    assert (created1, created2) == (True, False)
    assert first.id == second.id
    assert archive.count() == 1


def test_failed_extraction_stores_nothing(archive):
    with pytest.raises(UnsupportedType):
        archive.add(b"\x00\x01\x02binary\x00" * 100, "junk.txt")
    with pytest.raises(Unreadable):
        archive.add(b"   \n  ", "empty.txt")
    assert archive.count() == 0
    assert list(archive.blobs.all_digests()) == []
    assert archive.engine.doc_count() == 0


def test_edits_survive_reindex_and_reupload(archive, seed_bytes):
    doc, _ = archive.add(seed_bytes, "seed.txt")
    archive.update(doc.id, {"authors": ["A. King"], "tags": ["Cuba", "health"]})
    archive.reindex()
    again, created = archive.add(seed_bytes, "seed.txt")
    assert not created
    assert again.authors == ["A. King"]
    assert again.tags == ["cuba", "health"]
    assert archive.search(SearchRequest(q="author:king")).total == 1
    assert archive.search(SearchRequest(filters={"author": ["A. King"]})).total == 1
    assert archive.search(SearchRequest(filters={"author": ["Andrew King"]})).total == 0


def test_delete_removes_everything(archive, seed_bytes):
    doc, _ = archive.add(seed_bytes, "seed.txt")
    archive.delete(doc.id)
    with pytest.raises(NotFound):
        archive.get(doc.id)
    assert archive.search(SearchRequest(q="interferon")).total == 0
    assert not archive.blobs.exists(doc.sha256)


def counted_replacements(monkeypatch) -> list:
    """The ids of index entries added in place of any entry they may have (`add_entries` asked to
    replace)."""
    import index.engine

    calls = []
    add = index.engine.add_entries

    def counting(writer, entries, replace):
        calls.extend(fields["id"] for fields in entries if replace)
        return add(writer, entries, replace)

    monkeypatch.setattr(index.engine, "add_entries", counting)
    return calls


def test_a_new_upload_has_no_entry_to_replace(archive, seed_bytes, monkeypatch):
    replaced = counted_replacements(monkeypatch)
    doc, created = archive.add(seed_bytes, "seed.txt")
    assert created and replaced == []
    assert archive.search(SearchRequest(q="interferon")).total == 1


def test_an_upload_whose_removal_from_the_index_is_pending_replaces_its_entry(archive, seed_bytes, monkeypatch):
    doc, _ = archive.add(seed_bytes, "seed.txt")
    archive.catalog.delete(doc.id)  # removed from the catalog; the index's removal not done yet
    assert archive.engine.doc_count() == 1 and archive.catalog.is_unindexed(doc.id)
    replaced = counted_replacements(monkeypatch)
    again, created = archive.add(seed_bytes, "seed.txt")
    assert created and replaced == [doc.id]
    assert archive.engine.doc_count() == 1
    assert archive.search(SearchRequest(q="interferon")).total == 1
    assert archive.check(verify_hashes=False).ok


def test_reindex_rebuilds_index_from_catalog(archive, seed_bytes):
    doc, _ = archive.add(seed_bytes, "seed.txt")
    assert archive.reindex() == 1
    assert archive.search(SearchRequest(q="interferon")).hits[0].id == doc.id
    assert archive.check().ok


def test_check_finds_and_repairs_missing_index_entry(archive, seed_bytes):
    doc, _ = archive.add(seed_bytes, "seed.txt")
    archive.engine.delete([doc.id])
    report = archive.check()
    assert report.missing_from_index == [doc.id]
    archive.check(repair=True)
    assert archive.check().ok
    assert archive.count() == 1


def test_reopened_archive_keeps_documents(tmp_path, seed_bytes):
    with Archive(tmp_path / "d") as a:
        doc, _ = a.add(seed_bytes, "seed.txt")
    with Archive(tmp_path / "d") as b:
        assert b.get(doc.id).title == doc.title
        assert b.search(SearchRequest(q="interferon")).total == 1


def test_a_new_catalog_has_larger_pages_and_an_older_one_keeps_its_own(tmp_path):
    import sqlite3

    from index.catalog import PAGE_SIZE, Catalog
    from index.document import Document

    assert PAGE_SIZE > 4096
    old = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("CREATE TABLE made_before (x)")
    conn.close()
    for path, size in ((tmp_path / "new.sqlite3", PAGE_SIZE), (old, 4096)):
        catalog = Catalog(path)
        doc = Document(id="0123456789abcdef", title="Notes", text="word " * 2000)
        catalog.insert(doc)
        assert catalog.get(doc.id) == doc
        assert catalog._connection().execute("PRAGMA page_size").fetchone()[0] == size
        catalog.close()


def test_a_batch_of_records_goes_in_once_each_and_the_catalog_says_which_it_holds(tmp_path):
    from index.catalog import Catalog
    from index.document import Document

    catalog = Catalog(tmp_path / "c.sqlite3")
    docs = [Document(id=f"{i:016x}", title=f"Note {i}", text=f"text {i}") for i in range(1200)]
    assert catalog.insert_many([(d, {}) for d in docs[:700]]) == [d.id for d in docs[:700]]
    again = [(d, {"title": "Changed"}) for d in docs[650:] + docs[1100:]]  # some held, some twice
    assert catalog.insert_many(again) == [d.id for d in docs[700:]]
    assert catalog.get(docs[660].id).title == "Note 660" and catalog.get(docs[900].id).title == "Changed"
    assert catalog.existing([d.id for d in docs[::7]] + ["ffffffffffffffff"]) == {d.id for d in docs[::7]}
    assert sorted(catalog.unindexed_ids()) == [d.id for d in docs]
    catalog.close()


def _stored_unindexed(archive, records) -> list:
    """Records stored in bulk and left for `index_pending`, as `folio ingest` stores JSON Lines."""
    import json

    from index.ingest.jsonl import read_line

    lines = [json.dumps(r).encode() for r in records]
    docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(lines)]
    added = archive.add_many([(doc, line, {}) for doc, line in zip(docs, lines)], index=False)
    return [doc for doc, created in added if created]


def test_records_held_from_storing_are_indexed_as_the_catalog_has_them(archive, pep_records):
    """Records a bulk run still holds are indexed as held only while the catalog has them as
    stored: one edited or deleted in between is indexed as the catalog has it, or not at all."""
    records = [{k: r[k] for k in ("title", "authors", "date", "body")} for r in pep_records[:4]]
    held = _stored_unindexed(archive, records)
    edited, deleted, kept = held[0], held[1], held[2:]
    archive.catalog.set_edits(edited.id, {"title": "Zanzibarian marmalade"})
    archive.catalog.delete(deleted.id)
    assert archive.index_pending(known={doc.id: doc for doc in held}) == 4
    assert archive.catalog.unindexed_ids() == []
    found = archive.search(SearchRequest(q="zanzibarian"))
    assert [h.id for h in found.hits] == [edited.id]
    assert archive.search(SearchRequest(q=f'title:"{edited.title}"')).total == 0
    assert archive.engine.doc_count() == 3
    for doc in kept:
        assert archive.search(SearchRequest(q=f'title:"{doc.title}"')).total >= 1


def test_records_held_from_storing_give_the_index_reading_them_back_gives(tmp_path, pep_records):
    records = [{k: r[k] for k in ("title", "authors", "date", "body")} for r in pep_records[:30]]
    indexes = []
    for name, hold in (("read", False), ("held", True)):
        with Archive(tmp_path / name) as archive:
            held = _stored_unindexed(archive, records)
            archive.index_pending(known={doc.id: doc for doc in held} if hold else None)
            reader = archive.engine.searcher().reader()
            indexes.append(([fields["id"] for fields in reader.all_stored_fields()], list(reader.all_terms())))
    assert indexes[0] == indexes[1]
    assert len(indexes[0][0]) == 30 and len(indexes[0][1]) > 1000


def _open_files() -> int:
    import os

    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("records", [120, 500])  # an upload's commit, and a batch large enough for bulk writing
def test_indexing_records_in_one_process_with_the_collector_paused_leaves_no_files_open(tmp_path, pep_records, records):
    """As `folio ingest` indexes on a single core: one index process, the cyclic collector paused.
    Replacing entries looked up each record's old entry with a searcher of its own, whose files
    stayed open until a collection (one per record: a run failed with 'Too many open files')."""
    from service.bulk_ingest import cyclic_collector_paused

    chosen = [{k: r[k] for k in ("title", "authors", "date", "body")} for r in pep_records[:records + 1]]
    with Archive(tmp_path / "data") as archive:
        archive.engine.bulk_procs = 1
        first = _stored_unindexed(archive, chosen[:1])
        archive.index_pending()  # a segment on disk, for the searchers to open
        rest = _stored_unindexed(archive, chosen[1:])
        with cyclic_collector_paused():
            before = _open_files()
            assert archive.index_pending() == records
            opened = _open_files() - before
        assert opened < 20
        assert archive.engine.doc_count() == records + 1
        for doc in (first + rest)[::40]:
            assert doc.id in [h.id for h in archive.search(SearchRequest(q=f'title:"{doc.title}"')).hits]


def test_removing_many_entries_with_the_collector_paused_leaves_no_files_open(tmp_path, pep_records):
    from service.bulk_ingest import cyclic_collector_paused

    chosen = [{k: r[k] for k in ("title", "authors", "date", "body")} for r in pep_records[:150]]
    with Archive(tmp_path / "data") as archive:
        docs = _stored_unindexed(archive, chosen)
        archive.index_pending()
        gone, kept = docs[:120], docs[120:]
        with cyclic_collector_paused():
            before = _open_files()
            archive.engine.delete([doc.id for doc in gone])
            opened = _open_files() - before
        assert opened < 20
        assert archive.engine.doc_count() == len(kept)
        found = {h.id for h in archive.search(SearchRequest(q="python", per_page=100)).hits}
        assert found and found <= {doc.id for doc in kept}
