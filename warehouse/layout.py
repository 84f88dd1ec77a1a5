"""Where each table lives under a warehouse root.

<root>/articles/published_month=YYYY-MM/part-<run>-b<batch>-c<chunk>.parquet
<root>/articles/published_month=undated/...
<root>/rejects/part-<run>-b<batch>-c<chunk>.parquet
<root>/runs/run-<run>.parquet

The root is a local folder or an object-store URL (`warehouse/storage.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from warehouse.errors import WarehouseError
from warehouse.replacement import replaced_files
from warehouse.storage import ObjectPath, StorePath, store_path

__all__ = ["Warehouse"]


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A warehouse rooted at a local folder or an object-store prefix."""

    root: StorePath

    @classmethod
    def at(cls, target: str | os.PathLike[str] | ObjectPath) -> Warehouse:
        """The warehouse at a local path, a `file://` URL or an object-store URL."""
        try:
            return cls(store_path(target))
        except ValueError as exc:
            raise WarehouseError(
                str(target), exc, "give a local folder or a URL such as s3://bucket/prefix"
            ) from exc

    @property
    def articles(self) -> StorePath:
        return self.root / "articles"

    @property
    def rejects(self) -> StorePath:
        return self.root / "rejects"

    @property
    def runs(self) -> StorePath:
        return self.root / "runs"

    @property
    def raw_pages(self) -> StorePath:
        return self.root / "raw_pages"

    @property
    def state(self) -> StorePath:
        return self.root / "state"

    def parquet_files(self, table: StorePath) -> list[StorePath]:
        """Committed files of a table, each row in exactly one of them.

        Temporary files (names starting with `.`) are skipped, and so are files
        a committed compacted file replaces but which are not deleted yet
        (`warehouse/replacement.py`).
        """
        if not table.is_dir():
            return []
        found = sorted(
            p
            for p in table.rglob("*.parquet")
            if not any(part.startswith(".") for part in p.parts[len(table.parts) :])
        )
        hidden = replaced_files(found)
        return [p for p in found if p not in hidden] if hidden else found
