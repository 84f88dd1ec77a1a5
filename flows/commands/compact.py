"""`news-etl compact`: Delta compaction (`optimize.compact()`) then `vacuum`, every table.

Runs the core (`warehouse.compact.compact_warehouse`) directly, without
Prefect: like `status`, it is a maintenance command that should not pay a
temporary Prefect server's start-up (3-20 s) to rewrite a few files, and the
core logs what it does. The scheduled
nightly run goes through the `compact` flow (`flows/compact.py`), which calls
the same core and adds Prefect logs and a table artifact.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from flows.commands.common import (
    EXIT_OK,
    add_warehouse,
    on_existing_warehouse,
    quiet_libraries,
)

if TYPE_CHECKING:
    from warehouse.compact import CompactionReport

NAME = "compact"
ORDER = 50
HELP = "compact each table's small files and vacuum superseded ones (no Prefect needed)"


def _megabytes(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _hours(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def add_arguments(compact: argparse.ArgumentParser) -> None:
    from flows.defaults import COMPACTION

    add_warehouse(compact)
    compact.add_argument(
        "--target-mb",
        type=_megabytes,
        default=COMPACTION.target_mb,
        help="size of the files written, in MiB (%(default)s)",
    )
    compact.add_argument(
        "--retention-hours",
        type=_hours,
        default=COMPACTION.retention_hours,
        help="keep the files of versions this recent, for query --as-of (default %(default)s: "
        "only the latest version, so a plain Parquet glob of a table stays exact)",
    )
    compact.add_argument("--quiet", action="store_true", help="no summary table or progress log")


def run(args: argparse.Namespace) -> int:
    from warehouse.compact import compact_warehouse

    quiet_libraries(args.quiet)
    report = on_existing_warehouse(
        args.warehouse,
        "compact",
        lambda store: compact_warehouse(
            store,
            target_bytes=int(args.target_mb * 2**20),
            retention_hours=args.retention_hours,
        ),
        level=logging.WARNING if args.quiet else logging.INFO,
    )
    if isinstance(report, int):
        return report
    if not args.quiet:
        _print(report, args.warehouse)
    return EXIT_OK


def _print(report: CompactionReport, root: str) -> None:
    from rich.console import Console
    from rich.table import Table

    from warehouse.compact import describe

    rows = describe(report)
    table = Table(title=f"news-etl compact · {root}", title_justify="left")
    for index, column in enumerate(rows[0]):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*(str(value) for value in row.values()))
    Console().print(table)
    print(f"{report.elapsed_seconds:.2f} s")
