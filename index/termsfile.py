"""A segment's term dictionary opened with one read for its directory, and written with one write
per term or per run of terms.

Whoosh's term dictionary is a hash file ending in a directory of 256 hash tables, which Whoosh reads
an entry at a time: 256 reads each time a segment is opened. A commit that replaces documents opens
every segment (to find the entries replaced), and so does a new searcher: with the thirteen segments
of the 100,000-article benchmark archive after a few uploads, that was most of opening a reader.
Here the directory is read in one go, and a key is looked up in two reads (its slots, then its
entry) instead of one per slot, length, key and value; everything else is Whoosh's own reader.

Writing, Whoosh asks the file for its position and writes three times per term, and writes each
slot of the hash tables on its own; a bulk segment has some 110,000 terms per 10,000 articles.
`TermsHashWriter` writes the same bytes with one write per term (or per run of terms given at
once) and one per table.
"""

from __future__ import annotations

from hashlib import md5

from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader
from whoosh.filedb import filetables
from whoosh.filedb.filetables import FileFormatError, OrderedHashReader, OrderedHashWriter
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

_MAGIC = b"HSH3"
_POINTER = filetables._pointer  # a slot: the key's hash and where its entry is (0: empty)
_LENGTHS = filetables._lengths  # an entry: the key's length and the value's, the key, the value
#: slots read at once when looking a key up: a table has twice as many slots as keys, so a key is
#: nearly always within the first few slots from where its hash points
_SLOTS_AT_ONCE = 4
#: bytes of a value read with its key (a term's entry is about forty bytes; a longer value, an
#: inlined posting's, takes one more read)
_VALUE_GUESS = 64


class TermsHashReader(OrderedHashReader):
    """`OrderedHashReader` of a whole file (as a segment's term dictionary is), opened with the same
    steps as Whoosh's, except that the directory is read at once."""

    def __init__(self, dbfile, length: int):
        self.dbfile = dbfile
        self.startoffset = 0
        self.is_closed = False
        dbfile.seek(0)
        if dbfile.read(4) != _MAGIC:
            raise FileFormatError("Unknown file header")
        self.hashtype = dbfile.read_byte()
        self.hashfn = filetables._hash_functions[self.hashtype]
        dbfile.read_int()  # two numbers Whoosh keeps for later use
        dbfile.read_int()
        self.startofdata = dbfile.tell()
        extras_end = length - _INT_SIZE
        extras_at = extras_end - dbfile.get_int(extras_end)
        dbfile.seek(extras_at)
        self._read_extras()
        size = filetables._directory_size
        directory = dbfile.get(extras_at - size, size)
        self.tables = list(filetables._dir_entry.iter_unpack(directory))
        self.endofdata = self.tables[0][0]

    def value_of(self, key: bytes) -> bytes | None:
        """The value of ``key``, None when there is none: Whoosh's lookup (`ranges_for_key`, then a
        read of the value), in two reads instead of one per slot looked at, one for the lengths,
        one for the key and one for the value. Looking words up was most of a search's reads: on
        the 100,000-article benchmark, 79 of 101, about 4.6 for each word in each segment."""
        found = self._entry(key, _VALUE_GUESS)
        if found is None:
            return None
        datapos, datalen, value = found
        return value if len(value) == datalen else self.dbfile.get(datapos, datalen)

    def ranges_for_key(self, key):
        """Whoosh's ``ranges_for_key`` (the place and length of the value of ``key``) in two reads."""
        if not isinstance(key, bytes):
            raise TypeError(f"Key {key!r} should be bytes")
        found = self._entry(key, 0)
        if found is not None:
            yield found[:2]

    def __contains__(self, key) -> bool:
        return self._entry(key, 0) is not None

    def _entry(self, key: bytes, value_bytes: int) -> tuple[int, int, bytes] | None:
        """(where the value of ``key`` is, its length, up to ``value_bytes`` of it), None when the
        file has no such key. The same probing as Whoosh's reader (keys are unique in a segment's
        term dictionary, so the first match is the only one)."""
        keyhash = self.hashfn(key)
        tablestart, numslots = self.tables[keyhash & 255]
        if not numslots:
            return None
        get, size = self.dbfile.get, _POINTER.size
        tableend = tablestart + numslots * size
        slotpos = tablestart + ((keyhash >> 8) % numslots) * size
        looked = 0
        while looked < numslots:
            count = min(_SLOTS_AT_ONCE, numslots - looked, (tableend - slotpos) // size)
            for slothash, itempos in _POINTER.iter_unpack(get(slotpos, count * size)):
                if not itempos:
                    return None
                if slothash == keyhash:
                    keystart = itempos + _LENGTHS.size
                    head = get(itempos, _LENGTHS.size + len(key) + value_bytes)
                    keylen, datalen = _LENGTHS.unpack_from(head)
                    if keylen == len(key) and head[_LENGTHS.size:_LENGTHS.size + keylen] == key:
                        at = _LENGTHS.size + keylen
                        return keystart + keylen, datalen, head[at:at + datalen]
            looked += count
            slotpos += count * size
            if slotpos == tableend:  # on round to the table's start
                slotpos = tablestart
        return None


class TermsHashWriter(OrderedHashWriter):
    """`OrderedHashWriter` (MD5 hashes) giving the same bytes in fewer steps: a term's entry, or a
    run of entries, is one write, its place is counted rather than asked of the file, and each hash
    table is one write."""

    def __init__(self, dbfile):
        super().__init__(dbfile)
        if self.hashfn is not filetables.md5_hash:
            raise ValueError("the terms writer hashes with MD5, as Whoosh's does by default")
        self._at = dbfile.tell()

    def add(self, key: bytes, value: bytes) -> None:
        self.add_many([(key, value)])

    def add_many(self, items) -> None:
        """`add` for each (key, value) of ``items``, keys in increasing order, in one write."""
        at, lastkey, index, buckets, lengths = self._at, self.lastkey, self.index, self.buckets, filetables._lengths.pack
        entries = []
        for key, value in items:
            if key <= lastkey:
                raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
            index.append(at)
            entry = lengths(len(key), len(value)) + key + value
            entries.append(entry)
            hashed = int.from_bytes(md5(key).digest()[-4:], "big")  # `md5_hash`: the digest's low 32 bits
            buckets[hashed & 255].append((hashed, at))
            at += len(entry)
            lastkey = key
        self.dbfile.write(b"".join(entries))
        self._at, self.lastkey = at, lastkey

    def _write_hashes(self) -> None:
        """Whoosh's tables (open addressing, twice as many slots as entries), a table per write."""
        dbfile, pointer = self.dbfile, filetables._pointer.pack
        empty = pointer(0, 0)
        for entries in self.buckets:
            slots = 2 * len(entries)
            self.directory.append((dbfile.tell(), slots))
            table = [None] * slots
            for hashed, at in entries:
                slot = (hashed >> 8) % slots
                while table[slot] is not None:
                    slot = (slot + 1) % slots
                table[slot] = pointer(hashed, at)
            if table:
                dbfile.write(b"".join([entry or empty for entry in table]))


class FolioTermsReader(W3TermsReader):
    """Whoosh's terms reader over a `TermsHashReader`."""

    def term_info(self, fieldname, tbytes):
        value = self._tindex.value_of(self._keycoder(fieldname, tbytes))
        if value is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return W3TermInfo.from_bytes(value)

    def __init__(self, codec, dbfile, length: int, postfile):
        self._codec = codec
        self._dbfile = dbfile
        self._tindex = TermsHashReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._postfile = postfile
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, number in self._fieldmap.items():
            self._fieldunmap[number] = fieldname


def open_terms(codec, storage, segment) -> FolioTermsReader:
    """A segment's terms reader (what ``W3Codec.terms_reader`` opens)."""
    name = segment.make_filename(codec.TERMS_EXT)
    length = storage.file_length(name)
    return FolioTermsReader(codec, storage.open_file(name), length, segment.open_file(storage, codec.POSTS_EXT))
