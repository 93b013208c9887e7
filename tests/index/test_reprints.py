"""Reprint detection: copies grouped, quotations not, groups kept through delete and reindex."""

import random

import pytest

from benchmarks.reprint_set import build, edited, load_peps, precision_recall, quoting, reheaded, trimmed
from index.ingest.jsonl import read_line, read_records
from index.reprints import (band_keys, doc_number, fingerprint, fingerprints_as_arrays, fingerprints_from_arrays,
                            same_article, shingle_hashes, signature, words)
from index.search import SearchRequest
from tests.conftest import PEPS


@pytest.fixture(scope="module")
def pep_records():
    return load_peps(PEPS)


def add_records(archive, records, index: bool = True, read_fingerprints: bool = False):
    """``index`` false: as ``folio ingest`` of JSON Lines adds them (larger transactions and cache
    for the reprint keys, indexing afterwards); ``read_fingerprints``: with the fingerprints the
    readers of the file worked out, as ``folio ingest`` passes them."""
    import json

    lines = [json.dumps(r).encode() for r in records]
    if read_fingerprints:
        read = list(read_records(b"\n".join(lines), "set.jsonl"))
        docs, fingerprints = [doc for _, doc, _, _, _ in read], {doc.id: fp for _, doc, _, fp, _ in read}
    else:
        docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(lines)]
        fingerprints = None
    archive.add_many([(d, line, {}) for d, line in zip(docs, lines)], index=index, fingerprints=fingerprints)
    if not index:
        archive.index_pending()
    return [d.id for d in docs]


def test_signature_is_stable_and_ignores_case_and_accents():
    a = signature(shingle_hashes(words("The Café opened its doors to the public on Monday morning")))
    b = signature(shingle_hashes(words("the cafe OPENED its doors to the public on monday morning")))
    assert (a == b).all()
    assert len(band_keys(a)) == 64


def test_derived_copies_are_the_same_article(pep_records):
    rng = random.Random(1)
    rec = pep_records[0]
    for derive in (reheaded, trimmed, edited):
        assert same_article(rec["body"], derive(rec, rng)["body"]), derive.__name__


def test_shared_quotation_is_not_the_same_article(pep_records):
    rng = random.Random(2)
    source, other = pep_records[1], pep_records[2]
    quote = max(source["body"].split("\n\n"), key=len)
    assert not same_article(source["body"], quoting(other, quote, source["title"], rng)["body"])


def test_signature_and_band_keys_keep_the_values_stored_archives_hold(pep_records):
    """Stored signatures and keys must stay comparable: the definitions, written plainly."""
    import hashlib

    import numpy as np

    from index.reprints import _A, _B, BANDS, ROWS

    for record in pep_records[:20]:
        hashes = np.unique(shingle_hashes(words(record["body"])))
        with np.errstate(over="ignore"):
            plain = np.array([min(((a * hashes + b) >> np.uint64(32)).tolist()) for a, b in zip(_A, _B)])
        sig = signature(hashes)
        assert sig.tolist() == plain.tolist()
        assert band_keys(sig) == [
            int.from_bytes(hashlib.blake2b(sig[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                                           person=band.to_bytes(2, "big")).digest(), "big", signed=True)
            for band in range(BANDS)]


def test_a_fingerprint_is_the_texts_signature_and_band_keys(pep_records):
    text = pep_records[0]["body"]
    found = fingerprint(text)
    hashes = shingle_hashes(words(text))
    assert found.shingles == len(set(hashes.tolist()))
    assert found.signature.tolist() == signature(hashes).tolist()
    assert list(found.keys) == band_keys(signature(hashes))
    assert fingerprint("Too short to be looked at for copies.").keys == ()
    assert fingerprint(" ".join(["one two three four five six"] * 10)).shingles == 6  # repeats counted once
    assert fingerprint("one two three").shingles == 1 and fingerprint("").shingles == 0


def test_fingerprints_sent_as_arrays_come_back_as_they_were(pep_records):
    """Fingerprints with keys, without (short texts) and none at all, as reader processes send them."""
    import pickle

    texts = [pep_records[0]["body"], "Too short to be looked at for copies.", "", pep_records[1]["body"]]
    prints = [fingerprint(texts[0]), None, fingerprint(texts[1]), fingerprint(texts[2]), fingerprint(texts[3]), None]
    back = fingerprints_from_arrays(*pickle.loads(pickle.dumps(fingerprints_as_arrays(prints))))
    assert [p and (p.shingles, p.signature.tolist(), p.keys) for p in back] == \
        [p and (p.shingles, p.signature.tolist(), p.keys) for p in prints]
    assert back[2].keys == () and len(back[4].keys) == 64 and back[1] is None
    assert fingerprints_from_arrays(*fingerprints_as_arrays([])) == []


def test_many_texts_fingerprinted_together_get_what_each_gets_alone(pep_records):
    """Signatures worked out together, whatever the texts' sizes against the group of hashes
    worked at once (none, a few, a group's worth, more than a group, a group split by a text)."""
    import numpy as np

    from index.reprints import _GROUP_HASHES, fingerprints_of_word_crcs, signatures
    from index.wordcrc import ascii_word_crcs

    rng = np.random.default_rng(8)
    sizes = [0, 1, 5, 300, _GROUP_HASHES - 1, _GROUP_HASHES, _GROUP_HASHES + 1, 3 * _GROUP_HASHES, 0,
             *rng.integers(1, 900, 60).tolist(), _GROUP_HASHES // 2 + 1, _GROUP_HASHES // 2, 17]
    texts = [rng.integers(0, 2**32, size, dtype=np.uint64) for size in sizes]
    together = signatures(texts)
    assert together.shape == (len(texts), 128)
    assert [row.tolist() for row in together] == [signature(text).tolist() for text in texts]
    bodies = [record["body"] for record in pep_records[:60] if record["body"].lower().isascii()]
    bodies += ["", "Too short to be looked at."]
    crcs = ascii_word_crcs(bodies)
    assert len(bodies) > 30 and all(found is not None for found in crcs)
    for body, print_ in zip(bodies, fingerprints_of_word_crcs(crcs)):
        alone = fingerprint(body)
        assert (print_.shingles, print_.signature.tolist(), print_.keys) == (
            alone.shingles, alone.signature.tolist(), alone.keys)


@pytest.mark.parametrize("index,read_fingerprints", [(True, False), (False, False), (False, True)],
                         ids=["uploads", "bulk", "bulk-fingerprints-read"])
def test_grouping_on_a_small_labelled_set(archive, pep_records, index, read_fingerprints):
    labelled = build(pep_records, originals=6)
    import json

    ids = add_records(archive, [json.loads(line) for line in labelled.lines], index=index,
                      read_fingerprints=read_fingerprints)
    position = {doc_id: i for i, doc_id in enumerate(ids)}
    groups = [[position[m] for m in g] for g in archive.reprints.groups()]
    precision, recall, predicted, truth = precision_recall(labelled.labels, groups)
    assert truth > 0
    assert (precision, recall) == (1.0, 1.0)


def test_search_shows_one_hit_per_group_unless_all_copies(archive, pep_records):
    rng = random.Random(3)
    rec = pep_records[5]
    original, copy = add_records(archive, [
        {k: rec[k] for k in ("title", "authors", "date", "body")}, reheaded(rec, rng)])
    assert archive.reprints.copies_of(original) == [copy]
    collapsed = archive.search(SearchRequest(q=f'"{rec["body"].split()[10]}"', per_page=50))
    ids = [h.id for h in collapsed.hits]
    assert len({original, copy} & set(ids)) == 1
    hit = next(h for h in collapsed.hits if h.id in (original, copy))
    assert hit.copies == 2
    everything = archive.search(SearchRequest(q=f'"{rec["body"].split()[10]}"', per_page=50, all_copies=True))
    assert {original, copy} <= {h.id for h in everything.hits}
    assert everything.total == collapsed.total + 1


def test_groups_survive_reindex_and_split_on_delete(archive, pep_records):
    rng = random.Random(4)
    rec = pep_records[7]
    ids = add_records(archive, [{k: rec[k] for k in ("title", "authors", "date", "body")},
                                reheaded(rec, rng), trimmed(rec, rng)])
    assert sorted(next(archive.reprints.groups())) == sorted(ids)
    archive.reindex()
    assert archive.search(SearchRequest(filters={}, per_page=50)).total == 1
    archive.delete(ids[0])
    remaining = list(archive.reprints.groups())
    assert [sorted(g) for g in remaining] == [sorted(ids[1:])]
    archive.delete(ids[1])
    assert list(archive.reprints.groups()) == []
    assert archive.search(SearchRequest(per_page=50)).hits[0].copies == 1


def test_reindex_fingerprints_documents_stored_before_reprints(archive, pep_records):
    rng = random.Random(5)
    rec = pep_records[9]
    ids = add_records(archive, [{k: rec[k] for k in ("title", "authors", "date", "body")}, reheaded(rec, rng)])
    archive.reprints.clear()
    assert archive.reprints.missing() == sorted(ids)
    archive.reindex()
    assert archive.reprints.missing() == []
    assert sorted(next(archive.reprints.groups())) == sorted(ids)


def test_band_keys_of_older_archives_move_to_the_compact_table(tmp_path, pep_records):
    """Archives made before kept band keys with text ids in ``reprint_bands``; opened now, the keys
    move to ``reprint_keys`` and copies are found and forgotten as before."""
    from index.archive import Archive
    from index.reprints import doc_id_of, doc_number

    rng = random.Random(6)
    rec, other = pep_records[11], pep_records[12]
    with Archive(tmp_path / "data") as archive:
        first, second = add_records(archive, [{k: rec[k] for k in ("title", "authors", "date", "body")},
                                              {k: other[k] for k in ("title", "authors", "date", "body")}])
        conn = archive.catalog._connection()
        keys = sorted(conn.execute("SELECT key, doc FROM reprint_keys").fetchall())
        assert len(keys) == 128 and {doc_id_of(d) for _, d in keys} == {first, second}
        with archive.catalog.transaction() as c:  # the layout of archives made before
            c.execute("CREATE TABLE reprint_bands (key INTEGER NOT NULL, doc_id TEXT NOT NULL)")
            c.execute("CREATE INDEX reprint_bands_key ON reprint_bands(key)")
            c.executemany("INSERT INTO reprint_bands VALUES (?,?)", [(k, doc_id_of(d)) for k, d in keys])
            c.execute("DELETE FROM reprint_keys")
    with Archive(tmp_path / "data") as archive:
        conn = archive.catalog._connection()
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name LIKE 'reprint_bands%'").fetchone()
        assert sorted(conn.execute("SELECT key, doc FROM reprint_keys").fetchall()) == keys
        copy, = add_records(archive, [reheaded(rec, rng)])
        assert archive.reprints.copies_of(first) == [copy]
        archive.delete(second)
        assert {doc_id_of(d) for (d,) in conn.execute("SELECT doc FROM reprint_keys")} == {first, copy}
    assert [doc_number(i) for i in ("abc", "0123456789ABCDEF", "0123456789abcdeg")] == [None] * 3
    assert doc_id_of(doc_number("ffffffffffffffff")) == "ffffffffffffffff" and doc_number("ffffffffffffffff") == -1


def test_bulk_adds_give_their_larger_page_cache_back(archive, pep_records):
    conn = archive.catalog._connection()
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    seen = []
    conn.set_trace_callback(lambda sql: seen.append(sql) if "cache_size" in sql else None)
    add_records(archive, [{k: r[k] for k in ("title", "authors", "date", "body")} for r in pep_records[:5]],
                index=False)
    conn.set_trace_callback(None)
    assert any(sql.startswith("PRAGMA cache_size=-") and sql != f"PRAGMA cache_size={before}" for sql in seen)
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == before
    assert archive.search(SearchRequest(q=pep_records[0]["title"])).total >= 1


def test_a_batch_links_copies_as_adding_one_document_at_a_time_does(tmp_path, pep_records):
    """A batch looks up the keys stored before it and its own earlier documents' keys at once: the
    links, groups and stored keys are those of adding each document in its own transaction."""
    from index.archive import Archive

    labelled = build(pep_records, originals=6)
    docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(labelled.lines)]
    docs.append(docs[3])  # the same document twice in one batch is fingerprinted once

    found = []
    for name, batches, bulk in (("one-by-one", [[doc] for doc in docs], False),
                                ("batches", [docs[:len(docs) // 3], docs[len(docs) // 3:]], True)):
        with Archive(tmp_path / name) as archive:
            archive.catalog.insert_many([(doc, {}) for doc in dict((d.id, d) for d in docs).values()])
            for batch in batches:
                archive.reprints.add(batch, bulk=bulk)
            archive.reprints.flush_keys()
            found.append(reprint_state(archive.reprints))
    assert found[0] == found[1]
    assert len(found[0]["groups"]) >= 2
    assert found[0]["reprint_keys"] and not found[0]["reprint_unkeyed"]


def reprint_state(reprints) -> dict:
    conn = reprints._conn()
    return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1{'' if table == 'reprint_unkeyed' else ', 2'}").fetchall()
            for table in ("reprint_signatures", "reprint_keys", "reprint_unkeyed", "reprint_links")} | {
        "groups": sorted(sorted(g) for g in reprints.groups())}


def test_a_bulk_run_holds_its_keys_until_it_writes_them_at_once(tmp_path, pep_records):
    """Held keys are found as copies like stored ones, and are written when the run's records are
    indexed; the documents wait in ``reprint_unkeyed`` meanwhile."""
    from index.archive import Archive

    labelled = build(pep_records, originals=6)
    docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(labelled.lines)]
    with Archive(tmp_path / "direct") as archive:
        archive.add_many([(d, line, {}) for d, line in zip(docs, labelled.lines)])
        expected = reprint_state(archive.reprints)
    with Archive(tmp_path / "held") as archive:
        archive.add_many([(d, line, {}) for d, line in zip(docs, labelled.lines)], index=False)
        conn = archive.reprints._conn()
        assert conn.execute("SELECT COUNT(*) FROM reprint_keys").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM reprint_unkeyed").fetchone()[0] == len(docs)
        assert archive.reprints._pending.size == len(expected["reprint_keys"])
        archive.index_pending()
        assert reprint_state(archive.reprints) == expected
        assert archive.reprints._pending.size == 0



def test_a_run_that_indexes_part_way_writes_its_keys_at_its_end(tmp_path, pep_records):
    """Records indexed before the run ends are searchable; their keys stay held (copies among them are
    still found, in memory) and are written with the others at the end."""
    import service.bulk_ingest as bulk_ingest
    from index.archive import Archive

    labelled = build(pep_records, originals=6)
    path = tmp_path / "set.jsonl"
    path.write_bytes(b"\n".join(labelled.lines) + b"\n")
    with Archive(tmp_path / "direct") as archive:
        docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(labelled.lines)]
        archive.add_many([(d, line, {}) for d, line in zip(docs, labelled.lines)])
        expected = reprint_state(archive.reprints)
    group, batch = bulk_ingest.INDEX_GROUP, bulk_ingest.BULK_BATCH
    bulk_ingest.INDEX_GROUP, bulk_ingest.BULK_BATCH = len(labelled.lines) // 3, 10
    try:
        with Archive(tmp_path / "parts") as archive:
            indexed_part_way = []
            ingester = bulk_ingest.Ingester(archive, lambda doc, created: None)
            index_deferred = ingester.index_deferred

            def noting(last: bool = True) -> int:
                done = index_deferred(last)
                if not last:
                    indexed_part_way.append((archive.engine.doc_count(), archive.reprints._pending.size,
                                             archive.reprints._conn().execute(
                                                 "SELECT COUNT(*) FROM reprint_keys").fetchone()[0]))
                return done

            ingester.index_deferred = noting
            ingester.ingest_file(path)
            ingester.index_deferred()
            assert indexed_part_way and all(count > 0 and held > 0 and written == 0
                                            for count, held, written in indexed_part_way)
            assert reprint_state(archive.reprints) == expected
            assert archive.reprints._pending.size == 0
    finally:
        bulk_ingest.INDEX_GROUP, bulk_ingest.BULK_BATCH = group, batch


STOPPED_RUN = """
import json, os, sys
from index.archive import Archive
from index.ingest.jsonl import read_line
lines = [line.encode() for line in json.loads(sys.stdin.read())]
archive = Archive(sys.argv[1])
docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(lines)]
archive.add_many([(d, line, {}) for d, line in zip(docs, lines)], index=False)
os._exit(0)  # stopped before the held keys are written or the records indexed
"""


def test_keys_a_stopped_bulk_run_held_are_worked_out_at_the_next_open(tmp_path, pep_records):
    import json
    import subprocess
    import sys

    from index.archive import Archive

    labelled = build(pep_records, originals=6)
    docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(labelled.lines)]
    with Archive(tmp_path / "direct") as archive:
        archive.add_many([(d, line, {}) for d, line in zip(docs, labelled.lines)])
        expected = reprint_state(archive.reprints)
    subprocess.run([sys.executable, "-c", STOPPED_RUN, str(tmp_path / "stopped")], check=True,
                   input=json.dumps([line.decode() for line in labelled.lines]), text=True)
    with Archive(tmp_path / "stopped") as archive:
        assert reprint_state(archive.reprints) == expected
        assert archive.search(SearchRequest(q=docs[0].title)).total >= 1


def test_a_document_deleted_while_its_keys_are_held_leaves_none(tmp_path, pep_records):
    from index.archive import Archive

    labelled = build(pep_records, originals=6)
    docs = [read_line(line, "set.jsonl", n + 1) for n, line in enumerate(labelled.lines)]
    with Archive(tmp_path / "a") as archive:
        archive.add_many([(d, line, {}) for d, line in zip(docs, labelled.lines)], index=False)
        gone = docs[0].id
        archive.delete(gone)
        archive.index_pending()
        conn = archive.reprints._conn()
        number = doc_number(gone)
        assert conn.execute("SELECT COUNT(*) FROM reprint_keys WHERE doc=?", (number,)).fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM reprint_keys").fetchone()[0] > 0
        assert conn.execute("SELECT COUNT(*) FROM reprint_unkeyed").fetchone()[0] == 0


def test_words_are_the_folded_runs_of_word_characters_in_any_text():
    import re

    from index.schema import fold

    for text in ["Hello, World_x 3rd!", "Caf\u00e9 na\u00efve \u212a\u00e9lvin", "\u4e1c\u4eac 2020 d\u00e9j\u00e0-vu", "", "\u212a"]:
        assert words(text) == [fold(w) for w in re.findall(r"\w+", text.lower())]
