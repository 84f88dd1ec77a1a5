"""Atomic Parquet writes: a reader sees a whole file or none.

The file is written under a hidden temporary name in the same folder
(readers skip names starting with `.`: pyarrow datasets by default, and our
`*.parquet` globs never match `.name.parquet.tmp`), flushed to disk, then
renamed over its final name (`rename(2)`), which POSIX makes atomic
within one file system. A process killed at any moment leaves at most a
stray temporary file, never a truncated table file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.errors import WarehouseWriteError

__all__ = ["COMPRESSION", "TMP_SUFFIX", "atomic_file", "fsync_dir", "write_parquet_atomic"]

# zstd: about 30% smaller than snappy on article text at similar read speed,
# and read by DuckDB, Polars, Spark and pandas alike.
COMPRESSION = "zstd"
TMP_SUFFIX = ".tmp"


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write `table` to `path` so that `path` appears complete or not at all.

    Raises `WarehouseWriteError` when the file system refuses.
    """
    with atomic_file(path) as handle:
        pq.write_table(table, handle, compression=COMPRESSION)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A handle whose bytes appear at `path` whole when the block ends, or never.

    Written under a hidden temporary name, flushed to disk and renamed; an
    error (or a kill) leaves no file at `path`. Raises `WarehouseWriteError`
    when the file system refuses.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WarehouseWriteError(path, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make renames and deletes in `folder` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
