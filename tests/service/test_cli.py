"""The ``folio`` command, run as a real process."""

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED


def folio(*args, data: Path | None = None, check=True):
    cmd = [sys.executable, "-m", "service.cli"]
    if data is not None:
        cmd += ["--data", str(data)]
    result = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_extract_prints_the_seed_record_and_stores_nothing(tmp_path):
    result = folio("extract", str(SEED), "--json", data=tmp_path / "d")
    record = json.loads(result.stdout)
    assert record["authors"] == ["Andrew King"]
    assert record["original_publication"] == "Massachusetts Peace Action"
    assert not (tmp_path / "d").exists()


def test_extract_of_unreadable_file_is_one_line_error(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 10)
    result = folio("extract", str(junk), "--json", check=False)
    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_ingest_search_and_reindex(tmp_path):
    data = tmp_path / "d"
    records = tmp_path / "records.jsonl"
    records.write_text(
        json.dumps({"title": "Tides of the North", "author": "Ola Berg", "date": "2019-05-02",
                    "publication": "Sea Weekly", "url": "https://example.org/tides", "tags": ["sea"],
                    "body": "The tides of the northern fjords rise twice a day."}) + "\n"
        + json.dumps({"title": "Glacier Notes", "authors": ["Ola Berg", "Kim Ng"], "published": "2021",
                      "content": "Glaciers retreat as the climate warms."}) + "\n",
        encoding="utf-8",
    )
    out = folio("ingest", str(SEED), str(records), "--json", data=data)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == 3
    assert all("id" in r and "url" in r and "text" not in r for r in lines)
    tides = next(r for r in lines if r["title"] == "Tides of the North")
    assert tides["authors"] == ["Ola Berg"] and tides["published"] == "2019-05-02"
    assert tides["url"] == "https://example.org/tides"

    found = json.loads(folio("search", "fjords", "--json", data=data).stdout)
    assert [h["id"] for h in found["hits"]] == [tides["id"]]
    by_author = json.loads(folio("search", "glaciers OR tides", "--author", "Kim Ng", "--json", data=data).stdout)
    assert [h["title"] for h in by_author["hits"]] == ["Glacier Notes"]

    assert "reindexed 3" in folio("reindex", data=data).stdout
    assert json.loads(folio("search", "interferon", "--json", data=data).stdout)["total"] == 1


def test_ingest_reports_failures_and_exits_non_zero(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = folio("ingest", str(SEED), str(bad), data=tmp_path / "d", check=False)
    assert result.returncode == 1
    assert "bad.txt" in result.stderr
    found = json.loads(folio("search", "interferon", "--json", data=tmp_path / "d").stdout)
    assert found["total"] == 1


def test_data_directory_from_environment(tmp_path):
    env_data = tmp_path / "envdata"
    import os

    env = dict(os.environ, FOLIO_DATA=str(env_data))
    subprocess.run([sys.executable, "-m", "service.cli", "ingest", str(SEED)], env=env, check=True,
                   capture_output=True, timeout=120)
    assert (env_data / "catalog.sqlite3").exists()
