"""Crawl state kept beside the tables: feed and sitemap validators.

One small Parquet file, `state/validators.parquet`, read at the start of a
web run and rewritten atomically (merged with what was there) at its end, so
an unchanged feed costs one 304 on the next run. A run killed before the end
loses only its own updates: the next run sends older validators and at
worst downloads a feed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa

from extractors.records import Validators
from warehouse.atomic import write_parquet_atomic
from warehouse.errors import WarehouseReadError
from warehouse.layout import Warehouse
from warehouse.schema import VALIDATORS, with_version
from warehouse.storage import StorePath, read_table

__all__ = ["read_validators", "write_validators"]


def read_validators(warehouse: Warehouse) -> dict[str, Validators]:
    """URL -> the validators its last response carried."""
    return {
        url: Validators(row["etag"], row["last_modified"]) for url, row in _rows(warehouse).items()
    }


def write_validators(
    warehouse: Warehouse, updates: Mapping[str, Validators], *, checked_at: datetime
) -> None:
    """Merge `updates` into the stored validators and replace the file atomically."""
    if not updates:
        return
    rows = _rows(warehouse)
    for url, validators in updates.items():
        rows[url] = {
            "url": url,
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "checked_at": checked_at,
        }
    table = pa.Table.from_pylist(
        [rows[url] for url in sorted(rows)], schema=with_version(VALIDATORS)
    )
    write_parquet_atomic(table, _path(warehouse))


def _path(warehouse: Warehouse) -> StorePath:
    return warehouse.state / "validators.parquet"


def _rows(warehouse: Warehouse) -> dict[str, dict[str, Any]]:
    path = _path(warehouse)
    if not path.is_file():
        return {}
    try:
        return {row["url"]: row for row in read_table(path).to_pylist()}
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(path, exc) from exc
