"""Parquet tables: schemas, atomic idempotent writers, and the key index.

The only package that touches table files.
"""

from warehouse.errors import WarehouseError, WarehouseReadError, WarehouseWriteError
from warehouse.index import KeyIndex
from warehouse.layout import Warehouse
from warehouse.lock import exclusive_writer, sweep_temp_files
from warehouse.raw_pages import iter_raw_pages, write_raw_pages
from warehouse.reader import known_urls, stored_locators
from warehouse.rewrite import remove_articles
from warehouse.runs import RunRecord, RunStatus, write_run
from warehouse.schema import ARTICLES, RAW_PAGES, REJECTS, RUNS, SCHEMA_VERSION, VALIDATORS
from warehouse.state import read_validators, write_validators
from warehouse.writer import BatchWriter, WriteCounts

__all__ = [
    "ARTICLES",
    "RAW_PAGES",
    "REJECTS",
    "RUNS",
    "SCHEMA_VERSION",
    "VALIDATORS",
    "BatchWriter",
    "KeyIndex",
    "RunRecord",
    "RunStatus",
    "Warehouse",
    "WarehouseError",
    "WarehouseReadError",
    "WarehouseWriteError",
    "WriteCounts",
    "exclusive_writer",
    "iter_raw_pages",
    "known_urls",
    "read_validators",
    "remove_articles",
    "stored_locators",
    "sweep_temp_files",
    "write_raw_pages",
    "write_run",
    "write_validators",
]
