"""Compaction and clean-up: Delta's `optimize.compact()` then `vacuum`, table by table.

Runs that commit every few minutes leave one small file per batch and month;
queries then spend their time opening files. `optimize.compact()` rewrites
each partition's small files into files of about the target size in one
commit (readers see the old files or the new ones, never both). `vacuum`
then deletes the files no version within the retention still needs.

The default retention is 0 hours: after `compact`, a table's folder holds
exactly the files of its latest version, so a plain Parquet glob of its
partitions (`articles/published_month=*/*.parquet`) counts every row once.
The price is time travel: versions older than the latest can no longer be
read. Pass `retention_hours` (e.g. 168, Delta's own default) to keep them
readable that long; a glob then sees superseded files too.

Files no version ever held are the other thing a glob must not see: a
writer killed between writing a data file and committing it leaves one, and
so does every attempt that lost a commit conflict and was redone (the table
never lists them). The lite vacuum (files the log removed) runs
with the retention; a full vacuum then deletes such orphans once they are
`orphan_hours` old (default 1): a younger one may belong to a writer that
is about to commit it, and deleting it would break that commit. A reader
still scanning a version older than the retention can fail; the readers
here retry on the latest version, and the nightly deployment runs
`compact` between runs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Final

from deltalake import WriterProperties
from deltalake.exceptions import DeltaError

from warehouse.defaults import COMPACT_TARGET_BYTES, ORPHAN_HOURS, RETENTION_HOURS
from warehouse.delta import open_table
from warehouse.errors import WarehouseWriteError
from warehouse.layout import TABLES, Warehouse

__all__ = [
    "CompactionReport",
    "TableCompaction",
    "compact_warehouse",
    "describe",
]

logger = logging.getLogger(__name__)

_WRITER: Final = WriterProperties(compression="ZSTD")


@dataclass(frozen=True, slots=True)
class TableCompaction:
    """What compaction and vacuum did to one table."""

    table: str
    files_before: int
    files_after: int
    files_compacted: int  # small files rewritten (removed from the table by compaction)
    files_deleted: int  # files vacuum deleted from storage
    version: int  # the table's version afterwards


@dataclass(frozen=True, slots=True)
class CompactionReport:
    """A whole compaction: every table that exists."""

    tables: tuple[TableCompaction, ...]
    elapsed_seconds: float

    @property
    def files_before(self) -> int:
        return sum(t.files_before for t in self.tables)

    @property
    def files_after(self) -> int:
        return sum(t.files_after for t in self.tables)

    @property
    def files_deleted(self) -> int:
        return sum(t.files_deleted for t in self.tables)


def compact_warehouse(
    warehouse: Warehouse,
    *,
    target_bytes: int = COMPACT_TARGET_BYTES,
    retention_hours: int = RETENTION_HOURS,
    orphan_hours: int = ORPHAN_HOURS,
) -> CompactionReport:
    """Compact every table's small files, then vacuum what no kept version needs."""
    started = time.perf_counter()
    done = []
    for name, spec in TABLES.items():
        table = open_table(warehouse, spec)
        if table is None:
            continue
        before = len(table.file_uris())
        try:
            metrics = table.optimize.compact(target_size=target_bytes, writer_properties=_WRITER)
            deleted = table.vacuum(
                retention_hours=retention_hours, enforce_retention_duration=False, dry_run=False
            )
            deleted += table.vacuum(
                retention_hours=max(retention_hours, orphan_hours),
                enforce_retention_duration=False,
                dry_run=False,
                full=True,
            )
        except (DeltaError, OSError) as exc:
            raise WarehouseWriteError(warehouse.uri(spec), exc) from exc
        result = TableCompaction(
            name,
            before,
            len(table.file_uris()),
            int(metrics.get("numFilesRemoved", 0)),
            len(deleted),
            table.version(),
        )
        logger.info("%s: %d files -> %d", name, result.files_before, result.files_after)
        done.append(result)
    return CompactionReport(tuple(done), time.perf_counter() - started)


def describe(report: CompactionReport) -> list[dict[str, Any]]:
    """One row per table, plus a total row: for tables and artifacts."""
    rows: list[dict[str, Any]] = [
        {
            "table": t.table,
            "files before": t.files_before,
            "files after": t.files_after,
            "files compacted": t.files_compacted,
            "files deleted": t.files_deleted,
            "version": t.version,
        }
        for t in report.tables
    ]
    rows.append(
        {
            "table": "all",
            "files before": report.files_before,
            "files after": report.files_after,
            "files compacted": sum(t.files_compacted for t in report.tables),
            "files deleted": report.files_deleted,
            "version": "-",
        }
    )
    return rows
