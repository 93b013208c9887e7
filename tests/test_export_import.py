"""``folio export`` then ``folio import``: the whole archive moves losslessly."""

import json
import tarfile

import pytest

from index.archive import Archive
from index.search import SearchRequest
from service.cli import main
from tests.conftest import SEED, load_peps
from tests.service.reprint_helpers import original_copy_bytes


def members(path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def comparable(path) -> dict:
    files = members(path)
    return {name: data for name, data in files.items() if name != "folio-export.json"}


@pytest.fixture
def source(tmp_path):
    root = tmp_path / "a"
    with Archive(root) as a:
        load_peps(a, limit=15)
        seed, _ = a.add(SEED.read_bytes(), SEED.name)
        a.add(original_copy_bytes(), "mpa.txt", {"publication": "Massachusetts Peace Action"})
        byline, _ = a.add(b"Harbour notes\n\nBy A. King\n\nThe boats came back to the harbour after the storm.",
                          "notes.txt")
        a.update(seed.id, {"tags": ["cuba", "health"], "summary": "Cuba's doctors abroad."})
        a.identities.merge(["Andrew King", "A. King"], canonical="Andrew King")
        a.refresh_authors({"Andrew King", "A. King"})
    return root


def test_round_trip_is_lossless(source, tmp_path, capsys):
    first, second = tmp_path / "one.tar.gz", tmp_path / "two.tar.gz"
    assert main(["--data", str(source), "export", str(first)]) == 0
    target = tmp_path / "b"
    assert main(["--data", str(target), "import", str(first)]) == 0
    assert "imported 18 of 18 record(s)" in capsys.readouterr().out
    assert main(["--data", str(target), "export", str(second)]) == 0
    assert comparable(first) == comparable(second)

    with Archive(source) as a, Archive(target) as b:
        assert [d.to_dict() for d in a.catalog.iter_documents()] == [d.to_dict() for d in b.catalog.iter_documents()]
        assert [a.catalog.get_raw(i)[1] for i in a.catalog.ids()] == [b.catalog.get_raw(i)[1] for i in b.catalog.ids()]
        for doc in a.catalog.iter_documents():
            assert b.original(doc.id)[0] == a.original(doc.id)[0]
        assert sorted(map(sorted, a.reprints.groups())) == sorted(map(sorted, b.reprints.groups()))
        assert b.identities.canonical("A. King") == "Andrew King"
        by_author = b.search(SearchRequest(filters={"author": ["Andrew King"]}, all_copies=True))
        assert by_author.total == 3
        assert b.check().ok


def test_import_twice_adds_nothing_and_keeps_local_records(source, tmp_path, capsys):
    export = tmp_path / "one.tar.gz"
    main(["--data", str(source), "export", str(export)])
    target = tmp_path / "b"
    main(["--data", str(target), "import", str(export)])
    capsys.readouterr()
    assert main(["--data", str(target), "import", str(export)]) == 0
    assert "imported 0 of 18 record(s) (18 already present)" in capsys.readouterr().out


def test_damaged_export_imports_nothing(source, tmp_path, capsys):
    export = tmp_path / "one.tar.gz"
    main(["--data", str(source), "export", str(export)])
    files = members(export)
    sha = next(name for name in files if name.startswith("originals/"))
    files[sha] = b"tampered"
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(broken, "w:gz") as tar:
        import io

        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = tmp_path / "b"
    assert main(["--data", str(target), "import", str(broken)]) == 1
    assert "does not match its hash" in capsys.readouterr().err
    with Archive(target) as b:
        assert b.count() == 0


def test_not_an_export_is_a_clear_error(tmp_path, capsys):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file at all")
    assert main(["--data", str(tmp_path / "b"), "import", str(junk)]) == 1
    assert "not a Folio export" in capsys.readouterr().err


def test_export_lists_records_with_edits_apart(source, tmp_path):
    export = tmp_path / "one.tar.gz"
    main(["--data", str(source), "export", str(export)])
    files = members(export)
    manifest = json.loads(files["folio-export.json"])
    assert manifest["records"] == 18 and manifest["merges"] == 1
    records = [json.loads(line) for line in files["records.jsonl"].decode().splitlines()]
    edited = [r for r in records if r["edits"]]
    assert len(edited) == 2  # the tags and summary corrected by hand, the publication given at upload
    edited = [r for r in edited if "tags" in r["edits"]]
    assert edited[0]["edits"]["tags"] == ["cuba", "health"]
    assert edited[0]["record"]["tags"] == []
    assert all(r["record"]["ingested_at"] for r in records)
