"""Reading a long JSON Lines file in several processes gives the same records, problems and order
as reading it in one."""

from __future__ import annotations

import json

from index.ingest.jsonl import PARALLEL_LINES, read_records
from tests.conftest import PEPS


def long_file() -> bytes:
    """PEPs, each several times with a different title (so different records), some lines broken."""
    peps = [json.loads(line) for line in PEPS.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = []
    for copy in range(PARALLEL_LINES // len(peps) + 2):
        for n, pep in enumerate(peps):
            if n % 97 == 5:
                lines.append(b'{"title": "broken", "text": ')  # not valid JSON
            elif n % 89 == 7:
                lines.append(json.dumps({"title": f"empty {copy} {n}", "text": "   "}).encode())
            else:
                lines.append(json.dumps({**pep, "title": f"{pep.get('title', '')} ({copy})"}).encode())
        lines.append(b"")
    return b"\n".join(lines)


def comparable(found):
    return [(line, doc and {**doc.to_dict(), "ingested_at": None}, problem,
             fingerprint and (fingerprint.shingles, fingerprint.signature.tolist(), fingerprint.keys))
            for line, doc, problem, fingerprint, _ in found]


def test_processes_read_what_one_process_reads():
    data = long_file()
    alone = comparable(read_records(data, "long.jsonl", workers=1))
    together = comparable(read_records(data, "long.jsonl", workers=2))
    assert len(alone) > PARALLEL_LINES
    assert together == alone
    problems = [problem for _, doc, problem, _ in alone if doc is None]
    assert any("line 6: not valid JSON" in p for p in problems)
    assert any("line 8: The record has no text" in p for p in problems)


def test_a_file_read_as_a_stream_gives_what_its_bytes_give(tmp_path):
    data = long_file().replace(b"\n", b"\r\n", 50).replace(b"\n", b"\r", 3)  # old and Windows endings too
    path = tmp_path / "long.jsonl"
    path.write_bytes(data)
    from_bytes = comparable(read_records(data, "long.jsonl", workers=1))
    for workers in (1, 2):
        with path.open("rb") as stream:
            assert comparable(read_records(stream, "long.jsonl", workers=workers)) == from_bytes


def test_a_short_stream_is_read_in_this_process(tmp_path):
    path = tmp_path / "short.jsonl"
    path.write_bytes(b'{"title": "One", "text": "A short text about harbours."}\n\n{"title": \n')
    with path.open("rb") as stream:
        found = list(read_records(stream, "short.jsonl", workers=2))
    assert [doc.title if doc else None for _, doc, _, _, _ in found] == ["One", None]
    assert "line 3: not valid JSON" in found[1][2]


def test_readers_append_each_readable_line_to_a_pack_as_its_records_original(tmp_path):
    from index.blobs import BlobStore

    data = long_file()
    for workers in (1, 2):
        store = BlobStore(tmp_path / f"originals-{workers}")
        found = list(read_records(data, "long.jsonl", workers=workers, originals=store))
        readable = {doc.sha256: line for line, doc, _, _, _ in found if doc is not None}
        packed = [entry for _, doc, _, _, entry in found if doc is not None]
        assert all(entry is not None for entry in packed)
        assert {entry.sha256 for entry in packed} == set(readable)
        assert all(entry is None for _, doc, _, _, entry in found if doc is None)
        assert list(store.all_digests()) == []  # nothing recorded yet: nothing refers to the bytes
        store.sync()
        store.record_packed(packed)
        assert sorted(store.all_digests()) == sorted(readable)
        assert all(store.get(digest) == line for digest, line in readable.items())
        assert store.put(next(iter(readable.values())), sync=False)[1] is False  # already there
        packs = list((store.root / "packs").iterdir())
        assert 1 <= len(packs) <= workers
        store.close()


def test_lines_already_stored_are_not_appended_again(tmp_path):
    from index.blobs import BlobStore

    data = long_file()
    store = BlobStore(tmp_path / "originals")
    first = [entry for *_, entry in read_records(data, "long.jsonl", workers=1, originals=store) if entry]
    store.record_packed(first)
    size = sum(p.stat().st_size for p in (store.root / "packs").iterdir())
    again = [entry for *_, entry in read_records(data, "long.jsonl", workers=2, originals=store) if entry]
    assert again == []
    assert sum(p.stat().st_size for p in (store.root / "packs").iterdir()) == size
    store.close()


def test_records_read_in_bulk_are_those_read_one_at_a_time():
    from index.document import count_words
    from index.ingest.jsonl import read_line, read_lines
    from index.reprints import fingerprint, words

    assert len(words("xİy")) != count_words("xİy")  # lower case splits this word in two
    texts = ["Plain ASCII words, numbers 123, under_scores and CAPITALS.", "İSTANBUL xİy İzmir straße ǅemal café",
             "ΣΊΣΥΦΟΣ Ωmega διακοπή", "日本語のテキスト and English", "tab\tseparated\x00words"]
    lines = [json.dumps({"title": f"t{n}", "text": " ".join([text] * 6)}).encode() for n, text in enumerate(texts)]
    found = read_lines(list(enumerate(lines, 1)), "f.jsonl")
    for (number, line), (doc, problem, print_, _) in zip(enumerate(lines, 1), found):
        alone = read_line(line, "f.jsonl", number)
        assert problem is None
        assert doc.word_count == alone.word_count == count_words(alone.text) > 0
        assert {**doc.to_dict(), "ingested_at": None} == {**alone.to_dict(), "ingested_at": None}
        expected = fingerprint(alone.text)
        assert (print_.shingles, print_.signature.tolist(), print_.keys) == (
            expected.shingles, expected.signature.tolist(), expected.keys)
