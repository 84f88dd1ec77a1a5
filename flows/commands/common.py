"""What every subcommand shares: exit codes, argument types, error reporting."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from flows.defaults import CLEANING, WAREHOUSE

if TYPE_CHECKING:
    from warehouse import Warehouse

Report = TypeVar("Report")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def positive(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_warehouse(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse", default=WAREHOUSE, help="warehouse root (default: %(default)s)"
    )


def add_min_words(parser: argparse.ArgumentParser) -> None:
    """`--min-words`: the cleaning threshold `ingest` and `reprocess` both take."""
    parser.add_argument(
        "--min-words",
        type=positive,
        default=CLEANING.min_words,
        help="shorter bodies are rejected (%(default)s)",
    )


def add_runner(parser: argparse.ArgumentParser, default: str) -> None:
    """`--workers` and `--dask-address`: where `ingest` and `reprocess` run their tasks.

    `default` says what happens without either.
    """
    parser.add_argument(
        "--workers",
        type=positive,
        default=None,
        help="run the tasks on N worker processes; 1: threads in this process "
        f"(default: {default})",
    )
    parser.add_argument(
        "--dask-address",
        default=None,
        metavar="tcp://HOST:8786",
        help="run the tasks on an existing Dask cluster (its workers need this package)",
    )


def runner_usage_error(args: argparse.Namespace) -> str | None:
    if args.workers and args.dask_address:
        return "give --workers (a local cluster) or --dask-address, not both"
    return None


def fail(message: str, code: int = EXIT_FAILED) -> int:
    """Print `news-etl: message` to stderr and return `code`."""
    print(f"news-etl: {message}", file=sys.stderr)
    return code


def quiet_libraries(quiet: bool) -> None:
    """Prefect at INFO unless --quiet; trafilatura's fallback warnings off.

    trafilatura logs its fallbacks (readability on odd markup) as warnings;
    they say nothing actionable about the run.
    """
    logging.getLogger("prefect").setLevel(logging.WARNING if quiet else logging.INFO)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)


def on_existing_warehouse(
    location: str,
    doing: str,
    job: Callable[[Warehouse], Report],
    *,
    level: int,
    advice: str = "",
) -> Report | int:
    """Run a maintenance `job` on the warehouse at `location`: its report, or an exit code.

    `compact` and `migrate` refuse to create a warehouse where there is
    none, and say what they were doing when the store or the warehouse
    failed (OSError: the store itself, unreachable or denied).
    """
    from flows.object_store import open_warehouse
    from warehouse import WarehouseError

    try:
        store = open_warehouse(location)
        if not store.root.is_dir():
            return fail(f"no warehouse at {store.root}", EXIT_USAGE)
        logging.basicConfig(level=level, format="%(message)s")
        return job(store)
    except (WarehouseError, OSError) as exc:
        return fail(f"cannot {doing} the warehouse{advice}: {exc}")
