"""The report's numbers: which sections, over the views filtered to what arrived since when.

Read with DuckDB through `warehouse.analysts.query`; each section is made by
its topic's module (`articles`, `cleaning`, `operations`).
"""

from __future__ import annotations

from datetime import datetime

from warehouse.analysts.query import LATEST, SqlViews
from warehouse.analysts.report.articles import freshness, languages, per_day, word_counts
from warehouse.analysts.report.cleaning import boilerplate, duplicates
from warehouse.analysts.report.operations import rejects, runs
from warehouse.analysts.report.sections import Section

__all__ = ["collect"]


def _filters(cat: SqlViews, since: datetime | None) -> None:
    """Temporary views holding only what arrived since `since` (all of it when None)."""
    cutoff = f"TIMESTAMPTZ '{since.isoformat()}'" if since else "NULL"
    for view, table, column in (
        ("r_articles", LATEST, "ingested_at"),
        ("r_rejects", "rejects", "seen_at"),
        ("r_runs", "runs", "started_at"),
    ):
        cat.connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {table} "
            f"WHERE {cutoff} IS NULL OR {column} >= {cutoff}"
        )


def collect(
    cat: SqlViews, *, since: datetime | None, now: datetime, only: tuple[str, ...] | None = None
) -> list[Section]:
    """The report's sections (those whose key is in `only`, when given), over `cat`.

    Also leaves the filtered views (`r_articles`, `r_rejects`, `r_runs`) on `cat`.
    """
    _filters(cat, since)
    makers = {
        "articles-per-day": per_day,
        "newest-per-source": lambda c: freshness(c, now),
        "languages": languages,
        "word-counts": word_counts,
        "rejects": rejects,
        "boilerplate": boilerplate,
        "duplicates": duplicates,
        "runs": runs,
    }
    return [make(cat) for key, make in makers.items() if only is None or key in only]
