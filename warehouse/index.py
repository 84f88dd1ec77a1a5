"""The set of keys a table already holds, for idempotent writes.

Deduplication is what makes a rerun safe: before a batch is written, its
keys are claimed against this index, and only keys nobody held before are
written. Because every file is written atomically, the table on disk always
holds whole files, so after a crash the index rebuilt from disk lists
exactly the rows that were committed, and the rerun writes only the rest.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import pyarrow as pa

from warehouse.errors import WarehouseReadError
from warehouse.storage import StorePath, dataset

__all__ = ["KeyIndex"]


class KeyIndex:
    """Keys present in a table, safe to claim from several threads at once."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys = set(keys)
        self._lock = threading.Lock()

    @classmethod
    def from_table(cls, table_dir: StorePath, column: str) -> KeyIndex:
        """Read one column of every committed file under `table_dir`."""
        if not table_dir.is_dir():
            return cls()
        keys: set[str] = set()
        try:
            files = dataset(table_dir, format="parquet", partitioning="hive")
            for batch in files.to_batches(columns=[column]):
                keys.update(batch.column(0).to_pylist())
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(table_dir, exc) from exc
        return cls(keys)

    def claim(self, keys: Iterable[str]) -> set[str]:
        """Atomically take the keys not yet held; return those taken."""
        with self._lock:
            fresh = {key for key in keys if key not in self._keys}
            self._keys |= fresh
        return fresh

    def release(self, keys: Iterable[str]) -> None:
        """Give back keys whose write failed, so a later batch may write them."""
        with self._lock:
            self._keys.difference_update(keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)
