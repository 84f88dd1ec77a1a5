"""DuckDB over the warehouse: every table registered as a view, ready for SQL.

`open_views` registers one view per declared table (`articles`, `rejects`,
`runs`, `raw_pages` and the state tables) over the Arrow dataset of the
Delta table's files at its latest version, or at `as_of`: never a raw glob,
so files a compaction or a delete has superseded stay hidden, and no DuckDB
extension is needed (none is downloaded here). Each view is unioned by name
with an empty table of its declared schema, so a table with no commit yet
is an empty view rather than a missing one.

`as_of` goes back in time: a version number is the articles table's; the
other tables are read as they were when that version was committed. A
timestamp applies to every table (a table created later is empty).

DuckDB runs in-process with extension auto-loading off: a query never
reaches the network. Timestamps are shown in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa
import pyarrow.dataset as ds
from deltalake.exceptions import DeltaError

from warehouse.delta import AsOf, arrow_dataset, open_table
from warehouse.errors import WarehouseReadError
from warehouse.layout import ARTICLES_TABLE, TABLES, TableSpec, Warehouse
from warehouse.storage import StorePath

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


class QueryError(Exception):
    """A query could not run: bad SQL, or a table the warehouse does not have."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(f"{message}\n{fix}" if fix else message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True, slots=True)
class SqlViews:
    """An open DuckDB connection with the warehouse's tables as views."""

    connection: duckdb.DuckDBPyConnection
    root: StorePath
    files: dict[str, int]  # view name -> number of Parquet files behind it
    versions: dict[str, int]  # table -> the Delta version read (tables that exist then)

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


def _moment(store: Warehouse, as_of: AsOf | None) -> datetime | None:
    """The point in time `as_of` names: a timestamp, or when that articles version committed."""
    if as_of is None or isinstance(as_of, datetime):
        return as_of
    table = open_table(store, ARTICLES_TABLE)
    if table is None or not 0 <= as_of <= table.version():
        latest = "none" if table is None else table.version()
        raise QueryError(
            f"the articles table has no version {as_of}", f"its latest version is {latest}"
        )
    for commit in table.history():
        if commit["version"] == as_of:
            return datetime.fromtimestamp(commit["timestamp"] / 1000, UTC)
    raise QueryError(f"the log no longer holds articles version {as_of}", "pick a later one")


def _snapshot(
    store: Warehouse, spec: TableSpec, as_of: AsOf | None, moment: datetime | None
) -> tuple[ds.Dataset | None, int | None]:
    """The table's dataset and version at `as_of` (articles) or `moment` (the others)."""
    target = as_of if spec is ARTICLES_TABLE and as_of is not None else moment
    table = open_table(store, spec)
    if table is None:
        return None, None
    if target is not None:
        try:
            table.load_as_version(target)
        except (DeltaError, ValueError):  # created after `moment`: nothing then
            return None, None
    return arrow_dataset(table, store, spec), table.version()


def _view_sql(name: str, empty_name: str, files_name: str | None) -> str:
    parts = [f"SELECT * FROM {files_name}"] if files_name else []
    parts.append(f"SELECT * FROM {empty_name}")
    return f'CREATE VIEW "{name}" AS ' + " UNION ALL BY NAME ".join(parts)


def open_views(store: Warehouse, as_of: AsOf | None = None) -> SqlViews:
    """A fresh in-memory DuckDB with one view per table of `store` (at `as_of`)."""
    import duckdb  # when used: ingest runs import this module and never query (25 MiB)

    connection = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    connection.execute("SET TimeZone = 'UTC'")
    files: dict[str, int] = {}
    versions: dict[str, int] = {}
    try:
        moment = _moment(store, as_of)
        for name, spec in TABLES.items():
            found, version = _snapshot(store, spec, as_of, moment)
            connection.register(f"{_EMPTY_PREFIX}{name}", spec.schema.empty_table())
            if found is not None and version is not None:
                connection.register(f"_files_{name}", found)
                versions[name] = version
            files[name] = len(found.files) if isinstance(found, ds.FileSystemDataset) else 0
            connection.execute(
                _view_sql(name, f"{_EMPTY_PREFIX}{name}", f"_files_{name}" if found else None)
            )
    except (duckdb.Error, OSError, pa.ArrowException, WarehouseReadError, QueryError) as exc:
        connection.close()
        if isinstance(exc, QueryError):
            raise
        raise QueryError(
            f"cannot read the tables under {store.root}: {exc}",
            "move aside folders that are not this pipeline's Delta tables, then rerun",
        ) from exc
    connection.execute(_LATEST_SQL)
    return SqlViews(connection, store.root, files, versions)


@contextmanager
def sql_views(store: Warehouse, as_of: AsOf | None = None) -> Iterator[SqlViews]:
    """`open_views` as a context manager that closes the connection."""
    opened = open_views(store, as_of)
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
