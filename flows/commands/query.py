"""`news-etl query`: SQL over the warehouse, with every table registered as a DuckDB view."""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flows.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_warehouse, fail

if TYPE_CHECKING:
    from warehouse.analysts.query import QueryResult

NAME = "query"
ORDER = 40
HELP = "run SQL over the warehouse (DuckDB; tables are views: articles, rejects, runs, ...)"

# A cell longer than this is cut in the table format (use csv or json for whole values).
_CELL_CHARS = 160


def add_arguments(query: argparse.ArgumentParser) -> None:
    from warehouse.analysts.query import EXAMPLES

    query.add_argument("sql", nargs="?", default=None, help="one SQL statement")
    query.add_argument(
        "--example",
        choices=sorted(EXAMPLES),
        default=None,
        help="run a documented example query instead (see docs/queries.md)",
    )
    query.add_argument(
        "--list-examples", action="store_true", help="print the example queries and exit"
    )
    query.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: %(default)s)",
    )
    query.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="VERSION|TIMESTAMP",
        help="read the tables as they were: an articles table version (runs.table_versions, "
        "news-etl status) or a UTC time such as 2026-12-01T06:00; needs the versions kept "
        "(compact --retention-hours)",
    )
    add_warehouse(query)


def _as_of(text: str) -> int | datetime:
    """A table version (a whole number) or a timestamp (ISO 8601; UTC when no offset)."""
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a version number nor a timestamp like 2026-12-01T06:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    from flows.object_store import open_warehouse
    from warehouse import WarehouseError
    from warehouse.analysts.query import EXAMPLES, QueryError, run_query, sql_views

    if args.list_examples:
        text = "\n".join(f"-- {e.name}: {e.question}\n{e.sql};\n" for e in EXAMPLES.values())
        _write(lambda: print(text))
        return EXIT_OK
    if (args.sql is None) == (args.example is None):
        names = ", ".join(sorted(EXAMPLES))
        return fail(f"give either SQL or --example NAME (one of: {names})", EXIT_USAGE)
    sql = args.sql
    if args.example is not None:
        sql = EXAMPLES[args.example].sql
    root = args.warehouse
    try:
        with sql_views(open_warehouse(root), as_of=args.as_of) as cat:
            if cat.is_empty:
                return fail(
                    f"no tables under {root}: run `news-etl ingest PATH --warehouse {root}` "
                    "first, or point --warehouse at an existing warehouse"
                )
            for name in cat.empty_tables:
                if re.search(rf"\b{re.escape(name)}\b", sql, re.IGNORECASE):
                    print(f"news-etl: note: {root} has no {name} rows yet", file=sys.stderr)
            result = run_query(cat, sql)
    except QueryError as exc:
        return fail(str(exc), EXIT_USAGE)
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot read the warehouse: {exc}", EXIT_FAILED)
    _write(lambda: _print(result, args.format))
    return EXIT_OK


def _write(output: Callable[[], None]) -> None:
    """Run `output`; a reader that went away (`news-etl query ... | head`) is not an error."""
    try:
        output()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _print(result: QueryResult, form: str) -> None:
    from warehouse.analysts.query import plain

    if form == "json":
        print(json.dumps(result.records(), ensure_ascii=False, indent=2))
        return
    rows = [[plain(value) for value in row] for row in result.rows]
    if form == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_cell(v, limit=None) for v in row] for row in rows)
    else:
        _print_table(result.columns, rows)


def _cell(value: Any, *, limit: int | None) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _print_table(columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(caption=f"{len(rows)} row{'s' if len(rows) != 1 else ''}")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(v, limit=_CELL_CHARS) for v in row))
    Console().print(table)
