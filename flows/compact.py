"""The `compact` flow: Delta compaction then vacuum, table by table.

A thin Prefect wrapper over `warehouse.compact.compact_warehouse`; the flow
has no tasks: compaction is one sequential pass, each step one Delta
commit. `news-etl serve` schedules it nightly; `news-etl compact` runs the
same core without starting Prefect.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from flows.defaults import COMPACTION, WAREHOUSE
from flows.object_store import open_warehouse
from warehouse.compact import CompactionReport, compact_warehouse, describe

__all__ = ["FLOW_NAME", "compact"]

FLOW_NAME = "compact"


@flow(name=FLOW_NAME)
def compact(
    warehouse: str = WAREHOUSE,
    target_mb: int = COMPACTION.target_mb,
    retention_hours: int = COMPACTION.retention_hours,
) -> CompactionReport:
    """Compact every table into files of about `target_mb` MiB, then vacuum."""
    logger = get_run_logger()
    report = compact_warehouse(
        open_warehouse(warehouse),
        target_bytes=int(target_mb * 2**20),
        retention_hours=retention_hours,
    )
    logger.info(
        "compacted %s: %d files -> %d, %d deleted from storage, %.2f s",
        warehouse,
        report.files_before,
        report.files_after,
        report.files_deleted,
        report.elapsed_seconds,
    )
    create_table_artifact(
        key="compaction-summary",
        table=describe(report),
        description=f"news-etl compaction of {warehouse}",
    )
    return report
