"""Parquet tables: schemas, atomic idempotent writers, and the key index.

The only package that touches table files.
"""

from warehouse.errors import WarehouseError, WarehouseReadError, WarehouseWriteError
from warehouse.index import KeyIndex
from warehouse.layout import Warehouse
from warehouse.runs import RunRecord, RunStatus, write_run
from warehouse.schema import ARTICLES, REJECTS, RUNS, SCHEMA_VERSION
from warehouse.writer import BatchWriter, WriteCounts

__all__ = [
    "ARTICLES",
    "REJECTS",
    "RUNS",
    "SCHEMA_VERSION",
    "BatchWriter",
    "KeyIndex",
    "RunRecord",
    "RunStatus",
    "Warehouse",
    "WarehouseError",
    "WarehouseReadError",
    "WarehouseWriteError",
    "WriteCounts",
    "write_run",
]
