"""Large batches indexed by several processes, each writing one segment with its postings in memory.

Whoosh's own way (``ix.writer(procs=N, multisegment=True)``) pickles every document to a temporary
file for its worker processes, and each worker sorts its postings externally: runs of tuples sorted,
written out, read back and merged, about half of a worker's time. Here the workers are forks that
read their share of the documents from memory, and collect each term's postings in arrival order,
which is already the order of document numbers: only the distinct terms are sorted. Text fields and
the others (`index.textbatch`, `index.plainbatch`) are indexed for many documents at once, and their
batches' postings are merged per field with numpy when the segment is written (`index.fieldterms`).
The segments are ordinary segments of the index's codec.
"""

from __future__ import annotations

import gc
import multiprocessing
from array import array
from itertools import accumulate, chain

import numpy as np
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from index.codec import FolioFieldWriter, FolioPerDocWriter, term_blocks
from index.errors import Unavailable
from index.fieldterms import FieldTerms, gathered
from index.plainbatch import index_plain_field
from index.textbatch import FieldPostings, batchable, index_field
from index.textfield import learn_words, learned_since, make_plans, memo_marks

#: documents whose text fields `MemoryPoolWriter.add_documents` indexes at once: about 30 MB of
#: words and arrays per 1,000 articles of 2,000 characters
TEXT_BATCH_DOCS = 2_000


class TermPostings:
    """One term's postings as compact arrays: document numbers, weights, and the values joined."""

    __slots__ = ("docnums", "weights", "ends", "values")

    def __init__(self):
        self.docnums = array("q")
        self.weights = array("d")
        self.ends = array("q")
        self.values = bytearray()

    def add(self, docnum: int, weight: float, value: bytes | None) -> None:
        self.docnums.append(docnum)
        self.weights.append(weight)
        if value:
            self.values += value
        self.ends.append(len(self.values))

    def extend(self, docnums, weights, values) -> None:
        self.docnums.extend(iter(docnums))  # an array of another type is taken item by item
        self.weights.extend(iter(weights))
        values = [value or b"" for value in values]
        offsets = accumulate(map(len, values), initial=len(self.values))
        next(offsets)  # where the first value starts
        self.ends.extend(offsets)
        self.values += b"".join(values)

    def columns(self) -> tuple[list, list, list]:
        """Document numbers, weights and values, in document order."""
        docnums, weights, ends, values = self.docnums, self.weights, self.ends, bytes(self.values)
        starts = [0, *ends[:-1]]
        split = [values[a:b] for a, b in zip(starts, ends)]
        if any(docnums[i] > docnums[i + 1] for i in range(len(docnums) - 1)):
            order = sorted(range(len(docnums)), key=docnums.__getitem__)
            return [docnums[i] for i in order], [weights[i] for i in order], [split[i] for i in order]
        return docnums.tolist(), weights.tolist(), split


class MemoryPool:
    """What Whoosh's `PostingPool` does for a writer that only adds documents, without sorting
    postings: they are kept per term, and the terms are sorted when the segment is written. Fields
    indexed for many documents at once keep each batch's postings as it came (`FieldPostings`);
    they are merged per field when the segment is written."""

    def __init__(self):
        self.terms: dict[tuple[str, bytes], TermPostings] = {}
        self.batches: dict[str, list[FieldPostings]] = {}

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, value = item
        self.postings_of(fieldname, tbytes).add(docnum, weight, value)

    def postings_of(self, fieldname: str, tbytes: bytes) -> TermPostings:
        """The term's postings so far (none yet: new, empty ones)."""
        found = self.terms.get((fieldname, tbytes))
        if found is None:
            found = self.terms[(fieldname, tbytes)] = TermPostings()
        return found

    def add_batch(self, fieldname: str, found: FieldPostings) -> None:
        """A text field's postings for a run of documents numbered after those given before."""
        if found.terms:
            self.batches.setdefault(fieldname, []).append(found)

    def iter_postings(self):
        """Postings as Whoosh's pool gives them: (fieldname, term, docnum, weight, value) in order."""
        for fieldname, terms in self.by_field():
            for tbytes, docnums, weights, values in terms:
                for docnum, weight, value in zip(docnums, weights, values):
                    yield fieldname, tbytes, docnum, weight, value

    def by_field(self):
        """(fieldname, its postings as `FieldTerms`) by field name; what is given is let go."""
        keyed: dict[str, list[bytes]] = {}
        for fieldname, tbytes in self.terms:
            keyed.setdefault(fieldname, []).append(tbytes)
        for fieldname in sorted(keyed.keys() | self.batches.keys()):
            batches = self.batches.pop(fieldname, [])
            loose = {tbytes: self.terms.pop((fieldname, tbytes)) for tbytes in keyed.get(fieldname, ())}
            if loose:  # a merged segment's, numbered before the documents added: first
                batches.insert(0, _loose_batch(loose))
            found = _field_terms(batches)
            del batches, loose  # not held while the field is written
            yield fieldname, found

    def cleanup(self) -> None:
        self.terms = {}
        self.batches = {}


def _loose_batch(loose: dict[bytes, TermPostings]) -> FieldPostings:
    """Postings kept per term as a batch of their own (terms in byte order)."""
    terms = sorted(loose)
    columns = [loose.pop(tbytes).columns() for tbytes in terms]
    counts = np.array([len(docnums) for docnums, _, _ in columns], dtype=np.int64)
    ends = np.cumsum(counts)
    total = int(ends[-1]) if len(ends) else 0
    return FieldPostings(
        terms=terms, starts=ends - counts, ends=ends,
        docnums=np.fromiter(chain.from_iterable(c[0] for c in columns), dtype=np.int64, count=total),
        weights=np.fromiter(chain.from_iterable(c[1] for c in columns), dtype=np.float64, count=total),
        values=list(chain.from_iterable(c[2] for c in columns)), lengths=[])


def _field_terms(batches: list[FieldPostings]) -> FieldTerms:
    """A field's postings from its batches, by term then document. Each batch holds a term's
    postings in one run: a term's postings are its runs in the batches that have it, found by
    sorting (term, batch) pairs with numpy, rather than appended to a list per term and batch as
    they come (about a fifth of a writer process's time). Batches of text come in document order;
    postings given one document at a time (a merged segment's) are put in order where they are not."""
    terms = sorted(set().union(*(found.terms for found in batches)))
    rank = {tbytes: n for n, tbytes in enumerate(terms)}
    numbers = [np.fromiter(map(rank.__getitem__, found.terms), dtype=np.int64, count=len(found.terms))
               for found in batches]
    term_numbers = np.concatenate(numbers)
    batch_numbers = np.repeat(np.arange(len(batches)), [len(n) for n in numbers])
    run_starts = np.concatenate([found.starts for found in batches])
    run_ends = np.concatenate([found.ends for found in batches])
    order = np.lexsort((batch_numbers, term_numbers))
    return gathered(batches, term_numbers[order], batch_numbers[order], run_starts[order], run_ends[order],
                    terms).in_document_order()


class MemoryPoolWriter(SegmentWriter):
    """A segment writer whose postings are kept in memory. Documents and segments' readers come in
    the order of the document numbers they get, so each term's postings arrive in document order."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = MemoryPool()

    def add_documents(self, documents: list[dict]) -> None:
        """`add_document` for each of ``documents`` in order; text fields that `index.textbatch`
        can index are indexed for all of them at once, and each document's length in them is
        recorded with its other fields."""
        fieldnames = self._batched_fields(documents)
        if not fieldnames:
            for fields in documents:
                self.add_document(**fields)
            return
        base = self.docnum
        lengths: dict[str, list[int]] = {name: [] for name in fieldnames}
        for first in range(0, len(documents), TEXT_BATCH_DOCS):  # bounded memory: every word is held
            chunk = documents[first:first + TEXT_BATCH_DOCS]
            for name in fieldnames:
                found = index_field(self.schema[name], [fields.get(name) for fields in chunk], base + first)
                lengths[name] += found.lengths
                found.lengths = []
                self.pool.add_batch(name, found)
        batched = set(fieldnames)
        others = sorted({key for fields in documents for key in fields} - batched)
        perdoc = self.perdocwriter
        try:
            if self._plain_fields(others):
                self._add_plain_documents(documents, others, [(name, self.schema[name], lengths[name])
                                                              for name in fieldnames])
                return
            for i, fields in enumerate(documents):
                perdoc.given_lengths = [(name, self.schema[name], lengths[name][i]) for name in fieldnames]
                self.add_document(**{k: v for k, v in fields.items() if k not in batched})
        finally:
            perdoc.given_lengths = ()

    def _plain_fields(self, names: list[str]) -> bool:
        """Whether these fields can be added by `_add_plain_documents`: all in the schema, none with
        term vectors or separate spelling words."""
        schema = self.schema
        return all(name in schema and not schema[name].vector and not schema[name].separate_spelling()
                   for name in names)

    def _add_plain_documents(self, documents: list[dict], names: list[str], text_lengths: list) -> None:
        """Whoosh's `add_document` for each of ``documents`` (without boosts or stored values of their
        own: no "_" keywords) in the fields ``names`` (none with term vectors or separate spelling
        words), whose text fields were indexed apart (``text_lengths``: (name, field, each document's
        length)). Each field is indexed for all the documents at once (`index_plain_field`); what is
        left per document is its stored values, lengths and column values."""
        self._check_state()
        schema, base, perdoc = self.schema, self.docnum, self.perdocwriter
        field_lengths = {}
        for name in names:
            field = schema[name]
            if field.indexed:
                found = index_plain_field(field, [fields.get(name) for fields in documents], base)
                if field.scorable:
                    field_lengths[name] = found.lengths
                found.lengths = []
                self.pool.add_batch(name, found)
        recorded = [(name, schema[name], field_lengths.get(name)) for name in names
                    if schema[name].stored or schema[name].column_type or name in field_lengths]
        for i, fields in enumerate(documents):
            perdoc.given_lengths = [(name, field, lengths[i]) for name, field, lengths in text_lengths]
            perdoc.start_doc(base + i)
            for name, field, lengths in recorded:
                value = fields.get(name)
                if value is None:
                    continue
                length = lengths[i] if lengths else 0
                if field.stored or length:
                    perdoc.add_field(name, field, value if field.stored else None, length)
                if field.column_type:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
            perdoc.finish_doc()
            self.docnum += 1
            self._added = True

    def _batched_fields(self, documents: list[dict]) -> list[str]:
        """The fields `add_documents` indexes at once: none if a document has boosts (their
        keywords start with "_") or the segment is not written by Folio's codec."""
        if not isinstance(self.perdocwriter, FolioPerDocWriter) or any(
                key.startswith("_") for fields in documents for key in fields):
            return []
        present = {key for fields in documents for key in fields}
        return sorted(name for name in present if name in self.schema and batchable(self.schema[name])
                      and all(isinstance(fields.get(name, ""), str) for fields in documents))

    def add_postings_to_pool(self, reader, startdoc, docmap):
        """A merged segment's postings, a block at a time (Whoosh's way is a generator step and a
        pool call per posting). ``docmap`` maps the reader's live documents when it has deletions."""
        schema = self.schema
        for fieldname, tbytes in reader.all_terms():
            if fieldname not in schema:
                continue
            found = None
            for ids, weights, values in term_blocks(reader.postings(fieldname, tbytes)):
                if docmap is not None:
                    live = [i for i, docnum in enumerate(ids) if docnum in docmap]
                    ids = [docmap[ids[i]] for i in live]
                    weights, values = [weights[i] for i in live], [values[i] for i in live]
                else:
                    ids = [startdoc + docnum for docnum in ids]
                if not ids:
                    continue
                if found is None:
                    found = self.pool.postings_of(fieldname, tbytes)
                found.extend(ids, weights, values)

    def _flush_segment(self):
        """Each term's postings go to the codec at once, with the documents' field lengths read
        once per field (Whoosh's way is a few Python calls per posting)."""
        fieldwriter = self.fieldwriter
        if not isinstance(fieldwriter, FolioFieldWriter):  # a segment in Whoosh's own format
            return super()._flush_segment()
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        try:
            for fieldname, terms in self.pool.by_field():
                fieldobj = self.schema[fieldname]
                fieldwriter.start_field(fieldname, fieldobj)
                field_lengths = _lengths_of(lengths, fieldname, self.docnum) if fieldobj.scorable else None
                fieldwriter.write_terms(terms, field_lengths)
                fieldwriter.finish_field()
            fieldwriter.close()
        finally:
            if lengths is not None:
                lengths.close()


def _lengths_of(lengths, fieldname: str, count: int) -> np.ndarray | None:
    """Every document's length in a field (0 for none), as Whoosh's writer asks for them one
    posting at a time."""
    if lengths is None:
        return None
    return np.array([lengths.doc_field_length(d, fieldname) or 0 for d in range(count)], dtype=np.int64)


def _write_segment(storage, indexname: str, codec, sender, documents=(), merging=(), make_entry=None) -> None:
    """In a forked process: one segment of the segments ``merging`` and of ``documents``, sent back
    to the parent. Without the cyclic garbage collector: the process ends once its segment is
    written, and the collector's passes over its many live postings took a sixteenth of its time."""
    gc.disable()
    marks = memo_marks()
    try:
        writer = MemoryPoolWriter(storage.open_index(indexname), _lk=False, codec=codec)
        for segment in merging:
            reader = SegmentReader(storage, writer.schema, segment)
            try:
                writer.add_reader(reader)
            finally:
                reader.close()
        writer.add_documents([fields if isinstance(fields, dict) else make_entry(*fields) for fields in documents])
        sender.send(("segment", (writer._finalize_segment(), learned_since(marks))))
    except BaseException as exc:  # the parent reports it; its commit then fails as a whole
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def write_segments(storage, indexname: str, documents: list, procs: int, codec,
                   merging: list | None = None, make_entry=None, on_started=None) -> list:
    """New segments, not yet committed: ``documents`` indexed in ``procs`` forked processes, one
    segment each, and, when given, the segments ``merging`` merged into one by one more process
    (first in the list). The segments to merge carry any deletions made in this process. A
    document is its fields, or a tuple whose fields ``make_entry(*document)`` gives.
    ``on_started``: called once every process has started."""
    context = multiprocessing.get_context("fork")
    jobs = [{"merging": merging}] if merging else []
    if documents:
        share = -(-len(documents) // procs)
        jobs += [{"documents": documents[start:start + share], "make_entry": make_entry}
                 for start in range(0, len(documents), share)]
    workers = []
    for job in jobs:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_write_segment, daemon=True,
                                  args=(storage, indexname, codec, sender), kwargs=job)
        process.start()
        sender.close()
        workers.append((process, receiver))
    if on_started is not None:
        on_started()
    segments, problems = [], []
    for process, receiver in workers:
        try:
            kind, payload = receiver.recv()
        except EOFError:
            kind, payload = "error", "an indexing process ended without a result"
        finally:
            receiver.close()
        process.join()
        if kind == "segment":
            segment, learned = payload
            segments.append(segment)
            learn_words(learned)
        else:
            problems.append(payload)
    if problems:
        raise Unavailable(f"Indexing failed: {problems[0]}")
    return segments


#: a segment's terms of a field are read through, rather than each value looked up, when it holds
#: fewer documents than this many times the values (a term read in turn costs less than one looked up)
SCAN_RATIO = 4


def documents_with_values(searcher, pairs: list[tuple[str, object]]) -> set[int]:
    """What Whoosh's ``Searcher._find_unique`` gives, the first live document holding each (field,
    value), for many pairs at once. A segment that holds few documents for the values looked for
    has its terms of the field read through once: indexing the second 50,000 records of a bulk run
    looked each of their ids up in each segment, 1 s with the other core idle."""
    wanted: dict[str, set[bytes]] = {}
    for name, value in pairs:
        wanted.setdefault(name, set()).add(searcher.schema[name].to_bytes(value))
    found: set[int] = set()
    for reader, offset in searcher.reader().leaf_readers():
        for name, values in wanted.items():
            if len(values) * SCAN_RATIO >= reader.doc_count_all():
                present = values.intersection(reader.lexicon(name))
            else:
                present = {value for value in values if (name, value) in reader}
            for value in present:
                postings = reader.postings(name, value)
                if postings.is_active():  # a term whose documents are all deleted has none
                    found.add(offset + postings.id())
                    values.discard(value)  # the first live document only, as Whoosh
    return found


def delete_replaced(writer, pairs: list[tuple[str, object]]) -> None:
    """Delete the committed documents that the (unique field, value) ``pairs`` of new entries
    replace, looked up with one searcher for all of them (Whoosh's ``update_document`` opens one
    per entry)."""
    if pairs:
        with writer.searcher() as searcher:
            for docnum in documents_with_values(searcher, pairs):
                writer.delete_document(docnum)


class ForkingWriter(SegmentWriter):
    """Collects documents and, on commit, has ``procs`` processes write them as new segments (what
    Whoosh's ``ix.writer(procs=N, multisegment=True)`` does, more cheaply, see the module's notes).
    Documents that replace others are deleted with one searcher for the whole batch."""

    def __init__(self, ix, procs: int, **kwargs):
        super().__init__(ix, **kwargs)
        self.procs = procs
        self._documents: list[dict | tuple] = []  # fields, or records for `_make_entry`
        self._make_entry = None
        self._replacing: list[tuple[str, object]] = []
        self._merging: list = []
        self.on_started = None  # called once the writing processes have started

    def add_document(self, **fields):
        self._check_state()
        self._documents.append(fields)

    def update_document(self, **fields):
        self._check_state()
        self._replacing += [(name, fields[name]) for name in self._unique_fields(fields)]
        self._documents.append(fields)

    def update_documents_later(self, records: list[tuple], make_entry, replacing: list[tuple[str, object]]) -> None:
        """`update_document` for records whose fields ``make_entry(*record)`` gives, called by the
        process that indexes the record (so building the entries is shared out too: half a second
        per 20,000 records, with the other core idle). ``replacing``: the records' values of the
        schema's unique fields."""
        self._check_state()
        if self._make_entry not in (None, make_entry):
            raise ValueError("one way of making entries per commit")
        self._make_entry = make_entry
        self._replacing += replacing
        self._documents += records

    def add_reader(self, reader):
        """A merge policy's choice: the reader's segment is merged at commit, by a process of its
        own, alongside those indexing the documents (Whoosh merges in the committing process,
        sorting the postings externally: minutes for 50,000 documents)."""
        self._check_state()
        self._merging.append(reader.segment())

    def commit(self, mergetype=None, optimize=None, merge=None):
        self._check_state()
        delete_replaced(self, self._replacing)
        kept = self._merge_segments(mergetype, optimize, merge)  # fills self._merging
        make_plans(self.schema)
        new = (write_segments(self.storage, self.indexname, self._documents, self.procs, self.codec,
                              merging=self._merging, make_entry=self._make_entry, on_started=self.on_started)
               if self._documents or self._merging else [])
        self._close_segment()  # this writer's own segment stays empty
        self._commit_toc(kept + new)
        self._finish()
