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

from flows.commands.common import EXIT_OK, add_warehouse, on_existing_warehouse

if TYPE_CHECKING:
    from warehouse.migrate import TableMigration

NAME = "migrate"
ORDER = 55
HELP = "convert a warehouse written before schema 5 to Delta tables (safe to rerun)"


def add_arguments(migrate: argparse.ArgumentParser) -> None:
    add_warehouse(migrate)
    migrate.add_argument("--quiet", action="store_true", help="no per-table lines")


def run(args: argparse.Namespace) -> int:
    from warehouse.migrate import migrate_warehouse

    report = on_existing_warehouse(
        args.warehouse,
        "migrate",
        migrate_warehouse,
        level=logging.WARNING,
        advice=" (rerun to resume)",
    )
    if isinstance(report, int):
        return report
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
