"""Many pairs of 64-bit integers into an SQLite table, a part at a time in one statement each.

``executemany`` makes a Python tuple of each row and binds and steps it one at a time: about 2 µs a
row, which made writing a bulk run's 6.4 million reprint band keys the largest single step of its
storing process. Here a part's pairs go to SQLite as one JSON object, written out by numpy, whose
members are the pairs as strings of fixed width (``{  "-00000000000000000042":"000000000000000000007",
...}``); SQLite's ``json_each`` walks it in C, and ``INSERT ... SELECT`` casts each member's key and
value back to integers. An object's keys may repeat (json_each gives every member), so a key held
with several numbers goes in as it is. Into an empty table of the band keys' shape, counted by
callgrind over 500,000 pairs: 8,480 instructions a pair with ``executemany``, 4,670 this way.
"""

from __future__ import annotations

import sqlite3

import numpy as np

#: pairs per statement (a JSON text of 52 bytes a pair: 13 MB)
PART = 250_000
#: the digits of 0 to 9999, four ASCII bytes each, as one 4-byte word: a number's 20 digits are
#: five words, each put in place with one word-sized copy
_GROUP = 10_000
_GROUPS = np.frombuffer(b"".join(b"%04d" % n for n in range(_GROUP)), dtype=np.uint32)
#: a pair's text, 13 words: blanks, '"', the first's sign and 20 digits, '":"', the second's sign and
#: 20 digits, '",' and blanks (JSON allows blanks between members); the digits start on a word
_PAIR = b'  "-' + b"0" * 20 + b'":"-' + b"0" * 20 + b'",  '
_TEMPLATE = np.frombuffer(_PAIR, dtype=np.uint8)
_FIRST_SIGN = _PAIR.index(b"-")
_SECOND_SIGN = _PAIR.index(b"-", _FIRST_SIGN + 1)
_COMMA = _PAIR.rindex(b",")


def _words_after(sign: int) -> range:
    """The five 4-byte words of the 20 digits that follow a sign."""
    return range((sign + 1) // 4, (sign + 1) // 4 + 5)


_FIRST_WORDS, _SECOND_WORDS = _words_after(_FIRST_SIGN), _words_after(_SECOND_SIGN)


def insert_pairs(conn: sqlite3.Connection, table: str, columns: tuple[str, str],
                 first: np.ndarray, second: np.ndarray, or_ignore: bool = True) -> None:
    """``INSERT [OR IGNORE] INTO table (columns) VALUES (first[i], second[i])`` for every i, in order.
    ``table`` and ``columns`` are the caller's own names, never user input."""
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    if len(first) != len(second):
        raise ValueError("one second number per first")
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    sql = (f"{verb} INTO {table} ({columns[0]}, {columns[1]}) "
           "SELECT CAST(key AS INTEGER), CAST(value AS INTEGER) FROM json_each(?)")
    for start in range(0, len(first), PART):
        part = slice(start, start + PART)
        conn.execute(sql, (pairs_as_json(first[part], second[part]),))


def pairs_as_json(first: np.ndarray, second: np.ndarray) -> str:
    """A JSON object with a member per pair, its key ``first[i]`` and its value ``second[i]``, both as
    a sign ('-' or '0') and 20 digits (in SQLite, ``CAST('-00000000000000000042' AS INTEGER)`` is -42)."""
    if not len(first):
        return "{}"
    records = np.tile(_TEMPLATE, (len(first), 1))
    words = records.view(np.uint32)
    _write_number(records[:, _FIRST_SIGN], words, _FIRST_WORDS, first)
    _write_number(records[:, _SECOND_SIGN], words, _SECOND_WORDS, second)
    records[-1, _COMMA] = ord(" ")
    return "{" + records.tobytes().decode("ascii") + "}"


def _write_number(sign: np.ndarray, words: np.ndarray, places: range, numbers: np.ndarray) -> None:
    """Each number's sign into ``sign`` and its 20 digits into the words at ``places`` of its row."""
    negative = numbers < 0
    sign[:] = np.where(negative, ord("-"), ord("0"))
    magnitude = numbers.astype(np.uint64)  # as unsigned, so that -2**63 has one too
    np.negative(magnitude, out=magnitude, where=negative)
    group = np.uint64(_GROUP)
    for place in reversed(places):
        rest = magnitude // group
        words[:, place] = _GROUPS.take((magnitude - rest * group).astype(np.intp))
        magnitude = rest
