"""`news-etl report`: one self-contained HTML page of charts and tables over the warehouse."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from flows.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_warehouse, fail

NAME = "report"
ORDER = 45
HELP = "write an HTML report (charts and tables, no network needed to open it)"

REPORT_NAME = "report.html"


def add_arguments(report: argparse.ArgumentParser) -> None:
    add_warehouse(report)
    report.add_argument(
        "--out",
        default=None,
        help=f"where to write the page, a path or URL (default: <warehouse>/{REPORT_NAME})",
    )
    report.add_argument(
        "--since",
        default=None,
        help="only articles ingested, rejects seen and runs started at or after this date (UTC)",
    )


def run(args: argparse.Namespace) -> int:
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            return fail(f"--since {args.since!r} is not a date, e.g. 2026-11-01", EXIT_USAGE)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
    from flows.object_store import open_warehouse
    from warehouse import WarehouseError
    from warehouse.analysts.query import QueryError
    from warehouse.analysts.report import write_report
    from warehouse.storage import store_path

    started = time.perf_counter()
    try:
        store = open_warehouse(args.warehouse)
        out = store_path(args.out) if args.out else store.root / REPORT_NAME
        report = write_report(store, out, since=since)
    except (QueryError, WarehouseError, OSError, ValueError) as exc:
        return fail(f"cannot write the report: {exc}", EXIT_FAILED)
    totals = ", ".join(f"{n} {label}" for label, n in report.totals.items())
    print(f"report: {out.resolve().as_uri()} ({totals}; {time.perf_counter() - started:.1f} s)")
    return EXIT_OK
