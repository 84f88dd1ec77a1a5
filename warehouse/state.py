"""Crawl state kept beside the tables: feed and sitemap validators.

One small Delta table, `state/validators`, read at the start of a web run
and merged into (by URL) at its end, so
an unchanged feed costs one 304 on the next run. A run killed before the end
loses only its own updates: the next run sends older validators and at
worst downloads a feed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pyarrow as pa

from extractors.records import Validators
from warehouse.delta import read, replace_rows
from warehouse.layout import VALIDATORS_TABLE, Warehouse
from warehouse.schema import VALIDATORS, with_version

__all__ = ["read_validators", "write_validators"]


def read_validators(warehouse: Warehouse) -> dict[str, Validators]:
    """URL -> the validators its last response carried."""
    return {
        row["url"]: Validators(row["etag"], row["last_modified"])
        for row in read(warehouse, VALIDATORS_TABLE).to_pylist()
    }


def write_validators(
    warehouse: Warehouse, updates: Mapping[str, Validators], *, checked_at: datetime
) -> None:
    """Merge `updates` into the stored validators, by URL, in one commit."""
    if not updates:
        return
    rows = [
        {
            "url": url,
            "etag": validators.etag,
            "last_modified": validators.last_modified,
            "checked_at": checked_at,
        }
        for url, validators in sorted(updates.items())
    ]
    replace_rows(
        warehouse, VALIDATORS_TABLE, pa.Table.from_pylist(rows, schema=with_version(VALIDATORS))
    )
