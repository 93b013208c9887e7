"""``folio ingest``: add files, folders (recursively), ZIP archives and JSON Lines files.

A file whose size and modification time match what was recorded when it was last ingested is not
read again; a file with new bytes that are already in the archive is not extracted again (ids come
from content). A file that fails is reported at the end and does not stop the run; it is tried again
next time, because only files that went in completely are recorded as done.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from index.document import content_sha256, document_id
from index.errors import FolioError

JSONL_SUFFIXES = (".jsonl", ".ndjson")
BULK_BATCH = 1000
#: JSON Lines records are stored a batch at a time and indexed this many at once (see `index_deferred`)
INDEX_GROUP = 50_000
STATE_PREFIX = "ingested-file:"
#: Statuses of per-file problems (bad input); anything else (storage full, index unavailable) stops
#: the run. Checked by status because parsing in a child process re-raises errors as `FolioError`.
FILE_STATUSES = (400, 413, 415, 422)


@dataclass
class IngestReport:
    files: int = 0
    added: int = 0
    unchanged: int = 0
    failures: list[str] = field(default_factory=list)

    def summary(self, seconds: float) -> str:
        rate = (self.added + self.unchanged) / seconds if seconds > 0 else 0.0
        return (f"{self.files} file(s) in {seconds:.1f}s: {self.added} added, "
                f"{self.unchanged} unchanged, {len(self.failures)} failed ({rate:.0f} documents/s)")


def iter_files(paths: list[str]) -> Iterator[Path]:
    """Files named and files under folders named, recursively, hidden ones left out, in name order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


class Ingester:
    """One run over many files; ``on_record`` is told of every record added or found unchanged."""

    def __init__(self, archive, on_record: Callable[[object, bool], None], readers: int = 1):
        """``readers``: processes that read the records of a long JSON Lines file."""
        self.archive = archive
        self.readers = readers
        self.on_record = on_record
        self.report = IngestReport()
        self.deferred = 0
        self.stored: dict = {}  # id -> record of those stored and not yet indexed, for `index_deferred`

    def ingest_file(self, path: Path) -> None:
        self.report.files += 1
        try:
            stat = path.stat()
            fingerprint = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
            if self._unchanged_since_last_run(path, fingerprint):
                self.report.unchanged += 1
                return
            failures_before = len(self.report.failures)
            ids = self._ingest_path(path)
            if len(self.report.failures) == failures_before:
                self._remember(path, {**fingerprint, "ids": ids})
        except FolioError as exc:
            if exc.status not in FILE_STATUSES:
                raise
            self.report.failures.append(file_failure(path, exc.message))
        except OSError as exc:
            self.report.failures.append(f"{path}: cannot read ({exc.strerror or exc})")

    # -- by kind --------------------------------------------------------------------------------

    def _ingest_path(self, path: Path) -> list[str]:
        from index.ingest import is_archive

        if path.suffix.lower() in JSONL_SUFFIXES:
            with path.open("rb") as stream:  # read as it goes: such a file can be larger than memory
                return self._ingest_jsonl(path, stream)
        data = path.read_bytes()
        if is_archive(data, path.name):
            return self._ingest_zip(path, data)
        return [self._add_one(data, path.name)]

    def _add_one(self, data: bytes, name: str) -> str:
        doc_id = document_id(content_sha256(data))
        if self.archive.catalog.has(doc_id):
            self.report.unchanged += 1
            self.on_record(self.archive.get(doc_id), False)
            return doc_id
        doc, created = self.archive.add(data, name)
        self.report.added += 1 if created else 0
        self.report.unchanged += 0 if created else 1
        self.on_record(doc, created)
        return doc.id

    def _ingest_zip(self, path: Path, data: bytes) -> list[str]:
        from index.ingest.archive_zip import iter_members, member_failure, nothing_readable

        failures: list[str] = []
        ids = []
        for member in iter_members(data, path.name, failures):
            try:
                ids.append(self._add_one(member.data, member.name))
            except FolioError as exc:
                if exc.status not in FILE_STATUSES:
                    raise
                failures.append(member_failure(path.name, member.name, exc.message))
        if not ids:
            raise nothing_readable(path.name, failures)
        self.report.failures.extend(f"{path.parent}/{message}" if str(path.parent) != "." else message
                                    for message in failures)
        return ids

    def _ingest_jsonl(self, path: Path, stream: BinaryIO) -> list[str]:
        from index.ingest.jsonl import read_records

        ids: list[str] = []
        batch, fingerprints, packed = [], {}, {}
        lines = read_records(stream, str(path), self.readers, originals=self.archive.blobs)
        for line, doc, problem, fingerprint, stored in lines:
            if doc is None:
                self.report.failures.append(problem)
            else:
                batch.append((doc, line, {}))
                fingerprints[doc.id] = fingerprint
                if stored is not None:
                    packed[doc.id] = stored
            if len(batch) >= BULK_BATCH:
                ids += self._flush(batch, fingerprints, packed)
                batch, fingerprints, packed = [], {}, {}
        if batch:
            ids += self._flush(batch, fingerprints, packed)
        return ids

    def _flush(self, batch, fingerprints: dict, packed: dict) -> list[str]:
        """Store a batch. A full group is indexed when the next batch comes rather than at once, so
        the run's last group is always indexed at its end, while the run's held keys are written
        (with a run of whole groups, the keys were written alone after the last, on one core)."""
        ids = []
        if self.deferred >= INDEX_GROUP:
            self.index_deferred(last=False)
        added = self.archive.add_many(batch, index=False, fingerprints=fingerprints, packed=packed)
        self.deferred += sum(created for _, created in added)
        self.stored.update((doc.id, doc) for doc, created in added if created)
        for doc, created in added:
            self.report.added += 1 if created else 0
            self.report.unchanged += 0 if created else 1
            self.on_record(doc, created)
            ids.append(doc.id)
        return ids

    def index_deferred(self, last: bool = True) -> int:
        """Index the JSON Lines records stored so far. Records are reported once they are in the
        catalog; indexing them in large groups rather than per batch writes a few large segments
        instead of many small ones that would later be merged (faster to build, to search, and
        about half the size). The records are indexed as they were stored, not read back, unless
        they changed meanwhile. If the run is stopped first, the archive indexes them on next open.
        The reprint keys the run holds are written at its end (``last``)."""
        if not self.deferred:
            if last:
                self.archive.flush_reprint_keys()
            return 0
        self.deferred = 0
        stored, self.stored = self.stored, {}
        indexed = self.archive.index_pending(INDEX_GROUP, write_keys=last, known=stored)
        if not gc.isenabled():  # paused for the run: what a group left in reference cycles goes now
            gc.collect()
        return indexed

    # -- what was done before -------------------------------------------------------------------

    def _state_key(self, path: Path) -> str:
        return STATE_PREFIX + str(path.resolve())

    def _unchanged_since_last_run(self, path: Path, fingerprint: dict) -> bool:
        raw = self.archive.catalog.get_meta(self._state_key(path))
        if not raw:
            return False
        try:
            state = json.loads(raw)
        except ValueError:
            return False
        same = all(state.get(k) == v for k, v in fingerprint.items())
        return same and bool(state.get("ids")) and all(self.archive.catalog.has(i) for i in state["ids"])

    def _remember(self, path: Path, state: dict) -> None:
        if state.get("ids"):
            self.archive.catalog.set_meta(self._state_key(path), json.dumps(state))



def file_failure(path: Path, message: str) -> str:
    """"docs/a.pdf is incomplete ..." rather than "docs/a.pdf: a.pdf is incomplete ..."."""
    if message.startswith(path.name):
        return f"{path}{message[len(path.name):]}"
    return f"{path}: {message}"


@contextmanager
def cyclic_collector_paused():
    """Python's cyclic garbage collector off for a bulk run. Its full collections walk every object
    the run keeps (an index group's records are read back at once): 25 of them took 3.3 s of a
    100,000-record run, in the process the others wait for. Reference counting frees most things
    as before; what each index group leaves in reference cycles (the index writer's objects hold
    one another) is collected once the group is indexed (`Ingester.index_deferred`)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run(archive, paths: list[str], as_json: bool, progress_stream=None) -> IngestReport:
    """Ingest everything under ``paths`` with a progress line on stderr; records go to stdout."""
    from service.progress import Progress

    files = list(iter_files(paths))
    progress = Progress(len(files), "files", progress_stream or sys.stderr)

    def on_record(doc, created: bool) -> None:
        progress.clear()
        if as_json:
            record = doc.to_dict(with_text=False)
            record["created"] = created
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            note = "  [no text layer: needs OCR]" if doc.needs_ocr else ""
            print(f"{'added' if created else 'unchanged':9} {doc.id}  {doc.title[:70]}{note}", flush=True)

    ingester = Ingester(archive, on_record, readers=os.cpu_count() or 1)
    with cyclic_collector_paused():
        for path in files:
            ingester.ingest_file(path)
            progress.advance()
        progress.finish()
        if ingester.deferred:
            print(f"folio: indexing {ingester.deferred} record(s)…", file=progress_stream or sys.stderr, flush=True)
        ingester.index_deferred()
    stream = progress_stream or sys.stderr
    for message in ingester.report.failures:
        print(f"folio: failed: {message}", file=stream)
    print(f"folio: {ingester.report.summary(progress.elapsed)}", file=stream)
    return ingester.report
