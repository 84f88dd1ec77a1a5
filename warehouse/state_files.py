"""Reading the small state files under `state/` (one Parquet file each)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from warehouse.errors import WarehouseReadError
from warehouse.storage import StorePath, read_table

__all__ = ["read_rows"]


def read_rows(path: StorePath) -> list[dict[str, Any]]:
    """The file's rows; none when it does not exist yet; a `WarehouseReadError` naming
    the file (and the fix) when it exists but is not readable Parquet."""
    if not path.is_file():
        return []
    try:
        rows: list[dict[str, Any]] = read_table(path).to_pylist()
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(path, exc) from exc
    return rows
