"""Batch writes: schema, partitions, dedup, atomicity; read back by pyarrow, DuckDB, Polars."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from extractors.records import Reject, RejectReason
from tests.conftest import sql_rows
from tests.support.local import local
from tests.warehouse.conftest import INGESTED, ArticleFactory, new_writer
from warehouse import ARTICLES, REJECTS, SCHEMA_VERSION, KeyIndex, Warehouse
from warehouse import writer as writer_module
from warehouse.schema import VERSION_KEY


def _glob(store: Warehouse) -> str:
    return f"{store.articles}/**/*.parquet"


def test_articles_round_trip(store: Warehouse, make_article: ArticleFactory) -> None:
    """What is written reads back identically, with the declared schema and version."""
    article = make_article(1)
    counts = new_writer(store).write("b00001-c0001", [article], [], seen_at=INGESTED)
    assert counts.articles_written == 1
    [path] = store.parquet_files(store.articles)
    assert path.parent.name == "published_month=2020-08"
    table = pq.read_table(path)
    assert table.schema.remove_metadata() == ARTICLES.remove_metadata()
    assert table.schema.metadata[VERSION_KEY] == SCHEMA_VERSION.encode()
    row = table.to_pylist()[0]
    assert row["article_id"] == article.article_id
    assert row["authors"] == ["Jane Doe"]
    assert row["published_at"] == datetime(2020, 8, 16, 23, 40, tzinfo=UTC)
    assert row["boilerplate_removed"] == [
        {"rule": "subscription.example", "kind": "subscription", "text": "Subscribe now"}
    ]


def test_partitions_by_month_and_undated(store: Warehouse, make_article: ArticleFactory) -> None:
    """Dated articles land in their UTC month, undated ones in published_month=undated."""
    articles = [
        make_article(1),
        make_article(2, published_at=datetime(2017, 6, 6, 1, 30, tzinfo=UTC)),
        make_article(3, published_at=None, published_utc_offset=None),
    ]
    new_writer(store).write("b00001-c0001", articles, [], seen_at=INGESTED)
    months = sql_rows(
        f"SELECT published_month, count(*) FROM read_parquet('{_glob(store)}', "
        "hive_partitioning = true) GROUP BY ALL ORDER BY 1"
    )
    assert months == [("2017-06", 1), ("2020-08", 1), ("undated", 1)]


def test_readers_agree(store: Warehouse, make_article: ArticleFactory) -> None:
    """pandas, DuckDB, Polars and pyarrow datasets all read the table with the same rows."""
    articles = [make_article(n, published_at=None if n % 2 else INGESTED) for n in range(10)]
    new_writer(store).write("b00001-c0001", articles, [], seen_at=INGESTED)
    expected = sorted(a.article_id for a in articles)
    frame = pd.read_parquet(local(store.articles))
    assert sorted(frame["article_id"]) == expected
    rows = sql_rows(
        f"SELECT article_id FROM read_parquet('{_glob(store)}', hive_partitioning = true)"
    )
    assert sorted(r[0] for r in rows) == expected
    polars_ids = pl.scan_parquet(_glob(store), hive_partitioning=True).select("article_id")
    assert sorted(polars_ids.collect()["article_id"].to_list()) == expected
    dataset = ds.dataset(store.articles, format="parquet", partitioning="hive")
    assert sorted(dataset.to_table(columns=["article_id"])["article_id"].to_pylist()) == expected


def test_rerun_writes_no_duplicates(store: Warehouse, make_article: ArticleFactory) -> None:
    """A second run over the same articles writes nothing and counts them as duplicates."""
    articles = [make_article(n) for n in range(5)]
    new_writer(store, "run-1").write("b00001-c0001", articles, [], seen_at=INGESTED)
    files_before = store.parquet_files(store.articles)
    counts = new_writer(store, "run-2").write("b00001-c0001", articles, [], seen_at=INGESTED)
    assert (counts.articles_written, counts.duplicates_skipped) == (0, 5)
    assert store.parquet_files(store.articles) == files_before


def test_duplicates_inside_one_batch(store: Warehouse, make_article: ArticleFactory) -> None:
    """The same article twice in a batch is written once."""
    article = make_article(7)
    counts = new_writer(store).write("b00001-c0001", [article, article], [], seen_at=INGESTED)
    assert (counts.articles_written, counts.duplicates_skipped) == (1, 1)
    assert pq.read_table(store.articles).num_rows == 1


def test_rejects_written_once(store: Warehouse) -> None:
    """A reject seen again in a later run is not logged twice."""
    rejects = [
        Reject("bad/empty.txt", RejectReason.EMPTY_BODY, "empty file"),
        Reject("bad/x.bin", RejectReason.UNDECODABLE, "binary"),
    ]
    first = new_writer(store, "run-1").write("b00001-c0001", [], rejects, seen_at=INGESTED)
    second = new_writer(store, "run-2").write("b00001-c0001", [], rejects, seen_at=INGESTED)
    assert (first.rejects_written, second.rejects_written, second.rejects_known) == (2, 0, 2)
    table = pq.read_table(store.rejects)
    assert table.schema.remove_metadata() == REJECTS.remove_metadata()
    assert sorted(table["reason"].to_pylist()) == ["EMPTY_BODY", "UNDECODABLE"]


def test_failed_write_leaves_nothing_and_releases_keys(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that dies midway leaves no file, no temp file, and lets a retry write the rows."""
    writer = new_writer(store)
    articles = [make_article(n) for n in range(3)]

    def broken_write(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer_module, "write_parquet_atomic", broken_write)
    with pytest.raises(OSError, match="disk full"):
        writer.write("b00001-c0001", articles, [], seen_at=INGESTED)
    monkeypatch.undo()
    assert list(local(store.root).rglob("*")) == []
    counts = writer.write("b00001-c0001", articles, [], seen_at=INGESTED)
    assert counts.articles_written == 3


def test_stray_temp_file_is_invisible(store: Warehouse, make_article: ArticleFactory) -> None:
    """A temp file left by a killed writer is skipped by our index and by DuckDB's glob."""
    new_writer(store).write("b00001-c0001", [make_article(1)], [], seen_at=INGESTED)
    folder = store.articles / "published_month=2020-08"
    local(folder / ".part-run-x-b00002-c0001.parquet.999.tmp").write_bytes(b"PAR1 half a file")
    assert len(KeyIndex.from_table(store.articles, "article_id")) == 1
    rows = sql_rows(f"SELECT count(*) FROM read_parquet('{_glob(store)}')")
    assert rows == [(1,)]
    assert pd.read_parquet(local(store.articles)).shape[0] == 1


def test_lone_surrogates_are_stored_not_fatal(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A lone surrogate (JSON "\\ud800", an undecodable file name) becomes U+FFFD, not a crash."""
    article = make_article(1, url="https://example.org/\ud800", locator="caf\udce9.txt")
    reject = Reject("bad-\udce9.txt", RejectReason.EMPTY_BODY, "detail \ud800")
    counts = new_writer(store).write("b00001-c0001", [article], [reject], seen_at=INGESTED)
    assert (counts.articles_written, counts.rejects_written) == (1, 1)
    [row] = pq.read_table(store.articles).to_pylist()
    assert row["locator"] == "caf\ufffd.txt"
    assert pq.read_table(store.rejects)["detail"].to_pylist() == ["detail \ufffd"]
