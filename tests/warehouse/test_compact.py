"""Compaction: Delta's optimize then vacuum; same rows, fewer files, globs exact afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from tests.conftest import sql_rows
from tests.support.articles import new_writer
from tests.support.compaction import (
    ArticleFactory,
    data_files,
    delta_rows_of,
    glob_rows,
    parquet_glob,
    small_runs,
)
from warehouse import SCHEMA_VERSION, Warehouse
from warehouse.analysts.query import run_query, sql_views
from warehouse.compact import compact_warehouse
from warehouse.delta import SCHEMA_VERSION_PROPERTY, open_table
from warehouse.layout import ARTICLES_TABLE, TABLES

KEYED = [
    ("articles", "article_id", True),
    ("rejects", "reject_id", False),
    ("runs", "run_id", False),
]


@pytest.mark.parametrize(("name", "key", "partitioned"), KEYED)
def test_same_rows_fewer_files_and_the_glob_is_exact(
    store: Warehouse, make_article: ArticleFactory, name: str, key: str, partitioned: bool
) -> None:
    """After compact, the table's folder holds its latest version only: a plain glob reads
    exactly the rows delta-rs reads, in fewer files."""
    small_runs(store, make_article, runs=6, per_run=4)
    folder = store.folder(TABLES[name])
    before = delta_rows_of(store, name, key)
    files_before = len(data_files(folder))
    report = compact_warehouse(store)
    assert delta_rows_of(store, name, key) == before
    table = open_table(store, TABLES[name])
    assert table is not None
    assert len(data_files(folder)) == len(table.file_uris()) < files_before
    assert len(glob_rows(folder, key, partitioned=partitioned)) == len(before)
    assert report.files_after < report.files_before


def test_compacted_files_keep_zstd_and_the_table_its_schema_version(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Outputs are zstd Parquet; the table properties still name the schema version."""
    small_runs(store, make_article, runs=4, per_run=3)
    compact_warehouse(store)
    for path in data_files(store.articles):
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
    table = open_table(store, ARTICLES_TABLE)
    assert table is not None
    assert table.metadata().configuration[SCHEMA_VERSION_PROPERTY] == SCHEMA_VERSION


def test_rerun_after_compaction_adds_no_duplicates(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Keys committed before a compaction are still known to the next writer."""
    small_runs(store, make_article, runs=3, per_run=4)
    compact_warehouse(store)
    again = small_runs(store, make_article, runs=3, per_run=4)
    assert again == 0
    assert len(delta_rows_of(store, "articles", "article_id")) == 12


def test_retention_keeps_older_versions_readable(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """With a retention, time travel to a version before the compaction still works."""
    small_runs(store, make_article, runs=2, per_run=3)
    table = open_table(store, ARTICLES_TABLE)
    assert table is not None
    version = table.version()
    compact_warehouse(store, retention_hours=24)
    small_runs(store, make_article, runs=1, per_run=3, first=2)
    with sql_views(store, as_of=version) as cat:
        [(count,)] = run_query(cat, "SELECT count(*) FROM articles").rows
    assert count == 6
    with sql_views(store) as cat:
        [(count,)] = run_query(cat, "SELECT count(*) FROM articles").rows
    assert count == 9


@pytest.mark.slow
def test_the_docs_glob_works_past_the_first_checkpoint(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """delta-rs writes `_delta_log/N.checkpoint.parquet` every 100 commits; a `**` glob then
    reaches it, the partition glob of the docs never does."""
    writer = new_writer(store)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(101):
        writer.write(f"b{n:05d}", [make_article(n, published_at=at)], [], seen_at=at)
    log = store.articles / "_delta_log"
    assert list(log.glob("*.checkpoint.parquet"))
    compact_warehouse(store)
    glob = parquet_glob(store.articles, partitioned=True)
    [(count,)] = sql_rows(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)")
    assert count == 101
    with pytest.raises(Exception, match=r"(?i)hive partition|mismatch|columns"):
        sql_rows(
            f"SELECT count(*) FROM read_parquet('{store.articles}/**/*.parquet', "
            "hive_partitioning = true)"
        )


def test_an_empty_warehouse_compacts_to_nothing(store: Warehouse) -> None:
    """No table yet: nothing to do, no error."""
    report = compact_warehouse(store)
    assert report.tables == ()
