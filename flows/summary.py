"""The end-of-run summary table printed by the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from flows.ingest import RunSummary, summary_rows

__all__ = ["print_summary"]


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    """Counts of the run: documents, articles, duplicates, rejects by reason, time."""
    table = Table(title=f"news-etl ingest · run {summary.run_id}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for row in summary_rows(summary):
        table.add_row(str(row["measure"]), str(row["value"]))
    (console or Console()).print(table)
    print(f"warehouse: {summary.warehouse}")
