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
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import pyarrow as pa

from warehouse.delta import replace_rows
from warehouse.layout import RUNS_TABLE, Warehouse
from warehouse.schema import RUNS, with_version

__all__ = ["RunRecord", "RunStatus", "SourceCounts", "write_run"]


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run's row in the runs table."""

    run_id: str
    flow: str
    parameters: Mapping[str, Any]
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    documents_seen: int = 0
    articles_written: int = 0
    duplicates_skipped: int = 0
    rejects: int = 0
    rejects_by_reason: Mapping[str, int] = field(default_factory=dict)
    sources: tuple[SourceCounts, ...] = ()
    # Of articles_written (WriteCounts); None when the flow did not count them.
    exact_duplicates: int | None = None
    near_duplicates: int | None = None
    new_versions: int | None = None
    # Of documents_seen: passed over unread because an earlier run committed them.
    already_stored: int | None = None


@dataclass(frozen=True, slots=True)
class SourceCounts:
    """One web source's share of a run (the `sources` column of the runs table)."""

    source: str
    discovered: int = 0
    already_stored: int = 0
    fetched: int = 0
    articles_written: int = 0
    duplicates_skipped: int = 0
    rejects: int = 0


def write_run(warehouse: Warehouse, run: RunRecord) -> None:
    """Write (or replace) the run's row, with the table versions committed through `warehouse`."""
    table = pa.table(
        {
            "run_id": [run.run_id],
            "flow": [run.flow],
            "parameters": [json.dumps(run.parameters, sort_keys=True, default=str)],
            "started_at": [run.started_at],
            "finished_at": [run.finished_at],
            "documents_seen": [run.documents_seen],
            "articles_written": [run.articles_written],
            "duplicates_skipped": [run.duplicates_skipped],
            "rejects": [run.rejects],
            "rejects_by_reason": [sorted(run.rejects_by_reason.items())],
            "status": [str(run.status)],
            "sources": [[asdict(counts) for counts in run.sources]],
            "exact_duplicates": [run.exact_duplicates],
            "near_duplicates": [run.near_duplicates],
            "new_versions": [run.new_versions],
            "already_stored": [run.already_stored],
            "table_versions": [_table_versions(warehouse)],
        },
        schema=with_version(RUNS),
    )
    replace_rows(warehouse, RUNS_TABLE, table)


def _table_versions(warehouse: Warehouse) -> list[dict[str, Any]]:
    return [
        {"table": name, "first_version": found[0], "last_version": found[-1], "commits": len(found)}
        for name, found in warehouse.journal.versions().items()
        if name != RUNS_TABLE.name
    ]
