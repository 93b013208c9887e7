"""The store of originals: content-addressed files, written whole or not at all."""

import os
import threading

import pytest

from index.blobs import BlobStore
from index.document import content_sha256


def test_put_stores_bytes_once_under_their_digest(tmp_path):
    store = BlobStore(tmp_path / "originals")
    digest, created = store.put(b"An article about harbours.")
    assert created and digest == content_sha256(b"An article about harbours.")
    assert store.get(digest) == b"An article about harbours."
    assert store.put(b"An article about harbours.", sync=False) == (digest, False)
    assert list(store.all_digests()) == [digest]
    assert not [name for name in os.listdir(store.path_for(digest).parent) if name.startswith(".tmp-")]


def test_a_temporary_file_left_by_a_stopped_writer_is_replaced(tmp_path):
    store = BlobStore(tmp_path / "originals")
    data = b"Written again after a crash."
    target = store.path_for(content_sha256(data))
    target.parent.mkdir(parents=True)
    leftover = target.parent / f".tmp-{target.name[:16]}-{os.getpid()}-{threading.get_ident()}"
    leftover.write_bytes(b"half of it")
    store.put(data, sync=False)
    assert target.read_bytes() == data
    assert not leftover.exists()


def test_a_folder_removed_meanwhile_is_made_again(tmp_path):
    store = BlobStore(tmp_path / "originals")
    first = store.put(b"one")[0]
    store.remove(first)
    store.path_for(first).parent.rmdir()
    assert store.put(b"one")[1] and store.get(first) == b"one"


@pytest.mark.parametrize("digest", ["", "abc", "g" * 64, "A" * 64, "../" + "a" * 61, "a" * 64 + "\n"])
def test_only_a_sha256_digest_names_a_file(tmp_path, digest):
    with pytest.raises(ValueError):
        BlobStore(tmp_path / "originals").path_for(digest)


def packed_store(tmp_path, originals):
    store = BlobStore(tmp_path / "originals")
    entries = store.append_to_pack(originals)
    store.sync()
    store.record_packed(list(entries.values()))
    return store, entries


def test_packed_originals_are_read_listed_and_not_stored_twice(tmp_path):
    lines = [b'{"text": "one"}', b'{"text": "two"}', b'{"text": "one"}']
    store, entries = packed_store(tmp_path, lines)
    assert sorted(entries) == sorted({content_sha256(line) for line in lines})
    assert [store.get(content_sha256(line)) for line in lines] == lines
    uploaded = store.put(b"an upload")[0]
    assert list(store.all_digests()) == sorted([*entries, uploaded])
    assert all(store.exists(digest) for digest in entries)
    assert store.put(lines[1]) == (content_sha256(lines[1]), False)  # no file beside its packed copy
    assert not store.path_for(content_sha256(lines[1])).exists()
    assert store.append_to_pack(lines) == {}
    with pytest.raises(FileNotFoundError):
        store.get(content_sha256(b"never stored"))
    store.close()


def test_stored_of_names_the_digests_held_loose_or_packed(tmp_path):
    store, entries = packed_store(tmp_path, [b'{"text": "packed"}'])
    loose = store.put(b"an upload")[0]
    missing = content_sha256(b"never stored")
    assert store.stored_of([missing, *entries, loose]) == {*entries, loose}
    assert BlobStore(tmp_path / "empty").stored_of([loose, missing]) == set()  # no pack index yet
    with pytest.raises(ValueError):
        store.stored_of(["../" + "a" * 61])
    many = [content_sha256(str(i).encode()) for i in range(1200)]  # more than one query's worth
    assert store.stored_of([*many, loose]) == {loose}
    store.close()


def test_only_originals_not_stored_loose_or_packed_are_appended(tmp_path):
    store, _ = packed_store(tmp_path, [b'{"text": "packed"}'])
    store.put(b'{"text": "loose"}')
    entries = store.append_to_pack([b'{"text": "packed"}', b'{"text": "loose"}', b'{"text": "new"}',
                                    b'{"text": "new"}'])
    assert list(entries) == [content_sha256(b'{"text": "new"}')]
    store.close()


def test_appended_but_unrecorded_originals_are_not_stored(tmp_path):
    store = BlobStore(tmp_path / "originals")
    entries = store.append_to_pack([b"appended by a run that stopped"])
    assert list(store.all_digests()) == []
    digest = next(iter(entries))
    assert not store.exists(digest)
    with pytest.raises(FileNotFoundError):
        store.get(digest)


def test_a_removed_packed_original_is_overwritten_and_its_pack_goes_with_the_last(tmp_path):
    lines = [b'{"text": "first record"}', b'{"text": "second record"}']
    store, entries = packed_store(tmp_path, lines)
    first, second = (content_sha256(line) for line in lines)
    pack = store.packs.folder / entries[first].pack
    store.remove(first)
    assert not store.exists(first) and list(store.all_digests()) == [second]
    assert pack.read_bytes() == bytes(len(lines[0])) + lines[1]
    assert store.get(second) == lines[1]
    store.remove(second)
    assert not pack.exists() and list(store.all_digests()) == []
    store.remove(second)  # gone already: nothing to do


def test_a_store_sent_to_another_process_reads_the_same_packs(tmp_path):
    import pickle

    store, entries = packed_store(tmp_path, [b'{"text": "sent along"}'])
    copy = pickle.loads(pickle.dumps(store))
    assert [copy.get(digest) for digest in entries] == [b'{"text": "sent along"}']
    copy.close()
    store.close()


def test_after_a_failed_append_the_next_originals_go_to_a_new_pack(tmp_path):
    import resource
    import signal

    store = BlobStore(tmp_path / "originals")
    first = store.append_to_pack([b"a" * 2000])
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3000, hard))  # the next append is cut short
    try:
        with pytest.raises(OSError):
            store.append_to_pack([b"b" * 2000])
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    after = store.append_to_pack([b"c" * 2000])
    entries = [*first.values(), *after.values()]
    assert len({entry.pack for entry in entries}) == 2
    store.record_packed(entries)
    assert [store.get(entry.sha256) for entry in entries] == [b"a" * 2000, b"c" * 2000]
    store.close()
