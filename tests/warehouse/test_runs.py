"""The runs table: one row per run, replaced as the run progresses."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.delta_sql import delta_rows
from warehouse import RunCounts, RunRecord, RunStatus, Warehouse, write_run


def test_run_row_is_replaced_not_appended(store: Warehouse) -> None:
    """The running row is replaced by the final one: one row per run id."""
    started = datetime(2026, 11, 30, 12, tzinfo=UTC)
    record = RunRecord("run-1", "ingest_files", {"paths": ["samples"]}, started_at=started)
    write_run(store, record)
    final = RunRecord(
        "run-1",
        "ingest_files",
        {"paths": ["samples"]},
        started_at=started,
        status=RunStatus.COMPLETED,
        finished_at=datetime(2026, 11, 30, 12, 1, tzinfo=UTC),
        counts=RunCounts(documents_seen=3, articles_written=2, rejects_by_reason={"EMPTY_BODY": 1}),
    )
    write_run(store, final)
    rows = delta_rows(
        f"SELECT run_id, status, articles_written, rejects_by_reason['EMPTY_BODY'], parameters "
        f"FROM read_parquet('{store.runs}/*.parquet')"
    )
    assert rows == [("run-1", "completed", 2, 1, '{"paths": ["samples"]}')]
