"""`news-etl migrate`: a warehouse written before schema 5 (plain Parquet) becomes Delta tables.

Runs the core (`warehouse.migrate.migrate_warehouse`) directly, without
Prefect, like `compact`: it is a one-off maintenance command. Safe to rerun
after a kill: a table already committed is not written again, only its old
files' move is finished (docs/migrating.md).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flows.commands.common import EXIT_OK, EXIT_USAGE, add_warehouse, fail

if TYPE_CHECKING:
    from warehouse.migrate import TableMigration

NAME = "migrate"
ORDER = 55
HELP = "convert a warehouse written before schema 5 to Delta tables (safe to rerun)"


def add_arguments(migrate: argparse.ArgumentParser) -> None:
    add_warehouse(migrate)
    migrate.add_argument("--quiet", action="store_true", help="no per-table lines")


def run(args: argparse.Namespace) -> int:
    from flows.object_store import open_warehouse
    from warehouse import WarehouseError
    from warehouse.migrate import migrate_warehouse

    try:
        store = open_warehouse(args.warehouse)
        if not store.root.is_dir():
            return fail(f"no warehouse at {store.root}", EXIT_USAGE)
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        report = migrate_warehouse(store)
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot migrate the warehouse (rerun to resume): {exc}")
    if not args.quiet:
        _print(report)
    return EXIT_OK


def _print(report: Sequence[TableMigration]) -> None:
    from warehouse.migrate import ASIDE, MigrationOutcome

    for table in report:
        line = f"{table.table}: {table.outcome}"
        if table.outcome == MigrationOutcome.MIGRATED:
            line += f", {table.rows} rows migrated"
        if table.files_moved:
            line += f", {table.files_moved} files moved to {ASIDE}/"
        if table.files_superseded:
            line += f" ({table.files_superseded} superseded by a compaction, not read)"
        if table.rows_dropped:
            line += f"; {table.rows_dropped} rows dropped (no MinHash settings: recomputed on load)"
        print(line)
