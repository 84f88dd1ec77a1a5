"""`news-etl status`: the last runs and per-source freshness, from the Parquet alone."""

from __future__ import annotations

import argparse

from flows.commands.common import EXIT_OK, add_warehouse, fail, positive

NAME = "status"
ORDER = 30
HELP = "the last runs and how fresh each source is (no Prefect needed)"


def add_arguments(status: argparse.ArgumentParser) -> None:
    add_warehouse(status)
    status.add_argument("--runs", type=positive, default=10, help="runs to show (%(default)s)")


def run(args: argparse.Namespace) -> int:
    from flows.status import print_status
    from warehouse import WarehouseError

    try:
        print_status(args.warehouse, runs=args.runs)
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot read the warehouse: {exc}")
    return EXIT_OK
