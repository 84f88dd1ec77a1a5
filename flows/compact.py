"""The `compact` flow: Delta compaction then vacuum, table by table.

A thin Prefect wrapper over `warehouse.compact.compact_warehouse`; the flow
has no tasks: compaction is one sequential pass, each step one Delta
commit. Like the ingest flows it keeps a runs-table row through the run
ledger, so `news-etl status` shows whether last night's compaction failed.
`news-etl serve` schedules it nightly; `news-etl compact` runs the
same core without starting Prefect.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from flows.defaults import COMPACTION, WAREHOUSE
from flows.ledger import run_ledger
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
    parameters = {
        "warehouse": warehouse,
        "target_mb": target_mb,
        "retention_hours": retention_hours,
    }
    with run_ledger(FLOW_NAME, warehouse, parameters) as ledger:
        report = compact_warehouse(
            ledger.store, target_bytes=int(target_mb * 2**20), retention_hours=retention_hours
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
