"""A segment's term dictionary opened with one read for its directory.

Whoosh's term dictionary is a hash file ending in a directory of 256 hash tables, which Whoosh reads
an entry at a time: 256 reads each time a segment is opened. A commit that replaces documents opens
every segment (to find the entries replaced), and so does a new searcher: with the thirteen segments
of the 100,000-article benchmark archive after a few uploads, that was most of opening a reader.
Here the directory is read in one go; everything else is Whoosh's own reader.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.filedb import filetables
from whoosh.filedb.filetables import FileFormatError, OrderedHashReader
from whoosh.system import _INT_SIZE

_MAGIC = b"HSH3"


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


class FolioTermsReader(W3TermsReader):
    """Whoosh's terms reader over a `TermsHashReader`."""

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
