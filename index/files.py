"""Index files read with ``os.pread``.

Whoosh reads a segment through one Python file object per searcher: every small read (a term's
hash slot, its key, its entry, a block header) is a seek and a buffered read, and the buffer is
refilled with 8 KB after each seek. A search makes a thousand or more such reads. ``os.pread``
reads exactly the bytes asked for at an offset in one system call and keeps no shared position,
so the parts of a file handed out for a compound segment need no seeking at all.

Memory maps would be cheaper still, but the pages of a mapped index count in every server
process's resident size; read this way, the index is in the operating system's file cache only.
"""

from __future__ import annotations

import os
import pickle
import threading
from contextlib import contextmanager
from io import BytesIO

from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.filedb.structfile import StructFile


#: bytes read at first for one pickled object (a posting block's header is about forty)
_PICKLE_CHUNK = 256
#: a run of this many small reads, each starting where the last ended, reads ahead ...
_RUN_BEFORE_READ_AHEAD = 3
#: ... this many bytes, from which the run's next reads are served
_READ_AHEAD = 4096
#: reads of at most this many bytes count as small (a number, a table entry, a short key)
_SMALL_READ = 64


class _Descriptor:
    """An open file descriptor shared by a file and its parts. Closing the file closes them all
    for reading; the descriptor itself is closed once nothing refers to it, so a part still held
    somewhere can never read another file that was given the same number."""

    __slots__ = ("fd", "closed")

    def __init__(self, fd: int):
        self.fd = fd
        self.closed = False

    def __del__(self):
        os.close(self.fd)


class PreadFile(StructFile):
    """A read-only stretch of a file (all of it, or a part of a compound segment file)."""

    def __init__(self, descriptor: _Descriptor, offset: int, length: int, name: str | None = None,
                 owner: bool = False, onclose=None):
        self.file = self  # StructFile's readers (pickles, arrays) read through ``self.file``
        self._descriptor = descriptor
        self._offset = offset
        self._length = length
        self._pos = 0
        self._owner = owner  # closing it closes its parts too
        self._name = name
        self._ahead_at, self._ahead = 0, b""  # bytes read ahead, and where they start
        self._run_end, self._run = -1, 0  # where the last read ended; how many small reads led there
        self.onclose = onclose
        self.is_closed = False
        self.is_real = False

    def read(self, size: int | None = -1) -> bytes:
        remaining = self._length - self._pos
        if size is None or size < 0 or size > remaining:
            size = remaining
        if self._descriptor.closed:
            raise ValueError(f"I/O operation on closed file {self._name}")
        if size <= 0:
            return b""
        pos = self._pos
        into = pos - self._ahead_at
        if 0 <= into and into + size <= len(self._ahead):
            data = self._ahead[into:into + size]
        else:
            self._ahead = b""
            self._run = self._run + 1 if pos == self._run_end and size <= _SMALL_READ else 0
            if self._run >= _RUN_BEFORE_READ_AHEAD:
                self._ahead_at, self._ahead = pos, os.pread(self._descriptor.fd, min(_READ_AHEAD, remaining),
                                                            self._offset + pos)
                data = self._ahead[:size]
            else:
                data = os.pread(self._descriptor.fd, size, self._offset + pos)
        self._pos = self._run_end = pos + len(data)
        return data

    def get(self, position: int, length: int) -> bytes:
        self._pos = position
        return self.read(length)

    def read_pickle(self):
        """One pickled object, read in one go: unpickling from a file reads it an opcode at a time,
        a system call each (a posting block's header took about twenty)."""
        start, size = self._pos, _PICKLE_CHUNK
        while True:
            chunk = self.get(start, size)
            buffer = BytesIO(chunk)
            try:
                found = pickle.load(buffer)
            except (EOFError, pickle.UnpicklingError):
                if len(chunk) < size:  # the whole rest of the file was read: it is damaged
                    raise
                size *= 16
                continue
            self._pos = start + buffer.tell()
            return found

    def readline(self, size: int | None = -1) -> bytes:
        start, chunks = self._pos, []
        while True:
            chunk = self.read(256)
            if not chunk:
                break
            newline = chunk.find(b"\n")
            if newline >= 0:
                chunks.append(chunk[:newline + 1])
                break
            chunks.append(chunk)
        line = b"".join(chunks)
        if size is not None and size >= 0:
            line = line[:size]
        self._pos = start + len(line)
        return line

    def seek(self, where: int, whence: int = 0) -> int:
        if whence == 1:
            where += self._pos
        elif whence == 2:
            where += self._length
        self._pos = where
        return where

    def tell(self) -> int:
        return self._pos

    def subset(self, offset: int, length: int, name: str | None = None) -> "PreadFile":
        return PreadFile(self._descriptor, self._offset + offset, length, name=name or self._name)

    def write(self, *args, **kwargs):
        raise OSError(f"{self._name} is open for reading only")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.is_closed:
            return
        self.is_closed = True
        if self.onclose:
            self.onclose(self)
        if self._owner:
            self._descriptor.closed = True


class PositionedWriter:
    """A file opened for writing that keeps count of its position. A buffered file asks the system
    on every ``tell()``, and Whoosh's segment writers ask a few times per term: about a tenth of
    writing a segment of an archive, most of whose terms are in a document or two."""

    def __init__(self, fileobj):
        self._file = fileobj
        self._pos = fileobj.tell()

    def write(self, data) -> int:
        written = self._file.write(data)
        self._pos += written
        return written

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = self._file.seek(offset, whence)
        return self._pos

    def __getattr__(self, name):  # flush, close, closed, truncate, name, ...
        return getattr(self._file, name)


class PreadStorage(FileStorage):
    """Whoosh's file storage with files opened for reading as `PreadFile` (never memory-mapped),
    and files it creates keeping count of their position (`PositionedWriter`)."""

    def __init__(self, path: str):
        super().__init__(path, supports_mmap=False)
        #: the parts of segments being written in memory (see `segments_in_memory`), by file prefix
        self._in_memory: dict[str, RamStorage] = {}
        self._thread = threading.local()

    # -- segments written in memory

    @contextmanager
    def segments_in_memory(self):
        """A segment begun in this thread meanwhile (its writer is made) keeps its parts, and the
        writer's temporary files, in memory until it is assembled into its compound file, the one
        file written. For small commits (an upload): each part was a file created, written, read
        back and deleted, some 300 system calls a commit, each a point where the writing thread
        waits for the interpreter while searches run. Ended with `forget_segment`."""
        self._thread.in_memory = True
        self._thread.begun = []
        try:
            yield
        except BaseException:  # the writer was not made: nothing will forget what it began
            for prefix in self._thread.begun:
                self.forget_segment(prefix)
            raise
        finally:
            self._thread.in_memory = False
            self._thread.begun = []

    def begin_segment(self, prefix: str) -> None:
        """Called as a segment whose files' names start with ``prefix`` is begun."""
        if getattr(self._thread, "in_memory", False):
            self._in_memory[prefix] = RamStorage()
            self._thread.begun.append(prefix)

    def segments_held_in_memory(self) -> list[str]:
        return sorted(self._in_memory)

    def forget_segment(self, prefix: str) -> None:
        """Drop what is left in memory of a segment (nothing once it is assembled)."""
        self._in_memory.pop(prefix, None)

    def _memory_for(self, name: str) -> RamStorage | None:
        """The memory that holds ``name``, if it is a part of a segment written in memory (its
        compound file goes to disk)."""
        if not self._in_memory or name.endswith(".seg"):
            return None
        return self._in_memory.get(name.split(".", 1)[0])

    def temp_storage(self, name=None):
        if getattr(self._thread, "in_memory", False):
            return RamStorage()
        return super().temp_storage(name)

    def list(self):
        names = super().list()
        for memory in list(self._in_memory.values()):
            names += memory.list()
        return names

    def _holder(self, name: str):
        """Where ``name`` is: a segment's memory (`_memory_for`), or the directory."""
        memory = self._memory_for(name)
        return memory if memory is not None else super()

    def file_exists(self, name):
        return self._holder(name).file_exists(name)

    def file_length(self, name):
        return self._holder(name).file_length(name)

    def file_modified(self, name):
        return self._holder(name).file_modified(name)

    def delete_file(self, name):
        return self._holder(name).delete_file(name)

    # -- files

    def create_file(self, name, excl=False, mode="wb", **kwargs):
        memory = self._memory_for(name)
        if memory is not None:
            return memory.create_file(name, **kwargs)
        created = super().create_file(name, excl=excl, mode=mode, **kwargs)
        if mode == "wb":
            created.file = PositionedWriter(created.file)
            created.is_real = False  # arrays are written as bytes, through `write`
            created.__dict__.pop("fileno", None)
        return created

    def open_file(self, name: str, **kwargs) -> PreadFile:
        memory = self._memory_for(name)
        if memory is not None:
            return memory.open_file(name, **kwargs)
        descriptor = _Descriptor(os.open(self._fpath(name), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)))
        return PreadFile(descriptor, 0, os.fstat(descriptor.fd).st_size, name=name, owner=True, **kwargs)
