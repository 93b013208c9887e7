"""Backup and restore of a data directory, safe while the service runs.

A backup holds what cannot be rebuilt: the catalog (copied with SQLite's online backup, so it is one
consistent snapshot even while uploads go on), the originals that snapshot refers to (checked against
their hashes as they are copied) and the token file. The index is derived, so a restore rebuilds it
from the restored catalog. ``manifest.json`` is written last: a backup without it is incomplete.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

from index.blobs import BlobStore, fsync_dir
from index.document import content_sha256, now_iso
from index.errors import BadRequest, Unavailable

CATALOG = "catalog.sqlite3"
MANIFEST = "manifest.json"
TOKEN = "token"


def _empty_or_missing(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def _copy_catalog(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _referenced_shas(catalog: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT DISTINCT sha256 FROM documents ORDER BY sha256")]
    finally:
        conn.close()


def _copy_originals(shas: list[str], source: BlobStore, target: BlobStore) -> list[str]:
    """Copy each original, verifying its hash; returns the hashes that are missing or corrupt."""
    bad = []
    try:
        for sha in shas:
            try:
                data = source.get(sha)
            except FileNotFoundError:
                bad.append(sha)
                continue
            if content_sha256(data) != sha:
                bad.append(sha)
                continue
            target.put(data)
    finally:
        source.close()
        target.close()
    return bad


def backup(data_dir: Path, dest: Path) -> dict:
    """Write a consistent backup of ``data_dir`` into the new or empty directory ``dest``."""
    data_dir, dest = Path(data_dir), Path(dest)
    catalog = data_dir / CATALOG
    if not catalog.exists():
        raise BadRequest(f"{data_dir} holds no Folio archive (no {CATALOG}).")
    if not _empty_or_missing(dest):
        raise BadRequest(f"{dest} is not empty; back up into a new or empty directory.")
    try:
        dest.mkdir(parents=True, exist_ok=True)
        _copy_catalog(catalog, dest / CATALOG)
        shas = _referenced_shas(dest / CATALOG)
        bad = _copy_originals(shas, BlobStore(data_dir / "originals"), BlobStore(dest / "originals"))
        token = data_dir / TOKEN
        if token.exists():
            shutil.copyfile(token, dest / TOKEN)
            os.chmod(dest / TOKEN, 0o600)
        conn = sqlite3.connect(dest / CATALOG)
        try:
            documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
        manifest = {
            "format": 1, "created": now_iso(), "documents": documents, "originals": len(shas) - len(bad),
            "missing_or_corrupt_originals": bad, "catalog_sha256": content_sha256((dest / CATALOG).read_bytes()),
        }
        (dest / MANIFEST).write_text(json.dumps(manifest, indent=2))
        fsync_dir(dest)
    except (OSError, sqlite3.Error) as exc:
        raise Unavailable(f"The backup into {dest} failed ({exc}); the archive itself was not changed.") from exc
    return manifest


def restore(src: Path, data_dir: Path) -> dict:
    """Restore a backup into the new or empty data directory ``data_dir``, then rebuild its index."""
    from index.archive import Archive

    src, data_dir = Path(src), Path(data_dir)
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BadRequest(f"{src} is not a complete Folio backup (its {MANIFEST} is missing or unreadable).") from exc
    if content_sha256((src / CATALOG).read_bytes()) != manifest.get("catalog_sha256"):
        raise BadRequest(f"The catalog in {src} does not match its manifest; the backup is damaged.")
    if not _empty_or_missing(data_dir):
        raise BadRequest(f"{data_dir} is not empty; restore into a new or empty directory, "
                         "so nothing there is overwritten.")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        _copy_catalog(src / CATALOG, data_dir / CATALOG)
        shas = _referenced_shas(data_dir / CATALOG)
        bad = _copy_originals(shas, BlobStore(src / "originals"), BlobStore(data_dir / "originals"))
        if (src / TOKEN).exists():
            shutil.copyfile(src / TOKEN, data_dir / TOKEN)
            os.chmod(data_dir / TOKEN, 0o600)
    except (OSError, sqlite3.Error) as exc:
        raise Unavailable(f"The restore into {data_dir} failed ({exc}).") from exc
    with Archive(data_dir, allow_damaged_index=True) as archive:
        indexed = archive.reindex()
    return {"documents": manifest.get("documents"), "indexed": indexed, "missing_or_corrupt_originals": bad}
