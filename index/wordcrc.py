"""The CRC-32 of each word of many ASCII texts at once, for the readers of a bulk ingest.

A text's shingles (`index.reprints`) hash its words with CRC-32 one word at a time: a Python step
per word, with a memo of words met before, about a sixth of reading a JSON Lines record. Here the
words of a chunk's texts are found in their bytes with numpy and hashed together, one table step
per byte position for all words at once (longest first, so the words still being hashed are always
a prefix of the list). The values are zlib's (tests compare them), so signatures do not change.
"""

from __future__ import annotations

import zlib

import numpy as np

#: words longer than this (rare: identifiers, runs of digits, encoded data) are hashed one at a time,
#: so a single long word does not make as many numpy steps as it has bytes
LONG_WORD = 32
#: characters of text hashed in one go (a chunk of 250 records of the benchmark is about 500,000)
BATCH_BYTES = 4 << 20


def _crc_table() -> np.ndarray:
    """The byte table of the reflected CRC-32 (polynomial 0xEDB88320) that zlib uses."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1).astype(np.uint32)
    return table


_TABLE = _crc_table()
#: bytes of ASCII ``\\w``: letters, digits and the underscore
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[list(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] = True


def ascii_word_crcs(texts: list[str], batch_bytes: int = BATCH_BYTES) -> list[np.ndarray | None]:
    """For each text whose lower-case form is ASCII, the CRC-32 (as uint64) of each of the words
    `index.reprints.words` finds in it, in order; None for any other text. Texts are hashed together
    up to ``batch_bytes`` at a time (the work arrays take several times the texts' size)."""
    out: list[np.ndarray | None] = [None] * len(texts)
    lowered = [(i, low) for i, low in enumerate((text or "").lower() for text in texts) if low.isascii()]
    batch: list[tuple[int, str]] = []
    size = 0
    for i, low in lowered:
        if batch and size + len(low) > batch_bytes:
            _hash_batch(batch, out)
            batch, size = [], 0
        batch.append((i, low))
        size += len(low) + 1
    if batch:
        _hash_batch(batch, out)
    return out


def _hash_batch(lowered: list[tuple[int, str]], out: list) -> None:
    """Set ``out[i]`` for each (i, lower-case ASCII text)."""
    data = np.frombuffer(" ".join(low for _, low in lowered).encode("ascii"), dtype=np.uint8)
    edges = np.diff(_WORD_BYTE[data].view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    crcs = _crcs(data, starts, ends - starts)
    # the texts were joined with one space each: where each begins in the joined bytes
    text_starts = np.cumsum([0] + [len(low) + 1 for _, low in lowered[:-1]])
    cuts = np.searchsorted(starts, text_starts[1:])
    for (i, _), part in zip(lowered, np.split(crcs, cuts)):
        out[i] = part


def _crcs(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """CRC-32 of each byte run ``data[start:start + length]``."""
    crcs = np.zeros(len(starts), dtype=np.uint64)
    short = np.flatnonzero(lengths <= LONG_WORD)
    # longest first: a stable sort of small negative numbers (numpy sorts int8 by radix)
    short = short[np.argsort((-lengths[short]).astype(np.int8), kind="stable")]
    positions, sizes = starts[short], lengths[short]
    steps = int(sizes[0]) if len(sizes) else 0
    # how many of the words (longest first) are longer than each byte position
    active = np.searchsorted(-sizes, -np.arange(steps), side="left")
    crc = np.full(len(short), 0xFFFFFFFF, dtype=np.uint32)
    for step in range(steps):
        n = active[step]
        head = crc[:n]
        head[:] = _TABLE[(head ^ data[positions[:n] + step]) & 0xFF] ^ (head >> 8)
    crcs[short] = crc ^ np.uint32(0xFFFFFFFF)
    for word in np.flatnonzero(lengths > LONG_WORD).tolist():
        crcs[word] = zlib.crc32(data[starts[word]:starts[word] + lengths[word]].tobytes())
    return crcs
