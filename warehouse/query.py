"""DuckDB over the warehouse: every table registered as a view, ready for SQL.

`open_views` registers one view per table (`articles`, `rejects`, `runs`,
`raw_pages`, `validators`, and any other table folder it finds) over the
files `Warehouse.parquet_files` lists: never a raw glob, so files a
compaction has superseded stay hidden. A declared table is read
`union_by_name` and then unioned by name with an empty table of its declared
schema, so every declared column is there with its declared type even in
files written before the column existed (it reads as null), and a table with
no files yet is an empty view rather than a missing one.

DuckDB runs in-process with extension auto-loading off: a query never
reaches the network. Timestamps are shown in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa
import pyarrow.dataset as ds

from warehouse.layout import Warehouse
from warehouse.schema import (
    ARTICLES,
    MINHASH,
    PARTITION_COLUMN,
    RAW_PAGES,
    REJECTS,
    RUNS,
    VALIDATORS,
)
from warehouse.storage import ObjectPath, StorePath, arrow_location, dataset, relative_parts

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "EXAMPLES",
    "LATEST",
    "Example",
    "QueryError",
    "QueryResult",
    "SqlViews",
    "open_views",
    "plain",
    "run_query",
    "sql_views",
]

_EMPTY_PREFIX: Final = "_declared_"

# Since schema 3 an article_id has one row per distinct body (`version`);
# counts of articles want one row each, the latest. Rows from before schema 3
# have no version: they are version 1.
LATEST: Final = "articles_latest"
_LATEST_SQL: Final = f"""
CREATE VIEW {LATEST} AS
SELECT * FROM articles
QUALIFY row_number() OVER (
    PARTITION BY article_id ORDER BY coalesce(version, 1) DESC, ingested_at DESC
) = 1"""
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class QueryError(Exception):
    """A query could not run: bad SQL, or a table the warehouse does not have."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(f"{message}\n{fix}" if fix else message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    files: tuple[StorePath, ...]
    schema: pa.Schema | None  # declared schema; None for a table found on disk only
    partition: str | None  # Hive partition column in the path


@dataclass(frozen=True, slots=True)
class SqlViews:
    """An open DuckDB connection with the warehouse's tables as views."""

    connection: duckdb.DuckDBPyConnection
    root: StorePath
    files: dict[str, int]  # view name -> number of Parquet files behind it

    @property
    def tables(self) -> list[str]:
        """Every view: one per table, and `articles_latest`."""
        return sorted([*self.files, LATEST])

    @property
    def empty_tables(self) -> list[str]:
        """Declared tables with no files yet (their views are empty)."""
        return sorted(name for name, count in self.files.items() if count == 0)

    @property
    def is_empty(self) -> bool:
        return not any(self.files.values())


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Column names and rows of one query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of JSON-friendly values (see `plain`)."""
        return [
            {name: plain(value) for name, value in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]


def _state_tables(store: Warehouse) -> dict[str, list[StorePath]]:
    """State files by table: `state/NAME.parquet` and `state/NAME/*.parquet` are table NAME."""
    tables: dict[str, list[StorePath]] = {}
    for path in store.parquet_files(store.state):
        parts = relative_parts(path, store.state)
        tables.setdefault(parts[0] if len(parts) > 1 else path.stem, []).append(path)
    return tables


def _declared(store: Warehouse, state: dict[str, list[StorePath]]) -> list[_Table]:
    return [
        _Table("articles", tuple(store.parquet_files(store.articles)), ARTICLES, PARTITION_COLUMN),
        _Table("rejects", tuple(store.parquet_files(store.rejects)), REJECTS, None),
        _Table("runs", tuple(store.parquet_files(store.runs)), RUNS, None),
        _Table(
            "raw_pages", tuple(store.parquet_files(store.raw_pages)), RAW_PAGES, "fetched_month"
        ),
        _Table("validators", tuple(state.get("validators", ())), VALIDATORS, None),
        _Table("minhash", tuple(state.get("minhash", ())), MINHASH, None),
    ]


def _discovered(
    store: Warehouse, state: dict[str, list[StorePath]], known: set[str]
) -> list[_Table]:
    """Tables on disk that no declared schema names: other folders, other state files."""
    found: list[_Table] = []
    folders = {store.articles, store.rejects, store.runs, store.raw_pages, store.state}
    if store.root.is_dir():
        for folder in sorted(p for p in store.root.iterdir() if p.is_dir()):
            if folder in folders or folder.name in known or not _NAME.fullmatch(folder.name):
                continue
            if files := store.parquet_files(folder):
                found.append(_Table(folder.name, tuple(files), None, _partition_of(folder, files)))
    for name, files in sorted(state.items()):
        if name not in known and _NAME.fullmatch(name):
            found.append(_Table(name, tuple(files), None, None))
    return found


def _partition_of(folder: StorePath, files: Sequence[StorePath]) -> str | None:
    first = relative_parts(files[0], folder)
    if len(first) > 1 and "=" in first[0]:
        return first[0].split("=", 1)[0]
    return None


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _empty(schema: pa.Schema, partition: str | None) -> pa.Table:
    if partition is not None and partition not in schema.names:
        schema = schema.append(pa.field(partition, pa.string()))
    return schema.empty_table()


def _view_sql(table: _Table, empty_name: str | None, files_name: str | None) -> str:
    parts = []
    if files_name is not None:
        parts.append(f"SELECT * FROM {files_name}")
    elif table.files:
        paths = ", ".join(_quote(str(p)) for p in table.files)
        hive = "true, hive_types_autocast = false" if table.partition else "false"
        options = f"union_by_name = true, hive_partitioning = {hive}"
        parts.append(f"SELECT * FROM read_parquet([{paths}], {options})")
    if empty_name is not None:
        parts.append(f"SELECT * FROM {empty_name}")
    return f'CREATE VIEW "{table.name}" AS ' + " UNION ALL BY NAME ".join(parts)


def _object_store_files(table: _Table, base: StorePath) -> ds.Dataset:
    """The table's files on an object store as one Arrow dataset, for DuckDB to scan.

    DuckDB reads object stores only through its httpfs extension, which is
    downloaded at run time; pyarrow's file systems are already here and read
    the same AWS variables. Projection and filters are pushed down to the scan.
    """
    schema = table.schema or pa.unify_schemas(
        [dataset([path], format="parquet").schema for path in table.files]
    )
    partitioning = None
    if table.partition is not None:
        if table.partition not in schema.names:
            schema = schema.append(pa.field(table.partition, pa.string()))
        partitioning = ds.partitioning(pa.schema([schema.field(table.partition)]), flavor="hive")
    return dataset(
        list(table.files),
        format="parquet",
        schema=schema,
        partitioning=partitioning,
        partition_base_dir=arrow_location(base)[1],
    )


def _base_of(store: Warehouse, table: _Table) -> StorePath:
    """The folder Hive partition paths of `table` start from."""
    folder = store.root / table.name
    return folder if table.name not in ("validators", "minhash") else store.state


def open_views(store: Warehouse) -> SqlViews:
    """A fresh in-memory DuckDB with one view per table of `store`."""
    import duckdb  # when used: ingest runs import this module and never query (25 MiB)

    connection = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    connection.execute("SET TimeZone = 'UTC'")
    state = _state_tables(store)
    declared = _declared(store, state)
    tables = declared + _discovered(store, state, {t.name for t in declared} | {LATEST})
    files: dict[str, int] = {}
    for table in tables:
        empty_name = None
        if table.schema is not None:
            empty_name = f"{_EMPTY_PREFIX}{table.name}"
            connection.register(empty_name, _empty(table.schema, table.partition))
        files_name = None
        try:
            if table.files and isinstance(table.files[0], ObjectPath):
                files_name = f"_files_{table.name}"
                connection.register(files_name, _object_store_files(table, _base_of(store, table)))
            connection.execute(_view_sql(table, empty_name, files_name))
        except (duckdb.Error, OSError, pa.ArrowException) as exc:
            connection.close()
            raise QueryError(
                f"cannot read table {table.name!r} under {store.root}: {exc}",
                "move aside files that are not this pipeline's Parquet, then rerun",
            ) from exc
        files[table.name] = len(table.files)
    connection.execute(_LATEST_SQL)
    return SqlViews(connection, store.root, files)


@contextmanager
def sql_views(store: Warehouse) -> Iterator[SqlViews]:
    """`open_views` as a context manager that closes the connection."""
    opened = open_views(store)
    try:
        yield opened
    finally:
        opened.connection.close()


def run_query(cat: SqlViews, sql: str, parameters: Sequence[object] = ()) -> QueryResult:
    """Run one SQL statement; errors become a QueryError naming the tables there are."""
    import duckdb

    try:
        relation = cat.connection.execute(sql, list(parameters))
        rows = relation.fetchall()
        columns = [d[0] for d in relation.description or []]
    except duckdb.CatalogException as exc:
        raise QueryError(
            f"{exc}".splitlines()[0],
            f"tables in {cat.root}: {', '.join(cat.tables) or 'none (run news-etl ingest first)'}",
        ) from exc
    except duckdb.Error as exc:
        raise QueryError(str(exc), "") from exc
    return QueryResult(columns, rows)


def plain(value: Any) -> Any:
    """A DuckDB value as JSON-friendly Python: ISO text for times, numbers for decimals."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Example:
    """A ready query: a name for `news-etl query --example`, what it answers, its SQL."""

    name: str
    question: str
    sql: str


EXAMPLES: Final = {
    e.name: e
    for e in (
        Example(
            "per-source-per-day",
            "How many articles did each source publish per day? (UTC days; undated left out)",
            """\
SELECT source, CAST(published_at AS DATE) AS day, count(*) AS articles
FROM articles_latest
WHERE published_at IS NOT NULL
GROUP BY ALL
ORDER BY day DESC, articles DESC, source""",
        ),
        Example(
            "newest-per-source",
            "What are the three newest articles of each source?",
            """\
SELECT source, published_at, title, coalesce(url, locator) AS link
FROM articles_latest
QUALIFY row_number() OVER (
    PARTITION BY source ORDER BY published_at DESC NULLS LAST, ingested_at DESC, article_id
) <= 3
ORDER BY source, published_at DESC NULLS LAST""",
        ),
        Example(
            "reject-reasons-week",
            "Which reject reasons were most common in the last 7 days, with an example each?",
            """\
SELECT reason, count(*) AS rejects, min(locator) AS example_locator, min(detail) AS example_detail
FROM rejects
WHERE seen_at >= now() - INTERVAL 7 DAY
GROUP BY reason
ORDER BY rejects DESC, reason""",
        ),
        Example(
            "near-duplicate-clusters",
            "Which stories were carried by more than one outlet (near-duplicate clusters)?",
            """\
SELECT cluster_id, count(*) AS articles, count(DISTINCT source) AS outlets,
       list(DISTINCT source ORDER BY source) AS sources, min(title) AS a_title
FROM articles_latest
WHERE cluster_id IS NOT NULL
GROUP BY cluster_id
HAVING count(DISTINCT source) > 1
ORDER BY articles DESC, cluster_id""",
        ),
        Example(
            "most-boilerplate-removed",
            "Which articles lost the most text to boilerplate removal, and to which rules?",
            """\
SELECT source, title, locator,
       len(boilerplate_removed) AS segments,
       list_sum(list_transform(boilerplate_removed, lambda r: length(r.text))) AS chars_removed,
       round(100 * chars_removed / (chars_removed + length(body)), 1) AS pct_of_text,
       list_sort(list_distinct(list_transform(boilerplate_removed, lambda r: r.rule))) AS rules
FROM articles_latest
WHERE len(boilerplate_removed) > 0
ORDER BY chars_removed DESC, locator
LIMIT 20""",
        ),
    )
}
