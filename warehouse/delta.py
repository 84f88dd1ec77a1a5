"""Delta Lake tables through `deltalake` (delta-rs): the only code that commits.

The transaction log is the commit, the only lock and the history. Every
write here is one Delta transaction: an append of the rows whose key is not
stored yet (`insert_new`), a replacement of rows by key (`replace_rows`),
an overwrite (`replace_all`) or a delete;
readers see a table version before it or after it, never half of it. Two
writers that commit at once are told apart by the log's optimistic
concurrency: delta-rs rebases what it can, and a commit whose reads a
concurrent one invalidated fails with `CommitFailedError`. Such a write is
redone from a fresh snapshot after a random pause (backoff with full
jitter; with immediate retries four writers on one table left a batch out
after 20 tries, issue 15), and after `RetryPolicy.attempts` tries it raises
`CommitConflictError`, never giving up silently.

A table is created on its first write with its declared schema (column docs
in the field metadata), partition column and description; the schema
version goes into the table properties (`news_etl.schema_version`).
Data files are zstd-compressed Parquet, as before.

Why appends and not MERGE: deltalake 1.6.6 writes the files of a MERGE or a
DELETE with Arrow `string_view` columns in their embedded Arrow schema, and
pandas (`pd.read_parquet`, "Not implemented type for Arrow list to pandas:
string_view") and pyarrow's filters cannot read those raw files (checked
here; delta-rs issue 4579). Appends and overwrites write plain `string`.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeVar

import pyarrow as pa
import pyarrow.dataset as ds
from deltalake import CommitProperties, DeltaTable, Transaction, WriterProperties, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError

from warehouse.errors import (
    CommitConflictError,
    PreDeltaTableError,
    WarehouseReadError,
    WarehouseWriteError,
)
from warehouse.layout import TableSpec, Warehouse
from warehouse.schema import SCHEMA_VERSION
from warehouse.storage import arrow_filesystem

__all__ = [
    "DEFAULT_RETRY",
    "SCHEMA_VERSION_PROPERTY",
    "AsOf",
    "RetryPolicy",
    "app_ids_recorded",
    "arrow_dataset",
    "create_filled",
    "delete_where",
    "insert_new",
    "open_table",
    "read",
    "replace_all",
    "replace_rows",
    "table_dataset",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION_PROPERTY: Final = "news_etl.schema_version"
_READ_ATTEMPTS: Final = 5
_WRITER: Final = WriterProperties(compression="ZSTD")
T = TypeVar("T")
AsOf = int | datetime  # a table version, or a point in time


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often, and how patiently, a commit that lost a conflict is redone."""

    attempts: int = 10
    first_delay: float = 0.05  # seconds; the cap doubles per try up to max_delay
    max_delay: float = 3.0

    def pause(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, first * 2**attempt)]."""
        return random.uniform(0.0, min(self.max_delay, self.first_delay * 2**attempt))


DEFAULT_RETRY: Final = RetryPolicy()


def open_table(store: Warehouse, spec: TableSpec, as_of: AsOf | None = None) -> DeltaTable | None:
    """The table at its latest version (or `as_of`); None when it was never written."""
    try:
        table = DeltaTable(store.uri(spec), storage_options=store.options or None)
        if as_of is not None:
            table.load_as_version(as_of)
    except TableNotFoundError:
        _refuse_pre_delta(store, spec)
        return None
    except (DeltaError, OSError, ValueError) as exc:
        raise WarehouseReadError(store.uri(spec), exc) from exc
    return table


def table_dataset(
    store: Warehouse, spec: TableSpec, as_of: AsOf | None = None
) -> ds.Dataset | None:
    """The table's current files as one Arrow dataset (DuckDB scans it); None when absent."""
    table = open_table(store, spec, as_of)
    return None if table is None else arrow_dataset(table, store, spec)


def arrow_dataset(table: DeltaTable, store: Warehouse, spec: TableSpec) -> ds.Dataset:
    """The loaded version's files as an Arrow dataset read through a native file system
    (`warehouse.storage.arrow_filesystem` says why not deltalake's Python one)."""
    return table.to_pyarrow_dataset(filesystem=arrow_filesystem(store.folder(spec)))


def read(
    store: Warehouse,
    spec: TableSpec,
    columns: Sequence[str] | None = None,
    where: ds.Expression | None = None,
) -> pa.Table:
    """Rows of the latest version (the declared schema, empty when the table is absent).

    A file vacuumed away while it was being read (a compaction with no
    retention finished meanwhile) means a newer version exists: read that one.
    """
    for attempt in range(1, _READ_ATTEMPTS + 1):
        found = table_dataset(store, spec)
        if found is None:
            schema = spec.schema
            return pa.schema([schema.field(c) for c in columns or schema.names]).empty_table()
        try:
            return found.to_table(columns=list(columns) if columns else None, filter=where)
        except FileNotFoundError:
            if attempt == _READ_ATTEMPTS:
                raise
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(store.uri(spec), exc) from exc
    raise AssertionError("unreachable: the last try raises")


def app_ids_recorded(store: Warehouse, spec: TableSpec, app_ids: Iterable[str]) -> set[str]:
    """Those of `app_ids` committed as application transactions (Delta `txn`) of the table."""
    table = open_table(store, spec)
    if table is None:
        return set()
    return {a for a in app_ids if table.transaction_version(a) is not None}


def insert_new(
    store: Warehouse, spec: TableSpec, data: pa.Table, note: Mapping[str, str] | None = None
) -> int:
    """Append the rows whose key the table does not hold; returns rows inserted.

    The keys are checked against the snapshot the append commits on, and
    every insert into a table carries the same application id
    (`news_etl.<table>.insert`, Delta `txn`): two inserts committing at once
    conflict, and the loser checks its keys again on the winner's snapshot.
    So overlapping runs never write a key twice. `note` goes into the
    commit's metadata (the history shows it: run id, batch).
    """
    if data.num_rows == 0:
        return 0
    source = _conform(data, spec)

    def append(table: DeltaTable) -> int:
        fresh = _without_stored(arrow_dataset(table, store, spec), spec, source)
        if fresh.num_rows:
            guard = Transaction(app_id=f"news_etl.{spec.name}.insert", version=table.version() + 1)
            properties = CommitProperties(
                custom_metadata=dict(note) if note else None, app_transactions=[guard]
            )
            write_deltalake(table, fresh, mode="append", writer_properties=_WRITER,
                            commit_properties=properties)  # fmt: skip
        return int(fresh.num_rows)

    return _commit(store, spec, append)


def replace_rows(store: Warehouse, spec: TableSpec, data: pa.Table) -> None:
    """Replace the rows whose (single) key is in `data`, in one commit (Delta replaceWhere)."""
    if data.num_rows == 0:
        return
    source = _conform(data, spec)
    [key] = spec.keys
    predicate = f"{key} IN ({', '.join(_quote(v) for v in source[key].to_pylist())})"

    def overwrite(table: DeltaTable) -> None:
        write_deltalake(table, source, mode="overwrite", predicate=predicate,
                        writer_properties=_WRITER)  # fmt: skip

    _commit(store, spec, overwrite)


def replace_all(
    store: Warehouse,
    spec: TableSpec,
    build: Callable[[], tuple[pa.Table, Sequence[str]]],
) -> None:
    """Overwrite the table with what `build()` returns: the rows and application ids.

    `build` is called again on each try, so it reads the table afresh after
    a conflict. The application ids are recorded as Delta application
    transactions (`txn`) in the same commit; `app_version` reads them back.
    """

    def overwrite(table: DeltaTable) -> None:
        rows, app_ids = build()
        properties = CommitProperties(
            app_transactions=[Transaction(app_id=a, version=1) for a in app_ids] or None
        )
        write_deltalake(table, _conform(rows, spec), mode="overwrite",
                        writer_properties=_WRITER, commit_properties=properties)  # fmt: skip

    _commit(store, spec, overwrite)


def delete_where(store: Warehouse, spec: TableSpec, predicate: str) -> int:
    """Delete the rows matching a SQL `predicate`; returns rows deleted."""
    if open_table(store, spec) is None:
        return 0

    def delete(table: DeltaTable) -> int:
        return int(table.delete(predicate, writer_properties=_WRITER)["num_deleted_rows"])

    return _commit(store, spec, delete)


def create_filled(
    store: Warehouse,
    spec: TableSpec,
    batches: Iterable[pa.RecordBatch],
    app_id: str,
    note: Mapping[str, str],
) -> DeltaTable:
    """Create the table holding `batches` in one commit (version 0), for `warehouse/migrate.py`.

    The table gets what `_writable` gives a new table (schema with column
    docs, partition column, name, description, then the schema version
    property, which delta-rs refuses at creation); `app_id` is recorded as
    the commit's application transaction and `note` as its metadata. Unlike
    every other write it does not refuse a folder of pre-Delta files: it is
    how they become a table. Fails if the table exists.
    """
    schema = spec.schema.remove_metadata()
    reader = pa.RecordBatchReader.from_batches(schema, (_conform_batch(b, spec) for b in batches))
    properties = CommitProperties(
        custom_metadata=dict(note), app_transactions=[Transaction(app_id=app_id, version=1)]
    )
    try:
        write_deltalake(store.uri(spec), reader, mode="error", writer_properties=_WRITER,
                        commit_properties=properties, storage_options=store.options or None,
                        **_creation(spec))  # fmt: skip
        table = DeltaTable(store.uri(spec), storage_options=store.options or None)
        _stamp_version(table)
    except (DeltaError, OSError, pa.ArrowException) as exc:
        raise WarehouseWriteError(store.uri(spec), exc) from exc
    return table


def _creation(spec: TableSpec) -> dict[str, Any]:
    """What a new table is created with, besides its schema."""
    return {
        "partition_by": [spec.partition] if spec.partition else None,
        "name": spec.name,
        "description": spec.description,
    }


def _stamp_version(table: DeltaTable) -> None:
    """Set the schema version property (a commit of its own) unless it is already set."""
    if table.metadata().configuration.get(SCHEMA_VERSION_PROPERTY) != SCHEMA_VERSION:
        table.alter.set_table_properties(
            {SCHEMA_VERSION_PROPERTY: SCHEMA_VERSION}, raise_if_not_exists=False
        )


def _conform_batch(batch: pa.RecordBatch, spec: TableSpec) -> pa.RecordBatch:
    schema = spec.schema.remove_metadata()
    return batch.select(schema.names).cast(schema)


def _without_stored(snapshot: ds.Dataset, spec: TableSpec, data: pa.Table) -> pa.Table:
    """The rows of `data` whose key the table's snapshot does not hold (nor an earlier row)."""
    first = spec.keys[0]
    present = snapshot.to_table(columns=list(spec.keys), filter=ds.field(first).isin(data[first]))
    seen = set(zip(*(present[k].to_pylist() for k in spec.keys), strict=True))
    keep = []
    for index, key in enumerate(zip(*(data[k].to_pylist() for k in spec.keys), strict=True)):
        if key not in seen:
            seen.add(key)
            keep.append(index)
    return data.take(pa.array(keep, pa.int64())) if len(keep) < data.num_rows else data


def _quote(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _conform(data: pa.Table, spec: TableSpec) -> pa.Table:
    """The batch in the table's declared column order and types."""
    schema = spec.schema
    return data.select(schema.names).cast(schema.remove_metadata())


def _commit(
    store: Warehouse,
    spec: TableSpec,
    action: Callable[[DeltaTable], T],
    policy: RetryPolicy = DEFAULT_RETRY,
) -> T:
    """Run `action` on a fresh snapshot until it commits; record the version it made."""
    for attempt in range(1, policy.attempts + 1):
        try:
            table = _writable(store, spec)
            before = table.version()
            result = action(table)
        except (CommitFailedError, FileNotFoundError) as exc:
            # FileNotFoundError: the snapshot's files were vacuumed away by a
            # compaction that committed meanwhile; a newer snapshot has them.
            if attempt == policy.attempts:
                raise CommitConflictError(store.uri(spec), exc, attempt) from exc
            pause = policy.pause(attempt)
            logger.info("%s: commit conflict (%s), try %d in %.2fs", spec.name, exc, attempt, pause)
            time.sleep(pause)
            continue
        except (DeltaError, OSError, pa.ArrowException) as exc:
            raise WarehouseWriteError(store.uri(spec), exc) from exc
        if table.version() != before:
            store.journal.record(spec.name, table.version())
        return result
    raise AssertionError("unreachable: the last try raises")


def _writable(store: Warehouse, spec: TableSpec) -> DeltaTable:
    """The table, created with its declared schema and properties when it is new."""
    uri, options = store.uri(spec), store.options or None
    try:
        table = DeltaTable(uri, storage_options=options)
    except TableNotFoundError:
        _refuse_pre_delta(store, spec)
        table = DeltaTable.create(
            uri,
            spec.schema.remove_metadata(),
            mode="ignore",  # another writer may create it first
            storage_options=options,
            **_creation(spec),
        )
    _stamp_version(table)
    return table


def _refuse_pre_delta(store: Warehouse, spec: TableSpec) -> None:
    """A table folder of Parquet files with no `_delta_log` was written before schema 5:
    reading it as empty, or committing beside its files, would hide its rows."""
    folder = store.folder(spec)
    if folder.is_dir() and next(iter(folder.rglob("*.parquet")), None) is not None:
        raise PreDeltaTableError(str(folder))
