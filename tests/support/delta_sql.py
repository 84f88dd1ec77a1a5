"""`delta_rows`: DuckDB over Delta tables, for tests written against table paths.

A test names a table by its folder, as an analyst would glob it
(`read_parquet('<root>/articles/**/*.parquet', ...)`); here each such call is
replaced by the table's latest version, handed to DuckDB as the Arrow
dataset delta-rs lists (DuckDB has no Delta extension here). A raw glob
would also count files a later commit replaced and the vacuum has not
deleted yet.
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
from deltalake import DeltaTable

__all__ = ["delta_rows", "delta_table_root"]

# read_parquet('<path>' [, options]) or read_parquet(['<path>', ...] [, options])
_CALL = re.compile(r"read_parquet\(\s*'([^']+)'\s*(?:,[^()]*)?\)")
_GLOB_TAIL = re.compile(r"(/[^/]*\*[^/]*)+$")  # the components holding a `*`


def delta_table_root(path: str) -> str:
    """The table a glob or file path names: `<root>/articles/**/*.parquet` -> `<root>/articles`."""
    return _GLOB_TAIL.sub("", path.rstrip("/")).removesuffix(".parquet")


def delta_rows(query: str, storage_options: dict[str, str] | None = None) -> list[tuple[Any, ...]]:
    """Rows of `query`, each `read_parquet('<table path>')` read as that Delta table."""
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        names: dict[str, str] = {}

        def table(match: re.Match[str]) -> str:
            root = delta_table_root(match.group(1))
            if root not in names:
                names[root] = f"_delta_{len(names)}"
                dataset = DeltaTable(root, storage_options=storage_options).to_pyarrow_dataset()
                connection.register(names[root], dataset)
            return names[root]

        return connection.execute(_CALL.sub(table, query)).fetchall()
