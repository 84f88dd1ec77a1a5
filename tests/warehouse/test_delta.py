"""`warehouse.delta`: keyed appends under concurrency, retries with jitter, never a silent loss."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from deltalake import write_deltalake
from deltalake.exceptions import CommitFailedError

from tests.support.articles import ArticleFactory
from tests.support.local import local
from tests.support.s3_server import running_s3_server, s3_env, s3_warehouse
from warehouse import CommitConflictError, Warehouse
from warehouse.convert import articles_table
from warehouse.delta import (
    DEFAULT_RETRY,
    RetryPolicy,
    insert_new,
    open_table,
    read,
    replace_rows,
    table_dataset,
)
from warehouse.errors import PreDeltaTableError
from warehouse.layout import ARTICLES_TABLE, RUNS_TABLE


@pytest.fixture(scope="module")
def s3_store() -> Iterator[Warehouse]:
    """A warehouse in a bucket of moto's S3 server (delta-rs' conditional writes)."""
    with running_s3_server() as endpoint, pytest.MonkeyPatch.context() as patch:
        for name, value in s3_env(endpoint).items():
            patch.setenv(name, value)
        boto3.client("s3").create_bucket(Bucket="delta-tests")
        yield s3_warehouse("s3://delta-tests/warehouse")


@pytest.mark.parametrize("where", ["disk", "s3"])
def test_threads_inserting_overlapping_batches_store_each_key_once(
    store: Warehouse,
    make_article: ArticleFactory,
    request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
    where: str,
) -> None:
    """Four writers, five overlapping batches each, one table: exactly the union, once; the
    conflicts they meet are retried, none is lost."""
    target = store if where == "disk" else request.getfixturevalue("s3_store")
    batches = [
        [articles_table([make_article(n) for n in range(start, start + 8)]) for start in starts]
        for starts in ([0, 4, 8, 12, 16], [2, 6, 10, 14, 18], [0, 5, 10, 15, 20], [1, 3, 5, 7, 9])
    ]
    inserted: list[int] = []
    errors: list[BaseException] = []

    def writer(tables: list[pa.Table]) -> None:
        try:
            inserted.extend(insert_new(target, ARTICLES_TABLE, t) for t in tables)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    caplog.set_level(logging.INFO, logger="warehouse.delta")
    threads = [threading.Thread(target=writer, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = read(target, ARTICLES_TABLE, ["article_id"])["article_id"].to_pylist()
    assert len(ids) == len(set(ids)) == 28 == sum(inserted)
    conflicts = sum("commit conflict" in r.getMessage() for r in caplog.records)
    print(f"{where}: {conflicts} commit conflicts retried for 20 inserts")


@pytest.mark.parametrize("where", ["disk", "s3"])
def test_table_datasets_read_through_a_native_file_system(
    store: Warehouse, make_article: ArticleFactory, request: pytest.FixtureRequest, where: str
) -> None:
    """Arrow datasets of a table read its partitioned files through Arrow's own file system,
    not deltalake's Python one, whose release on an Arrow I/O thread at interpreter exit
    aborted `news-etl status` on S3 (warehouse.storage.arrow_filesystem)."""
    target = store if where == "disk" else request.getfixturevalue("s3_store")
    insert_new(target, ARTICLES_TABLE, articles_table([make_article(n) for n in range(40, 43)]))
    dataset = table_dataset(target, ARTICLES_TABLE)
    assert dataset is not None
    fragments = list(dataset.get_fragments())
    assert fragments and "published_month=" in fragments[0].path
    assert not any(isinstance(f.filesystem, pafs.PyFileSystem) for f in fragments)
    ids = dataset.to_table(columns=["article_id"])["article_id"].to_pylist()
    assert {make_article(n).article_id for n in range(40, 43)} <= set(ids)


def test_a_lost_conflict_is_retried_after_a_jittered_pause(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two conflicts, then the commit goes through; the pauses grow but are random."""
    real = write_deltalake
    failures = iter([True, True])
    pauses: list[float] = []

    def conflicting(*args: Any, **kwargs: Any) -> None:
        if next(failures, False):
            raise CommitFailedError("a concurrent transaction added files")
        real(*args, **kwargs)

    monkeypatch.setattr("warehouse.delta.write_deltalake", conflicting)
    monkeypatch.setattr("warehouse.delta.time.sleep", pauses.append)
    assert insert_new(store, ARTICLES_TABLE, articles_table([make_article(1)])) == 1
    assert len(pauses) == 2
    assert all(0 <= p <= DEFAULT_RETRY.max_delay for p in pauses)


def test_a_writer_that_keeps_losing_raises_instead_of_dropping_the_batch(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the last try the error names the table and the fix; nothing was committed."""

    def always_conflicting(*args: Any, **kwargs: Any) -> None:
        raise CommitFailedError("a concurrent transaction added files")

    monkeypatch.setattr("warehouse.delta.write_deltalake", always_conflicting)
    monkeypatch.setattr("warehouse.delta.time.sleep", lambda seconds: None)
    with pytest.raises(CommitConflictError, match="gave up after") as raised:
        insert_new(store, ARTICLES_TABLE, articles_table([make_article(1)]))
    assert raised.value.attempts == DEFAULT_RETRY.attempts
    table = open_table(store, ARTICLES_TABLE)
    assert table is not None and table.to_pyarrow_table().num_rows == 0


@pytest.mark.parametrize("attempt", [1, 3, 10])
def test_pauses_are_bounded_by_the_doubling_cap(attempt: int) -> None:
    """Full jitter: a pause is never above min(max_delay, first_delay * 2**attempt)."""
    policy = RetryPolicy(first_delay=0.1, max_delay=1.0)
    cap = min(1.0, 0.1 * 2**attempt)
    assert all(0 <= policy.pause(attempt) <= cap for _ in range(200))


def test_replace_rows_keeps_one_row_per_key(store: Warehouse) -> None:
    """Rows replaced by key in one commit: the table never holds two rows of a run."""
    from datetime import UTC, datetime

    from warehouse.runs import RunRecord, RunStatus, write_run

    started = datetime(2026, 12, 1, tzinfo=UTC)
    write_run(store, RunRecord("r1", "ingest_files", {}, started_at=started))
    write_run(store, RunRecord("r1", "ingest_files", {}, started, RunStatus.COMPLETED))
    table = open_table(store, RUNS_TABLE)
    assert table is not None
    assert table.to_pyarrow_table(columns=["status"])["status"].to_pylist() == ["completed"]
    replace_rows(store, RUNS_TABLE, table.to_pyarrow_table())  # the same row again: still one
    assert open_table(store, RUNS_TABLE).to_pyarrow_table().num_rows == 1  # type: ignore[union-attr]


def test_a_table_written_before_delta_is_refused_not_read_as_empty(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Parquet files with no `_delta_log` (schema 4): neither read as empty nor written beside."""
    folder = local(store.articles) / "published_month=2020-08"
    folder.mkdir(parents=True)
    pq.write_table(articles_table([make_article(1)]), folder / "part-old-b00001-c00001.parquet")
    with pytest.raises(PreDeltaTableError, match="before schema 5"):
        read(store, ARTICLES_TABLE)
    with pytest.raises(PreDeltaTableError):
        insert_new(store, ARTICLES_TABLE, articles_table([make_article(2)]))
