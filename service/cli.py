"""The ``folio`` command. Every command works on ``--data DIR``, else ``FOLIO_DATA``, else ``./data``."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path

from index.errors import FolioError


def _settings(args):
    from service.settings import Settings

    overrides = {}
    if getattr(args, "data", None):
        overrides["data"] = Path(args.data)
    return Settings(**overrides)


def _archive(args, allow_damaged_index: bool = False):
    from index.archive import Archive
    from index.sandbox import ParseLimits

    settings = _settings(args)
    return Archive(settings.data, ParseLimits(settings.parse_timeout, settings.parse_memory_mb),
                   allow_damaged_index=allow_damaged_index)


def fail(message: str, code: int = 1) -> int:
    print(f"folio: {message}", file=sys.stderr)
    return code


# -- commands ---------------------------------------------------------------------------------------


def cmd_serve(args) -> int:
    import uvicorn

    settings = _settings(args)
    settings.host, settings.port = args.host, args.port
    workers = args.workers if args.workers is not None else settings.workers
    if workers <= 1:
        from service.app import create_app

        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
        return 0
    # The first start (token, seeds) happens once, before the workers race, in a child process so
    # this supervising process stays small; workers build the app from the FOLIO_* variables.
    import multiprocessing

    setup = multiprocessing.get_context("spawn").Process(target=_first_start, args=(settings,))
    setup.start()
    setup.join()
    if setup.exitcode != 0:
        return fail("the archive could not be opened; see the messages above")
    os.environ.update({"FOLIO_DATA": str(settings.data.resolve()), "FOLIO_HOST": args.host,
                       "FOLIO_PORT": str(args.port), "FOLIO_WORKERS": str(workers)})
    uvicorn.run("service.app:create_app", factory=True, workers=workers, host=args.host, port=args.port,
                log_level=args.log_level)
    return 0


def _first_start(settings) -> None:
    from index.sandbox import stop_helper
    from service.app import open_archive

    archive, _ = open_archive(settings)
    archive.close()
    stop_helper()


def cmd_extract(args) -> int:
    from index.ingest import extract

    path = Path(args.path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return fail(f"cannot read {path}: {exc.strerror}")
    try:
        doc = extract(data, path.name)
    except FolioError as exc:
        return fail(exc.message)
    record = doc.to_dict()
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        for key, value in record.items():
            if key != "text":
                print(f"{key:22} {value}")
    return 0


def cmd_ingest(args) -> int:
    """Files, folders (recursively), ZIP and JSON Lines files; failures listed at the end, exit 1."""
    from service.bulk_ingest import run

    with _archive(args) as archive:
        archive.engine.bulk_procs = min(4, os.cpu_count() or 1)
        report = run(archive, args.paths, args.json)
    return 1 if report.failures else 0


def cmd_search(args) -> int:
    from index.search import SearchRequest

    filters = {"author": [args.author]} if args.author else {}
    req = SearchRequest(q=args.query, filters=filters, per_page=args.limit, sort=args.sort)
    with _archive(args) as archive:
        result = archive.search(req)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    print(f"{result.total} result(s)")
    for hit in result.hits:
        byline = ", ".join(hit.authors)
        print(f"{hit.id}  {hit.published or '----------':10}  {hit.title[:60]}  — {byline[:40]}")
    if result.suggestion:
        print(f"Did you mean: {result.suggestion}")
    return 0


def cmd_reindex(args) -> int:
    with _archive(args, allow_damaged_index=True) as archive:
        count = archive.reindex()
    print(f"reindexed {count} document(s)")
    return 0


def cmd_check(args) -> int:
    with _archive(args) as archive:
        report = archive.check(verify_hashes=True, repair=args.repair)
        unreferenced = archive.unreferenced_originals()
    print(json.dumps(dict(report.to_dict(), unreferenced_originals=unreferenced), indent=2))
    if report.missing_originals or report.corrupt_originals:
        return fail("some originals are missing or corrupt; restore them from a backup "
                    "(nothing was deleted)")
    return 0 if report.ok or args.repair else 1


def cmd_backup(args) -> int:
    from index.backup import backup

    manifest = backup(_settings(args).data, Path(args.dest))
    print(f"backed up {manifest['documents']} document(s) and {manifest['originals']} original(s) to {args.dest}")
    if manifest["missing_or_corrupt_originals"]:
        return fail(f"{len(manifest['missing_or_corrupt_originals'])} original(s) were missing or corrupt "
                    "and are not in the backup; run 'folio check'")
    return 0


def cmd_restore(args) -> int:
    from index.backup import restore

    result = restore(Path(args.src), _settings(args).data)
    print(f"restored {result['documents']} document(s) into {_settings(args).data}; indexed {result['indexed']}")
    if result["missing_or_corrupt_originals"]:
        return fail(f"{len(result['missing_or_corrupt_originals'])} original(s) in the backup were missing or corrupt")
    return 0


def cmd_export(args) -> int:
    from index.transfer import export_archive

    with _archive(args) as archive:
        manifest = export_archive(archive, Path(args.dest))
    print(f"exported {manifest['records']} record(s), {manifest['originals']} original(s) and "
          f"{manifest['merges']} author merge(s) to {args.dest}")
    return 0


def cmd_import(args) -> int:
    from index.transfer import import_archive

    with _archive(args) as archive:
        result = import_archive(archive, Path(args.src))
    print(f"imported {result['added']} of {result['records']} record(s) "
          f"({result['already_present']} already present) and {result['merges']} author merge(s)")
    return 0


def cmd_token(args) -> int:
    from service.auth import ensure_token

    settings = _settings(args)
    settings.data.mkdir(parents=True, exist_ok=True)
    print(ensure_token(settings.data, settings.token)[0])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="folio", description="Archive, search and browse articles.")
    parser.add_argument("--data", help="data directory (default: $FOLIO_DATA or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--data", help="data directory (default: $FOLIO_DATA or ./data)",
                       default=argparse.SUPPRESS)
        p.set_defaults(func=func)
        return p

    p = add("serve", cmd_serve, "run the web service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--log-level", default="info")
    p.add_argument("--workers", type=int, default=None,
                   help="server processes sharing the archive (default: $FOLIO_WORKERS or 1)")

    p = add("extract", cmd_extract, "print the record a file would become, storing nothing")
    p.add_argument("path")
    p.add_argument("--json", action="store_true")

    p = add("ingest", cmd_ingest, "add files, folders (recursively), ZIP or .jsonl files to the archive")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true", help="one JSON line per document")

    p = add("search", cmd_search, "search the archive")
    p.add_argument("query")
    p.add_argument("--author")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--sort", default="relevance", choices=("relevance", "newest", "oldest"))
    p.add_argument("--json", action="store_true")

    add("reindex", cmd_reindex, "rebuild the search index from the catalog")

    p = add("check", cmd_check, "verify catalog, originals and index agree")
    p.add_argument("--repair", action="store_true", help="re-index missing entries, drop orphans")

    p = add("backup", cmd_backup, "write a consistent backup (safe while the service runs)")
    p.add_argument("dest", help="a new or empty directory")

    p = add("restore", cmd_restore, "restore a backup into a new or empty data directory")
    p.add_argument("src", help="a directory written by 'folio backup'")

    p = add("export", cmd_export, "write the whole archive (records, edits, merges, originals) to one file")
    p.add_argument("dest", help="the file to write, e.g. folio-export.tar.gz")

    p = add("import", cmd_import, "add the records of a 'folio export' file to this archive")
    p.add_argument("src", help="a file written by 'folio export'")

    add("token", cmd_token, "print the write token (generating one if there is none)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FolioError as exc:
        return fail(exc.message)
    except (OSError, sqlite3.Error) as exc:
        from index.archive import describe_storage_error

        return fail(f"storage failed: {describe_storage_error(exc)}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
