"""`Archive`: one data directory — catalog, original files and index — behind one object.

Order of a write, so nothing is ever half-stored: the original is written (fsynced, renamed into
place), then the catalog row is committed, then the index entry; if indexing fails the row and a
newly written original are removed again and the caller gets an error. The catalog and originals
are the source of truth; the index is derived and rebuilt by `reindex`.
"""

from __future__ import annotations

import html
import logging
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from index.blobs import BlobStore
from index.catalog import Catalog
from index.document import EDITABLE_FIELDS, Document
from index.edits import clean_edits
from index.engine import Engine
from index.errors import NotFound, Unavailable
from index.ingest import extract
from index.sandbox import ParseLimits, extract_isolated
from index.related import Related
from index.search import FacetValue, Hit, SearchRequest, SearchResult

log = logging.getLogger("folio.archive")


@dataclass
class CheckReport:
    records: int
    indexed: int
    missing_from_index: list[str]
    orphans_in_index: list[str]
    missing_originals: list[str]
    corrupt_originals: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing_from_index or self.orphans_in_index or self.missing_originals
                    or self.corrupt_originals)

    def to_dict(self) -> dict:
        return dict(self.__dict__, ok=self.ok)


class Archive(Related):
    """``parse_limits`` set: files are parsed in a child process under those limits (the service and
    the CLI do this); None parses in this process. ``allow_damaged_index`` lets ``folio reindex``
    open an archive whose index cannot be read, so it can rebuild it."""

    def __init__(self, root: Path, parse_limits: ParseLimits | None = None, allow_damaged_index: bool = False):
        self.root = Path(root)
        self.parse_limits = parse_limits
        self.engine: Engine | None = None
        #: held by the search running in this process (see `search`)
        self.search_turn = threading.Lock()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.catalog = Catalog(self.root / "catalog.sqlite3")
            self.blobs = BlobStore(self.root / "originals")
        except (OSError, sqlite3.Error) as exc:
            raise Unavailable(f"The data directory {self.root} cannot be opened for reading and writing "
                              f"({describe_storage_error(exc)}); nothing was changed.") from exc
        try:
            self.engine = self.attach_engine(open_engine(self.root / "index"))
        except Unavailable:
            if not allow_damaged_index:
                self.catalog.close()
                raise
            return
        self.prepare_related()
        self.replay_unindexed()

    def close(self) -> None:
        try:
            self.flush_reprint_keys()
        except (OSError, sqlite3.Error) as exc:  # the next open works them out again from the signatures
            log.warning("reprint keys of a bulk run are left for the next start: %s", describe_storage_error(exc))
        if self.engine is not None:
            self.engine.close()
        self.catalog.close()
        self.blobs.close()

    def replay_unindexed(self) -> int:
        """Bring the index up to date with catalog changes a crash left unconfirmed; returns how many."""
        try:
            done = self.index_pending()
        except (OSError, sqlite3.Error, Unavailable) as exc:  # e.g. still no space: reading works, try later
            log.warning("catalog changes still wait for the index: %s",
                        describe_storage_error(exc) if not isinstance(exc, Unavailable) else exc.message)
            return 0
        if done:
            log.info("index brought up to date with %d catalog change(s) left by an interrupted write", done)
        return done

    def index_pending(self, group: int = 50_000, write_keys: bool = True,
                      known: dict[str, Document] | None = None) -> int:
        """Index every record the journal lists as not yet indexed, ``group`` records per commit
        (each commit writes a segment per writer process, so large groups keep the index compact and
        merges rare); returns how many. Deleted records' entries are removed. ``write_keys`` false:
        the reprint band keys a bulk run holds stay held (a run that indexes part way writes them
        once, at its end: copies of its records are then looked up in memory rather than in SQLite,
        0.13 s a batch of 1,000 against the keys of 50,000). ``known``: records this process
        stored without edits and still holds, by id (see `_records_to_index`)."""
        pending = self.catalog.unindexed_ids()
        for start in range(0, len(pending), group):
            ids = pending[start:start + group]
            docs = self._records_to_index(ids, known or {})
            if docs:
                started = threading.Event()
                indexed = self.engine.submit_add(list(docs.values()), started=started)
                try:  # the held band keys are written while the index writer works
                    if write_keys:
                        started.wait(timeout=60)  # first let it start its processes, without competing
                        self.flush_reprint_keys()
                finally:
                    self.engine.wait(indexed, timeout=max(600, len(docs) / 20))
            gone = [doc_id for doc_id in ids if doc_id not in docs]
            if gone:
                self.engine.delete(gone, timeout=600)
            self.catalog.mark_indexed(ids)
        if write_keys:
            self.flush_reprint_keys()  # held for records deleted before they were indexed
        return len(pending)

    def _records_to_index(self, ids: list[str], known: dict[str, Document]) -> dict[str, Document]:
        """The records of ``ids`` the catalog has, in the order of ``ids``. A record in ``known`` is
        taken as it is if the catalog still has it without edits and from the same ingest; only the
        others are read back (reading 50,000 records back took 3 s on one core, the other idle,
        before each group of a bulk run was indexed; checking them takes a sixth of that)."""
        held = [doc_id for doc_id in ids if doc_id in known]
        unchanged = {doc_id for doc_id, ingested_at in self.catalog.unedited(held)
                     if ingested_at == known[doc_id].ingested_at}
        fetched = self.catalog.get_many([doc_id for doc_id in ids if doc_id not in unchanged])
        docs = {}
        for doc_id in ids:
            doc = known[doc_id] if doc_id in unchanged else fetched.get(doc_id)
            if doc is not None:
                docs[doc_id] = doc
        return docs

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- adding -----------------------------------------------------------------------------------

    def add(self, data: bytes, filename: str, overrides: dict[str, Any] | None = None) -> tuple[Document, bool]:
        """Extract, store and index one file. Returns (record, created); the same bytes again is a no-op."""
        if self.parse_limits is not None:
            doc = extract_isolated(data, filename, self.parse_limits)
        else:
            doc = extract(data, filename)
        return self.add_document(doc, data, overrides)

    def add_document(self, doc: Document, original: bytes,
                     overrides: dict[str, Any] | None = None) -> tuple[Document, bool]:
        edits = clean_edits(overrides or {})
        existing = self.catalog.get_raw(doc.id)
        if existing is not None:
            if edits:
                return self.update(doc.id, edits), False
            record = existing[0].with_edits(existing[1])
            if self.catalog.is_unindexed(doc.id):  # an earlier attempt stopped before its index entry
                self.engine.add([record])
                self._indexed([doc.id])
            return record, False
        with storage_errors("the document was not stored"):
            sha, new_blob = self.blobs.put(original)
        try:
            with storage_errors("the document was not stored"):
                # an id the catalog lacked is in the index only while its removal there is pending
                # (it was listed as unindexed already); otherwise there is nothing to replace
                new = not self.catalog.insert(doc, edits)
        except sqlite3.IntegrityError:  # the same file arrived twice at once: the other one won
            return self.get(doc.id), False
        except BaseException:
            self._drop_blob_if_unused(sha, new_blob)
            raise
        record = doc.with_edits(edits)
        try:
            self.engine.add([record], new=new)
        except BaseException as exc:
            self._undo_insert(doc.id, sha, new_blob)
            if isinstance(exc, Unavailable):
                raise
            raise Unavailable(f"The document could not be indexed, so it was not stored: {exc}") from exc
        self._indexed([doc.id])
        self.after_add([record])
        return record, True

    def add_many(self, items: Iterable[tuple[Document, bytes, dict[str, Any]]],
                 index: bool = True, fingerprints: dict | None = None,
                 packed: dict | None = None) -> list[tuple[Document, bool]]:
        """Bulk add: originals, then one catalog transaction, then one index commit. With ``index``
        false the records are stored and left in the journal of unindexed changes, for
        `index_pending` to index many batches at once (``folio ingest`` of JSON Lines).
        ``fingerprints``: the texts' fingerprints for finding copies, by id, where already known.
        ``packed``: where readers appended originals to a pack (`BlobStore.append_to_pack`), by id;
        they are recorded here, the others stored as files."""
        items = list(items)
        fresh: list[tuple[Document, dict]] = []
        out: list[tuple[Document, bool]] = []
        seen: set[str] = set()
        packed, in_packs = packed or {}, []
        stored = self.catalog.existing([doc.id for doc, _, _ in items])
        for doc, original, overrides in items:
            if doc.id in seen:
                continue
            seen.add(doc.id)
            if doc.id in stored:
                out.append((self.get(doc.id), False))
                continue
            entry = packed.get(doc.id)
            if entry is not None and entry.sha256 == doc.sha256 and entry.length == len(original):
                in_packs.append(entry)
            else:
                self.blobs.put(original, sync=False)
            fresh.append((doc, clean_edits(overrides or {})))
        if fresh:
            self.blobs.sync()  # one sync for the whole batch, before the rows that refer to the files
            self.blobs.record_packed(in_packs)
        inserted = set(self.catalog.insert_many(fresh))
        # a record without edits is the one just read (copying it took a twentieth of storing it)
        records = [doc.with_edits(edits) if edits else doc for doc, edits in fresh if doc.id in inserted]
        if records and not index:
            self.after_add(records, defer_index=True, fingerprints=fingerprints)
        elif records:
            try:
                self.engine.add(records, timeout=600)
            except BaseException as exc:
                for record in records:
                    self.catalog.delete(record.id)
                raise Unavailable(f"The documents could not be indexed, so none was stored: {exc}") from exc
            self._indexed([r.id for r in records])
            self.after_add(records)
        out.extend((r, True) for r in records)
        return out

    def _indexed(self, ids: list[str]) -> None:
        """Take changes whose index entries are committed off the journal of unindexed changes. If
        even that small write fails (the disk filled up in between), the change is complete all the
        same: its entry is only written once more when the archive next opens."""
        try:
            self.catalog.mark_indexed(ids)
        except (OSError, sqlite3.Error) as exc:
            log.warning("%d indexed change(s) stay in the journal until the next start: %s", len(ids),
                        describe_storage_error(exc))

    def _undo_insert(self, doc_id: str, sha: str, new_blob: bool) -> None:
        """Remove a record whose index entry failed. If even that fails (a full disk), the record stays
        marked unindexed: the next attempt or the next start indexes it, so it is never half-stored."""
        try:
            self.catalog.delete(doc_id)
            self._drop_blob_if_unused(sha, new_blob)
        except (OSError, sqlite3.Error) as exc:
            log.warning("record %s kept for a later index attempt: %s", doc_id, describe_storage_error(exc))

    def _drop_blob_if_unused(self, sha: str, new_blob: bool) -> None:
        if new_blob and not self.catalog.sha_in_use(sha):
            self.blobs.remove(sha)

    # -- reading, editing, deleting ---------------------------------------------------------------

    def get(self, doc_id: str) -> Document:
        doc = self.catalog.get(doc_id)
        if doc is None:
            raise NotFound(f"No document with id {doc_id!r}.")
        return doc

    def original(self, doc_id: str) -> tuple[bytes, Document]:
        doc = self.get(doc_id)
        try:
            return self.blobs.get(doc.sha256), doc
        except FileNotFoundError as exc:
            raise Unavailable(f"The original file of {doc_id} is missing from the store; run 'folio check'.") from exc

    def update(self, doc_id: str, changes: dict[str, Any]) -> Document:
        """Apply a person's corrections; they are kept apart from the extracted record."""
        raw = self.catalog.get_raw(doc_id)
        if raw is None:
            raise NotFound(f"No document with id {doc_id!r}.")
        doc, edits = raw
        edits = {**edits, **clean_edits(changes)}
        with storage_errors("the change was not saved"):
            self.catalog.set_edits(doc_id, edits)
        record = doc.with_edits(edits)
        self.engine.add([record])
        self._indexed([doc_id])
        return record

    def delete(self, doc_id: str) -> None:
        doc = self.get(doc_id)
        with storage_errors("the document was not deleted"):
            self.catalog.delete(doc_id)
        self.engine.delete([doc_id])
        self._indexed([doc_id])
        self.after_delete(doc_id)
        if not self.catalog.sha_in_use(doc.sha256):
            self.blobs.remove(doc.sha256)

    def count(self) -> int:
        return self.catalog.count()

    # -- searching and browsing -------------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        """The one search function behind the API, the pages and the CLI.

        Searches in one process take turns (`search_turn`). A search is Python work that holds the
        interpreter lock, so threads searching side by side gain nothing; worse, a thread that
        gives up the lock to read a file waits for it again behind the others, for up to the
        interpreter's switch interval, each time. Measured at 100,000 articles, 8 clients on 2
        workers: the slowest searches took 330-390 ms side by side and 160-195 ms in turn, at the
        same throughput. Writes do not take this turn."""
        with self.search_turn:
            return self._search(req)

    def _search(self, req: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        req.normalised()
        req.filters = self.canonical_filters(req.filters)
        found = self.engine.search(req)
        docs = self.catalog.get_many([doc_id for doc_id, _ in found.hits], with_text=req.snippets)
        hits = []
        for doc_id, score in found.hits:
            doc = docs.get(doc_id)
            if doc is None:  # indexed but no longer catalogued: 'folio check --repair' removes it
                continue
            snippet = self.engine.highlight(doc.text, found.parsed, "text") if req.snippets else ""
            hits.append(Hit(
                id=doc.id,
                title=doc.title,
                title_html=(self.engine.highlight(doc.title, found.parsed, "title", whole=True)
                            if req.snippets else "") or html.escape(doc.title, quote=False),
                authors=doc.authors,
                published=doc.published,
                publication=doc.publication,
                score=score,
                snippet=snippet or html.escape(doc.summary, quote=False),
                language=doc.language,
                content_type=doc.content_type,
            ))
        self.count_copies(hits)
        facets = {name: [FacetValue(v, c) for v, c in values] for name, values in found.facets.items()}
        return SearchResult(
            request=req, total=found.total, hits=hits, facets=facets, suggestion=found.suggestion,
            partial=found.partial, took_ms=(time.perf_counter() - started) * 1000,
        )

    def similar(self, doc_id: str, limit: int = 5) -> list[Hit]:
        """Related articles ("more like this"), best first; raises NotFound for an unknown id."""
        from index.similar import more_like_this

        doc = self.get(doc_id)
        found = more_like_this(self.engine, doc.id, doc.title, doc.text, limit=max(1, min(limit, 50)))
        docs = self.catalog.get_many([i for i, _ in found], with_text=False)
        return [Hit(id=d.id, title=d.title, title_html=html.escape(d.title, quote=False), authors=d.authors,
                    published=d.published, publication=d.publication, score=score,
                    snippet=html.escape(d.summary, quote=False), language=d.language, content_type=d.content_type)
                for i, score in found if (d := docs.get(i)) is not None]

    def authors(self, q: str = "") -> list[tuple[str, int]]:
        """Every author with their number of articles, A–Z by family name then given names."""
        counts = self.engine.facet_counts("author_exact", q=q)
        return sorted(counts, key=lambda kv: (sort_name(kv[0]), kv[0]))

    def publications(self, q: str = "") -> list[tuple[str, int]]:
        return sorted(self.engine.facet_counts("publication_exact", q=q), key=lambda kv: kv[0].lower())

    def timeline(self, by: str = "year", q: str = "", filters: dict[str, list[str]] | None = None):
        """Articles per year, month or day (of the query's matches, within the filters)."""
        fieldname = {"year": "year", "month": "month", "day": "day"}.get(by, "year")
        return self.engine.facet_counts(fieldname, q=q, filters=filters)

    # -- maintenance ------------------------------------------------------------------------------

    def reindex(self) -> int:
        """Rebuild the index from the catalog in a new directory, then swap it in."""
        target = self.root / "index"
        building = self.root / "index.new"
        old = self.root / "index.old"
        shutil.rmtree(building, ignore_errors=True)
        pending = self.catalog.unindexed_ids()
        self.catch_up_reprints()
        fresh = self.attach_engine(Engine(building))
        try:
            count = fresh.bulk_load(self.catalog.iter_batches(), replace=False)
        finally:
            fresh.close()
        if self.engine is not None:
            self.engine.close()
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        building.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        self.engine = self.attach_engine(Engine(target))
        self.catalog.mark_indexed(pending)
        return count

    def check(self, verify_hashes: bool = True, repair: bool = False) -> CheckReport:
        """Do catalog, originals and index agree? ``repair`` re-indexes what is missing and drops
        index entries that have no record; it never deletes an original or a record."""
        from index.document import content_sha256

        catalog_ids = set(self.catalog.ids())
        indexed = self.engine.indexed_ids()
        missing_originals, corrupt = [], []
        if verify_hashes:
            for doc in self.catalog.iter_documents():
                try:
                    data = self.blobs.get(doc.sha256)
                except FileNotFoundError:
                    missing_originals.append(doc.id)
                    continue
                if content_sha256(data) != doc.sha256:
                    corrupt.append(doc.id)
        report = CheckReport(
            records=len(catalog_ids), indexed=len(indexed),
            missing_from_index=sorted(catalog_ids - indexed), orphans_in_index=sorted(indexed - catalog_ids),
            missing_originals=missing_originals, corrupt_originals=corrupt,
        )
        if repair:
            if report.missing_from_index:
                docs = self.catalog.get_many(report.missing_from_index)
                self.engine.add(list(docs.values()), timeout=600)
            if report.orphans_in_index:
                self.engine.delete(report.orphans_in_index)
            self.catalog.mark_indexed(self.catalog.unindexed_ids())
        return report

    def unreferenced_originals(self) -> list[str]:
        """Stored files no record points to (a crash between storing a file and its record). They are
        reported, never deleted: an original is only removed together with its record."""
        used = self.catalog.all_shas()
        return [sha for sha in self.blobs.all_digests() if sha not in used]


def open_engine(path: Path) -> Engine:
    """Open the index and read it once, so a damaged index is reported now, clearly, and left as it is."""
    try:
        engine = Engine(path)
    except Exception as exc:
        raise Unavailable(damaged_index_message(path, exc)) from exc
    try:
        engine.doc_count()
    except Exception as exc:
        engine.close()
        raise Unavailable(damaged_index_message(path, exc)) from exc
    return engine


def damaged_index_message(path: Path, exc: BaseException) -> str:
    return (f"The search index in {path} cannot be read ({describe_storage_error(exc)}). Nothing was deleted; "
            "rebuild it from the catalog with 'folio reindex'.")


def describe_storage_error(exc: BaseException) -> str:
    import errno

    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return "the disk is full"
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return "the data directory is read-only"
        if exc.errno == errno.EFBIG:
            return "a file size limit was reached"
        return f"{exc.strerror or type(exc).__name__}: {getattr(exc, 'filename', '') or ''}".rstrip(": ")
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return "the data directory is read-only"
    if "disk is full" in text or "disk I/O" in text:
        return "the disk is full or failing"
    return text or type(exc).__name__


@contextmanager
def storage_errors(consequence: str):
    """Turn a failing disk (full, read-only, I/O error) into a 503 that says what did not happen."""
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        raise Unavailable(f"Storage failed ({describe_storage_error(exc)}); {consequence}.") from exc


def sort_name(name: str) -> str:
    """Family name first, for A–Z lists: 'Andrew King' sorts under K."""
    parts = name.split()
    if len(parts) < 2:
        return name.lower()
    return (parts[-1] + " " + " ".join(parts[:-1])).lower()


__all__ = ["Archive", "CheckReport", "EDITABLE_FIELDS", "sort_name"]
