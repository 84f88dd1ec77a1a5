"""Helpers for the compaction tests: many small files, and the tables read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.dataset as ds

from extractors.records import Reject, RejectReason
from tests.conftest import sql_rows
from tests.support.local import local
from transforms.article import Article
from warehouse import KeyIndex, RunRecord, RunStatus, Warehouse, write_run
from warehouse.storage import StorePath, arrow_location, relative_parts
from warehouse.writer import BatchWriter

ArticleFactory = Callable[..., Article]
START = datetime(2026, 11, 1, tzinfo=UTC)
MONTHS = (datetime(2026, 9, 3, tzinfo=UTC), datetime(2026, 10, 7, tzinfo=UTC), None)


def small_runs(
    store: Warehouse, make_article: ArticleFactory, *, runs: int, per_run: int, first: int = 0
) -> int:
    """`runs` runs of `per_run` articles spread over three months, a reject and a runs row each.

    Every run writes one small file per month, one rejects file and one runs
    file, as a scheduled run every few minutes does. Returns articles written.
    """
    written = 0
    for run in range(first, first + runs):
        run_id = f"run-{run:04d}"
        at = START + timedelta(minutes=5 * run)
        writer = BatchWriter(
            store,
            run_id=run_id,
            articles_index=KeyIndex.from_table(store.articles, "article_id"),
            rejects_index=KeyIndex.from_table(store.rejects, "reject_id"),
            default_source="example",
        )
        articles = []
        for i in range(per_run):
            n = run * per_run + i
            published = MONTHS[n % len(MONTHS)]
            articles.append(
                make_article(
                    n,
                    published_at=published,
                    published_utc_offset=None if published is None else 0,
                    ingested_at=at + timedelta(seconds=i),
                    run_id=run_id,
                )
            )
        reject = Reject(f"bad/{run}.txt", RejectReason.EMPTY_BODY, "empty file")
        counts = writer.write("b00001-c0001", articles, [reject], seen_at=at)
        written += counts.articles_written
        record = RunRecord(run_id, "ingest_files", {"run": run}, started_at=at)
        write_run(store, _finished(record, at + timedelta(seconds=30), counts.articles_written))
    return written


def _finished(record: RunRecord, at: datetime, written: int) -> RunRecord:
    return RunRecord(
        record.run_id,
        record.flow,
        record.parameters,
        started_at=record.started_at,
        status=RunStatus.COMPLETED,
        finished_at=at,
        articles_written=written,
    )


def rows(store: Warehouse, table: StorePath, key: str) -> list[dict[str, Any]]:
    """Every row of the committed files (pyarrow, hive columns from the path), sorted by key."""
    files = [arrow_location(p) for p in store.parquet_files(table)]
    if not files:
        return []
    filesystem, base = arrow_location(table)
    dataset = ds.dataset(
        [where for _, where in files],
        filesystem=filesystem,
        format="parquet",
        partitioning="hive",
        partition_base_dir=base,
    )
    return sorted(dataset.to_table().to_pylist(), key=lambda row: str(row[key]))


def duck_rows(store: Warehouse, table: StorePath, key: str) -> list[tuple[Any, ...]]:
    """The same rows read by DuckDB over the committed files (local only), sorted by key."""
    files = ", ".join(f"'{local(p)}'" for p in store.parquet_files(table))
    return sql_rows(
        f"SELECT * FROM read_parquet([{files}], hive_partitioning = true) ORDER BY {key}"
    )


def glob_count(table: StorePath) -> int:
    """Rows a raw glob reader (DuckDB, local only) counts: it does not know which files are
    replaced."""
    [(count,)] = sql_rows(f"SELECT count(*) FROM read_parquet('{local(table)}/**/*.parquet')")
    return int(count)


def files_per_folder(store: Warehouse, table: StorePath) -> dict[str, int]:
    """Committed files per folder below `table` ("." for the table folder itself)."""
    counts: dict[str, int] = {}
    for path in store.parquet_files(table):
        key = "/".join(relative_parts(path.parent, table)) or "."
        counts[key] = counts.get(key, 0) + 1
    return counts
