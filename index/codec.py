"""Whoosh's on-disk format, with posting lists of one document kept in the term dictionary and
larger, better compressed blocks for the others.

Whoosh 2.7 writes every posting list to the postings file as a block with its own header and
compressed body, about 57 bytes for a list of one posting (and twice that with word positions).
Its option to keep short lists in the term dictionary instead ("inlining") never takes effect: the
check is ``len(postings) < inlinelimit`` with a default limit of 1, and the branch it guards calls a
method that does not exist (``set_inline`` for ``set_inlined``). Most terms of an archive occur in
one document — identifiers, dates, rare words and names in titles — so inlining them makes the index
about 3 % smaller; longer lists are smaller as compressed blocks, so only single postings are inlined.

The codec is stored with each segment (by its import path): keep this module and class name.
Segments written by Whoosh's own codec stay readable, and merging rewrites them in this format.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.matching import ListMatcher

#: lists shorter than this are inlined; measured on 25,000 synthetic articles: 2 (single postings)
#: saves 2.1 MB of 78.6, 8 saves 0.2 MB and 32 makes the index 13 % larger (pickled, uncompressed)
INLINE_LIMIT = 2
#: postings per block (Whoosh: 128) and zlib level (Whoosh: 3). Posting lists are read whole (see
#: `index.postings`), so larger blocks cost no skipping; they share one header and compress better.
#: Same 25,000 articles, index size over text: Whoosh's 128/3 with the above 1.535, 256/3 1.506,
#: 512/3 1.483, 128/9 1.517, 512/6 1.460, 512/9 1.453
BLOCK_LIMIT = 512
COMPRESSION = 6


class InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class FolioCodec(W3Codec):
    def __init__(self, blocklimit: int = BLOCK_LIMIT, compression: int = COMPRESSION, inlinelimit: int = INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if not terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        # A field without values (identifiers, dates) has none inlined, and Whoosh's list matcher
        # would then give "" for each, where a merge of segments expects bytes.
        ids, weights, values = terminfo.inlined_postings()
        return ListMatcher(ids, weights, values or (b"",) * len(ids), format_, scorer=scorer, term=term,
                           terminfo=terminfo)


def whoosh_codec() -> W3Codec:
    """Whoosh's own codec, which archives written before this one used (tests compare the two)."""
    return W3Codec()
