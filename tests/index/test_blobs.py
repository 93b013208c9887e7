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
