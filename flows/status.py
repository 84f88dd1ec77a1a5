"""`news-etl status`: the last runs, their counts and failures, and each source's freshness."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from warehouse import Warehouse
from warehouse.status import freshness_by_source, last_runs

__all__ = ["print_status"]

_COLUMNS = ("started (UTC)", "flow", "status", "seen", "stored", "written", "dups", "rejects")


def print_status(root: str, *, runs: int = 10, console: Console | None = None) -> None:
    """Print the run history and per-source freshness of the warehouse at `root`."""
    out = console or Console()
    store = Warehouse.at(root)
    history = Table(title=f"last runs · {root}", title_justify="left")
    for column in _COLUMNS:
        history.add_column(
            column, justify="left" if column in ("started (UTC)", "flow", "status") else "right"
        )
    history.add_column("rejects by reason")
    recent = last_runs(store, runs)
    for run in recent:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(dict(run["rejects_by_reason"]).items()))
        status = run["status"] if run["finished_at"] else f"{run['status']} (no end recorded)"
        history.add_row(
            f"{run['started_at']:%Y-%m-%d %H:%M:%S}",
            run["flow"],
            status,
            str(run["documents_seen"]),
            _count(run.get("already_stored")),
            str(run["articles_written"]),
            str(run["duplicates_skipped"]),
            str(run["rejects"]),
            reasons,
        )
    out.print(history)
    failed = [r for r in recent if r["status"] != "completed"]
    for run in failed:
        out.print(
            f"[bold]{run['status']}[/bold] run {run['run_id']}: {json.loads(run['parameters'])}"
        )

    sources = Table(title="sources", title_justify="left")
    for column in ("source", "articles", "newest published (UTC)", "last ingested (UTC)"):
        sources.add_column(column)
    for row in freshness_by_source(store):
        sources.add_row(
            row.source,
            str(row.articles),
            f"{row.newest_published_at:%Y-%m-%d %H:%M}" if row.newest_published_at else "-",
            f"{row.last_ingested_at:%Y-%m-%d %H:%M}" if row.last_ingested_at else "-",
        )
    out.print(sources)


def _count(value: int | None) -> str:
    """A count, or '-' where the run did not record it (older runs)."""
    return "-" if value is None else str(value)
