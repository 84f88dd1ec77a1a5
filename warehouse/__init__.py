"""Delta Lake tables: schemas, idempotent writers (MERGE by key), readers and maintenance.

The only package that touches table files. Its read side for analysts (DuckDB
views, the report, `news-etl status`'s numbers, the data dictionary) is the
`warehouse.analysts` sub-package; `run_query`, `sql_views` and `QueryError`
are re-exported here too.

The public names below are imported on first use (PEP 562), not with the
package: importing any submodule runs this file first, and `news-etl status`
(which needs the layout and a reader) would otherwise pay for the catalogue's
datasketch/scipy, DuckDB and the cleaning pipeline (about 1.1 s measured with
`-X importtime`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from warehouse.analysts.query import QueryError, run_query, sql_views
    from warehouse.catalog import ArticleCatalog
    from warehouse.compact import CompactionReport, compact_warehouse
    from warehouse.counts import RunCounts
    from warehouse.errors import (
        CommitConflictError,
        WarehouseError,
        WarehouseReadError,
        WarehouseWriteError,
    )
    from warehouse.index import KeyIndex
    from warehouse.layout import Warehouse
    from warehouse.migrate import TableMigration, migrate_warehouse
    from warehouse.raw_pages import iter_raw_pages, write_raw_pages
    from warehouse.reader import known_urls, stored_locators
    from warehouse.rewrite import remove_articles
    from warehouse.runs import RunRecord, RunStatus, SourceCounts, write_run
    from warehouse.schema import ARTICLES, RAW_PAGES, REJECTS, RUNS, SCHEMA_VERSION, VALIDATORS
    from warehouse.site_counts import read_site_counts, reset_site_counts
    from warehouse.state import read_validators, write_validators
    from warehouse.writer import BatchWriter

__all__ = [
    "ARTICLES",
    "RAW_PAGES",
    "REJECTS",
    "RUNS",
    "SCHEMA_VERSION",
    "VALIDATORS",
    "ArticleCatalog",
    "BatchWriter",
    "CommitConflictError",
    "CompactionReport",
    "KeyIndex",
    "QueryError",
    "RunCounts",
    "RunRecord",
    "RunStatus",
    "SourceCounts",
    "TableMigration",
    "Warehouse",
    "WarehouseError",
    "WarehouseReadError",
    "WarehouseWriteError",
    "compact_warehouse",
    "iter_raw_pages",
    "known_urls",
    "migrate_warehouse",
    "read_site_counts",
    "read_validators",
    "remove_articles",
    "reset_site_counts",
    "run_query",
    "sql_views",
    "stored_locators",
    "write_raw_pages",
    "write_run",
    "write_validators",
]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "warehouse.analysts.query": ("QueryError", "run_query", "sql_views"),
    "warehouse.catalog": ("ArticleCatalog",),
    "warehouse.compact": ("CompactionReport", "compact_warehouse"),
    "warehouse.counts": ("RunCounts",),
    "warehouse.errors": (
        "CommitConflictError",
        "WarehouseError",
        "WarehouseReadError",
        "WarehouseWriteError",
    ),
    "warehouse.index": ("KeyIndex",),
    "warehouse.layout": ("Warehouse",),
    "warehouse.migrate": ("TableMigration", "migrate_warehouse"),
    "warehouse.raw_pages": ("iter_raw_pages", "write_raw_pages"),
    "warehouse.reader": ("known_urls", "stored_locators"),
    "warehouse.rewrite": ("remove_articles",),
    "warehouse.runs": ("RunRecord", "RunStatus", "SourceCounts", "write_run"),
    "warehouse.schema": (
        "ARTICLES",
        "RAW_PAGES",
        "REJECTS",
        "RUNS",
        "SCHEMA_VERSION",
        "VALIDATORS",
    ),
    "warehouse.site_counts": ("read_site_counts", "reset_site_counts"),
    "warehouse.state": ("read_validators", "write_validators"),
    "warehouse.writer": ("BatchWriter",),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
