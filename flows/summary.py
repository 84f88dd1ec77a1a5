"""The end-of-run summary table: printed by the CLI, published as a run's artifact."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from flows.ledger import RunSummary

__all__ = ["print_summary", "summary_rows"]


def print_summary(summary: RunSummary, console: Console | None = None) -> None:
    """Counts of the run: documents, articles, duplicates, rejects by reason, time."""
    table = Table(title=f"news-etl ingest · run {summary.run_id}", title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for row in summary_rows(summary):
        table.add_row(str(row["measure"]), str(row["value"]))
    (console or Console()).print(table)
    print(f"warehouse: {summary.warehouse}")


def summary_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """The run's counts as (measure, value) rows, for the artifact and the CLI table."""
    counts = summary.counts
    rows: list[dict[str, Any]] = [
        {"measure": "files", "value": summary.files},
        {"measure": "documents seen", "value": counts.documents_seen},
        *(
            [{"measure": "  already stored (not read again)", "value": counts.already_stored}]
            if counts.already_stored
            else []
        ),
        {"measure": "articles written", "value": counts.articles_written},
        {"measure": "duplicates skipped", "value": counts.duplicates_skipped},
        {"measure": "rejects", "value": counts.rejects},
    ]
    rows += [
        {"measure": measure, "value": value}
        for measure, value in (
            ("  of the articles: exact copies of another", counts.exact_duplicates),
            ("  of the articles: near-duplicates (clustered)", counts.near_duplicates),
            ("  of the articles: new versions of a stored URL", counts.new_versions),
        )
        if value
    ]
    rows += [
        {"measure": f"  rejected: {reason}", "value": count}
        for reason, count in sorted(counts.rejects_by_reason.items())
    ]
    if summary.records_skipped:
        rows.append(
            {
                "measure": "archive records skipped",
                "value": sum(summary.records_skipped.values()),
            }
        )
        rows += [
            {"measure": f"  skipped: {kind}", "value": count}
            for kind, count in sorted(summary.records_skipped.items())
        ]
    if summary.raw_pages_written:
        rows.append({"measure": "raw pages kept", "value": summary.raw_pages_written})
    rows.append({"measure": "elapsed seconds", "value": round(summary.elapsed_seconds, 2)})
    return rows
