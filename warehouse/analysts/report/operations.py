"""The report's sections about operations: rejects per reason over time, the last runs."""

from __future__ import annotations

from typing import Final

from warehouse.analysts.query import SqlViews, plain
from warehouse.analysts.report.sections import Chart, Section, Table, query_rows

__all__ = ["rejects", "runs"]

RUNS_SHOWN: Final = 20


def rejects(cat: SqlViews) -> Section:
    """Rejects per day and reason, with example locators."""
    daily = query_rows(
        cat,
        "SELECT strftime(seen_at, '%Y-%m-%d') AS d, reason, count(*) FROM r_rejects "
        "GROUP BY ALL ORDER BY d, reason",
    )
    days = sorted({d for d, _, _ in daily})
    reasons = sorted({r for _, r, _ in daily})
    grid = {r: dict.fromkeys(days, 0) for r in reasons}
    for d, r, n in daily:
        grid[r][d] = n
    rows = query_rows(
        cat,
        "SELECT reason, count(*) AS n, strftime(min(seen_at), '%Y-%m-%d %H:%M'), "
        "strftime(max(seen_at), '%Y-%m-%d %H:%M'), "
        "array_to_string(list(locator ORDER BY seen_at DESC, locator)[1:3], '  ') AS examples, "
        "arg_max(detail, seen_at) FROM r_rejects GROUP BY reason ORDER BY n DESC, reason",
    )
    chart = Chart(
        "stacked",
        "Rejects per day per reason",
        days,
        {r: [float(grid[r][d]) for d in days] for r in reasons},
        ylabel="rejects",
    )
    return Section(
        "rejects",
        "Rejects per reason over time",
        {"series": grid, "total": {r: n for r, n, *_ in rows}},
        charts=[chart] if days else [],
        tables=[
            Table(
                "rejects per reason, with up to three example locators (newest first)",
                ("reason", "rejects", "first seen", "last seen", "example locators", "a detail"),
                rows,
            )
        ],
    )


def runs(cat: SqlViews) -> Section:
    """The last runs: status, duration, counts."""
    rows = query_rows(
        cat,
        f"""
        SELECT run_id, flow, status, strftime(started_at, '%Y-%m-%d %H:%M:%S'),
               round(epoch(finished_at - started_at), 1) AS seconds,
               documents_seen, articles_written, duplicates_skipped, rejects,
               array_to_string(list_transform(map_entries(rejects_by_reason),
                               lambda e: e.key || ' ' || e.value), ', ')
        FROM r_runs ORDER BY started_at DESC LIMIT {RUNS_SHOWN}
        """,
    )
    shown = [
        (run_id[:8], flow, status if ended else f"{status} (no end recorded)", started,
         "-" if ended is None else ended, *counts)
        for run_id, flow, status, started, ended, *counts in rows
    ]  # fmt: skip
    counts = {
        "runs": [
            {
                "run_id": r[0],
                "status": r[2],
                "seconds": plain(r[4]),
                "documents_seen": r[5],
                "articles_written": r[6],
                "duplicates_skipped": r[7],
                "rejects": r[8],
            }
            for r in rows
        ]
    }
    return Section(
        "runs",
        f"Last {RUNS_SHOWN} runs",
        counts,
        tables=[
            Table(
                "newest first; a run with no end recorded crashed or is still going",
                (
                    "run",
                    "flow",
                    "status",
                    "started (UTC)",
                    "seconds",
                    "seen",
                    "written",
                    "duplicates",
                    "rejects",
                    "rejects by reason",
                ),
                shown,
            )
        ],
    )
