"""Where a warehouse lives: a local folder, or an object store named by URL.

A local location stays a `pathlib.Path`. An object-store location
(`s3://bucket/prefix`, or any URL `pyarrow.fs.FileSystem.from_uri` accepts)
is an `ObjectPath`: the small part of the `pathlib` API the warehouse's
non-table files need (the report page, existence checks), over a pyarrow
file system. Tables are read and written by delta-rs (`warehouse/delta.py`),
which takes the root's URL and the caller's storage options.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import total_ordering
from pathlib import Path, PurePosixPath
from typing import Any, Final
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

__all__ = ["ObjectPath", "StorePath", "arrow_filesystem", "is_url", "store_path"]

_LOCAL_SCHEMES: Final = ("", "file")


def is_url(text: str) -> bool:
    """True for `scheme://...` other than `file://` (a one-letter scheme is a drive)."""
    scheme = urlsplit(text).scheme.lower()
    return "://" in text and len(scheme) > 1 and scheme not in _LOCAL_SCHEMES


@dataclass(frozen=True, slots=True)
class _Stat:
    st_size: int
    st_mtime_ns: int


@total_ordering
class ObjectPath:
    """A key (or key prefix) in an object store, with a `pathlib`-like API.

    Object stores have no folders: a "folder" is a key prefix, and `mkdir`
    does nothing. A folder exists while some object lies under it; pyarrow
    also leaves an empty marker object (`prefix/`) when the last object under
    a prefix is deleted, so an emptied folder still exists, with no files. Equality
    and ordering are by URL; the file system object travels along (it
    pickles, so a Dask worker gets a working path).
    """

    __slots__ = ("fs", "path", "scheme")

    def __init__(self, fs: pafs.FileSystem, path: str, scheme: str) -> None:
        self.fs = fs
        self.path = path.strip("/")
        self.scheme = scheme

    @classmethod
    def from_uri(cls, uri: str) -> ObjectPath:
        """Parse `scheme://bucket/prefix`; raises ValueError for a scheme pyarrow lacks."""
        try:
            fs, path = pafs.FileSystem.from_uri(uri)
        except (pa.ArrowException, OSError) as exc:
            raise ValueError(f"cannot open {uri}: {exc}") from exc
        return cls(fs, path, urlsplit(uri).scheme.lower())

    def __str__(self) -> str:
        return f"{self.scheme}://{self.path}"

    def __repr__(self) -> str:
        return f"ObjectPath({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ObjectPath) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other: ObjectPath) -> bool:
        return str(self) < str(other)

    def __truediv__(self, name: str) -> ObjectPath:
        return ObjectPath(self.fs, f"{self.path}/{name.strip('/')}", self.scheme)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ObjectPath, (self.fs, self.path, self.scheme))

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix

    @property
    def parent(self) -> ObjectPath:
        return ObjectPath(self.fs, self.path.rsplit("/", 1)[0], self.scheme)

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))

    def with_name(self, name: str) -> ObjectPath:
        return self.parent / name

    def relative_to(self, other: ObjectPath) -> PurePosixPath:
        return PurePosixPath(self.path).relative_to(other.path)

    def as_uri(self) -> str:
        return str(self)

    def resolve(self) -> ObjectPath:
        return self

    def _info(self) -> pafs.FileInfo:
        return self.fs.get_file_info(self.path)

    def exists(self) -> bool:
        return bool(self._info().type != pafs.FileType.NotFound)

    def is_file(self) -> bool:
        return bool(self._info().type == pafs.FileType.File)

    def is_dir(self) -> bool:
        return bool(self._info().type == pafs.FileType.Directory)

    def stat(self) -> _Stat:
        info = self._info()
        if info.type == pafs.FileType.NotFound:
            raise FileNotFoundError(str(self))
        return _Stat(info.size or 0, info.mtime_ns or 0)

    def _children(self, *, recursive: bool) -> Iterator[tuple[ObjectPath, pafs.FileInfo]]:
        selector = pafs.FileSelector(self.path, recursive=recursive, allow_not_found=True)
        for info in self.fs.get_file_info(selector):
            yield ObjectPath(self.fs, info.path, self.scheme), info

    def iterdir(self) -> Iterator[ObjectPath]:
        for child, _ in self._children(recursive=False):
            yield child

    def glob(self, pattern: str) -> Iterator[ObjectPath]:
        """Files and folders directly under this one whose name matches `pattern`."""
        for child, _ in self._children(recursive=False):
            if fnmatch.fnmatchcase(child.name, pattern):
                yield child

    def rglob(self, pattern: str) -> Iterator[ObjectPath]:
        """Objects at any depth whose name matches `pattern` (objects only: keys, not prefixes)."""
        for child, info in self._children(recursive=True):
            if info.type == pafs.FileType.File and fnmatch.fnmatchcase(child.name, pattern):
                yield child

    def open(self, mode: str = "rb") -> pa.NativeFile:
        """A seekable reader."""
        if mode != "rb":
            raise ValueError(f"ObjectPath.open supports only 'rb', not {mode!r}")
        return self.fs.open_input_file(self.path)

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return bytes(handle.read())

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def unlink(self, missing_ok: bool = False) -> None:
        """Delete the object."""
        try:
            self.fs.delete_file(self.path)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        """Nothing to do: a prefix exists as soon as an object lies under it."""


StorePath = Path | ObjectPath


def store_path(target: str | os.PathLike[str] | ObjectPath) -> StorePath:
    """A location from a CLI argument or parameter: a URL, a `file://` URL, or a local path."""
    if isinstance(target, ObjectPath):
        return target
    text = os.fspath(target)
    if is_url(text):
        parts = urlsplit(text)
        if parts.query or parts.fragment:
            # pyarrow would take options from the query, which delta-rs
            # would not see: one store for the tables, another for the rest.
            raise ValueError(f"{text}: give store options in the AWS_* variables, not the URL")
        return ObjectPath.from_uri(text)
    if urlsplit(text).scheme.lower() == "file":
        return Path(unquote(urlsplit(text).path))
    return Path(text)


def arrow_filesystem(folder: StorePath) -> pafs.FileSystem:
    """A native Arrow file system rooted at `folder`, for the Arrow datasets of its table.

    deltalake's own choice is a Python file system (`PyFileSystem` over its
    `DeltaStorageHandler`). An Arrow I/O thread can hold the last reference
    to it, through a scan's pre-buffered reads, until after the main thread
    has begun shutting the interpreter down; freeing it then needs the GIL,
    the thread is stopped instead, and the process aborts ("terminate called
    without an active exception": 1 in 15 to 40 `news-etl status` runs on an
    S3 warehouse here; the core dump shows `OwnedRefNoGIL` releasing the
    `PyFileSystem` in `PyGILState_Ensure` during finalisation). A native file
    system is freed without the GIL.
    """
    if isinstance(folder, Path):
        return pafs.SubTreeFileSystem(str(folder.absolute()), pafs.LocalFileSystem())
    return pafs.SubTreeFileSystem(folder.path, folder.fs)
