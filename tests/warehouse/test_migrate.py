"""Migration of a schema-4 warehouse (plain Parquet, written by the old code) to Delta tables.

The fixture (tests/fixtures/pre_delta_warehouse, see its README) was written
by the code before Delta, including a compaction stopped between its commit
and its deletes; `expected.json` is what the old reader returned for it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

import warehouse.migrate as migrate_module
from tests.conftest import REPO_ROOT
from tests.support.s3_server import running_s3_server, s3_env, s3_warehouse
from warehouse import Warehouse, delta, migrate_warehouse
from warehouse.delta import SCHEMA_VERSION_PROPERTY, insert_new, open_table, read
from warehouse.errors import PreDeltaTableError, WarehouseWriteError
from warehouse.layout import ARTICLES_TABLE, TABLES, TableSpec
from warehouse.migrate import ASIDE, MigrationOutcome
from warehouse.schema import SCHEMA_VERSION

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "pre_delta_warehouse"
EXPECTED: dict[str, dict[str, Any]] = json.loads((FIXTURE / "expected.json").read_text())
KEYS = {
    "articles": ("article_id", "extracted_hash"),
    "rejects": ("reject_id",),
    "runs": ("run_id",),
    "minhash": ("content_hash",),
    "inputs": ("name",),
    "site_boilerplate": ("source",),
}


@pytest.fixture
def old(tmp_path: Path) -> Warehouse:
    """A fresh copy of the schema-4 warehouse."""
    shutil.copytree(FIXTURE / "warehouse", tmp_path / "warehouse")
    return Warehouse.at(tmp_path / "warehouse")


def _keys(store: Warehouse, name: str) -> list[list[Any]]:
    table = read(store, TABLES[name], columns=KEYS[name])
    columns = [table[k].to_pylist() for k in KEYS[name]]
    return sorted([list(row) for row in zip(*columns, strict=True)])


def _old_files_in_place(store: Warehouse) -> list[Path]:
    assert isinstance(store.root, Path)
    return [
        p
        for p in store.root.rglob("*.parquet")
        if ASIDE not in p.parts and "_delta_log" not in p.parts and "-c000." not in p.name
    ]


def _versions(store: Warehouse) -> dict[str, int]:
    tables = {spec.name: open_table(store, spec) for spec in TABLES.values()}
    return {name: table.version() for name, table in tables.items() if table is not None}


def _assert_exact(store: Warehouse) -> None:
    for name, expected in EXPECTED.items():
        assert _keys(store, name) == expected["keys"], name
        assert len(_keys(store, name)) == expected["rows"], name


def test_unmigrated_table_is_refused_with_the_command_to_run(old: Warehouse) -> None:
    """Before migration a reader is refused, and the message names `news-etl migrate`."""
    with pytest.raises(PreDeltaTableError, match="news-etl migrate"):
        read(old, ARTICLES_TABLE)


def test_rows_are_those_the_old_reader_gave(old: Warehouse) -> None:
    """Every table holds exactly the old reader's rows: superseded files are not read twice."""
    report = {m.table: m for m in migrate_warehouse(old)}
    _assert_exact(old)
    articles = report["articles"]
    assert articles.outcome == MigrationOutcome.MIGRATED
    assert (articles.rows, articles.files_superseded) == (EXPECTED["articles"]["rows"], 2)
    assert articles.files_moved == articles.files_read + articles.files_superseded
    assert report["raw_pages"].outcome == MigrationOutcome.ABSENT
    assert _old_files_in_place(old) == []
    assert (old.root / ASIDE / "state" / "inputs.parquet").is_file()


def test_migrated_tables_are_like_fresh_ones(old: Warehouse, tmp_path: Path) -> None:
    """Schema (with column docs), partitioning and the version property match a new table."""
    migrate_warehouse(old)
    fresh = Warehouse.at(tmp_path / "fresh")
    insert_new(fresh, ARTICLES_TABLE, read(old, ARTICLES_TABLE).slice(0, 1))
    migrated, new = open_table(old, ARTICLES_TABLE), open_table(fresh, ARTICLES_TABLE)
    assert migrated is not None and new is not None
    assert migrated.schema().to_json() == new.schema().to_json()
    assert migrated.metadata().partition_columns == ["published_month"]
    assert migrated.metadata().configuration[SCHEMA_VERSION_PROPERTY] == SCHEMA_VERSION
    runs = read(old, TABLES["runs"])
    assert runs["table_versions"].null_count == runs.num_rows  # null before schema 5


def test_other_engines_read_the_migrated_tables(old: Warehouse) -> None:
    """pandas, Polars and DuckDB (through the log and through the partition glob) agree."""
    migrate_warehouse(old)
    rows = EXPECTED["articles"]["rows"]
    uri = old.uri(ARTICLES_TABLE)
    assert len(DeltaTable(uri).to_pandas()) == rows
    assert len(pd.read_parquet(uri)) == rows
    assert pl.read_delta(uri).height == rows
    dataset = DeltaTable(uri).to_pyarrow_dataset()  # noqa: F841 (DuckDB scans it by name)
    with duckdb.connect() as sql:
        [(through_log,)] = sql.execute("SELECT count(*) FROM dataset").fetchall()
        [(globbed,)] = sql.execute(
            f"SELECT count(*) FROM read_parquet('{uri}/published_month=*/*.parquet', "
            "hive_partitioning = true)"
        ).fetchall()
    assert through_log == globbed == rows


def test_rerun_is_a_no_op(old: Warehouse) -> None:
    """A second run writes nothing: every table is already Delta, versions unchanged."""
    migrate_warehouse(old)
    versions = _versions(old)
    again = migrate_warehouse(old)
    assert {m.outcome for m in again} <= {MigrationOutcome.ALREADY_DELTA, MigrationOutcome.ABSENT}
    assert sum(m.rows + m.files_moved for m in again) == 0
    assert _versions(old) == versions
    _assert_exact(old)


def test_crash_between_tables_resumes(old: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after some tables, a rerun migrates the rest and leaves the done ones alone."""
    real = delta.create_filled

    def dies_at_runs(store: Warehouse, spec: TableSpec, *args: Any) -> DeltaTable:
        if spec.name == "runs":
            raise WarehouseWriteError(store.uri(spec), OSError("killed"))
        return real(store, spec, *args)

    monkeypatch.setattr("warehouse.migrate.create_filled", dies_at_runs)
    with pytest.raises(WarehouseWriteError):
        migrate_warehouse(old)
    monkeypatch.setattr("warehouse.migrate.create_filled", real)
    report = {m.table: m.outcome for m in migrate_warehouse(old)}
    assert report["articles"] == MigrationOutcome.ALREADY_DELTA
    assert report["runs"] == MigrationOutcome.MIGRATED
    _assert_exact(old)


def test_crash_between_commit_and_move(old: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed after the commit, before the moves: readers see the table once; a rerun moves."""
    real = migrate_module._move_aside

    def killed(store: Warehouse, files: Any) -> int:
        raise WarehouseWriteError("moving", OSError("killed"))

    monkeypatch.setattr(migrate_module, "_move_aside", killed)
    with pytest.raises(WarehouseWriteError):
        migrate_warehouse(old)
    assert len(_keys(old, "articles")) == EXPECTED["articles"]["rows"]
    monkeypatch.setattr(migrate_module, "_move_aside", real)
    report = {m.table: m for m in migrate_warehouse(old)}
    assert report["articles"].outcome == MigrationOutcome.FINISHED
    assert report["articles"].files_moved == 11
    assert _old_files_in_place(old) == []
    _assert_exact(old)


def test_files_of_a_killed_commit_are_not_read_as_old(
    old: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data file left by a commit that never happened is not migrated on the rerun."""
    real = delta.create_filled

    def dies_after_writing(store: Warehouse, spec: TableSpec, batches: Any, *args: Any) -> Any:
        rows = pa.Table.from_batches(list(batches), spec.schema)
        assert isinstance(store.root, Path)
        stray = store.root / spec.path / "published_month=undated" / "part-00000-x-c000.parquet"
        pq.write_table(rows, stray)
        raise WarehouseWriteError(store.uri(spec), OSError("killed before the log"))

    monkeypatch.setattr("warehouse.migrate.create_filled", dies_after_writing)
    with pytest.raises(WarehouseWriteError):
        migrate_warehouse(old)
    monkeypatch.setattr("warehouse.migrate.create_filled", real)
    migrate_warehouse(old)
    _assert_exact(old)


@pytest.fixture
def _no_settings(old: Warehouse) -> Iterator[None]:
    """One signature file without the settings key, as no old writer left it but a copy may."""
    assert isinstance(old.root, Path)
    path = sorted((old.root / "state" / "minhash").glob("*.parquet"))[0]
    table = pq.read_table(path)
    pq.write_table(table.replace_schema_metadata(None), path)
    yield


@pytest.mark.usefixtures("_no_settings")
def test_signatures_without_settings_are_dropped_and_counted(old: Warehouse) -> None:
    """schema 5 requires minhash.settings: rows that never named theirs are dropped, counted."""
    report = {m.table: m for m in migrate_warehouse(old)}
    minhash = report["minhash"]
    assert minhash.rows_dropped > 0
    assert minhash.rows + minhash.rows_dropped == EXPECTED["minhash"]["rows"]


@pytest.mark.slow
def test_object_store_warehouse_migrates(monkeypatch: pytest.MonkeyPatch) -> None:
    """On S3 (moto): exact rows, old objects under _pre_delta/, a rerun writes nothing."""
    with running_s3_server() as endpoint:
        for name, value in s3_env(endpoint).items():
            monkeypatch.setenv(name, value)
        client = boto3.client("s3")
        client.create_bucket(Bucket="migrate")
        source = FIXTURE / "warehouse"
        for path in source.rglob("*"):
            if path.is_file():
                key = f"wh/{path.relative_to(source).as_posix()}"
                client.put_object(Bucket="migrate", Key=key, Body=path.read_bytes())
        store = s3_warehouse("s3://migrate/wh")
        first = {m.table: m for m in migrate_warehouse(store)}
        _assert_exact(store)
        assert first["articles"].files_moved == 11
        listed = client.list_objects_v2(Bucket="migrate", Prefix="wh/articles/")["Contents"]
        in_place = [o["Key"] for o in listed if "_delta_log" not in o["Key"]]
        assert all("-c000." in key for key in in_place if key.endswith(".parquet"))
        again = migrate_warehouse(store)
        assert sum(m.rows + m.files_moved for m in again) == 0
