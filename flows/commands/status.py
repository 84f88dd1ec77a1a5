"""`news-etl status`: the last runs, their counts, failures and the table versions they
committed, each table's latest version, and each source's freshness, from the tables alone
(no Prefect needed).

The numbers come from `warehouse.analysts.status`; this module lays them out
with rich. rich and the warehouse are imported inside the functions: every
command module is imported for `news-etl --help` (see `flows.commands`).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from flows.commands.common import EXIT_OK, add_warehouse, fail, positive

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from warehouse import Warehouse

NAME = "status"
ORDER = 30
HELP = "the last runs and how fresh each source is (no Prefect needed)"

_COLUMNS = ("started (UTC)", "flow", "status", "seen", "stored", "new", "dups", "rejects")


def add_arguments(status: argparse.ArgumentParser) -> None:
    add_warehouse(status)
    status.add_argument("--runs", type=positive, default=10, help="runs to show (%(default)s)")


def run(args: argparse.Namespace) -> int:
    from warehouse import WarehouseError

    try:
        print_status(args.warehouse, runs=args.runs)
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot read the warehouse: {exc}")
    return EXIT_OK


def print_status(root: str, *, runs: int = 10, console: Console | None = None) -> None:
    """Print the run history and per-source freshness of the warehouse at `root`."""
    from rich import console as rich_console

    from flows.object_store import open_warehouse
    from warehouse.analysts.status import last_runs

    out = console or rich_console.Console()
    store = open_warehouse(root)
    recent = last_runs(store, runs)
    out.print(_history(root, recent))
    rejected = [r for r in recent if r["rejects_by_reason"]]
    if rejected:
        out.print(_reasons(rejected))
    for unfinished in (r for r in recent if r["status"] != "completed"):
        out.print(
            f"[bold]{unfinished['status']}[/bold] run {unfinished['run_id']}: "
            f"{json.loads(unfinished['parameters'])}"
        )
    out.print(_versions(store, recent))
    out.print(_sources(store))


def _versions(store: Warehouse, recent: list[dict[str, Any]]) -> Table:
    """Per run, the Delta versions its commits produced (query --as-of takes them)."""
    from rich.table import Table

    from warehouse.analysts.status import table_versions

    latest = ", ".join(f"{name} {v}" for name, v in table_versions(store).items()) or "-"
    versions = Table(
        title="table versions committed (news-etl query --as-of VERSION)",
        title_justify="left",
        caption=f"latest: {latest}",
        caption_justify="left",
    )
    versions.add_column("started (UTC)", no_wrap=True)
    versions.add_column("versions")
    for run in recent:
        committed = run.get("table_versions") or []
        text = ", ".join(
            f"{c['table']} {c['first_version']}"
            + (f"-{c['last_version']}" if c["last_version"] != c["first_version"] else "")
            for c in committed
        )
        versions.add_row(f"{run['started_at']:%Y-%m-%d %H:%M:%S}", text or "-")
    return versions


def _history(root: str, recent: list[dict[str, Any]]) -> Table:
    """The runs and their counts; the reasons go to a table of their own, so that
    these eight columns fit 80 characters."""
    from rich import box
    from rich.table import Table

    rows = [_history_row(run) for run in recent]
    history = Table(
        title=f"last runs · {root}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for index, column in enumerate(_COLUMNS):
        widest = max((len(row[index]) for row in rows), default=1)
        history.add_column(column, justify="left" if index < 3 else "right", min_width=widest)
    for row in rows:
        history.add_row(*row)
    return history


def _reasons(runs: list[dict[str, Any]]) -> Table:
    """Each run's rejects by reason, in a table of their own."""
    from rich import box
    from rich.table import Table

    reasons = Table(title="rejects by reason", title_justify="left", box=box.SIMPLE_HEAD)
    reasons.add_column("started (UTC)", no_wrap=True)
    reasons.add_column("reasons")
    for run in runs:
        counts = sorted(dict(run["rejects_by_reason"]).items())
        reasons.add_row(
            f"{run['started_at']:%Y-%m-%d %H:%M:%S}", ", ".join(f"{k} {v}" for k, v in counts)
        )
    return reasons


def _sources(store: Warehouse) -> Table:
    """Per source: articles, newest publication time, last ingestion time."""
    from rich.table import Table

    from warehouse.analysts.status import freshness_by_source

    sources = Table(title="sources", title_justify="left")
    for column in ("source", "articles", "newest published (UTC)", "last ingested (UTC)"):
        sources.add_column(column)
    for fresh in freshness_by_source(store):
        sources.add_row(
            fresh.source,
            str(fresh.articles),
            f"{fresh.newest_published_at:%Y-%m-%d %H:%M}" if fresh.newest_published_at else "-",
            f"{fresh.last_ingested_at:%Y-%m-%d %H:%M}" if fresh.last_ingested_at else "-",
        )
    return sources


def _count(value: int | None) -> str:
    """A count, or '-' where the run did not record it (older runs)."""
    return "-" if value is None else str(value)


def _history_row(run: dict[str, Any]) -> list[str]:
    """One run as the history table shows it; a run with no end recorded says so."""
    status = run["status"] if run["finished_at"] else f"{run['status']} (no end recorded)"
    counts = ("documents_seen", "already_stored", "articles_written", "duplicates_skipped")
    return [
        f"{run['started_at']:%Y-%m-%d %H:%M:%S}",
        run["flow"],
        status,
        *(_count(run.get(name)) for name in counts),
        str(run["rejects"]),
    ]
