"""Which documents have words in sequence: phrases, and words near each other.

Whoosh checks a phrase through a tree of span matchers that walks each candidate document's
positions one Python call at a time, for every field and segment, and cannot be told to look only
at the documents that matter. Here a phrase is checked on whole posting lists: their document
numbers are intersected with numpy (and with the candidates, when the caller has some), and only
the documents left have their positions read, from the blocks that hold them. The rule is
Whoosh's own (``SpanNear2`` with ``ordered=True, mindist=1``): each word must stand 1 to ``slop``
positions after the previous one, so ``slop=1`` is an exact phrase. tests/index/test_matchset.py
checks the two agree.
"""

from __future__ import annotations

import numpy as np

from index.arrays import sorted_intersection, without_runs
from index.postings import (EMPTY_IDS, PostingsCache, position_decoder, positions_of, read_postings, segment_part,
                            values_for)


def phrase_docs(reader, fieldname: str, words: list, slop: int = 1,
                within: np.ndarray | None = None, cache: PostingsCache | None = None) -> np.ndarray:
    """Local document numbers (ascending) of one segment where ``words`` stand in sequence (their
    posting lists from ``cache`` when given)."""
    if not words:
        return EMPTY_IDS
    if fieldname not in reader.schema:
        return EMPTY_IDS
    decode = position_decoder(reader, fieldname)
    lists = []
    for word in words:
        found = read_postings(reader, fieldname, word, cache=cache)
        if not len(found):
            return EMPTY_IDS
        lists.append(found)
    common = within
    for found in sorted(lists, key=len):
        common = found.ids if common is None else sorted_intersection(common, found.ids)
        if not len(common):
            return EMPTY_IDS
    if len(lists) == 1:
        return common
    if decode is None:  # a field without positions has no phrases
        return EMPTY_IDS
    ends = None
    for word in words:
        counts, positions = positions_of(values_for(reader, fieldname, word, common), decode)
        # (candidate number, position) as one sortable number: candidates in order, positions
        # ascending within each, so the keys of a word are sorted
        keys = (np.repeat(np.arange(len(common), dtype=np.int64), counts) << 32) + positions
        ends = keys if ends is None else _follow(ends, keys, slop)
        if not len(ends):
            return EMPTY_IDS
    return common[without_runs(ends >> 32)]  # ends ascending: each candidate's keys together


def _follow(ends: np.ndarray, keys: np.ndarray, slop: int) -> np.ndarray:
    """The keys that stand 1..slop positions after one of ``ends`` in the same document (both
    ascending; a position never reaches 2**32, so a key minus ``slop`` stays in its document)."""
    if slop <= 1:
        wanted = keys - 1
        at = np.minimum(np.searchsorted(ends, wanted), len(ends) - 1)
        return keys[ends[at] == wanted]
    before = np.searchsorted(ends, keys, side="left") - 1  # the last end before each key
    ok = before >= 0
    ok[ok] = ends[before[ok]] >= keys[ok] - slop
    return keys[ok]


def phrase_docnums(searcher, fieldname: str, words: list, slop: int = 1,
                   within: np.ndarray | None = None, cache: PostingsCache | None = None) -> np.ndarray:
    """Global document numbers (ascending) where ``words`` stand in sequence; ``within``, when
    given, is a sorted array of global document numbers to look at, and no others."""
    parts = []
    for leaf, offset in searcher.reader().leaf_readers():
        local_within = None
        if within is not None:
            local_within = segment_part(within, offset, leaf.doc_count_all())
            if not len(local_within):
                continue
        found = phrase_docs(leaf, fieldname, words, slop, local_within, cache)
        if len(found):
            parts.append(found + offset)
    if not parts:
        return EMPTY_IDS
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
