"""Bulk indexing (index/bulkwriter.py, index/textfield.py): segments written by forked processes
with postings kept in memory, and text analysed through a memo of words, hold exactly what Whoosh's
own writer and analysis give; a failing process leaves the index as it was."""

from __future__ import annotations

import random

import numpy as np
import pytest

from index.archive import Archive
from index.bulkwriter import ForkingWriter
from index.codec import FolioCodec
from index.engine import BULK_PROCS_MIN_DOCS, release_failed_writer
from index.errors import Unavailable
from index.fieldterms import FieldTerms
from index.schema import build_schema
from index.search import SearchRequest
from tests.conftest import PEPS, load_peps
from tests.index.test_segments import note

QUERIES = ("python", '"standard library"', "author:guido", "title:unicode", "published:2001..2005",
           '"python enhancement proposal"', "python -library")


def build(root, procs: int) -> Archive:
    archive = Archive(root)
    archive.engine.bulk_procs = procs
    assert load_peps(archive) >= BULK_PROCS_MIN_DOCS  # one batch, large enough for processes
    return archive


def contents(archive: Archive) -> dict:
    """Everything an index holds, keyed by document id rather than number."""
    reader = archive.engine.searcher().reader()
    ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
    postings = {}
    for fieldname, text in reader.all_terms():
        m = reader.postings(fieldname, text)
        found = {}
        while m.is_active():
            found[ids[m.id()]] = (m.weight(), m.value() or b"")
            m.next()
        postings[fieldname, text] = found
    scorable = [name for name in reader.schema.names() if reader.schema[name].scorable]
    lengths = {(ids[d], name): reader.doc_field_length(d, name) for d in ids for name in scorable}
    lengths["totals"] = {name: reader.field_length(name) for name in scorable}
    lengths["terms"] = {term: term_statistics(reader.term_info(*term)) for term in reader.all_terms()}
    stored = {ids[d]: fields for d, fields in reader.iter_docs()}
    columns = {name: {ids[d]: value for d, value in enumerate(reader.column_reader(name)) if d in ids}
               for name in ("published", "reprint_group")}
    return {"postings": postings, "lengths": lengths, "stored": stored, "columns": columns,
            "count": reader.doc_count()}


def term_statistics(info) -> tuple:
    """What a term's entry says of its postings (scoring and skipping use them)."""
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight())


def answers(archive: Archive) -> list:
    return [[(h.id, h.snippet) for h in archive.search(SearchRequest(q=q, per_page=50)).hits] for q in QUERIES]


@pytest.fixture(scope="module")
def single_and_forked(tmp_path_factory):
    root = tmp_path_factory.mktemp("bulk")
    import index.bulkwriter as bulkwriter

    single = build(root / "single", procs=1)
    batch = bulkwriter.TEXT_BATCH_DOCS
    bulkwriter.TEXT_BATCH_DOCS = 50  # each process indexes its texts in several batches
    try:
        forked = build(root / "forked", procs=2)
    finally:
        bulkwriter.TEXT_BATCH_DOCS = batch
    yield single, forked
    single.close()
    forked.close()


def test_forked_segments_hold_what_one_writer_writes(single_and_forked):
    single, forked = single_and_forked
    # the bulk commit wrote one segment per process (later small commits may add more to both)
    assert len(forked.engine.ix._read_toc().segments) == len(single.engine.ix._read_toc().segments) + 1
    ours, theirs = contents(forked), contents(single)
    assert ours["count"] == theirs["count"] == single.count()
    assert ours["postings"].keys() == theirs["postings"].keys()
    for key in theirs["postings"]:
        assert ours["postings"][key] == theirs["postings"][key], key
    for part in ("lengths", "stored", "columns"):
        assert ours[part] == theirs[part], part


def test_forked_segments_answer_searches_alike(single_and_forked):
    single, forked = single_and_forked
    assert answers(forked) == answers(single)
    assert all(answers(forked))
    # Whoosh scores a prefix's expansion segment by segment, so only what it finds is compared
    found = [{h.id for h in a.search(SearchRequest(q="typ*", per_page=1000)).hits} for a in (single, forked)]
    assert found[0] == found[1] and found[0]


def test_forked_writer_replaces_documents_it_indexes_again(tmp_path):
    archive = build(tmp_path / "a", procs=2)
    before = contents(archive)
    docs = list(archive.catalog.get_many(archive.catalog.ids()).values())
    archive.engine.add(docs, timeout=600)  # every document again: each replaces itself
    after = contents(archive)
    assert after["count"] == before["count"] == len(docs)
    assert after["postings"] == before["postings"]
    assert after["stored"] == before["stored"]
    archive.close()


def test_a_failing_process_leaves_the_index_as_it_was(tmp_path):
    archive = Archive(tmp_path / "a")
    load_peps(archive, limit=30)
    engine = archive.engine
    toc_before = engine.ix._read_toc()
    entries = [engine.entry(d) for d in archive.catalog.get_many(archive.catalog.ids()).values()]
    writer = ForkingWriter(engine.ix, procs=2, codec=FolioCodec())
    for fields in entries:
        writer.add_document(**fields)
    writer.add_document(id="not-a-text", title=12345)  # Whoosh refuses a number for a text field
    with pytest.raises(Unavailable) as failure:
        writer.commit()
    release_failed_writer(writer)
    assert "not unicode" in failure.value.message
    toc_after = engine.ix._read_toc()
    assert toc_after.generation == toc_before.generation
    assert [s.segment_id() for s in toc_after.segments] == [s.segment_id() for s in toc_before.segments]
    # the lock is free again and the archive goes on working
    archive.engine.bulk_procs = 2
    load_peps(archive, limit=500)
    assert archive.search(SearchRequest(q="python")).total > 0
    archive.close()


# -- text analysed through the memo -----------------------------------------------------------------

WORDS = ("the", "a", "of", "and", "to", "Cuba's", "Cuba’s", "don't", "rock'n'roll", "résumé", "RESUME",
         "Ångström", "naïve", "e\u0301clair", "Straße", "ﬁnance", "running", "runs", "ran", "x's", "s's",
         "2020", "COVID-19", "under_score", "东京", "Москва", "it’s", "O’Brien", "USA", "i", "A",
         "peace", "peaceful", "Peace", "mr", "Mr.", "well-known", "ʼokina", "`quoted`")


def random_text(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(0, 40))]
    seps = [rng.choice((" ", "  ", ", ", ". ", "\n", " — ", "'", "’ ")) for _ in words]
    return "".join(w + s for w, s in zip(words, seps))


def postings_of(field, value) -> list:
    return sorted(field.index(value))


@pytest.mark.parametrize("name", ["title", "text", "author", "publication", "original_publication"])
def test_memo_text_indexes_what_whoosh_text_indexes(name):
    ours, whoosh_text = build_schema()[name], build_schema(legacy=True)[name]
    assert type(ours).__name__ == "MemoText" and type(whoosh_text).__name__ == "TEXT"
    rng = random.Random(name)
    texts = [random_text(rng) for _ in range(400)]
    texts += ["", "   ", "the of and", "the cat", "x's", "The Peace of Westphalia's terms"]
    texts += [line[:3000] for line in PEPS.read_text(encoding="utf-8").splitlines()[:60]]
    for text in texts:
        assert postings_of(ours, text) == postings_of(whoosh_text, text), text


def test_memo_text_leaves_other_values_to_whoosh():
    ours, whoosh_text = build_schema()["text"], build_schema(legacy=True)["text"]
    tokens = ["already", "split", "words", "the"]
    assert postings_of(ours, tokens) == postings_of(whoosh_text, tokens)
    with pytest.raises(ValueError):
        list(ours.index(12345))


def segment_sizes(archive) -> list[int]:
    """Live documents per segment."""
    return sorted(s.doc_count() for s in archive.engine.ix._read_toc().segments)


def test_small_segments_merged_by_a_forked_commit_keep_their_documents(tmp_path):
    archive = Archive(tmp_path / "a")
    for i in range(3):
        archive.add(note(i), f"n{i}.txt")  # a segment each: too few for the idle merge
    archive.engine.delete([])
    assert segment_sizes(archive) == [1, 1, 1]
    archive.engine.bulk_procs = 2
    added = load_peps(archive, limit=450)
    sizes = segment_sizes(archive)
    assert 1 not in sizes and sum(sizes) == added + 3  # the three merged into one segment
    for i in range(3):
        assert archive.search(SearchRequest(q=f"zq{i}x")).total == 1
    assert archive.search(SearchRequest(q="harbour")).total == 3
    archive.close()


def test_a_bounded_merge_takes_the_smallest_segments_up_to_its_limit(tmp_path):
    from functools import partial

    from index.engine import merge_smallest

    archive = Archive(tmp_path / "a")
    for i in range(5):
        archive.add(note(i) * (i + 1), f"n{i}.txt")
    archive.engine.delete([])
    assert segment_sizes(archive) == [1, 1, 1, 1, 1]
    writer = archive.engine.ix.writer(codec=FolioCodec(), timeout=10)  # the idle merge may be looking
    writer.commit(mergetype=partial(merge_smallest, limit=3))
    assert segment_sizes(archive) == [1, 1, 3]
    assert archive.search(SearchRequest(q="harbour")).total == 5
    archive.close()


def written_term(storage, codec, fieldobj, postings, at_once) -> tuple[bytes, bytes]:
    """The postings and term files of a segment with a few terms, their postings given one by one
    (False), at once (True), as whole terms ("whole") or all terms of the field at once ("field")."""
    segment = codec.new_segment(storage, "MAIN")
    writer = codec.field_writer(storage, segment)
    writer.start_field("text", fieldobj)
    if at_once == "field":
        write_field_at_once(writer, postings)
    for term in (b"word", b"words", b"wordy") if at_once != "field" else ():  # each with one posting fewer
        if at_once == "whole":
            writer.write_term(term, *map(list, zip(*postings)))
        else:
            writer.start_term(term)
            if at_once:
                writer.add_term_postings(*map(list, zip(*postings)))
            else:
                for posting in postings:
                    writer.add(*posting)
            writer.finish_term()
        postings = postings[:-1] or postings
    writer.finish_field()
    writer.close()
    files = [f for f in storage.list() if f.startswith(segment.segment_id())]
    return tuple(storage.open_file(f).read() for f in sorted(files))


def write_field_at_once(writer, postings) -> None:
    """`written_term`'s terms through `write_terms`, with each document's length in an array (None
    when no posting has one, as for a field without lengths)."""
    terms, ids, weights, values, bounds = [], [], [], [], [0]
    doc_lengths = np.zeros(5000, dtype=np.int64)
    for term in (b"word", b"words", b"wordy"):
        terms.append(term)
        for docnum, weight, value, length in postings:
            ids.append(docnum)
            weights.append(weight)
            values.append(value)
            doc_lengths[docnum] = length
        bounds.append(len(ids))
        postings = postings[:-1] or postings
    found = FieldTerms(terms=terms, bounds=np.array(bounds), docnums=np.array(ids, dtype=np.int64),
                       weights=np.array(weights), values=np.array(values, dtype=object))
    writer.write_terms(found, doc_lengths if doc_lengths.any() else None)


@pytest.mark.parametrize("fieldname", ["text", "author_exact"])  # values of word positions; of a fixed size
def test_postings_given_at_once_are_written_as_one_by_one(tmp_path, monkeypatch, fieldname):
    import index.codec
    archive = Archive(tmp_path / "a")
    storage, codec = archive.engine.ix.storage, FolioCodec()
    fieldobj = archive.engine.ix.schema[fieldname]
    rng = random.Random(5)
    for count in (1, 2, 3, 511, 512, 513, 1024, 1500):  # inlined, one block, several blocks
        for scored in (True, False):  # a field without lengths has 0 for every posting
            # all 1, all the same, mixed; whole numbers kept in a byte, two bytes or four (see index.codec)
            for weighting in ((1.0,), (2.0,), (1, 1, 2, 3.5), (0.1, 1 / 3), (1, 200, 300), (1, 70000)):
                docnums = sorted(rng.sample(range(5000), count))
                values = [fieldobj.format.encode(sorted(rng.sample(range(900), rng.randint(1, 4))))
                          if fieldname == "text" else rng.randint(1, 4).to_bytes(4, "big") for _ in docnums]
                postings = [(d, float(rng.choice(weighting)), v, rng.choice((1, 7, 300, 4000)) if scored else 0)
                            for d, v in zip(docnums, values)]
                one_by_one = written_term(storage, codec, fieldobj, postings, False)
                assert written_term(storage, codec, fieldobj, postings, True) == one_by_one, (count, scored)
                assert written_term(storage, codec, fieldobj, postings, "whole") == one_by_one, (count, scored)
                assert written_term(storage, codec, fieldobj, postings, "field") == one_by_one, (count, scored)
                with monkeypatch.context() as patched:  # the field's terms written a few at a time
                    patched.setattr(index.codec, "_TERMS_PER_WRITE", 2)
                    patched.setattr(index.codec, "_POSTINGS_PER_WRITE", 3)
                    assert written_term(storage, codec, fieldobj, postings, "field") == one_by_one, (count, scored)
    archive.close()


def test_terms_are_cut_into_blocks_of_at_most_the_limit():
    from index.fieldterms import in_blocks

    counts = [1, 3, 4, 5, 9, 2]
    bounds = np.concatenate(([0], np.cumsum(counts)))
    found = FieldTerms(terms=[b"t%d" % i for i in range(len(counts))], bounds=bounds,
                       docnums=np.arange(bounds[-1]), weights=np.ones(bounds[-1]),
                       values=np.array([b""] * bounds[-1], dtype=object))
    blocks = in_blocks(found, 4)
    expected = [0, 1, 4, 8, 12, 13, 17, 21, 22, 24]  # 1 | 3 | 4 | 4+1 | 4+4+1 | 2
    assert blocks.bounds.tolist() == expected
    assert blocks.docnums is found.docnums and blocks.terms == found.terms
    assert in_blocks(found, 9) is found  # every term fits in one block


def several_segments(root) -> Archive:
    """An archive of PEPs and notes in five segments, two of them missing a deleted document (the
    PEPs' terms have postings in blocks, the notes' are kept with their terms)."""
    archive = Archive(root)
    archive.engine.bulk_procs = 1
    load_peps(archive, limit=120)
    first = set(archive.catalog.ids())
    load_peps(archive, limit=240)
    notes = [archive.add(note(i) * (i + 2), f"n{i}.txt")[0].id for i in range(3)]
    archive.delete(sorted(set(archive.catalog.ids()) - first - set(notes))[7])
    archive.delete(notes[1])
    archive.engine.delete([])
    return archive


def test_a_forked_commit_merges_segments_as_whoosh_merges_them(tmp_path):
    from functools import partial

    from index.engine import merge_smallest

    theirs, ours = several_segments(tmp_path / "whoosh"), several_segments(tmp_path / "forked")
    assert len(segment_sizes(ours)) >= 5 and segment_sizes(ours) == segment_sizes(theirs)
    policy = partial(merge_smallest, limit=10_000)
    theirs.engine.ix.writer(codec=FolioCodec(), timeout=10).commit(mergetype=policy)
    ForkingWriter(ours.engine.ix, procs=2, codec=FolioCodec(), timeout=10).commit(mergetype=policy)
    assert len(segment_sizes(ours)) == 1 and segment_sizes(ours) == segment_sizes(theirs)
    mine, whooshs = contents(ours), contents(theirs)
    assert mine["postings"] == whooshs["postings"]
    for part in ("count", "lengths", "stored", "columns"):
        assert mine[part] == whooshs[part], part
    assert answers(ours) == answers(theirs) and all(answers(ours))
    theirs.close()
    ours.close()


def test_the_caller_hears_when_a_batch_is_being_indexed_or_done(tmp_path):
    """Set for a batch indexed by processes, for a small one, and for one whose commit fails, so a
    caller waiting to start other work is never left waiting."""
    import dataclasses
    import threading

    archive = Archive(tmp_path / "a")
    load_peps(archive, limit=BULK_PROCS_MIN_DOCS + 10)
    archive.engine.bulk_procs = 2
    docs = list(archive.catalog.get_many(archive.catalog.ids()).values())
    for batch in (docs, docs[:3]):
        started = threading.Event()
        archive.engine.wait(archive.engine.submit_add(batch, started=started), timeout=600)
        assert started.is_set()
    assert archive.engine.doc_count() == len(docs)
    started = threading.Event()
    failing = archive.engine.submit_add([dataclasses.replace(docs[0], title=12345)], started=started)
    with pytest.raises(Exception):
        archive.engine.wait(failing, timeout=600)
    assert started.is_set()
    archive.close()


def test_words_the_index_processes_work_out_are_kept_for_the_next_ones(tmp_path):
    """The parent's memo learns each new word's term from the processes, the term the analyzer
    gives, so the next group's processes need not work it out again."""
    from index.bulkwriter import write_segments
    from index.textfield import make_plans

    archive = Archive(tmp_path / "a")
    engine = archive.engine
    make_plans(engine.schema)
    plan = engine.schema["text"]._memo_plan()
    rng = random.Random(11)
    new_words = ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)) + "ing" for _ in range(50)]
    assert not set(new_words) & set(plan.words.memo)
    entries = [{"id": f"d{i}", "text": " ".join(new_words[i::5])} for i in range(5)]
    segments = write_segments(engine.ix.storage, engine.ix.indexname, entries, 2, FolioCodec())
    assert len(segments) == 2
    for word in new_words:
        assert plan.words.memo[word] == [t.text for t in plan.words.analyzer(word, mode="index")][0]
    archive.close()


@pytest.mark.parametrize("scan_ratio", [0, 10**9])  # each value looked up; every segment read through
def test_documents_holding_values_are_those_whoosh_finds_one_by_one(tmp_path, monkeypatch, scan_ratio):
    import index.bulkwriter as bulkwriter

    monkeypatch.setattr(bulkwriter, "SCAN_RATIO", scan_ratio)
    archive = several_segments(tmp_path / "a")
    live = set(archive.catalog.ids())
    with archive.engine.ix.searcher() as searcher:
        indexed = [term.decode() for term in searcher.reader().lexicon("id")]  # deleted ones too
        deleted = set(indexed) - live
        assert len(deleted) == 2
        pairs = [("id", doc_id) for doc_id in indexed[::3] + sorted(deleted)] + [("id", "no-such-id")]
        found = bulkwriter.documents_with_values(searcher, pairs)
        assert found == searcher._find_unique(pairs)
        assert len(found) == len({doc_id for _, doc_id in pairs} & live)
    archive.close()

