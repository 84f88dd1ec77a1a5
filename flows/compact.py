"""The `compact` flow: each partition's small files rewritten into files of a target size.

A thin Prefect wrapper over `warehouse.compact.compact_warehouse`, which
takes the writer lock itself (an ingest started meanwhile waits, and the
reverse), so the flow has no tasks: compaction is one sequential pass under
one lock. `news-etl serve` schedules it nightly; `news-etl compact` runs the
same core without starting Prefect.
"""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from warehouse import Warehouse
from warehouse.compact import DEFAULT_MIN_FILES, CompactionReport, compact_warehouse, describe

__all__ = ["FLOW_NAME", "compact"]

FLOW_NAME = "compact"


@flow(name=FLOW_NAME)
def compact(
    warehouse: str = "data/warehouse", target_mb: int = 128, min_files: int = DEFAULT_MIN_FILES
) -> CompactionReport:
    """Rewrite the small files of every table into files of about `target_mb` MiB."""
    logger = get_run_logger()
    report = compact_warehouse(
        Warehouse.at(warehouse), target_bytes=int(target_mb * 2**20), min_files=min_files
    )
    logger.info(
        "compacted %s: %d files -> %d (%d files, %d rows rewritten), %.1f -> %.1f MiB, "
        "%d leftovers of an interrupted compaction deleted, %.2f s",
        warehouse,
        report.files_before,
        report.files_after,
        report.files_rewritten,
        report.rows_rewritten,
        report.bytes_before / 2**20,
        report.bytes_after / 2**20,
        report.interrupted_finished,
        report.elapsed_seconds,
    )
    for folder in report.folders:
        if folder.files_rewritten:
            logger.info(
                "%s/%s: %d files -> %d",
                folder.table,
                folder.partition or ".",
                folder.files_before,
                folder.files_after,
            )
    create_table_artifact(
        key="compaction-summary",
        table=describe(report),
        description=f"news-etl compaction of {warehouse}",
    )
    return report
