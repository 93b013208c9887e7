"""Index files read with pread: the same bytes as reading the file, parts of a file independent of
each other, and nothing readable after the file is closed."""

from __future__ import annotations

import gc
import os
import pickle

import pytest

from index.files import PreadStorage


@pytest.fixture
def storage(tmp_path):
    # small objects, and some larger than what is read at first for one
    data = b"".join(pickle.dumps({"n": n, "text": "x" * (n if n % 10 else 5000 * n)}) for n in range(50))
    (tmp_path / "f.bin").write_bytes(b"first line\nsecond\n" + data)
    return PreadStorage(str(tmp_path))


def test_reads_lines_pickles_and_numbers_as_the_file_holds_them(storage, tmp_path):
    f = storage.open_file("f.bin")
    assert f.readline() == b"first line\n" and f.readline() == b"second\n"
    found = [f.read_pickle() for _ in range(50)]
    assert [x["n"] for x in found] == list(range(50)) and len(found[40]["text"]) == 200_000
    assert f.read(10) == b"" and f.tell() == (tmp_path / "f.bin").stat().st_size
    f.seek(0)
    assert f.read() == (tmp_path / "f.bin").read_bytes()
    assert f.get(6, 4) == b"line" and f.get_int(0) == int.from_bytes(b"firs", "big", signed=True)
    f.seek(-7, 2)
    assert len(f.read()) == 7
    f.close()


def test_damaged_pickle_at_the_end_of_a_file_is_an_error(tmp_path):
    (tmp_path / "cut.bin").write_bytes(pickle.dumps(list(range(5000)))[:-40])
    with pytest.raises((EOFError, pickle.UnpicklingError)):
        PreadStorage(str(tmp_path)).open_file("cut.bin").read_pickle()


def test_parts_keep_their_own_position(storage):
    f = storage.open_file("f.bin")
    a, b = f.subset(0, 10), f.subset(11, 7)
    assert a.read(5) == b"first"
    assert b.read() == b"second\n"
    assert a.read() == b" line" and a.read() == b""
    assert b.subset(0, 6).read() == b"second"
    f.close()


def test_closed_file_and_its_parts_cannot_be_read(storage):
    f = storage.open_file("f.bin")
    part = f.subset(0, 10)
    f.close()
    f.close()  # closing twice is harmless
    with pytest.raises(ValueError):
        part.read(3)
    with pytest.raises(ValueError):
        f.get(0, 3)
    with pytest.raises(OSError):
        f.write(b"x")


def test_descriptor_is_released_when_nothing_refers_to_it(storage):
    gc.collect()  # descriptors earlier tests let go of are closed now, not while these are counted
    before = len(os.listdir("/proc/self/fd"))
    files = [storage.open_file("f.bin") for _ in range(20)]
    assert len(os.listdir("/proc/self/fd")) >= before + 20
    for f in files:
        f.close()
    del files, f
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) <= before


def test_a_created_file_knows_its_position_as_it_is_written(tmp_path):
    from array import array

    storage = PreadStorage(str(tmp_path))
    f = storage.create_file("new.bin")
    assert f.tell() == 0
    f.write(b"abc")
    f.write_int(7)
    f.write_array(array("i", [1, 2, 3]))
    assert f.tell() == 3 + 4 + 12
    f.seek(1)
    f.write(b"Z")
    assert f.tell() == 2
    f.seek(0, os.SEEK_END)
    f.write_varint(300)
    end = f.tell()
    f.close()
    data = (tmp_path / "new.bin").read_bytes()
    assert len(data) == end and data[:3] == b"aZc"
    check = storage.open_file("new.bin")
    check.seek(3)
    assert check.read_int() == 7 and list(check.read_array("i", 3)) == [1, 2, 3]


def test_runs_of_small_reads_read_ahead_and_give_the_files_bytes(tmp_path):
    """A run of small reads, each where the last ended (a hash file's directory, a header read a
    number at a time), is served from a read ahead; the bytes are those of the file, up to the end
    of the part read, and reads elsewhere in between leave them so."""
    import random

    data = random.Random(7).randbytes(20_000)
    (tmp_path / "r.bin").write_bytes(data)
    f = PreadStorage(str(tmp_path)).open_file("r.bin")
    part = f.subset(1000, 9000)
    sizes = [12, 1, 4, 8, 64, 3] * 400
    got, pos = [], 0
    for i, size in enumerate(sizes):
        if i % 97 == 50:  # a read somewhere else breaks the run; the next one starts where it left
            assert part.get(7000 - i, 9) == data[1000 + 7000 - i:1000 + 7000 - i + 9]
            part.seek(pos)
        got.append(part.read(size))
        pos += len(got[-1])
    assert b"".join(got) == data[1000:10_000]
    assert part.read(5) == b"" and part.tell() == 9000
    part.seek(8990)
    assert part.read(4) == data[9990:9994] and part.read(4) == data[9994:9998] and part.read(64) == data[9998:10_000]
    f.close()
    with pytest.raises(ValueError):  # nothing is read from what was read ahead once the file is closed
        part.read(1)


def test_a_directory_read_an_entry_at_a_time_costs_a_few_system_calls(tmp_path, monkeypatch):
    import index.files

    data = bytes(range(256)) * 20
    (tmp_path / "d.bin").write_bytes(data)
    f = PreadStorage(str(tmp_path)).open_file("d.bin")
    calls = []
    real = os.pread
    monkeypatch.setattr(index.files.os, "pread", lambda *a: calls.append(a) or real(*a))
    f.seek(100)
    entries = [f.read(12) for _ in range(256)]  # as Whoosh reads a hash file's 256 tables
    assert b"".join(entries) == data[100:100 + 256 * 12]
    assert len(calls) <= 4
    calls.clear()
    assert [f.get(p, 4) for p in (5000, 17, 3000)] == [data[5000:5004], data[17:21], data[3000:3004]]
    assert len(calls) == 3  # reads here and there are read as asked


def test_a_segment_begun_in_memory_writes_only_its_compound_file_to_disk(tmp_path):
    storage = PreadStorage(str(tmp_path))
    with storage.segments_in_memory():
        storage.begin_segment("MAIN_abc")
        temp = storage.temp_storage("MAIN.tmp")
    storage.begin_segment("MAIN_def")  # begun outside: on disk as ever
    for name, data in (("MAIN_abc.trm", b"terms"), ("MAIN_abc._text_len.col", b"\x01\x02"),
                       ("MAIN_def.trm", b"other")):
        created = storage.create_file(name)
        created.write(data)
        created.close()
    scratch = temp.create_file("run.tmp")
    scratch.write(b"spilled")
    scratch.close()
    assert sorted(os.listdir(tmp_path)) == ["MAIN_def.trm"]
    assert sorted(storage.list()) == ["MAIN_abc._text_len.col", "MAIN_abc.trm", "MAIN_def.trm"]
    assert storage.file_exists("MAIN_abc.trm") and storage.file_length("MAIN_abc._text_len.col") == 2
    assert storage.open_file("MAIN_abc.trm").read() == b"terms"

    compound = storage.create_file("MAIN_abc.seg")  # the segment's one file goes to disk
    compound.write(b"terms\x01\x02")
    compound.close()
    for name in ("MAIN_abc.trm", "MAIN_abc._text_len.col"):
        storage.delete_file(name)
    assert sorted(os.listdir(tmp_path)) == ["MAIN_abc.seg", "MAIN_def.trm"]
    assert storage.segments_held_in_memory() == ["MAIN_abc"]
    storage.forget_segment("MAIN_abc")
    assert storage.segments_held_in_memory() == []
    assert sorted(storage.list()) == ["MAIN_abc.seg", "MAIN_def.trm"]


def test_parts_a_cancelled_segment_left_in_memory_are_forgotten(tmp_path):
    storage = PreadStorage(str(tmp_path))
    with storage.segments_in_memory():
        storage.begin_segment("MAIN_abc")
    storage.create_file("MAIN_abc.pst").close()
    storage.forget_segment("MAIN_abc")
    assert storage.list() == [] and os.listdir(tmp_path) == []
    assert not storage.file_exists("MAIN_abc.pst")


def test_a_segment_whose_writer_was_not_made_is_forgotten(tmp_path):
    storage = PreadStorage(str(tmp_path))
    with pytest.raises(RuntimeError):
        with storage.segments_in_memory():
            storage.begin_segment("MAIN_abc")
            raise RuntimeError("the writer could not be made")
    assert storage.segments_held_in_memory() == []
    created = storage.create_file("MAIN_abc.trm")
    created.write(b"on disk")
    created.close()
    assert os.listdir(tmp_path) == ["MAIN_abc.trm"]
