"""Batch writes: schema, partitions, dedup, atomicity; read back by pyarrow, pandas, DuckDB,
Polars, as a Delta table and as plain Parquet files."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable

from extractors.records import Reject, RejectReason
from tests.conftest import sql_rows
from tests.support.articles import INGESTED, ArticleFactory, new_writer
from tests.support.delta_sql import delta_rows
from tests.support.local import local
from warehouse import ARTICLES, REJECTS, SCHEMA_VERSION, KeyIndex, Warehouse
from warehouse import writer as writer_module
from warehouse.delta import SCHEMA_VERSION_PROPERTY, open_table, read
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE


def _glob(store: Warehouse) -> str:
    """The docs' raw glob: partition folders only, never the `_delta_log`."""
    return f"{store.articles}/published_month=*/*.parquet"


def test_articles_round_trip(store: Warehouse, make_article: ArticleFactory) -> None:
    """What is written reads back identically, with the declared schema and version."""
    article = make_article(1)
    counts = new_writer(store).write("b00001-c0001", [article], [], seen_at=INGESTED)
    assert counts.articles_written == 1
    [path] = local(store.articles).glob("*/*.parquet")
    assert path.parent.name == "published_month=2020-08"
    delta = open_table(store, ARTICLES_TABLE)
    assert delta is not None
    assert delta.metadata().configuration[SCHEMA_VERSION_PROPERTY] == SCHEMA_VERSION
    table = delta.to_pyarrow_table()
    assert table.schema.remove_metadata() == ARTICLES.remove_metadata()
    assert table.schema.field("body").metadata[b"doc"]  # the column docs travel along
    assert pq.read_table(path).num_rows == 1  # and the data file is plain Parquet
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
    months = delta_rows(
        f"SELECT published_month, count(*) FROM read_parquet('{_glob(store)}', "
        "hive_partitioning = true) GROUP BY ALL ORDER BY 1"
    )
    assert months == [("2017-06", 1), ("2020-08", 1), ("undated", 1)]


def test_readers_agree(store: Warehouse, make_article: ArticleFactory) -> None:
    """pandas, DuckDB, Polars and pyarrow read the table with the same rows, through delta-rs
    and as plain Parquet files."""
    articles = [make_article(n, published_at=None if n % 2 else INGESTED) for n in range(10)]
    for n in range(0, 10, 2):  # several commits, several files
        new_writer(store).write(f"b{n}", articles[n : n + 2], [], seen_at=INGESTED)
    expected = sorted(a.article_id for a in articles)
    frame = pd.read_parquet(local(store.articles))
    assert sorted(frame["article_id"]) == expected
    assert sorted(DeltaTable(str(store.articles)).to_pandas()["article_id"]) == expected
    rows = sql_rows(
        f"SELECT article_id FROM read_parquet('{_glob(store)}', hive_partitioning = true)"
    )
    assert sorted(r[0] for r in rows) == expected
    assert (
        sorted(r[0] for r in delta_rows(f"SELECT article_id FROM read_parquet('{_glob(store)}')"))
        == expected
    )
    polars_ids = pl.scan_delta(str(store.articles)).select("article_id")
    assert sorted(polars_ids.collect()["article_id"].to_list()) == expected
    assert sorted(pl.read_delta(str(store.articles))["article_id"].to_list()) == expected
    dataset = ds.dataset(store.articles, format="parquet", partitioning="hive")
    assert sorted(dataset.to_table(columns=["article_id"])["article_id"].to_pylist()) == expected


def test_rerun_writes_no_duplicates(store: Warehouse, make_article: ArticleFactory) -> None:
    """A second run over the same articles writes nothing and counts them as duplicates."""
    articles = [make_article(n) for n in range(5)]
    new_writer(store, "run-1").write("b00001-c0001", articles, [], seen_at=INGESTED)
    table = open_table(store, ARTICLES_TABLE)
    assert table is not None
    version = table.version()
    counts = new_writer(store, "run-2").write("b00001-c0001", articles, [], seen_at=INGESTED)
    assert (counts.articles_written, counts.duplicates_skipped) == (0, 5)
    table.update_incremental()
    assert table.version() == version  # nothing committed


def test_duplicates_inside_one_batch(store: Warehouse, make_article: ArticleFactory) -> None:
    """The same article twice in a batch is written once."""
    article = make_article(7)
    counts = new_writer(store).write("b00001-c0001", [article, article], [], seen_at=INGESTED)
    assert (counts.articles_written, counts.duplicates_skipped) == (1, 1)
    assert read(store, ARTICLES_TABLE).num_rows == 1


def test_rejects_written_once(store: Warehouse) -> None:
    """A reject seen again in a later run is not logged twice."""
    rejects = [
        Reject("bad/empty.txt", RejectReason.EMPTY_BODY, "empty file"),
        Reject("bad/x.bin", RejectReason.UNDECODABLE, "binary"),
    ]
    first = new_writer(store, "run-1").write("b00001-c0001", [], rejects, seen_at=INGESTED)
    second = new_writer(store, "run-2").write("b00001-c0001", [], rejects, seen_at=INGESTED)
    assert (first.rejects_written, second.rejects_written, second.rejects) == (2, 0, 2)
    table = read(store, REJECTS_TABLE)
    assert table.schema.remove_metadata() == REJECTS.remove_metadata()
    assert sorted(table["reason"].to_pylist()) == ["EMPTY_BODY", "UNDECODABLE"]


def test_failed_write_leaves_nothing_and_releases_keys(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that dies midway commits nothing, and lets a retry write the rows."""
    writer = new_writer(store)
    articles = [make_article(n) for n in range(3)]

    def broken_write(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(writer_module, "insert_new", broken_write)
    with pytest.raises(OSError, match="disk full"):
        writer.write("b00001-c0001", articles, [], seen_at=INGESTED)
    monkeypatch.undo()
    assert open_table(store, ARTICLES_TABLE) is None
    counts = writer.write("b00001-c0001", articles, [], seen_at=INGESTED)
    assert counts.articles_written == 3


def test_stray_temp_file_is_invisible(store: Warehouse, make_article: ArticleFactory) -> None:
    """A data file a killed writer left uncommitted is not in the table: the index, delta-rs
    readers and DuckDB over the table's dataset skip it."""
    new_writer(store).write("b00001-c0001", [make_article(1)], [], seen_at=INGESTED)
    folder = local(store.articles / "published_month=2020-08")
    [committed] = folder.glob("*.parquet")
    (folder / "part-00000-uncommitted-c000.zstd.parquet").write_bytes(committed.read_bytes())
    assert len(KeyIndex.from_table(store, ARTICLES_TABLE, "article_id")) == 1
    rows = delta_rows(f"SELECT count(*) FROM read_parquet('{_glob(store)}')")
    assert rows == [(1,)]
    assert pl.read_delta(str(store.articles)).height == 1


def test_lone_surrogates_are_stored_not_fatal(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A lone surrogate (JSON "\\ud800", an undecodable file name) becomes U+FFFD, not a crash."""
    article = make_article(1, url="https://example.org/\ud800", locator="caf\udce9.txt")
    reject = Reject("bad-\udce9.txt", RejectReason.EMPTY_BODY, "detail \ud800")
    counts = new_writer(store).write("b00001-c0001", [article], [reject], seen_at=INGESTED)
    assert (counts.articles_written, counts.rejects_written) == (1, 1)
    [row] = read(store, ARTICLES_TABLE).to_pylist()
    assert row["locator"] == "caf\ufffd.txt"
    assert read(store, REJECTS_TABLE)["detail"].to_pylist() == ["detail \ufffd"]
