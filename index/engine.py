"""The Whoosh engine: one writer thread fed by a queue, per-thread searchers, search and snippets.

Whoosh searchers are not thread-safe, so every thread keeps its own and replaces it when the index
generation changes (a commit in this process) or, checked at most every ``REFRESH_INTERVAL``
seconds, when another process committed. One thread owns the writer and commits in batches; callers
wait on a future, so an upload is acknowledged only once its index entry is committed.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import dataclasses
import fcntl
import functools

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.index import LockError
from whoosh.reading import ReaderClosed, SegmentReader

from index.codec import FolioCodec
from index.document import Document
from index.errors import Unavailable
from index.facets import FacetCache, live_segment_keys
from index.files import PreadStorage
from index.highlighting import MemoTokens, marked
from index.matchset import RangeCache, matched_docnums
from index.postings import SearchPostings
from index.resultcache import ResultCache
from index.query import PROSE_WORDS, ParsedQuery, filter_query, parse
from index.bounds import bounded, collect_within
from index.ranking import Ranker, first_of_each_group
from index.bulkwriter import ForkingWriter, delete_replaced
from index.schema import FACET_FIELDS, build_schema, fold, index_fields
from index.search import SearchRequest
from index.spelling import Speller

log = logging.getLogger("folio.engine")

#: how stale a searcher may be about other processes' commits. Looking costs about 14 µs; a
#: client of several workers may ask any of them right after adding a document.
REFRESH_INTERVAL = 0.05
WRITE_BATCH = 1000
BULK_PROCS_MIN_DOCS = 400
#: once an index has this many segments, each commit merges its smallest ones, together at most
#: this many documents for a large batch, and this many for a small one (an upload waits for it)
MAX_UNMERGED_SEGMENTS = 24
MAX_MERGE_DOCS = 50_000
UPLOAD_MERGE_DOCS = 10_000
#: segments of fewer than this many documents are merged together when the writer is idle ...
SMALL_SEGMENT_DOCS = 1000
#: ... once there are this many of one size tier (see `tier_to_merge`)
SMALL_SEGMENTS_BEFORE_MERGE = 8
#: how long the idle merge waits for the index lock before leaving the merge to the next idle moment
IDLE_MERGE_LOCK_WAIT = 0.2
#: a ranked search orders at least this many of its best matches exactly
RANKED_EXACT_MIN = 200


def merge_smallest(writer, segments, limit: int = SMALL_SEGMENT_DOCS):
    """A Whoosh merge policy: the smallest segments, together at most ``limit`` documents, become
    one; the others stay as they are."""
    ordered = sorted(segments, key=lambda seg: seg.doc_count_all())
    chosen, total = [], 0
    for seg in ordered:
        if total + seg.doc_count_all() > limit:
            break
        chosen.append(seg)
        total += seg.doc_count_all()
    if len(chosen) < 2:
        return segments
    return _merged(writer, segments, chosen)


def _merged(writer, segments, chosen):
    """Read the ``chosen`` segments into the writer's new one; the segments left as they are."""
    for seg in chosen:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [seg for seg in segments if seg not in chosen]


def tier_to_merge(segments, count: int = SMALL_SEGMENTS_BEFORE_MERGE, limit: int = SMALL_SEGMENT_DOCS) -> list:
    """The small segments to merge while the writer is idle: those of the smallest size tier (1-9
    documents, 10-99, 100-999) that has ``count`` of them, or none.

    Single uploads leave a segment each. Merging only segments of one tier keeps each document's
    merges few (about one per tier) and each merge small: merging the eight newest uploads into
    everything uploaded since the last large merge would read up to a thousand documents every
    eighth upload, while the next upload waits."""
    tiers: dict[int, list] = {}
    for seg in segments:
        docs = seg.doc_count_all()
        if docs < limit:
            tiers.setdefault(len(str(docs)), []).append(seg)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= count:
            return tiers[tier]
    return []


@dataclass
class EngineHits:
    total: int
    hits: list[tuple[str, float]]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    parsed: ParsedQuery | None = None
    suggestion: str | None = None
    partial: bool = False


@dataclass
class _Op:
    kind: str  # "add" | "delete"
    docs: list[Document] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    future: Future = field(default_factory=Future)
    #: set once the change's index processes have started (or its commit is over)
    started: threading.Event | None = None
    #: the documents are known not to be in the index, so none is looked for to be replaced
    new: bool = False


def add_entries(writer, entries: list[dict], replace: bool) -> None:
    """Add index entries to a Whoosh writer; with ``replace``, as its ``update_document`` would, each
    committed entry holding one of their unique values (ids) is deleted first. Those are looked up
    with one searcher for all the entries: ``update_document`` opens one per entry, whose files stay
    open until the cyclic collector frees it, and a bulk run pauses the collector (on one core, a
    run's index group of 50,000 records failed with 'Too many open files')."""
    if replace:
        delete_replaced(writer, [(name, fields[name]) for fields in entries for name in writer._unique_fields(fields)])
    for fields in entries:
        writer.add_document(**fields)


def delete_entries(writer, ids: list[str]) -> None:
    """Delete the index entries of ``ids``, looked up with one searcher (see `add_entries`)."""
    with writer.searcher() as searcher:
        for doc_id in ids:
            writer.delete_by_term("id", doc_id, searcher=searcher)


def release_failed_writer(writer) -> None:
    """A commit that failed half-way (a full disk) keeps the index lock unless it is let go here; the
    previous table of contents stays the index, so nothing committed before is lost."""
    try:
        writer.cancel()
    except Exception:
        try:
            writer.writelock.release()
        except Exception:
            log.exception("could not release the index lock after a failed commit")


CREATE_LOCK = "folio-create.lock"


def _open_or_create(storage: PreadStorage, path: Path, legacy_schema: bool):
    """Open the index, creating it if there is none. Whoosh creates an index by first deleting every
    file of that name, so processes opening a new archive at once (several server workers) create it
    one at a time, and each re-checks under the lock whether another already has."""
    if windex.exists_in(str(path)):
        return storage.open_index()
    with open(path / CREATE_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if windex.exists_in(str(path)):
                return storage.open_index()
            return storage.create_index(build_schema(legacy_schema))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Engine:
    def __init__(self, path: Path, legacy_schema: bool = False):
        """``legacy_schema``: a new index gets the schema archives were built with before (see
        `build_schema`), so tests can check those archives."""
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        # Without mmap: Whoosh copies every sub-file it opens from a mapped segment into memory, once
        # per searcher, and every thread has its own searcher (about 13 MB per thread per 1,000
        # documents); read with pread (index/files.py), a searcher costs almost nothing.
        storage = PreadStorage(str(self.path))
        #: read once: ``ix.schema`` reads the TOC file again each time (a tenth of a bulk commit,
        #: when asked for every entry); an index keeps its schema until it is rebuilt
        self.schema = _open_or_create(storage, self.path, legacy_schema).schema
        #: given its schema, Whoosh no longer unpickles it from the table of contents whenever a
        #: writer or a reader is opened (each upload's commit, and each searcher after it)
        self.ix = storage.open_index(schema=self.schema)
        #: how new segments are written (older segments keep the codec they were written with)
        self.codec = FolioCodec()
        self.facet_cache = FacetCache()
        self.ranges = RangeCache()  # per-segment date values, for fast date ranges
        self.results = ResultCache()
        self.speller = Speller()  # the archive supplies the text lookup it needs
        self.ranker = Ranker(speller=self.speller)
        self._highlighters: dict[str, MemoTokens] = {}  # per field, for snippets
        self._generation = 0
        self._local = threading.local()
        self._queue: queue.Queue[_Op | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="folio-index-writer", daemon=True)
        self._writer.start()
        self._closed = False
        #: writer processes for large batches; the ``folio ingest`` command raises it (a server keeps
        #: one, as forking a process full of request threads is not worth the risk)
        self.bulk_procs = 1
        #: optional ``docs -> [dict]``: for each record, keyword arguments for `index_fields` that come
        #: from outside it (canonical author names, reprint group); the archive sets it
        self.extras = None

    # -- writing ----------------------------------------------------------------------------------

    def submit_add(self, docs: list[Document], started: threading.Event | None = None, new: bool = False) -> Future:
        """``started``: set once the processes indexing a large batch have started (or, for a
        commit without them, once it is over), so the caller can start other work without holding
        them up. ``new``: see `add`."""
        op = _Op("add", docs=list(docs), started=started, new=new)
        self._queue.put(op)
        return op.future

    def submit_delete(self, ids: list[str]) -> Future:
        op = _Op("delete", ids=list(ids))
        self._queue.put(op)
        return op.future

    def add(self, docs: list[Document], timeout: float = 60, new: bool = False) -> None:
        """Index documents and return once they are committed and searchable. Each replaces the
        entry of the same id, unless the caller knows there is none (``new``): looking for it opens
        every segment, a third of a single upload's commit."""
        self.wait(self.submit_add(docs, new=new), timeout)

    def delete(self, ids: list[str], timeout: float = 60) -> None:
        self.wait(self.submit_delete(ids), timeout)

    def wait(self, future: Future, timeout: float = 60) -> None:
        """Wait for a submitted change to be committed."""
        try:
            future.result(timeout=timeout)
        except LockError as exc:
            raise Unavailable("The search index is locked by another process; try again shortly.") from exc
        except TimeoutError as exc:
            raise Unavailable("The search index did not commit in time; try again shortly.") from exc

    def _write_loop(self) -> None:
        while True:
            op = self._queue.get()
            if op is None:
                return
            batch = [op]
            size = len(op.docs) + len(op.ids)
            while size < WRITE_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
                size += len(nxt.docs) + len(nxt.ids)
            try:
                self._commit(batch)
            except Exception as exc:
                if len(batch) == 1:
                    log.error("index commit failed: %s", exc)
                    batch[0].future.set_exception(exc)
                    continue
                for single in batch:  # find the one that failed; the others still go in
                    try:
                        self._commit([single])
                    except Exception as one_exc:
                        log.error("index commit failed: %s", one_exc)
                        single.future.set_exception(one_exc)
                    else:
                        single.future.set_result(None)
                continue
            for done in batch:
                done.future.set_result(None)
            if self._queue.empty():
                self._merge_small_segments()

    def _merge_small_segments(self) -> None:
        """While nothing waits: fold the small segments single uploads leave (one each) together,
        a size tier at a time (`tier_to_merge`), so searches do not pay for many segments and no
        upload ever waits for a large merge. Skipped when another process holds the index.
        Whether there is anything to merge is asked of the table of contents first: opening a
        writer creates its files and cancelling it removes them, about a fifth of the index writer's
        time per upload when it was done after each one."""
        try:
            if not tier_to_merge(self.ix._segments()):
                return
        except FileNotFoundError:
            return  # another process replaced the table of contents meanwhile: look again next time
        try:
            with self.ix.storage.segments_in_memory():  # small segments, so a small one
                writer = self.ix.writer(timeout=IDLE_MERGE_LOCK_WAIT, codec=self.codec)
        except LockError:
            return
        try:
            self._merge_tier(writer)
        finally:
            self._forget_in_memory(writer)

    def _merge_tier(self, writer) -> None:
        try:
            chosen = tier_to_merge(writer.segments)
            if not chosen:
                writer.cancel()
                return
            writer.commit(mergetype=functools.partial(_merged, chosen=chosen), merge=True)
        except Exception as exc:  # the index is as it was; the next idle moment tries again
            log.warning("merging small index segments failed: %s", exc)
            release_failed_writer(writer)
            return
        self._generation += 1

    def _commit(self, batch: list[_Op]) -> None:
        events = [op.started for op in batch if op.started is not None]
        try:
            self._commit_batch(batch, events)
        finally:
            for event in events:
                event.set()

    def _commit_batch(self, batch: list[_Op], started: list[threading.Event]) -> None:
        bulk = sum(len(op.docs) for op in batch) >= BULK_PROCS_MIN_DOCS
        writer = self._open_writer(bulk)
        try:
            self._write_batch(writer, batch, started, bulk)
        finally:
            self._forget_in_memory(writer)
        self._generation += 1

    def _forget_in_memory(self, writer) -> None:
        """Drop what a small commit's writer left of its segment in memory (nothing once it was
        assembled; its parts if it was cancelled). See `PreadStorage.segments_in_memory`."""
        segment = getattr(writer, "newsegment", None)
        if segment is not None:
            self.ix.storage.forget_segment(segment.make_filename(""))

    def _write_batch(self, writer, batch: list[_Op], started: list[threading.Event], bulk: bool) -> None:
        if isinstance(writer, ForkingWriter):
            writer.on_started = lambda: [event.set() for event in started]
        try:
            for op in batch:
                if op.kind == "add" and isinstance(writer, ForkingWriter):  # its processes make the entries
                    writer.update_documents_later(list(zip(op.docs, self._extras(op.docs))), self._entry,
                                                  [("id", doc.id) for doc in op.docs])
                elif op.kind == "add":
                    add_entries(writer, self.entries(op.docs), replace=not op.new)
                else:
                    delete_entries(writer, op.ids)
        except BaseException:
            writer.cancel()
            raise
        try:
            writer.commit(**self._merge_options(writer, bulk))
        except BaseException:
            release_failed_writer(writer)
            raise

    @staticmethod
    def _merge_options(writer, bulk: bool) -> dict:
        """What a commit merges. Whoosh's own policy merges every segment up to a point on a
        Fibonacci rule: with the segments of 25,000 documents a bulk ingest writes, that point comes
        at the 26th, a merge of 650,000 documents inside one commit. Here a commit merges only the
        smallest segments, and a bounded number of documents: small segments when a large batch
        comes in, and once there are `MAX_UNMERGED_SEGMENTS` segments, up to `MAX_MERGE_DOCS`
        documents (large batches) or `UPLOAD_MERGE_DOCS` (uploads, which wait for it)."""
        if len(writer.segments) < MAX_UNMERGED_SEGMENTS:
            return {"mergetype": merge_smallest} if bulk else {"merge": False}
        limit = MAX_MERGE_DOCS if bulk else UPLOAD_MERGE_DOCS
        return {"mergetype": functools.partial(merge_smallest, limit=limit)}

    def _open_writer(self, bulk: bool):
        """Analysis is most of indexing: large batches are split across processes when allowed,
        each writing its own segment (about twice the documents per second on two cores). Indexes
        with separate spelling fields (built before corrections came from the stemmed terms) use
        Whoosh's own writer for this; others the cheaper `ForkingWriter`."""
        if not bulk:  # an upload's commit, mostly: see `segments_in_memory`
            with self.ix.storage.segments_in_memory():
                return self.ix.writer(timeout=30.0, codec=self.codec)
        if self.bulk_procs < 2:
            return self.ix.writer(timeout=30.0, codec=self.codec)
        schema = self.schema
        if any(schema[name].separate_spelling() for name in schema.names()):
            return self.ix.writer(timeout=30.0, codec=self.codec, procs=self.bulk_procs, multisegment=True,
                                  limitmb=128)
        return ForkingWriter(self.ix, procs=self.bulk_procs, timeout=30.0, codec=self.codec)

    def entry(self, doc: Document) -> dict:
        """The index entry of a record, with the extras the archive supplies."""
        return self.entries([doc])[0]

    def entries(self, docs: list[Document]) -> list[dict]:
        """The index entries of records, their extras looked up for all of them at once."""
        return [self._entry(doc, extra) for doc, extra in zip(docs, self._extras(docs))]

    def _extras(self, docs: list[Document]) -> list[dict]:
        return self.extras(docs) if self.extras is not None else [{}] * len(docs)

    def _entry(self, doc: Document, extra: dict) -> dict:
        schema = self.schema  # an index built before a field existed skips it until 'folio reindex'
        return {k: v for k, v in index_fields(doc, **extra).items() if k in schema}

    def bulk_load(self, batches: Iterable[list[Document]], replace: bool = True) -> int:
        """Load many documents, given in batches, in one writer (used by reindex, not while serving
        uploads); each batch's extras are looked up at once."""
        count = 0
        writer = self.ix.writer(timeout=30.0, limitmb=256, codec=self.codec)
        try:
            for batch in batches:
                add_entries(writer, self.entries(batch), replace)
                count += len(batch)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=True)
        self._generation += 1
        return count

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._writer.join(timeout=60)
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()

    # -- reading ----------------------------------------------------------------------------------

    def searcher(self):
        """This thread's searcher, replaced when the index changed."""
        local = self._local
        s = getattr(local, "searcher", None)
        now = time.monotonic()
        if s is None:
            s = self._open_searcher()
            local.searcher, local.generation, local.checked = s, self._generation, now
            return s
        if local.generation != self._generation or now - local.checked > REFRESH_INTERVAL:
            local.checked = now
            local.generation = self._generation
            try:
                fresh = s if s.up_to_date() else s.refresh()
            except (FileNotFoundError, ReaderClosed):
                # a commit elsewhere removed files between listing and opening them, and Whoosh's
                # clean-up of the half-built reader failed too: start afresh without reusing readers
                fresh = self._open_searcher()
            if fresh is not s:
                local.searcher = s = fresh
                live = live_segment_keys(s)
                for cache in (self.facet_cache, self.ranges, self.ranker, self.speller):
                    cache.forget_except(live)
        return s

    def _open_searcher(self):
        """A searcher on the latest commit. Another writer (thread or process) may delete the table of
        contents or segments it just listed, as it cleans up after its own commit; try again then."""
        for attempt in range(20):
            try:
                return self.ix.searcher()
            except (FileNotFoundError, ReaderClosed):
                if attempt == 19:
                    raise
                time.sleep(0.005 * (attempt + 1))

    def doc_count(self) -> int:
        return self.searcher().doc_count()

    def indexed_ids(self) -> set[str]:
        """Ids of every live document in the index (deleted ones are skipped by iter_docs)."""
        return {stored["id"] for _, stored in self.searcher().reader().iter_docs()}

    def search(self, req: SearchRequest) -> EngineHits:
        s = self.searcher()
        parsed = bounded(parse(req.q, s.schema), s.reader()) if req.q else None
        if parsed is not None and parsed.query is wq.NullQuery:
            return EngineHits(0, [], {}, parsed)
        result = self._run(s, req, parsed)
        if (result.total == 0 and parsed is not None and not parsed.is_or and not parsed.has_syntax
                and len(parsed.plain_words) > 1):
            # No document has every word: show the best documents that have some of them.
            parsed = bounded(parse(req.q, s.schema, force_or=True), s.reader())
            result = self._run(s, req, parsed)
        if parsed is not None and parsed.plain_words and len(parsed.plain_words) <= PROSE_WORDS:
            result.suggestion = self.suggest(req.q, parsed.plain_words)
        return result

    def _run(self, s, req: SearchRequest, parsed: ParsedQuery | None) -> EngineHits:
        """`_run_uncached`, answered from memory when the same request met the same index generation."""
        reader_generation = s.reader().generation()  # None for an index with no segment yet
        generation = (reader_generation if reader_generation is not None else -1, self._generation)
        key = _request_key(req, parsed)
        found = self.results.get(generation, key) if generation[0] >= 0 else None
        if found is None:
            found = self._run_uncached(s, req, parsed)
            if generation[0] >= 0 and not found.partial:  # a cut-short answer is not remembered
                self.results.put(generation, key, found)
        return dataclasses.replace(found, hits=list(found.hits), facets=dict(found.facets))

    def _run_uncached(self, s, req: SearchRequest, parsed: ParsedQuery | None) -> EngineHits:
        base = parsed.query if parsed is not None else wq.Every()
        filt = filter_query(req.filters, req.date_from, req.date_to)
        sort = req.sort if (parsed is not None or req.sort != "relevance") else "newest"
        if parsed is not None and (parsed.plain or parsed.phrases) and sort == "relevance":
            return self._run_ranked(s, req, parsed, filt)
        full = wq.And([base, filt]) if filt is not None else base
        matched = matched_docnums(s, full, self.ranges, postings=self.ranker.postings)
        total = int(len(matched))
        limit = req.page * req.per_page
        kwargs = {}
        if sort in ("newest", "oldest"):
            kwargs = {"sortedby": "published", "reverse": sort == "newest"}
        collapsed = 0  # one hit per group of reprints: the copies after each group's best are skipped
        if not req.all_copies and "reprint_group" in s.schema and total:
            copies = self.facet_cache.count(s, "reprint_group", matched)
            collapsed = sum(count - 1 for count in copies.values())
            total -= collapsed
        hits: list[tuple[str, float]] = []
        if total:
            allow = set(matched.tolist()) if filt is not None else None  # the filter, already evaluated
            results, partial = collect_within(s, base, req.time_limit, filter=allow, limit=limit + collapsed, **kwargs)
            start = (req.page - 1) * req.per_page
            shown = list(results)
            if collapsed:
                keep = first_of_each_group(self.facet_cache, s, "reprint_group",
                                           np.array([hit.docnum for hit in shown], dtype=np.int64))
                shown = [shown[i] for i in keep]
            for hit in shown[start:limit]:
                hits.append((hit["id"], float(hit.score or 0.0)))
        facets = self._facets(s, req, matched) if total else {f: [] for f in req.facets if f in FACET_FIELDS}
        return EngineHits(total, hits, facets, parsed, partial=partial if total else False)

    def _facets(self, s, req: SearchRequest, matched: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        wanted = {facet: FACET_FIELDS[facet] for facet in req.facets if facet in FACET_FIELDS}
        if not len(matched):
            return {facet: [] for facet in wanted}
        top = self.facet_cache.top(s, list(dict.fromkeys(wanted.values())), matched, req.facet_limit)
        return {facet: top[fieldname] for facet, fieldname in wanted.items()}

    def _ranked_matches(self, s, parsed: ParsedQuery, filt, need: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Plain words scored by `index.ranking` (BM25F), narrowed by the filters, date ranges and
        phrases; ``need``: how many of the best must be in their exact order."""
        narrowing = [q for q in [filt, *parsed.date_ranges, *parsed.phrases] if q is not None]
        postings = SearchPostings(self.ranker.postings)  # a phrase's words are ranked too
        if narrowing:
            query = wq.And(narrowing) if len(narrowing) > 1 else narrowing[0]

            def narrow(docnums: np.ndarray) -> np.ndarray:
                return matched_docnums(s, query, self.ranges, within=np.sort(docnums), postings=postings)
        else:
            narrow = None
        ranked = self.ranker.rank(s, parsed.plain_words, require_all=not parsed.is_or, literal=bool(parsed.phrases),
                                  need=need, narrow=narrow, postings=postings)
        return ranked.docnums, ranked.scores

    def _run_ranked(self, s, req: SearchRequest, parsed: ParsedQuery, filt) -> EngineHits:
        # room for the copies of reprints that are folded into one hit
        need = max(RANKED_EXACT_MIN, 3 * req.page * req.per_page)
        docnums, scores = self._ranked_matches(s, parsed, filt, need)
        matched = np.sort(docnums)
        order = np.lexsort((docnums, -scores))  # best first; equal scores by index order, so pages are stable
        docnums, scores = docnums[order], scores[order]
        total = int(len(docnums))
        if not req.all_copies and "reprint_group" in s.schema and total:
            keep = first_of_each_group(self.facet_cache, s, "reprint_group", docnums)
            docnums, scores = docnums[keep], scores[keep]
            total = int(len(docnums))
        start = (req.page - 1) * req.per_page
        hits = [(s.stored_fields(int(d))["id"], float(sc))
                for d, sc in zip(docnums[start:start + req.per_page], scores[start:start + req.per_page])]
        return EngineHits(total, hits, self._facets(s, req, matched), parsed)

    def facet_counts(self, fieldname: str, q: str = "", filters=None) -> list[tuple[str, int]]:
        """Every value of a facet with its count, over the whole archive or a query's matches."""
        req = SearchRequest(q=q, filters=filters or {}, facets=(), per_page=1)
        s = self.searcher()
        if not q and not filters:
            counts = self.facet_cache.count(s, fieldname, None)
        else:
            parsed = bounded(parse(q, s.schema), s.reader()) if q else None
            filt = filter_query(req.filters, None, None)
            if parsed is not None and (parsed.plain or parsed.phrases):  # the same matches as the search shows
                matched = np.sort(self._ranked_matches(s, parsed, filt, need=1)[0])
                if not len(matched) and not parsed.is_or and not parsed.has_syntax and len(parsed.plain_words) > 1:
                    parsed = parse(q, s.schema, force_or=True)
                    matched = np.sort(self._ranked_matches(s, parsed, filt, need=1)[0])
            else:
                base = parsed.query if parsed is not None else wq.Every()
                full = wq.And([base, filt]) if filt is not None else base
                matched = matched_docnums(s, full, self.ranges, postings=self.ranker.postings)
            counts = self.facet_cache.count(s, fieldname, matched)
        return sorted(counts.items())

    # -- presenting -------------------------------------------------------------------------------

    def query_words(self, parsed: ParsedQuery | None, fieldname: str) -> frozenset[str]:
        """The analysed words a query looks for in one field, for highlighting; worked out once
        for every shown document."""
        if parsed is None or parsed.text_query is None:
            return frozenset()
        found = parsed.highlight_words.get(fieldname)
        if found is None:
            found = parsed.highlight_words[fieldname] = self._query_words(parsed, fieldname)
        return found

    def _query_words(self, parsed: ParsedQuery, fieldname: str) -> frozenset[str]:
        words = set()
        for fname, text in parsed.text_query.iter_all_terms(phrases=True):
            if fname == fieldname:
                words.add(text.decode("utf-8") if isinstance(text, bytes) else text)
        for q in parsed.text_query.leaves():
            if isinstance(q, (wq.Prefix, wq.FuzzyTerm, wq.Wildcard)) and q.fieldname == fieldname:
                try:
                    for t in q._btexts(self.searcher().reader()):
                        words.add(t.decode("utf-8"))
                except Exception:
                    pass
        return frozenset(words)

    def highlight(self, text: str, parsed: ParsedQuery | None, fieldname: str, top: int = 3,
                  whole: bool = False) -> str:
        """HTML-safe text with the query's matches in ``<mark>``: fragments, or the whole text."""
        if not text:
            return ""
        return marked(text, self.query_words(parsed, fieldname), self._memo_tokens(fieldname), top=top, whole=whole)

    def _memo_tokens(self, fieldname: str) -> MemoTokens:
        found = self._highlighters.get(fieldname)
        if found is None:
            found = self._highlighters.setdefault(fieldname, MemoTokens(self.schema[fieldname].analyzer))
        return found

    def suggest(self, qstring: str, words: list[str]) -> str | None:
        """A corrected query when some words are in no title or text (see `index.spelling`)."""
        s = self.searcher()
        replacements = {}
        for word in words:
            folded = fold(word)
            if len(folded) < 3 or not folded.isalpha() or self.speller.known(s, word):
                continue
            suggestions = self.speller.corrections(s, word, limit=1)
            if suggestions:
                replacements[word] = suggestions[0]
        if not replacements:
            return None
        pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in replacements) + r")(?![\w])")
        return pattern.sub(lambda m: replacements[m.group(1)], qstring)


def _request_key(req: SearchRequest, parsed: ParsedQuery | None) -> tuple:
    """Everything in a request and its parsed query that can change the answer."""
    query = None
    if parsed is not None:
        query = (repr(parsed.query), tuple(parsed.plain_words), parsed.is_or, getattr(parsed, "plain", None))
    fields = tuple((k, repr(v)) for k, v in sorted(vars(req).items()) if k not in ("snippets",))
    return query, fields
