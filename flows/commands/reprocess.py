"""`news-etl reprocess`: extraction and cleaning again over stored raw pages."""

from __future__ import annotations

import argparse

from flows.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_min_words,
    add_runner,
    add_warehouse,
    fail,
    quiet_libraries,
    runner_usage_error,
)
from flows.prefect_env import apply_defaults

NAME = "reprocess"
ORDER = 20
HELP = "re-run extraction and cleaning over stored raw pages (no network)"


def add_arguments(again: argparse.ArgumentParser) -> None:
    add_warehouse(again)
    again.add_argument("--since", default=None, help="only pages fetched at or after this date")
    add_min_words(again)
    add_runner(again, "every core, or threads when the stored pages are under 4 MiB")
    again.add_argument("--quiet", action="store_true", help="no summary table")


def run(args: argparse.Namespace) -> int:
    from transforms.normalise import parse_timestamp
    from warehouse import WarehouseError

    if problem := runner_usage_error(args):
        return fail(problem, EXIT_USAGE)
    if args.since and parse_timestamp(args.since) is None:
        return fail(f"--since {args.since!r} is not a date, e.g. 2026-11-01", EXIT_USAGE)
    apply_defaults()
    from flows.local_server import ServerStartError, temporary_api
    from flows.reprocess import reprocess
    from flows.summary import print_summary

    quiet_libraries(args.quiet)
    try:
        with temporary_api():
            summary = reprocess(
                warehouse=args.warehouse,
                since=args.since,
                min_words=args.min_words,
                workers=args.workers,
                dask_address=args.dask_address,
            )
    except ServerStartError as exc:
        return fail(str(exc))
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot use the warehouse: {exc}")
    if not args.quiet:
        print_summary(summary)
    return EXIT_OK
