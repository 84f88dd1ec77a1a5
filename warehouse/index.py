"""The set of keys a table already holds, for idempotent writes.

Deduplication is what makes a rerun safe: before a batch is written, its
keys are claimed against this index, and only keys nobody held before are
written. Every write is one Delta commit, so after a crash the index rebuilt
from the table lists exactly the rows that were committed, and the rerun
writes only the rest. The index is this process's view; the MERGE keyed by
the same columns (`warehouse/delta.py`) is what keeps a key written by a
concurrent run from being written again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from warehouse.delta import read
from warehouse.layout import TableSpec, Warehouse

__all__ = ["KeyIndex"]


class KeyIndex:
    """Keys present in a table, safe to claim from several threads at once."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys = set(keys)
        self._lock = threading.Lock()

    @classmethod
    def from_table(cls, store: Warehouse, spec: TableSpec, column: str) -> KeyIndex:
        """One column of the table's latest version."""
        return cls(read(store, spec, [column]).column(0).to_pylist())

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
