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

from index.postings import EMPTY_IDS, position_decoder, read_postings, segment_part, values_for


def phrase_docs(reader, fieldname: str, words: list, slop: int = 1,
                within: np.ndarray | None = None) -> np.ndarray:
    """Local document numbers (ascending) of one segment where ``words`` stand in sequence."""
    if not words:
        return EMPTY_IDS
    if fieldname not in reader.schema:
        return EMPTY_IDS
    decode = position_decoder(reader, fieldname)
    lists = []
    for word in words:
        found = read_postings(reader, fieldname, word)
        if not len(found):
            return EMPTY_IDS
        lists.append(found)
    common = within
    for found in sorted(lists, key=len):
        common = found.ids if common is None else np.intersect1d(common, found.ids, assume_unique=True)
        if not len(common):
            return EMPTY_IDS
    if len(lists) == 1:
        return common
    if decode is None:  # a field without positions has no phrases
        return EMPTY_IDS
    values = [values_for(reader, fieldname, word, common) for word in words]
    keep = np.zeros(len(common), dtype=bool)
    for j in range(len(common)):
        ends = decode(values[0][j])
        for k in range(1, len(words)):
            ends = _follow(ends, decode(values[k][j]), slop)
            if not ends:
                break
        else:
            keep[j] = True
    return common[keep]


def _follow(ends: list[int], positions: list[int], slop: int) -> list[int]:
    """Positions that stand 1..slop after one of ``ends`` (both ascending)."""
    if slop <= 1:
        before = set(ends)
        return [p for p in positions if p - 1 in before]
    out = []
    i = 0
    n = len(ends)
    for p in positions:
        while i < n and ends[i] < p - slop:
            i += 1
        if i < n and ends[i] < p:  # ends[i] >= p - slop and p - ends[i] >= 1
            out.append(p)
    return out


def phrase_docnums(searcher, fieldname: str, words: list, slop: int = 1,
                   within: np.ndarray | None = None) -> np.ndarray:
    """Global document numbers (ascending) where ``words`` stand in sequence; ``within``, when
    given, is a sorted array of global document numbers to look at, and no others."""
    parts = []
    for leaf, offset in searcher.reader().leaf_readers():
        local_within = None
        if within is not None:
            local_within = segment_part(within, offset, leaf.doc_count_all())
            if not len(local_within):
                continue
        found = phrase_docs(leaf, fieldname, words, slop, local_within)
        if len(found):
            parts.append(found + offset)
    if not parts:
        return EMPTY_IDS
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
