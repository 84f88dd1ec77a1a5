"""DuckDB views over the warehouse's Delta tables: latest or as of a version, empty tables."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.support.articles import ArticleFactory
from warehouse import Warehouse
from warehouse.analysts.query import QueryError, plain, run_query, sql_views
from warehouse.convert import articles_table
from warehouse.delta import insert_new, open_table
from warehouse.layout import ARTICLES_TABLE
from warehouse.schema import ARTICLES


def test_latest_view_keeps_one_row_per_article(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Versions of an article are rows of `articles`; `articles_latest` keeps the newest."""
    newer = [
        make_article(2, version=1, cluster_id="c", extracted_hash="body-1"),
        make_article(2, version=2, cluster_id="c", extracted_hash="body-2"),
    ]
    insert_new(store, ARTICLES_TABLE, articles_table([make_article(1), *newer]))
    with sql_views(store) as cat:
        rows = run_query(cat, "SELECT title, version FROM articles ORDER BY title, version").rows
        latest = run_query(cat, "SELECT title, version FROM articles_latest ORDER BY title").rows
        month = run_query(cat, "SELECT DISTINCT published_month FROM articles").rows
    assert rows == [("Story 1", None), ("Story 2", 1), ("Story 2", 2)]
    assert latest == [("Story 1", None), ("Story 2", 2)]
    assert month == [("2020-08",)]  # the partition column, as text


def test_as_of_a_version_or_a_time_reads_the_tables_then(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Time travel: an articles version, or a moment; other tables as they were then."""
    insert_new(store, ARTICLES_TABLE, articles_table([make_article(1)]))
    table = open_table(store, ARTICLES_TABLE)
    assert table is not None
    first, moment = table.version(), datetime.now(UTC)
    time.sleep(0.05)
    insert_new(store, ARTICLES_TABLE, articles_table([make_article(2)]))
    for as_of in (first, moment):
        with sql_views(store, as_of=as_of) as cat:
            assert run_query(cat, "SELECT count(*) FROM articles").rows == [(1,)]
            assert cat.versions["articles"] == first
    with sql_views(store) as cat:
        assert run_query(cat, "SELECT count(*) FROM articles").rows == [(2,)]
    with pytest.raises(QueryError, match="no version 99"):
        sql_views(store, as_of=99).__enter__()


def test_empty_warehouse_has_empty_typed_views(store: Warehouse) -> None:
    """With no files, declared tables are empty views with their declared columns."""
    with sql_views(store) as cat:
        assert cat.is_empty
        assert {"articles", "rejects", "runs", "raw_pages", "articles_latest"} <= set(cat.tables)
        result = run_query(cat, "SELECT * FROM articles")
        assert result.rows == []
        assert result.columns == ARTICLES.names


def test_unknown_table_names_the_tables_there_are(store: Warehouse) -> None:
    """A query on a table that does not exist says which ones do."""
    with sql_views(store) as cat, pytest.raises(QueryError) as raised:
        run_query(cat, "SELECT * FROM artcles")
    assert "artcles" in raised.value.message
    assert "articles, articles_latest" in raised.value.fix


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
