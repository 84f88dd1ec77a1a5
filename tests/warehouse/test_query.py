"""DuckDB views over the warehouse: old and new files together, empty and foreign tables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flows.cli import EXIT_FAILED, main
from tests.warehouse.conftest import ArticleFactory
from warehouse import Warehouse
from warehouse.atomic import write_parquet_atomic
from warehouse.convert import articles_table
from warehouse.query import QueryError, plain, run_query, sql_views
from warehouse.schema import ARTICLES

# Columns schema version 3 appended to articles (see SCHEMA_HISTORY).
ADDED_IN_3 = ["version", "first_seen_at", "last_seen_at", "duplicate_of", "cluster_id"]


def _write(store: Warehouse, table: pa.Table, month: str, name: str) -> None:
    write_parquet_atomic(table, store.articles / f"published_month={month}" / name)


@pytest.mark.skipif(
    not set(ADDED_IN_3) <= set(ARTICLES.names), reason="schema 3 columns not declared"
)
def test_old_files_read_with_new_columns_as_null(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A file written before a column existed reads beside new ones; the column is null."""
    old = articles_table([make_article(1)]).drop_columns(ADDED_IN_3)
    _write(store, old, "2020-08", "part-old.parquet")
    newer = [make_article(2, version=1, cluster_id="c"), make_article(2, version=2, cluster_id="c")]
    _write(store, articles_table(newer), "2020-08", "part-new.parquet")
    with sql_views(store) as cat:
        rows = run_query(
            cat, "SELECT title, version, cluster_id FROM articles ORDER BY title, version"
        ).rows
        latest = run_query(cat, "SELECT title, version FROM articles_latest ORDER BY title").rows
        month = run_query(cat, "SELECT DISTINCT published_month FROM articles").rows
    assert rows == [("Story 1", None, None), ("Story 2", 1, "c"), ("Story 2", 2, "c")]
    assert latest == [("Story 1", None), ("Story 2", 2)]  # one row per article, the latest
    assert month == [("2020-08",)]  # the partition column, as text


def test_empty_warehouse_has_empty_typed_views(store: Warehouse) -> None:
    """With no files, declared tables are empty views with their declared columns."""
    with sql_views(store) as cat:
        assert cat.is_empty
        assert {"articles", "rejects", "runs", "raw_pages", "articles_latest"} <= set(cat.tables)
        result = run_query(cat, "SELECT * FROM articles")
        assert result.rows == []
        assert result.columns == [*ARTICLES.names, "published_month"]


def test_unknown_table_names_the_tables_there_are(store: Warehouse) -> None:
    """A query on a table that does not exist says which ones do."""
    with sql_views(store) as cat, pytest.raises(QueryError) as raised:
        run_query(cat, "SELECT * FROM artcles")
    assert "artcles" in raised.value.message
    assert "articles, articles_latest" in raised.value.fix


def test_other_tables_on_disk_are_views(store: Warehouse) -> None:
    """A table folder or state file no schema declares is still registered, by its name."""
    extra = pa.table({"k": [1, 2]})
    write_parquet_atomic(extra, store.root / "audits" / "part-1.parquet")
    write_parquet_atomic(extra, store.state / "cursor.parquet")
    pq.write_table(extra, store.root / "audits" / ".part-2.parquet.tmp.parquet")  # in flight
    with sql_views(store) as cat:
        assert run_query(cat, "SELECT sum(k) FROM audits").rows == [(3,)]
        assert run_query(cat, "SELECT count(*) FROM cursor").rows == [(2,)]


def test_cli_on_a_missing_warehouse_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No tables at all: a one-line message naming the fix, exit 1, no traceback."""
    assert main(["query", "SELECT 1", "--warehouse", str(tmp_path / "none")]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "no tables under" in err and "news-etl ingest" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12"), 12),
        (Decimal("1.5"), 1.5),
        (b"\x00\x01", "<2 bytes>"),
        ({"a": [1, None]}, {"a": [1, None]}),
    ],
)
def test_plain_values(value: object, expected: object) -> None:
    """DuckDB values become JSON-friendly Python."""
    assert plain(value) == expected
