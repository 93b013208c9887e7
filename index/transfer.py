"""``folio export`` / ``folio import``: a whole archive as one portable file, and back.

The file is a gzipped tar holding JSON and the original files, readable without Folio:

* ``folio-export.json`` — format version, when, how many records and originals;
* ``records.jsonl`` — per document the record as extracted (with its text and capture date) and a
  person's edits, kept apart exactly as the catalog keeps them;
* ``identities.json`` — author merges and the pairs a person split (marked as different people);
* ``originals/<sha256>`` — each stored original once.

Unlike ``folio backup`` (a snapshot of this version's SQLite catalog into an empty directory), an
export can be imported into an archive that already has documents: records already there are left
as they are. Reprint groups and the index are derived, so the importing archive rebuilds them.
Import checks everything (JSON, hashes of the originals, every record has its original) before it
writes anything.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from index.document import Document, content_sha256, now_iso
from index.errors import BadRequest, Unreadable

FORMAT = "folio-export"
VERSION = 1
MANIFEST = "folio-export.json"
RECORDS = "records.jsonl"
IDENTITIES = "identities.json"
_ORIGINAL = re.compile(r"^originals/([0-9a-f]{64})$")
_ID = re.compile(r"^[0-9a-zA-Z_-]{1,64}$")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def export_archive(archive, dest: Path) -> dict:
    """Write every record, edit, merge and original to ``dest`` (written aside, then renamed)."""
    dest = Path(dest)
    records = []
    shas: list[str] = []
    conn = archive.catalog._connection()
    for doc_id, record, text, edits, ingested_at in conn.execute(
            "SELECT id, record, text, edits, ingested_at FROM documents ORDER BY id"):
        data = json.loads(record)
        data["text"] = text
        data["ingested_at"] = ingested_at
        records.append({"record": data, "edits": json.loads(edits)})
        if data["sha256"] not in shas:
            shas.append(data["sha256"])
    identities = {"merges": archive.identities.merges(),
                  "distinct": [list(pair) for pair in archive.identities.distinct_pairs()]}
    manifest = {"format": FORMAT, "version": VERSION, "created": now_iso(), "records": len(records),
                "originals": len(shas), "merges": len(identities["merges"])}
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".export-")
    os.close(fd)
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
            _add_bytes(tar, RECORDS, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                                             for r in records).encode("utf-8"))
            _add_bytes(tar, IDENTITIES, json.dumps(identities, ensure_ascii=False, indent=1).encode("utf-8"))
            for sha in shas:
                _add_bytes(tar, f"originals/{sha}", archive.blobs.get(sha))
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return manifest


@dataclass
class ExportContents:
    manifest: dict
    records: list[tuple[Document, dict]]
    originals: dict[str, bytes]
    merges: list[dict] = field(default_factory=list)
    distinct: list[list[str]] = field(default_factory=list)


def read_export(src: Path) -> ExportContents:
    """Read and check an export file completely; nothing is written."""
    try:
        tar = tarfile.open(src, "r:*")
    except (OSError, tarfile.TarError) as exc:
        raise Unreadable(f"{src} is not a Folio export file ({exc}).") from exc
    files: dict[str, bytes] = {}
    originals: dict[str, bytes] = {}
    with tar:
        for member in tar:
            if not member.isfile():
                continue
            data = tar.extractfile(member).read()
            match = _ORIGINAL.match(member.name)
            if match:
                if content_sha256(data) != match.group(1):
                    raise Unreadable(f"The original {match.group(1)} in {src} does not match its hash; "
                                     "the file is damaged and nothing was imported.")
                originals[match.group(1)] = data
            elif member.name in (MANIFEST, RECORDS, IDENTITIES):
                files[member.name] = data
    manifest = _json(files, MANIFEST, src)
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise Unreadable(f"{src} is not a Folio export of a version this Folio reads (format {VERSION}).")
    records = [_record(line, number, originals) for number, line in
               enumerate(files.get(RECORDS, b"").decode("utf-8").splitlines(), 1) if line.strip()]
    if len(records) != manifest.get("records"):
        raise Unreadable(f"{src} lists {manifest.get('records')} records but holds {len(records)}; "
                         "nothing was imported.")
    identities = _json(files, IDENTITIES, src) if IDENTITIES in files else {}
    return ExportContents(manifest, records, originals, identities.get("merges", []),
                          identities.get("distinct", []))


def _json(files: dict[str, bytes], name: str, src: Path) -> dict:
    if name not in files:
        raise Unreadable(f"{src} has no {name}; it is not a complete Folio export.")
    try:
        value = json.loads(files[name])
    except ValueError as exc:
        raise Unreadable(f"{name} in {src} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise Unreadable(f"{name} in {src} should hold a JSON object.")
    return value


def _record(line: str, number: int, originals: dict[str, bytes]) -> tuple[Document, dict]:
    try:
        item = json.loads(line)
        data, edits = item["record"], item["edits"]
        doc = Document.from_dict(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"Record {number} of the export cannot be read ({exc}); nothing was imported.") from exc
    if not isinstance(edits, dict) or not _ID.match(doc.id or "") or not doc.ingested_at:
        raise Unreadable(f"Record {number} of the export lacks an id, a capture date or its edits.")
    if doc.sha256 not in originals:
        raise Unreadable(f"The original of record {number} ({doc.id}) is missing from the export.")
    return doc, edits


def import_archive(archive, src: Path) -> dict:
    """Add an export's records (with their edits, capture dates and originals) and merges.
    Records already in this archive are kept as they are."""
    contents = read_export(src)
    fresh = [(doc, edits) for doc, edits in contents.records if not archive.catalog.has(doc.id)]
    try:
        archive.identities.restore(contents.merges, contents.distinct)
    except BadRequest as exc:
        raise Unreadable(f"The author merges in the export cannot be read: {exc.message}") from exc
    added = 0
    for start in range(0, len(fresh), 500):
        batch = [(doc, contents.originals[doc.sha256], {}) for doc, _ in fresh[start:start + 500]]
        edits = {doc.id: e for doc, e in fresh[start:start + 500]}
        added += sum(1 for _, created in archive.add_many(batch) if created)
        for doc_id, doc_edits in edits.items():
            if doc_edits:
                archive.catalog.set_edits(doc_id, doc_edits)  # exactly as exported, not re-cleaned
        archive.refresh_index([doc_id for doc_id, e in edits.items() if e])
        archive.catalog.mark_indexed(list(edits))
    names = {m["variant"] for m in contents.merges} | {m["canonical"] for m in contents.merges}
    if names:
        archive.refresh_authors(names)
    return {"records": len(contents.records), "added": added,
            "already_present": len(contents.records) - len(fresh), "merges": len(contents.merges)}
