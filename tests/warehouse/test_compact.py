"""Compaction: same rows in fewer files, atomic for readers, bounded file counts."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.support.compaction import (
    ArticleFactory,
    duck_rows,
    files_per_folder,
    glob_count,
    rows,
    small_runs,
)
from tests.support.local import local
from tests.warehouse.conftest import new_writer
from warehouse import (
    ARTICLES,
    SCHEMA_VERSION,
    KeyIndex,
    RunRecord,
    Warehouse,
    sweep_temp_files,
    write_run,
)
from warehouse import atomic as atomic_module
from warehouse import compact as compact_module
from warehouse.atomic import fsync_dir
from warehouse.compact import compact_warehouse, read_committed
from warehouse.errors import WarehouseReadError
from warehouse.replacement import replaces_of
from warehouse.schema import VERSION_KEY
from warehouse.storage import StorePath

TABLES = [("articles", "article_id"), ("rejects", "reject_id"), ("runs", "run_id")]


def _compacted(store: Warehouse, table: StorePath) -> list[StorePath]:
    return [p for p in store.parquet_files(table) if p.name.startswith("compact-")]


def test_same_rows_fewer_files(store: Warehouse, make_article: ArticleFactory) -> None:
    """Every table keeps exactly its rows (pyarrow and DuckDB agree) in one file per folder."""
    small_runs(store, make_article, runs=12, per_run=6)
    before = {name: rows(store, store.root / name, key) for name, key in TABLES}
    duck_before = {name: duck_rows(store, store.root / name, key) for name, key in TABLES}
    assert files_per_folder(store, store.articles) == {
        "published_month=2026-09": 12,
        "published_month=2026-10": 12,
        "published_month=undated": 12,
    }

    report = compact_warehouse(store, min_files=4)

    for name, key in TABLES:
        table = store.root / name
        assert rows(store, table, key) == before[name], name
        assert duck_rows(store, table, key) == duck_before[name], name
        assert set(files_per_folder(store, table).values()) == {1}, name
        assert glob_count(table) == len(before[name])  # the replaced files are gone
    assert (report.files_before, report.files_after) == (12 * 5, 5)
    assert report.rows_rewritten == sum(len(v) for v in before.values())
    assert report.bytes_after < report.bytes_before


def test_output_keeps_schema_version_zstd_and_order(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A compacted file has the declared schema, the version, zstd, and rows in ingestion order."""
    small_runs(store, make_article, runs=8, per_run=3)
    compact_warehouse(store, min_files=2)
    [path] = _compacted(store, store.articles / "published_month=2026-09")
    table = pq.read_table(path)
    assert table.schema.remove_metadata() == ARTICLES.remove_metadata()
    assert table.schema.metadata[VERSION_KEY] == SCHEMA_VERSION.encode()
    metadata = pq.read_metadata(path)
    assert {metadata.row_group(0).column(i).compression for i in range(metadata.num_columns)} == {
        "ZSTD"
    }
    assert metadata.num_row_groups == 1  # small inputs are merged, not copied group by group
    ingested = table["ingested_at"].to_pylist()
    assert ingested == sorted(ingested)
    assert len(replaces_of(path)) == 8


def test_large_partition_is_streamed_in_row_groups(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are buffered up to the row-group budget, then written: several groups, same rows."""
    small_runs(store, make_article, runs=10, per_run=9)
    before = rows(store, store.articles, "article_id")
    monkeypatch.setattr(compact_module, "_ROW_GROUP_BYTES", 2_000)
    compact_warehouse(store, min_files=2)
    [path] = _compacted(store, store.articles / "published_month=undated")
    assert pq.read_metadata(path).num_row_groups > 1
    assert rows(store, store.articles, "article_id") == before


@pytest.mark.parametrize("target_bytes", [40_000, 2**27])
def test_file_count_bounded_over_many_cycles(
    store: Warehouse, make_article: ArticleFactory, target_bytes: int
) -> None:
    """Ingest and compact 10 times: files per folder stay bounded, rows stay exact."""
    min_files = 3
    total = 0
    for cycle in range(10):
        total += small_runs(store, make_article, runs=3, per_run=6, first=cycle * 3)
        compact_warehouse(store, target_bytes=target_bytes, min_files=min_files)
        for folder, count in files_per_folder(store, store.articles).items():
            sizes = [p.stat().st_size for p in store.parquet_files(store.articles / folder)]
            done = sum(1 for size in sizes if size >= 0.75 * target_bytes)
            # big files, plus at most two compacted outputs per target of small ones
            assert count <= done + 2 * sum(sizes) // target_bytes + min_files, (cycle, folder)
    articles = rows(store, store.articles, "article_id")
    assert len(articles) == total == len({r["article_id"] for r in articles})
    assert len(rows(store, store.runs, "run_id")) == 30
    if target_bytes == 2**27:
        assert set(files_per_folder(store, store.articles).values()) == {1}
    else:
        assert max(files_per_folder(store, store.articles).values()) > 1  # outputs roll over


def test_rerun_after_compaction_adds_no_duplicates(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """The key index sees the keys of compacted files, so a rerun writes nothing."""
    small_runs(store, make_article, runs=6, per_run=4)
    compact_warehouse(store, min_files=2)
    counts = new_writer(store, "run-again").write(
        "b00001-c0001", [make_article(n) for n in range(24)], [], seen_at=datetime.now(UTC)
    )
    assert (counts.articles_written, counts.duplicates_skipped) == (0, 24)
    assert len(KeyIndex.from_table(store.articles, "article_id")) == 24


def test_too_few_small_files_are_left_alone(store: Warehouse, make_article: ArticleFactory) -> None:
    """Below min_files a folder is not rewritten at all."""
    small_runs(store, make_article, runs=3, per_run=3)
    files = store.parquet_files(store.articles)
    report = compact_warehouse(store, min_files=4)
    assert report.files_rewritten == 0
    assert store.parquet_files(store.articles) == files


def _interrupt(store: Warehouse, make_article: ArticleFactory) -> tuple[StorePath, list[StorePath]]:
    """The state a compaction killed between write and delete leaves (built by running one
    with its deletes undone): the compacted file plus the small files it replaces."""
    small_runs(store, make_article, runs=5, per_run=3)
    folder = store.articles / "published_month=2026-10"
    saved = {p: p.read_bytes() for p in store.parquet_files(folder)}
    compact_warehouse(store, min_files=2)
    for path, data in saved.items():
        local(path).write_bytes(data)
    [compacted] = _compacted(store, folder)
    return compacted, list(saved)


def test_replaced_files_are_hidden_until_deleted(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """With both copies on disk, readers through parquet_files see each row once; the sweep
    at the start of the next run deletes the replaced files."""
    compacted, replaced = _interrupt(store, make_article)
    folder = compacted.parent
    assert store.parquet_files(folder) == [compacted]
    assert len(read_committed(store, folder)) == 5
    assert glob_count(folder) == 10  # a raw glob sees both copies: the documented caveat
    assert sweep_temp_files(store) == len(replaced)
    assert not any(p.exists() for p in replaced)
    assert glob_count(folder) == 5


def test_next_compaction_finishes_an_interrupted_one(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """The next compaction deletes what an interrupted one left, then goes on."""
    compacted, replaced = _interrupt(store, make_article)
    report = compact_warehouse(store, min_files=2)
    assert report.interrupted_finished == len(replaced)
    assert store.parquet_files(compacted.parent) == [compacted]
    assert glob_count(store.articles) == 15


def test_new_file_under_a_replaced_name_stays_visible(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A file written later under a replaced file's name (a run row rewritten, a batch
    retried) is another file: it is neither hidden nor deleted."""
    small_runs(store, make_article, runs=4, per_run=2)
    compact_warehouse(store, min_files=2)
    [compacted] = _compacted(store, store.runs)
    assert "run-run-0002.parquet" in {i.name for i in replaces_of(compacted)}
    late = RunRecord("run-0002", "ingest_files", {"retry": True}, started_at=datetime.now(UTC))
    write_run(store, late)
    assert store.runs / "run-run-0002.parquet" in store.parquet_files(store.runs)
    sweep_temp_files(store)
    assert (store.runs / "run-run-0002.parquet").exists()


def test_running_runs_are_not_compacted(store: Warehouse, make_article: ArticleFactory) -> None:
    """A run row still `running` (a run in progress or just crashed) keeps its own file."""
    small_runs(store, make_article, runs=4, per_run=2)
    running = RunRecord("run-live", "ingest_files", {}, started_at=datetime.now(UTC))
    write_run(store, running)
    crashed_long_ago = RunRecord(
        "run-old", "ingest_files", {}, started_at=datetime.now(UTC) - timedelta(days=3)
    )
    write_run(store, crashed_long_ago)
    compact_warehouse(store, min_files=2)
    names = sorted(p.name for p in store.parquet_files(store.runs))
    assert len(names) == 2
    assert names[1] == "run-run-live.parquet"
    assert len(rows(store, store.runs, "run_id")) == 6


def test_older_files_gain_the_newer_columns_as_null(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A file written before a nullable column was declared is compacted with nulls there."""
    small_runs(store, make_article, runs=3, per_run=3)
    folder = store.articles / "published_month=undated"
    old = store.parquet_files(folder)[0]
    table = pq.read_table(old)
    pq.write_table(table.drop_columns(["section"]), old, compression="zstd")
    expected = len(rows(store, folder, "article_id"))
    compact_warehouse(store, min_files=2)
    back = read_committed(store, folder)
    assert back.num_rows == expected
    assert back["section"].null_count == 1
    assert _compacted(store, folder)


def test_undeclared_column_stops_compaction_and_keeps_files(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A column the schema does not declare would be lost: nothing is rewritten or deleted."""
    small_runs(store, make_article, runs=3, per_run=3)
    folder = store.articles / "published_month=undated"
    files = store.parquet_files(folder)
    table = pq.read_table(files[0])
    pq.write_table(table.append_column("mystery", pa.array(["x"] * table.num_rows)), files[0])
    with pytest.raises(WarehouseReadError, match="mystery"):
        compact_warehouse(store, min_files=2)
    assert store.parquet_files(folder) == files
    assert not list(folder.glob(".*"))


def test_readers_never_see_duplicates_or_gaps(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader listing through parquet_files while compactions commit always counts exactly."""
    expected = small_runs(store, make_article, runs=20, per_run=3)

    def slow_fsync_dir(folder: Path) -> None:
        """A slow disk: widens the window between a commit and its deletes, so the reader
        lands in it often (without this, hiding nothing also passed, measured)."""
        fsync_dir(folder)
        time.sleep(0.05)

    monkeypatch.setattr(atomic_module, "fsync_dir", slow_fsync_dir)  # after the rename
    stop = threading.Event()
    counts: list[int] = []
    retries = 0

    def reader() -> None:
        nonlocal retries
        while not stop.is_set():
            counts.append(read_committed(store, store.articles, ["article_id"]).num_rows)
            try:  # the bare listing too: every listing holds each row once
                listed = store.parquet_files(store.articles)
                counts.append(sum(pq.read_metadata(p).num_rows for p in listed))
            except FileNotFoundError:
                retries += 1  # listed, then deleted as replaced: a reader lists again

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for target in (20_000, 2**27):  # two rounds, the second rewriting compacted files
            compact_warehouse(store, target_bytes=target, min_files=2)
    finally:
        stop.set()
        thread.join()
    assert len(counts) > 10
    assert set(counts) == {expected}
    assert set(files_per_folder(store, store.articles).values()) == {1}


def test_rejects_bad_settings(store: Warehouse) -> None:
    """min_files below 2 would rewrite single files forever."""
    with pytest.raises(ValueError, match="min_files"):
        compact_warehouse(store, min_files=1)
