"""Parquet tables: schemas, atomic idempotent writers, and the key index.

The only package that touches table files.
"""

from warehouse.catalog import ArticleCatalog
from warehouse.compact import CompactionReport, compact_warehouse, read_committed
from warehouse.errors import WarehouseError, WarehouseReadError, WarehouseWriteError
from warehouse.index import KeyIndex
from warehouse.layout import Warehouse
from warehouse.lock import exclusive_writer, sweep_temp_files
from warehouse.query import QueryError, run_query, sql_views
from warehouse.raw_pages import iter_raw_pages, write_raw_pages
from warehouse.reader import known_urls, stored_locators
from warehouse.rewrite import remove_articles
from warehouse.runs import RunRecord, RunStatus, write_run
from warehouse.schema import ARTICLES, RAW_PAGES, REJECTS, RUNS, SCHEMA_VERSION, VALIDATORS
from warehouse.site_rules import (
    learn_from_run,
    learn_pending,
    read_site_counts,
    reset_site_counts,
    with_learned_boilerplate,
)
from warehouse.state import read_validators, write_validators
from warehouse.writer import BatchWriter, WriteCounts

__all__ = [
    "ARTICLES",
    "RAW_PAGES",
    "REJECTS",
    "RUNS",
    "SCHEMA_VERSION",
    "VALIDATORS",
    "ArticleCatalog",
    "BatchWriter",
    "CompactionReport",
    "KeyIndex",
    "QueryError",
    "RunRecord",
    "RunStatus",
    "Warehouse",
    "WarehouseError",
    "WarehouseReadError",
    "WarehouseWriteError",
    "WriteCounts",
    "compact_warehouse",
    "exclusive_writer",
    "iter_raw_pages",
    "known_urls",
    "learn_from_run",
    "learn_pending",
    "read_committed",
    "read_site_counts",
    "read_validators",
    "remove_articles",
    "reset_site_counts",
    "run_query",
    "sql_views",
    "stored_locators",
    "sweep_temp_files",
    "with_learned_boilerplate",
    "write_raw_pages",
    "write_run",
    "write_validators",
]
