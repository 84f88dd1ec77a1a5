"""What an operator asks first: how did the last runs go, and how fresh is each source?

Read through each Delta table's latest version, so a compaction committing
meanwhile never makes a row count twice; tables that do not exist yet read
as empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from warehouse.delta import open_table, read
from warehouse.layout import ARTICLES_TABLE, RUNS_TABLE, TABLES, Warehouse

__all__ = ["SourceFreshness", "freshness_by_source", "last_runs", "table_versions"]


@dataclass(frozen=True, slots=True)
class SourceFreshness:
    """One source's share of the articles table."""

    source: str
    articles: int
    newest_published_at: datetime | None
    last_ingested_at: datetime | None


def last_runs(warehouse: Warehouse, limit: int = 10) -> list[dict[str, Any]]:
    """The newest runs first, as rows of the runs table."""
    table = read(warehouse, RUNS_TABLE)
    if table.num_rows == 0:
        return []
    newest: list[dict[str, Any]] = (
        table.sort_by([("started_at", "descending")]).slice(0, limit).to_pylist()
    )
    return newest


def freshness_by_source(warehouse: Warehouse) -> list[SourceFreshness]:
    """Per source: article count, newest publication time, last ingestion time."""
    table = read(warehouse, ARTICLES_TABLE, ["source", "published_at", "ingested_at"])
    if table.num_rows == 0:
        return []
    grouped = table.group_by("source").aggregate(
        [("source", "count"), ("published_at", "max"), ("ingested_at", "max")]
    )
    out = [
        SourceFreshness(
            source=row["source"],
            articles=row["source_count"],
            newest_published_at=row["published_at_max"],
            last_ingested_at=row["ingested_at_max"],
        )
        for row in grouped.to_pylist()
    ]
    return sorted(out, key=lambda f: f.source)


def table_versions(warehouse: Warehouse) -> dict[str, int]:
    """Each existing table's latest Delta version."""
    found = {name: open_table(warehouse, spec) for name, spec in TABLES.items()}
    return {name: table.version() for name, table in found.items() if table is not None}
