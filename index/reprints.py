"""Reprints: the same article stored more than once (re-headed, retitled, trimmed, lightly edited).

How copies are found:

1. The body text becomes a set of word shingles (``SHINGLE_WORDS`` consecutive folded words),
   hashed to 32 bits; the title and the metadata are left out on purpose, so a new header, byline
   layout or title does not hide a copy.
2. A MinHash signature (``PERMUTATIONS`` values) summarises the set; its values are cut into
   ``BANDS`` bands of ``ROWS`` rows, and each band is kept as one key in SQLite (locality-sensitive
   hashing). Documents that share a band key are candidates; with 2-row bands two texts whose
   shingle sets overlap by a fifth are candidates almost surely.
3. Candidates are confirmed on their exact shingle sets (`same_article`): they are one article when
   their Jaccard similarity is high, or when the shorter one is mostly contained in the longer one
   and is not a small fraction of it, and what they share is one stretch from near the start of the
   longer one (a trimmed copy keeps the opening). A quoted paragraph shared by two different articles
   is a small part of each, and quotations picked from inside a longer piece are not one opening
   stretch, so neither is grouped.

Confirmed pairs are stored as links; a group is a connected set of links, identified by the id of
the first member it had. Everything here is derived from the catalog's text and can be rebuilt.
The signature is computed in Python/numpy rather than with a MinHash library because the LSH
buckets must live in the catalog (SQLite), so candidates are found without loading every signature.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import zlib
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Iterable, Iterator

import numpy as np

from index.arrays import distinct_counts
from index.pendingkeys import PendingKeys
from index.schema import fold
from index.sqlin import rows_in
from index.sqlpairs import insert_pairs

log = logging.getLogger("folio.reprints")

SHINGLE_WORDS = 5
PERMUTATIONS = 128
ROWS = 2
BANDS = PERMUTATIONS // ROWS
#: below this many shingles a text is too short to call anything a copy of it
MIN_SHINGLES = 15
#: one article if the shingle sets are this similar (Jaccard) ...
SAME_JACCARD = 0.5
#: ... or if this much of the shorter text is in the longer one ...
SAME_CONTAINMENT = 0.7
#: ... and the shorter text is at least this fraction of the longer one (so a quotation is not a copy),
#: and what they share starts early in the longer text and is one dense stretch of it
MIN_SIZE_RATIO = 0.2
MAX_BLOCK_START = 0.3
MIN_BLOCK_DENSITY = 0.65
RUN_GAP = 120

_MASK32 = np.uint64(0xFFFFFFFF)
_WORD = re.compile(r"\w+")
_WORD_ASCII = re.compile(r"\w+", re.ASCII)
TRANSACTION_DOCS = 100
#: bulk adds: 20,000 synthetic articles took 26.4 s with 100 documents per transaction and SQLite's
#: small cache, 13.4 s with 1,000 and 64 MB (a transaction holds the write lock about 0.7 s)
BULK_TRANSACTION_DOCS = 1000
BULK_CACHE_KB = 64 * 1024
#: a bulk run writes the band keys it holds (see `index.pendingkeys`) once it holds this many
#: (16 bytes each in memory: about 125,000 documents' keys)
PENDING_KEYS_LIMIT = 8_000_000
_CHUNK = 4096
#: hashes of several texts whose signatures are worked out together (a work array of 8 MB: 3,000
#: texts of the benchmark took 0.42 s one at a time, 0.19 s by 4,096 hashes, 0.15 s by 8,192, and
#: 0.48 s by 16,384, past the processor's cache)
_GROUP_HASHES = 8192

TABLES = """
CREATE TABLE IF NOT EXISTS reprint_signatures (
    doc_id    TEXT PRIMARY KEY,
    shingles  INTEGER NOT NULL,
    signature BLOB NOT NULL
);
-- one row per band of each signature: the band's key and the document's id as a number (see
-- `doc_number`); a document's rows are found again from its signature, so no second index
CREATE TABLE IF NOT EXISTS reprint_keys (
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (key, doc)
) WITHOUT ROWID;
-- documents (as numbers) whose band keys a bulk run still holds in memory; if the run stops first,
-- their keys are worked out again from their signatures when the catalog is next opened
CREATE TABLE IF NOT EXISTS reprint_unkeyed (doc INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS reprint_links (
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    similarity REAL NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS reprint_links_b ON reprint_links(b);
CREATE TABLE IF NOT EXISTS reprint_groups (
    doc_id   TEXT PRIMARY KEY,
    group_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reprint_groups_group ON reprint_groups(group_id);
"""


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(20260301)  # fixed: stored signatures must stay comparable
    a = rng.randint(0, 2**63 - 1, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.randint(0, 2**63 - 1, size=PERMUTATIONS, dtype=np.uint64)
    return a, b


_A, _B = _permutations()


# -- text to shingles to signature -----------------------------------------------------------------


@lru_cache(maxsize=50000)
def _fold_word(word: str) -> str:
    return fold(word)


def _fold(word: str) -> str:
    word = word.lower()
    return word if word.isascii() else _fold_word(word)


def words(text: str) -> list[str]:
    """The folded words of a text, as shingles see them (only non-ASCII words need the slow fold;
    in an ASCII text the expression compiled for ASCII finds the same words, sooner)."""
    lowered = (text or "").lower()
    if lowered.isascii():
        return _WORD_ASCII.findall(lowered)
    return [w if w.isascii() else _fold_word(w) for w in _WORD.findall(lowered)]


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Folded words with their character offsets in the original text (for highlighting)."""
    return [(_fold(m.group()), m.start(), m.end()) for m in _WORD.finditer(text or "")]


class _WordHashes(dict):
    """word -> its CRC-32, remembered across texts (most words of a text were in earlier ones:
    half the time of hashing each text's distinct words)."""

    def __missing__(self, word: str) -> int:
        found = self[word] = zlib.crc32(word.encode("utf-8"))
        return found


_WORD_HASHES = _WordHashes()
#: words remembered before the memo starts over
WORD_HASHES_LIMIT = 500_000


def shingle_hashes(tokens: list[str], k: int = SHINGLE_WORDS) -> np.ndarray:
    """One 32-bit hash per run of ``k`` consecutive words, in text order (duplicates kept)."""
    if not tokens:
        return np.zeros(0, dtype=np.uint64)
    if len(_WORD_HASHES) > WORD_HASHES_LIMIT:
        _WORD_HASHES.clear()
    return shingles_of(np.fromiter(map(_WORD_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens)), k)


def shingles_of(hashed: np.ndarray, k: int = SHINGLE_WORDS) -> np.ndarray:
    """`shingle_hashes` of words given as their CRC-32 values (uint64), in text order."""
    if not len(hashed):
        return np.zeros(0, dtype=np.uint64)
    if len(hashed) < k:
        k = len(hashed)
    count = len(hashed) - k + 1
    out = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            out = out * np.uint64(1000003) + hashed[j : j + count]
    return out & _MASK32


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (``PERMUTATIONS`` uint32 values) of a set of shingle hashes."""
    return _minhash(np.unique(hashes))


def _minhash(hashes: np.ndarray) -> np.ndarray:
    """`signature` of shingle hashes (repeated ones only repeat work)."""
    return _high_bits(_least_values(hashes))


def _least_values(hashes: np.ndarray) -> np.ndarray:
    """The least of each permutation's 64-bit values of ``hashes`` (all ones when there are none)."""
    sig = np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), _CHUNK):
        np.minimum(sig, _permuted(hashes[start : start + _CHUNK]).min(axis=1), out=sig)
    return sig


def _permuted(hashes: np.ndarray) -> np.ndarray:
    """Each permutation's values of ``hashes``, one row per permutation: multiply-shift hashing, the
    high 32 bits of (a·x + b) mod 2^64 with one (a, b) per permutation (worked in place: half the
    time of building a new array at each step)."""
    with np.errstate(over="ignore"):
        values = np.multiply.outer(_A, hashes)
        values += _B[:, None]
    return values


def _high_bits(least: np.ndarray) -> np.ndarray:
    return (least >> np.uint64(32)).astype(np.uint32)  # the high bits of the least: the least high bits


def signatures(texts: list[np.ndarray]) -> np.ndarray:
    """`_minhash` of each text's shingle hashes, one row each: texts are taken together up to
    ``_GROUP_HASHES`` hashes at a time, their least values found with one `reduceat` (one text at a
    time, the numpy calls on 128 by 300 values cost more than their arithmetic)."""
    least = np.full((len(texts), PERMUTATIONS), np.iinfo(np.uint64).max, dtype=np.uint64)
    group: list[int] = []
    size = 0
    for i, hashes in enumerate(texts):
        if len(hashes) >= _GROUP_HASHES:
            least[i] = _least_values(hashes)
            continue
        if size + len(hashes) > _GROUP_HASHES:
            _least_of_group(texts, group, least)
            group, size = [], 0
        if len(hashes):
            group.append(i)
            size += len(hashes)
    _least_of_group(texts, group, least)
    return _high_bits(least)


def _least_of_group(texts: list[np.ndarray], group: list[int], least: np.ndarray) -> None:
    """Set ``least[i]`` for each text ``i`` of ``group`` (none of them without hashes)."""
    if not group:
        return
    parts = [texts[i] for i in group]
    starts = np.cumsum([0] + [len(part) for part in parts[:-1]])
    least[group] = np.minimum.reduceat(_permuted(np.concatenate(parts)), starts, axis=1).T


@dataclass(frozen=True)
class Fingerprint:
    """What finding a text's copies needs of it, worked out from the text alone, so the readers of
    a bulk ingest work it out in parallel: the number of distinct shingles, the MinHash signature,
    and its band keys (none when the text is too short to be looked at for copies)."""
    shingles: int
    signature: np.ndarray
    keys: tuple[int, ...]


def fingerprint(text: str, tokens: list[str] | None = None, word_crcs: np.ndarray | None = None) -> Fingerprint:
    """``tokens``: the text's `words`, when already at hand; or ``word_crcs``, their CRC-32 values
    (see `index.wordcrc`)."""
    if word_crcs is not None:
        hashes = shingles_of(word_crcs)
    else:
        hashes = shingle_hashes(words(text) if tokens is None else tokens)
    return _fingerprint_of(hashes, _minhash(hashes))  # a minimum is the same with repeated values


def _fingerprint_of(hashes: np.ndarray, sig: np.ndarray) -> Fingerprint:
    """The fingerprint of a text with these shingle hashes and this signature."""
    distinct = _distinct(hashes)
    return Fingerprint(distinct, sig, tuple(band_keys(sig)) if distinct >= MIN_SHINGLES else ())


def fingerprints_of_word_crcs(word_crcs: list[np.ndarray]) -> list[Fingerprint]:
    """`fingerprint` of each text given as its words' CRC-32 values, the signatures worked out
    together (see `signatures`)."""
    hashes = [shingles_of(crcs) for crcs in word_crcs]
    return [_fingerprint_of(text_hashes, sig) for text_hashes, sig in zip(hashes, signatures(hashes))]


def fingerprints_as_arrays(prints: list[Fingerprint | None]) -> tuple[np.ndarray, ...]:
    """Fingerprints (None for a text without one) as arrays, which pickle as their bytes, for
    sending many from a reader process: each one's number of shingles (-1 for None), its signature
    (a row each), whether it has band keys, and the keys of those that have (a row each). Pickled
    one by one, a fingerprint's tuple of 64 keys and its small array took about 30 µs to send and
    take back."""
    shingles = np.full(len(prints), -1, dtype=np.int64)
    sigs = np.zeros((len(prints), PERMUTATIONS), dtype=np.uint32)
    has_keys = np.zeros(len(prints), dtype=bool)
    keyed = []
    for i, print_ in enumerate(prints):
        if print_ is not None:
            shingles[i], sigs[i], has_keys[i] = print_.shingles, print_.signature, bool(print_.keys)
            if print_.keys:
                keyed.append(print_.keys)
    return shingles, sigs, has_keys, np.array(keyed, dtype=np.int64).reshape(len(keyed), BANDS)


def fingerprints_from_arrays(shingles: np.ndarray, sigs: np.ndarray, has_keys: np.ndarray,
                             keys: np.ndarray) -> list[Fingerprint | None]:
    """The fingerprints `fingerprints_as_arrays` was given (their signatures rows of ``sigs``)."""
    keyed = iter(keys.tolist())
    return [None if count < 0 else Fingerprint(count, sig, tuple(next(keyed)) if with_keys else ())
            for count, sig, with_keys in zip(shingles.tolist(), sigs, has_keys.tolist())]


def _distinct(hashes: np.ndarray) -> int:
    """How many different values (a sort and a comparison: half the time of a set of them)."""
    if len(hashes) < 2:
        return len(hashes)
    ordered = np.sort(hashes)
    return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))


_BAND_HASHERS = [hashlib.blake2b(digest_size=8, person=band.to_bytes(2, "big")) for band in range(BANDS)]


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (SQLite integers are signed): the band's values hashed with
    BLAKE2b personalised by the band's number (a copy of a hasher made once per band)."""
    raw, step = np.ascontiguousarray(sig, dtype=np.uint32).tobytes(), 4 * ROWS
    digests = []
    for band, hasher in enumerate(_BAND_HASHERS):
        hasher = hasher.copy()
        hasher.update(raw[band * step : (band + 1) * step])
        digests.append(hasher.digest())
    return np.frombuffer(b"".join(digests), dtype=">i8").tolist()  # each digest a big-endian signed number


def doc_number(doc_id: str) -> int | None:
    """A document id (16 hex digits) as the signed 64-bit number SQLite keeps in 8 bytes; None for
    an id of another form (such a document is not looked at for copies)."""
    try:
        number = int(doc_id, 16) if len(doc_id) == 16 else None
    except ValueError:
        return None
    if number is None or format(number, "016x") != doc_id:
        return None
    return number - (1 << 64) if number >= 1 << 63 else number


def doc_id_of(number: int) -> str:
    return format(number & 0xFFFF_FFFF_FFFF_FFFF, "016x")


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


# -- deciding --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Likeness:
    jaccard: float
    containment: float
    size_ratio: float
    #: where the shared text starts in the longer document (0 = its beginning, 1 = its end)
    block_start: float = 0.0
    #: share of the shared shingles that lie in that one stretch
    block_density: float = 1.0

    @property
    def same_article(self) -> bool:
        if self.jaccard >= SAME_JACCARD:
            return True
        # A shorter text mostly found in a longer one is a trimmed copy when what they share is one
        # stretch from near the start (a reprint keeps the opening); quotations picked from here and
        # there inside a longer piece are not.
        return (self.containment >= SAME_CONTAINMENT and self.size_ratio >= MIN_SIZE_RATIO
                and self.block_start <= MAX_BLOCK_START and self.block_density >= MIN_BLOCK_DENSITY)


def likeness(a: np.ndarray, b: np.ndarray) -> Likeness:
    """How alike two texts are, from their shingle hashes in text order."""
    set_a, set_b = set(a.tolist()), set(b.tolist())
    if not set_a or not set_b:
        return Likeness(0.0, 0.0, 0.0)
    inter = len(set_a & set_b)
    small, large = sorted((len(set_a), len(set_b)))
    longer, shorter = (a, set_b) if len(set_a) >= len(set_b) else (b, set_a)
    shared = np.flatnonzero(np.isin(longer, np.fromiter(shorter, dtype=np.uint64, count=len(shorter))))
    start, share = main_run(shared, len(longer))
    return Likeness(inter / (len(set_a) + len(set_b) - inter), inter / small, small / large, start, share)


def main_run(positions: np.ndarray, length: int) -> tuple[float, float]:
    """Where the longest stretch of shared shingles starts (as a fraction of ``length``) and what share
    of all shared shingles it holds. Gaps up to ``RUN_GAP`` shingles (edits) do not break a stretch."""
    if not len(positions):
        return 1.0, 0.0
    breaks = np.flatnonzero(np.diff(positions) > RUN_GAP) + 1
    runs = np.split(positions, breaks)
    best = max(runs, key=len)
    return float(best[0]) / max(length, 1), len(best) / len(positions)


def same_article(text_a: str, text_b: str) -> bool:
    a, b = shingle_hashes(words(text_a)), shingle_hashes(words(text_b))
    if len(set(a.tolist())) < MIN_SHINGLES or len(set(b.tolist())) < MIN_SHINGLES:
        return False
    return likeness(a, b).same_article


# -- storage ---------------------------------------------------------------------------------------


class Reprints:
    """Signatures, LSH buckets, links and groups, kept in the catalog's SQLite file."""

    def __init__(self, catalog):
        self.catalog = catalog
        self._conn().executescript(TABLES)
        self._move_old_bands()
        self._pending = PendingKeys()
        self._key_unkeyed()

    def _move_old_bands(self) -> None:
        """Archives made before keep their band keys in ``reprint_bands`` with text ids and two
        indexes (more than half of a large catalog); they move to ``reprint_keys`` once, in one
        transaction. The freed pages are reused by the catalog (``VACUUM`` gives them back)."""
        conn = self._conn()
        exists = "SELECT 1 FROM sqlite_master WHERE type='table' AND name='reprint_bands'"
        if not conn.execute(exists).fetchone():
            return
        log.info("moving the reprint keys to their compact table (once; about 30 s per 100,000 documents)")
        conn.create_function("folio_doc_number", 1, doc_number, deterministic=True)
        with self.catalog.larger_cache(256 * 1024), self.catalog.transaction() as c:
            if not c.execute(exists).fetchone():  # another process moved them meanwhile
                return
            # OR IGNORE also skips ids of another form (their number is NULL)
            c.execute("INSERT OR IGNORE INTO reprint_keys (key, doc) "
                      "SELECT key, folio_doc_number(doc_id) FROM reprint_bands ORDER BY key")
            c.execute("DROP TABLE reprint_bands")

    def _conn(self) -> sqlite3.Connection:
        return self.catalog._connection()

    # -- writing

    def add(self, docs: Iterable, bulk: bool = False, fingerprints: dict[str, Fingerprint] | None = None
            ) -> set[str]:
        """Fingerprint new documents and link them to their copies. Returns the ids whose group changed
        (so their index entries can be refreshed). ``bulk`` (``folio ingest``, reindex): larger
        transactions and a larger page cache, and band keys held in memory until `flush_keys` (the
        caller's to call when the run ends; see `index.pendingkeys`).
        ``fingerprints``: those of the documents' texts already worked out, by id."""
        changed: set[str] = set()
        texts: dict[str, str] = {}
        docs = list(docs)
        known = fingerprints or {}
        size = BULK_TRANSACTION_DOCS if bulk else TRANSACTION_DOCS
        with self.catalog.larger_cache(BULK_CACHE_KB) if bulk else nullcontext():
            for start in range(0, len(docs), size):  # short transactions: uploads wait less
                with self.catalog.transaction() as conn:
                    changed |= self._add_batch(conn, docs[start:start + size], texts, known, hold_keys=bulk)
        if self._pending.size >= PENDING_KEYS_LIMIT:
            self.flush_keys()
        return changed

    def _add_batch(self, conn, docs: list, texts: dict[str, str], known: dict[str, Fingerprint],
                   hold_keys: bool = False) -> set[str]:
        """Documents added in order, as if one at a time, with a few statements for the whole batch:
        the band keys already stored (or held) are looked up at once, and the batch's own keys are
        inserted at once, in key order (one statement per document was a third of storing a record
        in bulk). ``hold_keys``: the batch's keys are held in memory and its documents listed as
        unkeyed instead."""
        fresh = self._without_fingerprints(conn, docs)
        prints = {doc.id: known.get(doc.id) or fingerprint(doc.text) for doc in fresh}
        conn.executemany("INSERT INTO reprint_signatures (doc_id, shingles, signature) VALUES (?,?,?)",
                         [(doc.id, prints[doc.id].shingles, prints[doc.id].signature.tobytes()) for doc in fresh])
        keyed = [(doc, number) for doc in fresh
                 if prints[doc.id].keys and (number := doc_number(doc.id)) is not None]
        flat = np.fromiter(chain.from_iterable(prints[doc.id].keys for doc, _ in keyed), dtype=np.int64)
        distinct, repeats = distinct_counts(flat)
        stored = self._stored_keys(conn, distinct.tolist())
        if self._pending.size:
            for key, held in self._pending.lookup(distinct).items():
                known_docs = stored.setdefault(key, [])
                known_docs += [number for number in held if number not in known_docs]
        # only keys stored before or found more than once in the batch can make candidates
        shared = set(distinct[repeats > 1].tolist()).union(stored)
        earlier: dict[int, list[int]] = {}  # the batch's shared keys so far, as the next document sees them
        changed: set[str] = set()
        for doc, number in keyed:
            keys = prints[doc.id].keys
            counts: dict[int, int] = {}
            for key in dict.fromkeys(keys) if not shared.isdisjoint(keys) else ():
                if key not in shared:
                    continue
                # as many as the (key, document) rows a document shares
                before, now = stored.get(key, ()), earlier.get(key, ())
                for other in set(before).union(now) if before and now else before or now:
                    counts[other] = counts.get(other, 0) + 1
                earlier.setdefault(key, []).append(number)
            candidates = [doc_id for _, doc_id in sorted((-count, doc_id_of(other))
                                                         for other, count in counts.items() if other != number)]
            changed |= self._link(conn, doc.id, doc.text, prints[doc.id], candidates, texts)
        if hold_keys:
            conn.executemany("INSERT OR IGNORE INTO reprint_unkeyed (doc) VALUES (?)", [(n,) for _, n in keyed])
            numbers = np.array([number for _, number in keyed], dtype=np.int64)
            self._pending.add(flat, np.repeat(numbers, [len(prints[doc.id].keys) for doc, _ in keyed]))
        else:
            conn.executemany("INSERT OR IGNORE INTO reprint_keys (key, doc) VALUES (?,?)",
                             sorted({(key, number) for doc, number in keyed for key in prints[doc.id].keys}))
        return changed

    def flush_keys(self) -> int:
        """Write the band keys held by bulk adds, in key order, in one transaction; returns how many
        pairs. Keys of documents removed meanwhile (no longer listed as unkeyed) are left out."""
        if not self._pending.size:
            return 0
        keys, docs = self._pending.pairs()
        held = self._pending.documents()
        with self.catalog.larger_cache(BULK_CACHE_KB), self.catalog.transaction() as conn:
            waiting = np.fromiter((r[0] for r in conn.execute("SELECT doc FROM reprint_unkeyed")), dtype=np.int64)
            removed = np.setdiff1d(held, waiting, assume_unique=True)
            if len(removed):
                keep = ~np.isin(docs, removed)
                keys, docs = keys[keep], docs[keep]
            insert_pairs(conn, "reprint_keys", ("key", "doc"), keys, docs)
            conn.executemany("DELETE FROM reprint_unkeyed WHERE doc=?", [(n,) for n in held.tolist()])
        self._pending.clear()
        return len(keys)

    def _key_unkeyed(self) -> None:
        """Store the band keys of documents a bulk run listed as unkeyed and did not get to write
        (it was stopped), from their stored signatures. Another run still holding them writes the
        same rows, which are then ignored."""
        conn = self._conn()
        if conn.execute("SELECT 1 FROM reprint_unkeyed LIMIT 1").fetchone() is None:
            return
        numbers = [r[0] for r in conn.execute("SELECT doc FROM reprint_unkeyed")]
        log.info("storing the reprint keys of %d document(s) an interrupted bulk run left unkeyed", len(numbers))
        with self.catalog.larger_cache(BULK_CACHE_KB), self.catalog.transaction() as c:
            rows = set()
            for doc_id, blob in rows_in(c, "SELECT doc_id, signature FROM reprint_signatures WHERE doc_id IN ({marks})",
                                        [doc_id_of(n) for n in numbers]):
                number = doc_number(doc_id)
                rows.update((key, number) for key in band_keys(np.frombuffer(blob, dtype=np.uint32)))
            c.executemany("INSERT OR IGNORE INTO reprint_keys (key, doc) VALUES (?,?)", sorted(rows))
            c.executemany("DELETE FROM reprint_unkeyed WHERE doc=?", [(n,) for n in numbers])

    @staticmethod
    def _without_fingerprints(conn, docs: list) -> list:
        """Those of ``docs`` that have no stored fingerprint yet (each once)."""
        ids = list(dict.fromkeys(doc.id for doc in docs))
        have = {r[0] for r in rows_in(conn, "SELECT doc_id FROM reprint_signatures WHERE doc_id IN ({marks})", ids)}
        fresh, seen = [], set()
        for doc in docs:
            if doc.id not in have and doc.id not in seen:
                seen.add(doc.id)
                fresh.append(doc)
        return fresh

    @staticmethod
    def _stored_keys(conn, keys: list[int]) -> dict[int, list[int]]:
        """key -> the documents (as numbers) stored with it, for those of ``keys`` (distinct) that have any."""
        found: dict[int, list[int]] = {}
        if conn.execute("SELECT 1 FROM reprint_keys LIMIT 1").fetchone() is None:  # a new archive's bulk load
            return found
        for key, doc in rows_in(conn, "SELECT key, doc FROM reprint_keys WHERE key IN ({marks})", sorted(keys)):
            found.setdefault(key, []).append(doc)
        return found

    def _link(self, conn, doc_id: str, text: str, print_: Fingerprint, candidates: list[str],
              texts: dict[str, str]) -> set[str]:
        """Link a document to those of its ``candidates`` that are copies of it (best first)."""
        sig = print_.signature
        texts[doc_id] = text
        linked = []
        hashes = None  # the text's shingles, only needed to confirm a plausible copy
        for other in self._plausible(conn, candidates, sig, print_.shingles):
            other_text = texts.get(other)
            if other_text is None:
                row = conn.execute("SELECT text FROM documents WHERE id=?", (other,)).fetchone()
                if row is None:
                    continue
                other_text = row[0]
            if hashes is None:
                hashes = shingle_hashes(words(text))
            like = likeness(hashes, shingle_hashes(words(other_text)))
            if like.same_article:
                a, b = sorted((doc_id, other))
                conn.execute("INSERT OR REPLACE INTO reprint_links (a, b, similarity) VALUES (?,?,?)",
                             (a, b, round(like.jaccard, 4)))
                linked.append(other)
        if not linked:
            return set()
        return self._join(conn, doc_id, linked)

    def _plausible(self, conn, candidates: list[str], sig: np.ndarray, size: int) -> list[str]:
        """Candidates whose signatures say they may be the same article (checked exactly afterwards).

        A band collision alone is weak evidence; the full signature estimates the Jaccard similarity,
        and with the set sizes the containment, cheaply. The bounds are loose so no copy is lost."""
        out = []
        query = "SELECT doc_id, shingles, signature FROM reprint_signatures WHERE doc_id IN ({marks})"
        for doc_id, shingles, blob in rows_in(conn, query, candidates):
            jaccard = estimated_jaccard(sig, np.frombuffer(blob, dtype=np.uint32))
            small, large = sorted((size, shingles))
            containment = jaccard * (size + shingles) / (1 + jaccard) / max(small, 1)
            if jaccard >= SAME_JACCARD * 0.6 or (containment >= SAME_CONTAINMENT * 0.6
                                                 and small / max(large, 1) >= MIN_SIZE_RATIO * 0.8):
                out.append(doc_id)
        return out

    def _join(self, conn, doc_id: str, linked: list[str]) -> set[str]:
        """Put a document and the groups of its copies into one group (the oldest group's id wins)."""
        groups = {}
        for other in linked:
            row = conn.execute("SELECT group_id FROM reprint_groups WHERE doc_id=?", (other,)).fetchone()
            groups[other] = row[0] if row else other
        keep = min(groups.values(), key=lambda g: (self._group_rowid(conn, g), g))
        members = {doc_id, *linked}
        for gid in set(groups.values()):
            members |= {r[0] for r in conn.execute("SELECT doc_id FROM reprint_groups WHERE group_id=?", (gid,))}
        changed = set()
        for member in members:
            row = conn.execute("SELECT group_id FROM reprint_groups WHERE doc_id=?", (member,)).fetchone()
            if row is None or row[0] != keep:
                conn.execute("INSERT OR REPLACE INTO reprint_groups (doc_id, group_id) VALUES (?,?)", (member, keep))
                changed.add(member)
        return changed

    @staticmethod
    def _group_rowid(conn, gid: str) -> int:
        row = conn.execute("SELECT MIN(rowid) FROM reprint_groups WHERE group_id=?", (gid,)).fetchone()
        return row[0] if row and row[0] is not None else 1 << 62

    def remove(self, doc_id: str) -> set[str]:
        """Forget a deleted document; its group may split. Returns the ids whose group changed."""
        with self.catalog.transaction() as conn:
            row = conn.execute("SELECT group_id FROM reprint_groups WHERE doc_id=?", (doc_id,)).fetchone()
            sig = conn.execute("SELECT signature FROM reprint_signatures WHERE doc_id=?", (doc_id,)).fetchone()
            number = doc_number(doc_id)
            if sig is not None and number is not None:
                conn.executemany("DELETE FROM reprint_keys WHERE key=? AND doc=?",
                                 [(k, number) for k in band_keys(np.frombuffer(sig[0], dtype=np.uint32))])
                conn.execute("DELETE FROM reprint_unkeyed WHERE doc=?", (number,))
            for table in ("reprint_signatures", "reprint_groups"):
                conn.execute(f"DELETE FROM {table} WHERE doc_id=?", (doc_id,))
            conn.execute("DELETE FROM reprint_links WHERE a=? OR b=?", (doc_id, doc_id))
            if row is None:
                return set()
            return self._regroup(conn, row[0])

    def _regroup(self, conn, gid: str) -> set[str]:
        members = [r[0] for r in conn.execute(
            "SELECT doc_id FROM reprint_groups WHERE group_id=? ORDER BY rowid", (gid,))]
        conn.execute("DELETE FROM reprint_groups WHERE group_id=?", (gid,))
        changed = set(members)
        placed: set[str] = set()
        for start in members:
            if start in placed:
                continue
            component = self._component(conn, start)
            placed |= component
            if len(component) < 2:
                continue
            new_gid = gid if gid in component else start
            conn.executemany("INSERT INTO reprint_groups (doc_id, group_id) VALUES (?,?)",
                             [(m, new_gid) for m in sorted(component, key=members.index)])
        return changed

    def _component(self, conn, start: str) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            current = todo.pop()
            for (other,) in conn.execute(
                "SELECT b FROM reprint_links WHERE a=? UNION SELECT a FROM reprint_links WHERE b=?",
                (current, current),
            ):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def clear(self) -> None:
        with self.catalog.transaction() as conn:
            for table in ("reprint_signatures", "reprint_keys", "reprint_unkeyed", "reprint_links", "reprint_groups"):
                conn.execute(f"DELETE FROM {table}")
        self._pending.clear()

    def missing(self) -> list[str]:
        """Catalogued documents that have no fingerprint yet."""
        return [r[0] for r in self._conn().execute(
            "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM reprint_signatures) ORDER BY id")]

    # -- reading

    def group_of(self, doc_id: str) -> str | None:
        row = self._conn().execute("SELECT group_id FROM reprint_groups WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else None

    def groups_of(self, doc_ids: list[str]) -> dict[str, str]:
        """The group of each of the documents that has one."""
        found: dict[str, str] = {}
        conn = self._conn()
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start:start + 500]
            found.update(conn.execute(f"SELECT doc_id, group_id FROM reprint_groups WHERE doc_id IN "
                                      f"({','.join('?' * len(chunk))})", chunk))
        return found

    def members(self, group_id: str) -> list[str]:
        return [r[0] for r in self._conn().execute(
            "SELECT doc_id FROM reprint_groups WHERE group_id=? ORDER BY rowid", (group_id,))]

    def copies_of(self, doc_id: str) -> list[str]:
        """The other documents in this document's group (empty when it has no copies)."""
        gid = self.group_of(doc_id)
        return [m for m in self.members(gid) if m != doc_id] if gid else []

    def group_sizes(self, doc_ids: list[str]) -> dict[str, int]:
        """Number of documents in each given document's group (1 when it has no copies)."""
        out = {d: 1 for d in doc_ids}
        if not doc_ids:
            return out
        marks = ",".join("?" * len(doc_ids))
        rows = self._conn().execute(
            f"SELECT g.doc_id, (SELECT COUNT(*) FROM reprint_groups h WHERE h.group_id=g.group_id) "
            f"FROM reprint_groups g WHERE g.doc_id IN ({marks})", doc_ids).fetchall()
        out.update({doc_id: size for doc_id, size in rows})
        return out

    def groups(self) -> Iterator[list[str]]:
        """Every group of two or more documents."""
        current, members = None, []
        for gid, doc_id in self._conn().execute(
                "SELECT group_id, doc_id FROM reprint_groups ORDER BY group_id, rowid"):
            if gid != current and members:
                yield members
                members = []
            current = gid
            members.append(doc_id)
        if members:
            yield members
