"""Helpers for the compaction tests: many small files, and the tables read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from extractors.records import Reject, RejectReason
from tests.conftest import sql_rows
from tests.support.local import local
from transforms.article import Article
from warehouse import KeyIndex, RunCounts, RunRecord, RunStatus, Warehouse, write_run
from warehouse.delta import table_dataset
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE, TABLES
from warehouse.storage import StorePath
from warehouse.writer import BatchWriter

ArticleFactory = Callable[..., Article]
START = datetime(2026, 11, 1, tzinfo=UTC)
MONTHS = (datetime(2026, 9, 3, tzinfo=UTC), datetime(2026, 10, 7, tzinfo=UTC), None)


def small_runs(
    store: Warehouse, make_article: ArticleFactory, *, runs: int, per_run: int, first: int = 0
) -> int:
    """`runs` runs of `per_run` articles spread over three months, a reject and a runs row each.

    Every run commits one small file per month, one rejects file and one runs
    row, as a scheduled run every few minutes does. Returns articles written.
    """
    written = 0
    for run in range(first, first + runs):
        run_id = f"run-{run:04d}"
        at = START + timedelta(minutes=5 * run)
        writer = BatchWriter(
            store,
            run_id=run_id,
            articles_index=KeyIndex.from_table(store, ARTICLES_TABLE, "article_id"),
            rejects_index=KeyIndex.from_table(store, REJECTS_TABLE, "reject_id"),
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
        counts=RunCounts(articles_written=written),
    )


def parquet_glob(table: StorePath, partitioned: bool) -> str:
    """The raw glob the docs give: partition folders only, so it never reaches `_delta_log`."""
    return f"{local(table)}/{'*=*/' if partitioned else ''}*.parquet"


def glob_rows(table: StorePath, key: str, *, partitioned: bool) -> list[tuple[Any, ...]]:
    """Rows a plain DuckDB glob of the table's data files reads, sorted by key."""
    hive = "true" if partitioned else "false"
    return sql_rows(
        f"SELECT * FROM read_parquet('{parquet_glob(table, partitioned)}', "
        f"hive_partitioning = {hive}) ORDER BY {key}"
    )


def delta_rows_of(store: Warehouse, name: str, key: str) -> list[dict[str, Any]]:
    """Every row of the table's latest version (delta-rs), sorted by key."""
    found = table_dataset(store, TABLES[name])
    rows = [] if found is None else found.to_table().to_pylist()
    return sorted(rows, key=lambda row: str(row[key]))


def data_files(table: StorePath) -> list[Path]:
    """The Parquet data files in the table's folder (not the log)."""
    return sorted(p for p in local(table).rglob("*.parquet") if "_delta_log" not in p.parts)
