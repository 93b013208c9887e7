"""``folio ingest`` on folders: recursion, ZIPs, progress, unchanged files skipped, failures at the end."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def folio(*args, data: Path):
    cmd = [sys.executable, "-m", "service.cli", "--data", str(data), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def make_folder(root: Path) -> Path:
    folder = root / "inbox"
    (folder / "deep" / "deeper").mkdir(parents=True)
    (folder / ".hidden").mkdir()
    shutil.copy(SAMPLES / "html/opengraph_only.html", folder / "night_trains.html")
    shutil.copy(SAMPLES / "markdown/front_matter_toml.md", folder / "deep" / "walls.md")
    shutil.copy(SAMPLES / "broken/truncated.pdf", folder / "deep" / "deeper" / "cut.pdf")
    shutil.copy(SAMPLES / "zip/articles.zip", folder / "deep" / "bundle.zip")
    shutil.copy(SAMPLES / "broken/empty.txt", folder / ".hidden" / "ignored.txt")
    return folder


def test_folder_ingest_then_rerun_skips_unchanged(tmp_path):
    folder = make_folder(tmp_path)
    data = tmp_path / "data"

    first = folio("ingest", str(folder), data=data)
    assert first.returncode == 1  # one file and one archive member failed
    added = [line for line in first.stdout.splitlines() if line.startswith("added")]
    assert len(added) == 5  # 2 files + 3 readable members of the ZIP; the hidden folder is skipped
    assert "Night trains return to the Alps" in first.stdout
    assert "Notes on mending a dry-stone wall" in first.stdout
    err = first.stderr
    assert f"folio: failed: {folder / 'deep' / 'deeper' / 'cut.pdf'} is incomplete" in err
    assert "bundle.zip: articles/broken.txt looks like a binary file" in err
    assert "ignored.txt" not in err
    assert "4/4 files" in err and "files/s" in err and "ETA" in err  # the progress line
    assert "folio: 4 file(s) in" in err and "5 added" in err and "2 failed" in err and "documents/s" in err
    assert "Traceback" not in err
    # failures come after the progress, at the end
    assert err.index("4/4 files") < err.index("folio: failed:")

    second = folio("ingest", str(folder), data=data)
    assert second.returncode == 1  # the broken file is tried again, and fails again
    assert "added" not in second.stdout
    assert "0 added" in second.stderr

    walls = folder / "deep" / "walls.md"
    os.utime(walls, (1_600_000_000, 1_600_000_000))  # touched, same bytes: recognised by content
    walls.write_bytes(walls.read_bytes() + b"\nA closing paragraph added later, about wall copes.\n")
    third = folio("ingest", str(folder), data=data)
    assert [line.split()[0] for line in third.stdout.splitlines()].count("added") == 1
    assert "1 added" in third.stderr


def test_clean_folder_exits_zero(tmp_path):
    folder = tmp_path / "clean"
    folder.mkdir()
    shutil.copy(SAMPLES / "email/personal_note.eml", folder / "note.eml")
    shutil.copy(SAMPLES / "pdf/scanned_no_text.pdf", folder / "scan.pdf")
    result = folio("ingest", str(folder), "--json", data=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert '"title": "Notes from the library board meeting"' in result.stdout
    assert '"needs_ocr": true' in result.stdout
    assert "0 failed" in result.stderr
    again = folio("ingest", str(folder / "scan.pdf"), str(folder / "note.eml"), data=tmp_path / "other")
    assert "Scanned letter  [no text layer: needs OCR]" in again.stdout


def test_missing_path_is_a_failure_not_a_crash(tmp_path):
    result = folio("ingest", str(tmp_path / "nowhere.txt"), data=tmp_path / "data")
    assert result.returncode == 1
    assert "nowhere.txt: cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_broken_sample_gets_one_readable_line(tmp_path):
    result = folio("ingest", str(SAMPLES / "broken"), data=tmp_path / "data")
    assert result.returncode == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("folio: failed:")]
    expected = {"binary_named.txt": "binary file", "empty.txt": "is empty", "spreadsheet.xlsx": "does not read",
                "truncated.pdf": "incomplete", "whitespace_only.html": "is empty"}
    assert len(failed) == len(expected)
    for name, words in expected.items():
        line = next(line for line in failed if name in line)
        assert words in line
    assert "Traceback" not in result.stderr
    assert "html named pdf" in result.stdout  # an HTML page saved under a .pdf name is still read


def test_a_bulk_run_pauses_the_cyclic_collector_and_gives_it_back_as_it_was():
    import gc

    import pytest

    from service.bulk_ingest import cyclic_collector_paused

    enabled = gc.isenabled()
    try:
        for before in (True, False):
            gc.enable() if before else gc.disable()
            with cyclic_collector_paused():
                assert not gc.isenabled()
            assert gc.isenabled() is before
        gc.enable()
        with pytest.raises(KeyError), cyclic_collector_paused():
            raise KeyError("a run that stops")
        assert gc.isenabled()
    finally:
        gc.enable() if enabled else gc.disable()


def test_what_an_index_group_leaves_in_cycles_is_collected_while_the_collector_is_paused(tmp_path):
    import gc
    import json
    import weakref

    from index.archive import Archive
    from service.bulk_ingest import Ingester, cyclic_collector_paused

    class Node:
        pass

    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps({"title": f"Note {i}", "text": f"A short note, number {i}."}) + "\n"
                            for i in range(5)), encoding="utf-8")
    with Archive(tmp_path / "data") as archive, cyclic_collector_paused():
        ingester = Ingester(archive, lambda doc, created: None, readers=1)
        ingester.ingest_file(path)
        cycle = Node()
        cycle.itself = cycle
        left = weakref.ref(cycle)
        del cycle
        assert left() is not None and not gc.isenabled()
        assert ingester.index_deferred() == 5
        assert left() is None
