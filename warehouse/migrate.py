"""Migrating a warehouse written before schema 5 (plain Parquet files) to Delta tables.

Up to schema 4 a table was a folder of Parquet files (a state table also a
single `state/NAME.parquet`) and the commit protocol was our own: a
compaction wrote `compact-*.parquet` listing, in its footer metadata under
`news_etl.replaces`, the files it replaced (name, size, SHA-256 of the
footer), then deleted them; readers hid every listed file still present.
That read rule is kept here, once more and in small (`_replaced`), because
a compaction killed between its write and its deletes left both copies on
disk: a plain glob would migrate those rows twice.

Each table is migrated on its own, in three steps, so that a kill anywhere
can be rerun (`migrate_warehouse` again) without losing or repeating a row:

1. plan: the table's old files and, among them, the committed ones (no path
   part starting with `.`, not replaced), saved as `_pre_delta/NAME.json`.
   A rerun reuses a saved plan, so files a killed attempt left in the
   folder (data files of a commit that never happened) are never read as
   old ones;
2. one Delta commit (version 0) creates the table with its declared schema
   and holds every committed row cast to it (`warehouse.delta.create_filled`,
   the schema version property follows in version 1, as for a new table).
   Until it lands the folder has no `_delta_log` and readers keep refusing
   it (`PreDeltaTableError`); after it, the table is complete;
3. the old files move to `_pre_delta/<their path>`, so a plain Parquet glob
   of the table sees the Delta files only. A table with a `_delta_log` is
   never written again: a rerun only finishes its moves.

Why rewrite instead of `deltalake.convert_to_deltalake` in place: convert
adds every Parquet file of the folder to the log (superseded ones too) and
takes the schema from their footers, but old files differ from schema 5 and
among themselves (columns appended in schemas 3 and 4, partition columns
in the path only, `state/minhash` settings in file metadata, state tables
in a single file beside the folder), so rows must be rewritten anyway.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.delta import create_filled
from warehouse.errors import WarehouseReadError, WarehouseWriteError
from warehouse.layout import TABLES, TableSpec, Warehouse
from warehouse.storage import ObjectPath, StorePath

__all__ = ["ASIDE", "MIGRATION_APP_ID", "MigrationOutcome", "TableMigration", "migrate_warehouse"]

logger = logging.getLogger(__name__)

ASIDE: Final = "_pre_delta"  # old files are moved under ROOT/_pre_delta/<their path>
MIGRATION_APP_ID: Final = "news_etl.migrate"
_FROM_KEY: Final = "news_etl.migrated_from"
_MINHASH_SETTINGS: Final = b"news_etl.minhash"
_COMPACTED_PREFIX: Final = "compact-"
_REPLACES_KEY: Final = b"news_etl.replaces"
_Identity = tuple[str, int, str]  # name, size, SHA-256 of the Parquet footer


class MigrationOutcome(StrEnum):
    MIGRATED = "migrated"
    FINISHED = "finished"  # committed by an earlier, interrupted run; its moves completed now
    ALREADY_DELTA = "already Delta"
    ABSENT = "no old files"


@dataclass(frozen=True, slots=True)
class TableMigration:
    """What migrating one table did; `rows_dropped` are old rows schema 5 cannot hold."""

    table: str
    outcome: MigrationOutcome
    rows: int = 0
    files_read: int = 0
    files_superseded: int = 0
    files_moved: int = 0
    rows_dropped: int = 0


@dataclass(frozen=True, slots=True)
class _Plan:
    """Old files of a table, relative to the root: all of them, and those read."""

    files: tuple[str, ...]
    committed: tuple[str, ...]


def migrate_warehouse(store: Warehouse) -> tuple[TableMigration, ...]:
    """Migrate every table of the warehouse, one after the other; safe to rerun."""
    return tuple(migrate_table(store, spec) for spec in TABLES.values())


def migrate_table(store: Warehouse, spec: TableSpec) -> TableMigration:
    """Migrate one table (see the module docstring for the steps and why a rerun is safe)."""
    saved = _load_plan(store, spec)
    if _is_delta(store, spec):
        if saved is None:
            return TableMigration(spec.name, MigrationOutcome.ALREADY_DELTA)
        moved = _move_aside(store, saved.files)
        outcome = MigrationOutcome.FINISHED if moved else MigrationOutcome.ALREADY_DELTA
        return TableMigration(spec.name, outcome, files_moved=moved)
    plan = saved or _plan(store, spec)
    if not plan.files:
        return TableMigration(spec.name, MigrationOutcome.ABSENT)
    if saved is None:
        _save_plan(store, spec, plan)
    counts = [0, 0]  # rows written, rows dropped
    note = {_FROM_KEY: f"schema 4 files, moved to {ASIDE}/"}
    create_filled(store, spec, _batches(store, spec, plan, counts), MIGRATION_APP_ID, note)
    moved = _move_aside(store, plan.files)
    logger.info("%s: %d rows migrated, %d files moved aside", spec.name, counts[0], moved)
    return TableMigration(
        spec.name,
        MigrationOutcome.MIGRATED,
        rows=counts[0],
        files_read=len(plan.committed),
        files_superseded=len(plan.files) - len(plan.committed),
        files_moved=moved,
        rows_dropped=counts[1],
    )


def _is_delta(store: Warehouse, spec: TableSpec) -> bool:
    log = store.folder(spec) / "_delta_log"
    return log.is_dir() and next(iter(log.glob("*.json")), None) is not None


def _old_files(store: Warehouse, spec: TableSpec) -> list[StorePath]:
    """`state/NAME.parquet` and every Parquet file under the table folder (the old query's rule)."""
    single = store.root / f"{spec.path}.parquet"
    found = [single] if single.is_file() else []
    folder = store.folder(spec)
    if folder.is_dir():
        found += sorted(p for p in folder.rglob("*.parquet") if "_delta_log" not in p.parts)
    return found


def _plan(store: Warehouse, spec: TableSpec) -> _Plan:
    """All old files, and the committed ones as the old reader listed them."""
    files = _old_files(store, spec)
    visible = [p for p in files if not any(part.startswith(".") for part in _relative(store, p))]
    hidden = _replaced(visible)
    committed = [p for p in visible if p not in hidden]
    rel = ["/".join(_relative(store, p)) for p in files]
    return _Plan(tuple(rel), tuple("/".join(_relative(store, p)) for p in committed))


def _replaced(files: Sequence[StorePath]) -> set[StorePath]:
    """Those of `files` that a compacted file among them lists, matched by identity.

    A name alone is not enough: a later file may reuse a replaced name
    (`run-<id>.parquet` was rewritten in place), so size and footer digest
    must match too, as in the old `warehouse/replacement.py`.
    """
    claims: dict[StorePath, set[_Identity]] = {}
    for path in files:
        if path.name.startswith(_COMPACTED_PREFIX):
            for identity in _replaces(path):
                claims.setdefault(path.parent / identity[0], set()).add(identity)
    return {p for p in files if p in claims and _identity(p) in claims[p]}


def _replaces(compacted: StorePath) -> list[_Identity]:
    """The identities a compacted file lists (none when it lists none or is unreadable)."""
    try:
        with _parquet(compacted) as source:
            raw = (source.metadata.metadata or {}).get(_REPLACES_KEY)
        entries = json.loads(raw) if raw else []
        return [(e["name"], int(e["size"]), e["footer_sha256"]) for e in entries]
    except (OSError, pa.ArrowException, ValueError, KeyError, TypeError):
        logger.warning("%s: unreadable %s, replaces nothing", compacted, _REPLACES_KEY.decode())
        return []


def _identity(path: StorePath) -> _Identity:
    """Name, size and footer digest, as the old writer recorded them."""
    data = path.read_bytes()
    footer_length = int.from_bytes(data[-8:-4], "little") if len(data) >= 12 else 0
    if data[-4:] != b"PAR1" or footer_length > len(data) - 12:
        return (path.name, len(data), "")
    footer = data[len(data) - 8 - footer_length : len(data) - 8]
    return (path.name, len(data), hashlib.sha256(footer).hexdigest())


def _batches(
    store: Warehouse, spec: TableSpec, plan: _Plan, counts: list[int]
) -> Iterator[pa.RecordBatch]:
    """Every committed old row, cast to the table's schema, one row group at a time."""
    for rel in plan.committed:
        path = store.root / rel
        try:
            with _parquet(path) as source:
                extra = _extra_columns(spec, rel, source.metadata.metadata or {})
                for index in range(source.num_row_groups):
                    group = source.read_row_group(index)
                    conformed = _conform(spec, path, group, extra)
                    counts[1] += group.num_rows - conformed.num_rows
                    counts[0] += conformed.num_rows
                    yield from conformed.to_batches()
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(path, exc) from exc


def _parquet(path: StorePath) -> pq.ParquetFile:
    if isinstance(path, ObjectPath):
        return pq.ParquetFile(path.path, filesystem=path.fs)
    return pq.ParquetFile(path)


def _extra_columns(spec: TableSpec, rel: str, metadata: dict[bytes, bytes]) -> dict[str, str]:
    """Schema-5 columns an old file kept outside its columns: Hive path values, file metadata."""
    extra = dict(part.split("=", 1) for part in rel.split("/")[:-1] if "=" in part)
    settings = metadata.get(_MINHASH_SETTINGS)
    if spec.name == "minhash" and settings is not None:
        extra["settings"] = settings.decode()
    return extra


def _conform(spec: TableSpec, path: StorePath, group: pa.Table, extra: dict[str, str]) -> pa.Table:
    """`group` in the declared schema: new nullable columns null, new lists and maps empty.

    A required column that cannot be filled stops the migration, except the
    MinHash settings: a signature file that never named them is dropped
    (counted), and the signature is recomputed from its stored body on load.
    """
    undeclared = set(group.column_names) - set(spec.schema.names)
    if undeclared:
        raise WarehouseReadError(path, ValueError(f"undeclared columns {sorted(undeclared)}"))
    if spec.name == "minhash" and "settings" not in extra:
        return spec.schema.empty_table()
    columns: list[pa.Array | pa.ChunkedArray] = []
    for field in spec.schema:
        if field.name in group.column_names:
            columns.append(group[field.name].cast(field.type))
        elif field.name in extra:
            columns.append(pa.array([extra[field.name]] * group.num_rows, field.type))
        elif field.nullable:
            columns.append(pa.nulls(group.num_rows, field.type))
        elif pa.types.is_list(field.type) or pa.types.is_map(field.type):
            columns.append(pa.array([[]] * group.num_rows, field.type))
        else:
            raise WarehouseReadError(path, ValueError(f"required column {field.name!r} missing"))
    return pa.Table.from_arrays(columns, schema=spec.schema)


def _relative(store: Warehouse, path: StorePath) -> tuple[str, ...]:
    if isinstance(path, ObjectPath) and isinstance(store.root, ObjectPath):
        return path.relative_to(store.root).parts
    if isinstance(path, Path) and isinstance(store.root, Path):
        return path.relative_to(store.root).parts
    raise ValueError(f"{path} is not under {store.root}")


def _plan_path(store: Warehouse, spec: TableSpec) -> StorePath:
    return store.root / ASIDE / f"{spec.name}.json"


def _load_plan(store: Warehouse, spec: TableSpec) -> _Plan | None:
    path = _plan_path(store, spec)
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text())
        return _Plan(tuple(raw["files"]), tuple(raw["committed"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WarehouseReadError(path, exc) from exc


def _save_plan(store: Warehouse, spec: TableSpec, plan: _Plan) -> None:
    """Write the plan in one step: a local rename, or one object upload."""
    path = _plan_path(store, spec)
    data = json.dumps(asdict(plan), indent=1).encode()
    try:
        if isinstance(path, ObjectPath):
            with path.fs.open_output_stream(path.path) as out:
                out.write(data)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseWriteError(path, exc) from exc


def _move_aside(store: Warehouse, files: Sequence[str]) -> int:
    """Move each old file still in place to `_pre_delta/<its path>`; returns files moved."""
    moved = 0
    for rel in files:
        source, target = store.root / rel, store.root / ASIDE / rel
        try:
            if not source.is_file():
                continue  # moved by an earlier, interrupted run
            if isinstance(source, ObjectPath) and isinstance(target, ObjectPath):
                source.fs.move(source.path, target.path)  # copy, then delete: a rerun redoes it
            elif isinstance(source, Path) and isinstance(target, Path):
                target.parent.mkdir(parents=True, exist_ok=True)
                source.replace(target)
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseWriteError(source, exc) from exc
        moved += 1
    return moved
