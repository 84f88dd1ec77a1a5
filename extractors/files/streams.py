"""Opening an input file: its kind by suffix, gunzipped if gzip, and what a failed read says.

Shared by the reader and the sidecar pairing, so a file that cannot be read
gives the same reject detail whichever of them met it first.
"""

from __future__ import annotations

import gzip
import zlib
from contextlib import ExitStack
from pathlib import Path
from typing import Protocol

__all__ = ["READ_ERRORS", "SUFFIXES", "Stream", "describe", "kind_of", "open_content"]

_GZIP_MAGIC = b"\x1f\x8b"
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".csv": "csv",
}

# Python's gzip raises EOFError on truncation and zlib.error on corrupt data.
READ_ERRORS = (OSError, EOFError, zlib.error)


class Stream(Protocol):
    """What the readers need of a file: a plain one or a `gzip.GzipFile`."""

    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int | None = -1, /) -> bytes: ...


def open_content(path: Path, stack: ExitStack) -> Stream:
    """A binary stream of the file's content, gunzipped if it is gzip."""
    raw = stack.enter_context(path.open("rb"))
    magic = raw.read(2)
    raw.seek(0)
    if path.suffix.lower() == ".gz" or magic == _GZIP_MAGIC:
        unzipped = gzip.GzipFile(fileobj=raw, mode="rb")
        stack.callback(unzipped.close)
        return unzipped
    return raw


def kind_of(path: Path) -> str | None:
    """The reader a file needs ("text", "html", "jsonl", "csv"), by its suffix under any `.gz`."""
    suffixes = [suffix.lower() for suffix in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return SUFFIXES.get(suffixes[-1]) if suffixes else None


def describe(exc: BaseException) -> str:
    """A reject detail for a failed read: truncation, the OS error and its file, or the type."""
    if isinstance(exc, EOFError):
        return f"truncated compressed data: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}"
