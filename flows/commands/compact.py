"""`news-etl compact`: each partition's small files rewritten into files of a target size.

Runs the core (`warehouse.compact.compact_warehouse`) directly, without
Prefect: like `status`, it is a maintenance command that should not pay a
temporary Prefect server's start-up (3-20 s) to rewrite a few files, and the
core already takes the writer lock and logs what it does. The scheduled
nightly run goes through the `compact` flow (`flows/compact.py`), which calls
the same core and adds Prefect logs and a table artifact.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from flows.commands.common import EXIT_OK, EXIT_USAGE, add_warehouse, fail, quiet_libraries

if TYPE_CHECKING:
    from warehouse.compact import CompactionReport

NAME = "compact"
ORDER = 50
HELP = "rewrite each partition's small files into files of a target size (no Prefect needed)"


def _megabytes(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _at_least_two(text: str) -> int:
    value = int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(
            f"must be at least 2 (one file is already compact), got {value}"
        )
    return value


def add_arguments(compact: argparse.ArgumentParser) -> None:
    from warehouse.compact import DEFAULT_MIN_FILES

    add_warehouse(compact)
    compact.add_argument(
        "--target-mb",
        type=_megabytes,
        default=128,
        help="size of the files written, in MiB (%(default)s)",
    )
    compact.add_argument(
        "--min-files",
        type=_at_least_two,
        default=DEFAULT_MIN_FILES,
        help="small files a partition needs before it is rewritten (%(default)s)",
    )
    compact.add_argument("--quiet", action="store_true", help="no summary table or progress log")


def run(args: argparse.Namespace) -> int:
    from warehouse import Warehouse, WarehouseError
    from warehouse.compact import compact_warehouse

    try:
        store = Warehouse.at(args.warehouse)
        if not store.root.is_dir():
            return fail(f"no warehouse at {store.root}", EXIT_USAGE)
        logging.basicConfig(
            level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s"
        )
        quiet_libraries(args.quiet)
        report = compact_warehouse(
            store, target_bytes=int(args.target_mb * 2**20), min_files=args.min_files
        )
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot compact the warehouse: {exc}")
    if not args.quiet:
        _print(report, str(store.root))
    return EXIT_OK


def _print(report: CompactionReport, root: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"news-etl compact · {root}", title_justify="left")
    table.add_column("folder")
    for column in ("files", "MiB", "rows rewritten"):
        table.add_column(column, justify="right")

    def mib(size: int) -> str:
        return f"{size / 2**20:.2f}"

    for f in report.folders:
        if f.files_rewritten:
            table.add_row(
                f"{f.table}/{f.partition}" if f.partition else f.table,
                f"{f.files_before} -> {f.files_after}",
                f"{mib(f.bytes_before)} -> {mib(f.bytes_after)}",
                str(f.rows_rewritten),
            )
    table.add_row(
        f"all ({len(report.folders)} folders)",
        f"{report.files_before} -> {report.files_after}",
        f"{mib(report.bytes_before)} -> {mib(report.bytes_after)}",
        str(report.rows_rewritten),
    )
    Console().print(table)
    if report.interrupted_finished:
        print(f"{report.interrupted_finished} files left by an interrupted compaction deleted")
    print(f"{report.elapsed_seconds:.2f} s")
