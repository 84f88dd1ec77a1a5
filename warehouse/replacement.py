"""Which files a compacted file replaces, so that readers see every row once.

Compaction cannot rename many files at once, so it commits in two steps per
output file, all under the writer lock:

1. write `compact-<stamp>-<token>.parquet` atomically (temporary name, then
   rename); its Parquet key-value metadata, under `news_etl.replaces`, lists
   the files it replaces in the same folder, each by name, size and the
   SHA-256 of its Parquet footer;
2. delete those files.

Readers that list through `Warehouse.parquet_files` drop every file that a
committed compacted file in its folder lists, so at every instant they see
either the old small files or the compacted file, never both and never
neither. A compaction killed between the two steps leaves the replaced files
on disk but invisible to those readers; `finish_replacements` (run by the
next compaction, and by `sweep_temp_files` at the start of every run)
deletes them.

A file is matched by its identity, not its name alone: runs rewrite
`run-<id>.parquet` in place, and a batch's file name is deterministic, so a
later file under a replaced name must stay visible. Size plus footer digest
tells them apart without reading data pages, and survives a copy of the
warehouse (an mtime would not).

Cost for readers: the footer of each compacted file (few per partition; the
list is cached per path, size and mtime), plus the footer of any file whose
name a compacted file lists (only during the window, or after a kill).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Final

import pyarrow as pa

from warehouse.atomic import fsync_dir
from warehouse.storage import StorePath, read_metadata

__all__ = [
    "COMPACTED_PREFIX",
    "REPLACES_KEY",
    "FileIdentity",
    "finish_replacements",
    "identify",
    "is_compacted",
    "replaced_files",
    "replaces_of",
]

logger = logging.getLogger(__name__)

COMPACTED_PREFIX: Final = "compact-"
REPLACES_KEY: Final = b"news_etl.replaces"
_MAGIC = b"PAR1"


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """A table file as a compacted file names it: same folder, this name, these bytes."""

    name: str
    size: int
    footer_sha256: str


def is_compacted(path: StorePath) -> bool:
    return path.name.startswith(COMPACTED_PREFIX)


def identify(path: StorePath) -> FileIdentity | None:
    """The identity of a Parquet file; None if it is gone.

    A file that is not Parquet gets an empty digest, which no compacted file lists.
    """
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            if size < 12:
                return FileIdentity(path.name, size, "")
            handle.seek(size - 8)
            tail = handle.read(8)
            footer_length = int.from_bytes(tail[:4], "little")
            if tail[4:] != _MAGIC or footer_length > size - 12:
                return FileIdentity(path.name, size, "")
            handle.seek(size - 8 - footer_length)
            digest = hashlib.sha256(handle.read(footer_length)).hexdigest()
    except FileNotFoundError:
        return None
    return FileIdentity(path.name, size, digest)


def encode_replaces(identities: Iterable[FileIdentity]) -> bytes:
    """The `news_etl.replaces` metadata value: a JSON list of identities."""
    return json.dumps([asdict(i) for i in identities], separators=(",", ":")).encode()


def replaces_of(compacted: StorePath) -> tuple[FileIdentity, ...]:
    """The files `compacted` replaces (empty if it is gone or lists none)."""
    try:
        stat = compacted.stat()
    except OSError:
        return ()
    return _replaces_cached(compacted, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _replaces_cached(path: StorePath, size: int, mtime_ns: int) -> tuple[FileIdentity, ...]:
    """Keyed by size and mtime too, so a file rewritten in place is read again."""
    try:
        metadata = read_metadata(path).metadata or {}
    except (OSError, pa.ArrowException):
        return ()  # deleted meanwhile by a later compaction that replaced it
    raw = metadata.get(REPLACES_KEY)
    if raw is None:
        return ()
    try:
        return tuple(FileIdentity(**entry) for entry in json.loads(raw))
    except (ValueError, TypeError):
        logger.warning("ignoring unreadable %s in %s", REPLACES_KEY.decode(), path)
        return ()


def _claims(files: Iterable[StorePath]) -> dict[StorePath, set[FileIdentity]]:
    """Path of each file a compacted file among `files` names -> the identities named."""
    claims: dict[StorePath, set[FileIdentity]] = {}
    for compacted in files:
        if is_compacted(compacted):
            for identity in replaces_of(compacted):
                claims.setdefault(compacted.parent / identity.name, set()).add(identity)
    return claims


def replaced_files(files: Iterable[StorePath]) -> set[StorePath]:
    """Those of `files` that a committed compacted file among them replaces."""
    listed = list(files)
    claims = _claims(listed)
    if not claims:
        return set()
    hidden = set()
    for path in listed:
        named = claims.get(path)
        if named is None:
            continue
        identity = identify(path)
        # gone since listing: it was being deleted as replaced, so hide it too
        if identity is None or identity in named:
            hidden.add(path)
    return hidden


def finish_replacements(root: StorePath) -> int:
    """Delete files that committed compacted files under `root` replace; hold the writer lock.

    Finishes a compaction killed between writing its output and deleting its
    inputs. Returns the number of files deleted.
    """
    if not root.is_dir():
        return 0
    files = [p for p in root.rglob("*.parquet") if not p.name.startswith(".")]
    deleted = 0
    folders = set()
    for path in sorted(replaced_files(files)):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        deleted += 1
        folders.add(path.parent)
    for folder in folders:
        fsync_dir(folder)
    if deleted:
        logger.info("deleted %d files already replaced by an interrupted compaction", deleted)
    return deleted
