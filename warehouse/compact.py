"""Compaction: many small files per partition rewritten into few of a target size.

Scheduled runs every few minutes leave one small file per batch and month
(and one per run in `runs`); queries then spend their time opening files.
`compact_warehouse` rewrites, per folder (an articles or raw_pages month,
the rejects and runs folders), the files smaller than three quarters of the
target size, once there are at least `min_files` of them, into files of about
the target size. Files already that big are left alone, so the file count of
a partition stays bounded (its bytes over the target, plus fewer than
`min_files` small ones) however many runs write to it.

Atomicity without renaming many files at once (`warehouse/replacement.py`):
each output is written under a new unique name `compact-*.parquet`
(temporary name, fsync, rename), its footer metadata listing the files it
replaces; then those files are deleted. `Warehouse.parquet_files` hides
every file that a committed compacted file lists, so readers going through
it see the old files or the new one, never both, never neither; a
compaction killed between write and delete is finished by the next
compaction or by the sweep at the start of every run. A raw glob
(`read_parquet('articles/**/*.parquet')`) does not know that rule: it may
count a compacted folder's rows twice during the few milliseconds between
the write and the deletes (or until the next run, after a compaction was
killed right there), and may fail to open a file deleted after it listed
it. `read_committed`, which lists through `parquet_files` and lists again
after reading, never does either.

A `runs` row is rewritten in place while its run goes on (and a Prefect
flow retry reuses the run id), so run files not `completed` and younger
than a day are left alone.

Everything happens under the warehouse writer lock, so an ingest never
commits into a folder being compacted: one waits for the other.

Rows keep their order: input files go in the order of their oldest row
(`ingested_at`, `seen_at`, `started_at`, `fetched_at`), then by name, and
rows within a file keep theirs. Row groups are streamed from the inputs into
the output, buffered up to about 64 MiB of Arrow memory per output row
group, so a large partition is never loaded whole. Outputs carry the
table's declared schema, its version metadata and zstd, like every other
file.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.atomic import COMPRESSION, atomic_file, fsync_dir
from warehouse.errors import WarehouseReadError
from warehouse.layout import Warehouse
from warehouse.lock import exclusive_writer, sweep_temp_files
from warehouse.replacement import (
    COMPACTED_PREFIX,
    REPLACES_KEY,
    FileIdentity,
    encode_replaces,
    identify,
)
from warehouse.schema import ARTICLES, RAW_PAGES, REJECTS, RUNS, with_version
from warehouse.storage import (
    StorePath,
    arrow_location,
    dataset,
    parquet_file,
    read_metadata,
    read_table,
    relative_parts,
)

__all__ = [
    "DEFAULT_MIN_FILES",
    "DEFAULT_TARGET_BYTES",
    "CompactionReport",
    "FolderCompaction",
    "compact_warehouse",
    "describe",
    "read_committed",
]

logger = logging.getLogger(__name__)

DEFAULT_TARGET_BYTES: Final = 128 * 2**20
DEFAULT_MIN_FILES: Final = 4
# Files at least this share of the target are "done": not rewritten again.
_DONE_FRACTION: Final = 0.75
# Arrow bytes buffered before an output row group is written (memory bound).
_ROW_GROUP_BYTES: Final = 64 * 2**20
# A run row is rewritten in place while the run goes on, and a Prefect flow
# retry reuses its run id; only settled runs are compacted.
_RUN_SETTLED: Final = timedelta(days=1)
_READ_ATTEMPTS: Final = 50


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    schema: pa.Schema
    order_by: str


_TABLES: Final = (
    _Table("articles", ARTICLES, "ingested_at"),
    _Table("rejects", REJECTS, "seen_at"),
    _Table("runs", RUNS, "started_at"),
    _Table("raw_pages", RAW_PAGES, "fetched_at"),
)


@dataclass(frozen=True, slots=True)
class FolderCompaction:
    """What compaction did to one folder (a partition, or an unpartitioned table)."""

    table: str
    partition: str  # e.g. "published_month=2026-11"; "" for rejects and runs
    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int
    files_rewritten: int
    rows_rewritten: int


@dataclass(frozen=True, slots=True)
class CompactionReport:
    """A whole compaction: every folder looked at, and what an interrupted one left."""

    folders: tuple[FolderCompaction, ...]
    interrupted_finished: int
    elapsed_seconds: float

    @property
    def files_before(self) -> int:
        return sum(f.files_before for f in self.folders)

    @property
    def files_after(self) -> int:
        return sum(f.files_after for f in self.folders)

    @property
    def bytes_before(self) -> int:
        return sum(f.bytes_before for f in self.folders)

    @property
    def bytes_after(self) -> int:
        return sum(f.bytes_after for f in self.folders)

    @property
    def files_rewritten(self) -> int:
        return sum(f.files_rewritten for f in self.folders)

    @property
    def rows_rewritten(self) -> int:
        return sum(f.rows_rewritten for f in self.folders)


def compact_warehouse(
    warehouse: Warehouse,
    *,
    target_bytes: int = DEFAULT_TARGET_BYTES,
    min_files: int = DEFAULT_MIN_FILES,
) -> CompactionReport:
    """Compact every table of the warehouse; takes (and waits for) the writer lock.

    Do not call while this process already holds the lock: `flock` is per
    open file, so a second acquisition in the same process waits forever.
    """
    if target_bytes < 1 or min_files < 2:
        raise ValueError("target_bytes must be positive and min_files at least 2")
    started = time.perf_counter()
    folders: list[FolderCompaction] = []
    with exclusive_writer(warehouse):
        finished = sweep_temp_files(warehouse)
        for table in _TABLES:
            table_dir = warehouse.root / table.name
            by_folder: dict[StorePath, list[StorePath]] = defaultdict(list)
            for path in warehouse.parquet_files(table_dir):
                by_folder[path.parent].append(path)
            for folder, files in sorted(by_folder.items()):
                compacted = _compact_folder(
                    table,
                    table_dir,
                    folder,
                    files,
                    target_bytes=target_bytes,
                    min_files=min_files,
                )
                folders.append(compacted)
    report = CompactionReport(tuple(folders), finished, time.perf_counter() - started)
    logger.info(
        "compaction: %d files -> %d (%d rewritten, %d rows), %d -> %d bytes in %.2f s",
        report.files_before,
        report.files_after,
        report.files_rewritten,
        report.rows_rewritten,
        report.bytes_before,
        report.bytes_after,
        report.elapsed_seconds,
    )
    return report


def _compact_folder(
    table: _Table,
    table_dir: StorePath,
    folder: StorePath,
    files: Sequence[StorePath],
    *,
    target_bytes: int,
    min_files: int,
) -> FolderCompaction:
    sizes = {path: path.stat().st_size for path in files}
    small = [p for p in files if sizes[p] < target_bytes * _DONE_FRACTION]
    if table.name == "runs":
        small = [p for p in small if _run_settled(p)]
    rewritten = rows = 0
    written: list[StorePath] = []
    if len(small) >= min_files:
        pending = sorted(small, key=lambda p: _first_row_key(p, table))
        # Merged small files compress better than apart (measured: 77 MiB of
        # 5-row files came out as 46 MiB), so each group's input budget is the
        # target over the ratio seen so far in this folder.
        bytes_in = bytes_out = 0
        while pending:
            ratio = bytes_out / bytes_in if bytes_in else 1.0
            group, pending = _next_group(pending, sizes, target_bytes / max(ratio, 0.05))
            if len(group) < 2:
                continue
            output, count = _rewrite(table, folder, group)
            bytes_in += sum(sizes[p] for p in group)
            bytes_out += output.stat().st_size
            written.append(output)
            rewritten += len(group)
            rows += count
    remaining = [p for p in files if p.exists()] if rewritten else list(files)
    after = remaining + [p for p in written if p not in remaining]
    partition = "/".join(relative_parts(folder, table_dir))
    return FolderCompaction(
        table=table.name,
        partition=partition,
        files_before=len(files),
        files_after=len(after),
        bytes_before=sum(sizes.values()),
        bytes_after=sum(p.stat().st_size for p in after),
        files_rewritten=rewritten,
        rows_rewritten=rows,
    )


def _next_group(
    files: Sequence[StorePath], sizes: dict[StorePath, int], budget: float
) -> tuple[list[StorePath], list[StorePath]]:
    """The leading files whose sizes add up to at most `budget` (one at least), and the rest."""
    total = sizes[files[0]]
    end = 1
    while end < len(files) and total + sizes[files[end]] <= budget:
        total += sizes[files[end]]
        end += 1
    return list(files[:end]), list(files[end:])


def _first_row_key(path: StorePath, table: _Table) -> tuple[bool, Any, str]:
    """Sort key: the file's oldest `order_by` value from the footer statistics, then name."""
    oldest = None
    try:
        metadata = read_metadata(path)
        index = metadata.schema.to_arrow_schema().get_field_index(table.order_by)
        if index >= 0:
            for group in range(metadata.num_row_groups):
                stats = metadata.row_group(group).column(index).statistics
                if stats is not None and stats.has_min_max:
                    oldest = stats.min if oldest is None else min(oldest, stats.min)
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(path, exc) from exc
    return (oldest is None, oldest if oldest is not None else 0, path.name)


def _run_settled(path: StorePath) -> bool:
    """A completed run, or one started long enough ago that nothing will rewrite its row."""
    try:
        rows = read_table(path, columns=["status", "started_at"]).to_pylist()
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(path, exc) from exc
    horizon = datetime.now(UTC) - _RUN_SETTLED
    return all(r["status"] == "completed" or r["started_at"] < horizon for r in rows)


def _rewrite(table: _Table, folder: StorePath, group: Sequence[StorePath]) -> tuple[StorePath, int]:
    """Write one compacted file replacing `group`, then delete the group; returns (file, rows)."""
    identities: list[FileIdentity] = []
    for path in group:
        identity = identify(path)
        if identity is None:
            raise WarehouseReadError(path, FileNotFoundError(path))
        identities.append(identity)
    versioned = with_version(table.schema)
    metadata = {**(versioned.metadata or {}), REPLACES_KEY: encode_replaces(identities)}
    schema = versioned.with_metadata(metadata)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    output = folder / f"{COMPACTED_PREFIX}{stamp}-{secrets.token_hex(4)}.parquet"
    rows = _write_streamed(schema, group, output)
    # Committed: from here readers see `output` and ignore `group`. The deletes
    # only tidy up; a kill here is finished by the next sweep.
    for path in group:
        path.unlink(missing_ok=True)
    fsync_dir(folder)
    logger.info("compacted %d files (%d rows) into %s", len(group), rows, output)
    return output, rows


def _write_streamed(schema: pa.Schema, inputs: Sequence[StorePath], output: StorePath) -> int:
    """Stream the inputs' row groups into `output`, written atomically; returns rows."""
    plain = pa.schema(list(schema))  # cast target: fields only, no file metadata
    rows = 0
    with (
        atomic_file(output) as handle,
        pq.ParquetWriter(handle, schema, compression=COMPRESSION) as writer,
    ):
        buffer: list[pa.Table] = []
        buffered = 0
        for path in inputs:
            try:
                with parquet_file(path) as source:
                    for index in range(source.num_row_groups):
                        # one thread: decoding tiny row groups is faster without the pool
                        group = source.read_row_group(index, use_threads=False)
                        part = _conform(group, plain, path)
                        buffer.append(part)
                        buffered += part.nbytes
                        if buffered >= _ROW_GROUP_BYTES:
                            rows += _flush(writer, buffer, schema)
                            buffer, buffered = [], 0
            except (OSError, pa.ArrowException, KeyError) as exc:
                raise WarehouseReadError(path, exc) from exc
        rows += _flush(writer, buffer, schema)
    return rows


def _conform(part: pa.Table, schema: pa.Schema, path: StorePath) -> pa.Table:
    """`part` in the declared schema; a column declared later than the file reads as null.

    A column the schema does not declare would be lost, so it stops the compaction.
    """
    extra = set(part.column_names) - set(schema.names)
    if extra:
        raise WarehouseReadError(path, ValueError(f"undeclared columns {sorted(extra)}"))
    columns = []
    for field in schema:
        if field.name in part.column_names:
            columns.append(part.column(field.name).cast(field.type))
        elif field.nullable:
            columns.append(pa.chunked_array([pa.nulls(part.num_rows, field.type)]))
        else:
            raise WarehouseReadError(path, ValueError(f"required column {field.name!r} missing"))
    return pa.Table.from_arrays(columns, schema=schema)


def _flush(writer: pq.ParquetWriter, buffer: list[pa.Table], schema: pa.Schema) -> int:
    if not buffer:
        return 0
    group = pa.concat_tables(buffer).replace_schema_metadata(schema.metadata)
    writer.write_table(group, row_group_size=max(1, group.num_rows))
    return int(group.num_rows)


def read_committed(
    warehouse: Warehouse, table_dir: StorePath, columns: list[str] | None = None
) -> pa.Table:
    """A consistent snapshot of a table: every committed row exactly once.

    Lists through `parquet_files` (which hides replaced files), reads, and
    lists again; if a compaction committed meanwhile (a listed file vanished,
    or the listing changed), it reads again. Hive partition columns are
    added from the path, as pyarrow datasets do.
    """
    last: BaseException | None = None
    for _ in range(_READ_ATTEMPTS):
        files = warehouse.parquet_files(table_dir)
        if not files:
            return pa.table({})
        try:
            found = dataset(
                files,
                format="parquet",
                partitioning="hive",
                partition_base_dir=arrow_location(table_dir)[1],
            )
            table = found.to_table(columns=columns)
        except FileNotFoundError as exc:
            last = exc
            continue
        except (OSError, pa.ArrowException) as exc:
            if not all(p.exists() for p in files):
                last = exc
                continue
            raise WarehouseReadError(table_dir, exc) from exc
        if warehouse.parquet_files(table_dir) == files:
            return table
    raise WarehouseReadError(table_dir, last or RuntimeError("the table kept changing"))


def describe(report: CompactionReport) -> list[dict[str, Any]]:
    """One row per folder that changed, plus a total row: for tables and artifacts."""
    rows = [
        {
            "table": f.table,
            "partition": f.partition or "-",
            "files before": f.files_before,
            "files after": f.files_after,
            "MB before": round(f.bytes_before / 2**20, 2),
            "MB after": round(f.bytes_after / 2**20, 2),
            "rows rewritten": f.rows_rewritten,
        }
        for f in report.folders
        if f.files_rewritten
    ]
    rows.append(
        {
            "table": "all",
            "partition": f"{len(report.folders)} folders",
            "files before": report.files_before,
            "files after": report.files_after,
            "MB before": round(report.bytes_before / 2**20, 2),
            "MB after": round(report.bytes_after / 2**20, 2),
            "rows rewritten": report.rows_rewritten,
        }
    )
    return rows
