"""The runs table: one row per flow run, replaced as the run progresses.

The row is merged in by `run_id` when a run starts (status `running`) and
replaced when it ends, so a crashed run stays visible as `running` with no
`finished_at` instead of vanishing. Each row carries the Delta versions of
the other tables that the run's commits produced so far (`table_versions`,
from the warehouse handle's journal): `news-etl query --as-of` goes back to
any of them.
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import pyarrow as pa

from warehouse.counts import RunCounts
from warehouse.delta import read, replace_rows
from warehouse.layout import RUNS_TABLE, Warehouse
from warehouse.schema import RUNS, with_version

__all__ = ["RunRecord", "RunStatus", "SourceCounts", "run_ids_of", "write_run"]


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SourceCounts:
    """One web source's share of a run (the `sources` column of the runs table)."""

    source: str
    discovered: int = 0  # URLs its listings named
    fetched: int = 0  # URLs requested this run (listed and new, or retried)
    counts: RunCounts = field(default_factory=RunCounts)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run's row in the runs table; `counts` is None until the run has counted."""

    run_id: str
    flow: str
    parameters: Mapping[str, Any]
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: RunCounts | None = None
    sources: tuple[SourceCounts, ...] = ()


def write_run(warehouse: Warehouse, run: RunRecord) -> None:
    """Write (or replace) the run's row, with the table versions committed through `warehouse`."""
    columns = {
        "run_id": run.run_id,
        "flow": run.flow,
        "parameters": json.dumps(run.parameters, sort_keys=True, default=str),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "status": str(run.status),
        **_count_columns(run.counts),
        "sources": [_source_struct(s) for s in run.sources],
        "table_versions": _table_versions(warehouse),
    }
    table = pa.Table.from_pylist([columns], schema=with_version(RUNS))
    replace_rows(warehouse, RUNS_TABLE, table)


def _count_columns(counts: RunCounts | None) -> dict[str, Any]:
    """The runs table's count columns: the storage boundary, the one place counts are
    flattened. A run that has not counted yet stores zeros and, where the column
    allows it, null (not counted)."""
    known = counts or RunCounts()
    columns: dict[str, Any] = {
        "documents_seen": known.documents_seen,
        "articles_written": known.articles_written,
        "duplicates_skipped": known.duplicates_skipped,
        "rejects": known.rejects,
        "rejects_by_reason": sorted(known.rejects_by_reason.items()),
    }
    for name in _COUNTED_LATER:
        columns[name] = getattr(known, name) if counts is not None else None
    return columns


# Nullable count columns, null while a run has not counted (and in rows older than them).
_COUNTED_LATER = ("exact_duplicates", "near_duplicates", "new_versions", "already_stored")


def _source_struct(source: SourceCounts) -> dict[str, Any]:
    counts = source.counts
    return {
        "source": source.source,
        "discovered": source.discovered,
        "already_stored": counts.already_stored,
        "fetched": source.fetched,
        "articles_written": counts.articles_written,
        "duplicates_skipped": counts.duplicates_skipped,
        "rejects": counts.rejects,
    }


def _table_versions(warehouse: Warehouse) -> list[dict[str, Any]]:
    return [
        {"table": name, "first_version": found[0], "last_version": found[-1], "commits": len(found)}
        for name, found in warehouse.journal.versions().items()
        if name != RUNS_TABLE.name
    ]


def run_ids_of(warehouse: Warehouse, flows: Container[str]) -> set[str]:
    """Ids of the runs of `flows` in the runs table, whatever their status (a killed one too)."""
    table = read(warehouse, RUNS_TABLE, ["run_id", "flow"])
    return {row["run_id"] for row in table.to_pylist() if row["flow"] in flows}
