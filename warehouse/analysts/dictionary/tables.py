"""The data dictionary's tables: where each lives, its grain, keys and partitioning.

A data table, not code: one `TableDoc` per Delta table, checked against the
schemas by `warehouse.analysts.dictionary.markdown.problems` and rendered into
`docs/warehouse.md`. Add a row here when `warehouse.schema` declares a new
table; the column notes are in `columns.py` beside this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from warehouse import schema as _schema

__all__ = ["TABLES", "Notes", "TableDoc"]


@dataclass(frozen=True, slots=True)
class Notes:
    """What the schema cannot say about one column."""

    derived: str
    example: str
    null_when: str | None = None  # required exactly when the column is nullable


@dataclass(frozen=True, slots=True)
class TableDoc:
    """One table: which schema constant declares it and where its files live."""

    table: str  # the name of its DuckDB view in `news-etl query`
    schema: str  # the constant in warehouse.schema
    path: str
    grain: str  # one row per ...
    keys: str
    partition: str | None = None  # Delta partition column (Hive folders of the data files)
    partitioning: str = "none: every data file sits directly in the table folder"


TABLES: Final = (
    TableDoc(
        "articles",
        "ARTICLES",
        "articles/ (Delta; data in published_month=YYYY-MM/*.parquet)",
        "cleaned article",
        "`article_id`, `version`: one row per distinct body of an article (schema 3); the "
        "`articles_latest` view of `news-etl query` keeps each article's latest row",
        partition=_schema.PARTITION_COLUMN,
        partitioning=(
            "Hive, by `published_month`: the UTC month of `published_at`; undated articles go to "
            f"`published_month={_schema.UNDATED_PARTITION}`"
        ),
    ),
    TableDoc(
        "rejects",
        "REJECTS",
        "rejects/ (Delta; data in *.parquet)",
        "document that did not become an article",
        "`reject_id` (source, locator and reason)",
    ),
    TableDoc(
        "runs",
        "RUNS",
        "runs/ (Delta; data in *.parquet)",
        "flow run (the row is replaced when the run ends)",
        "`run_id`",
    ),
    TableDoc(
        "raw_pages",
        "RAW_PAGES",
        "raw_pages/ (Delta; data in fetched_month=YYYY-MM/*.parquet)",
        "fetched web page (web sources only)",
        "`url`, `fetched_at`",
        partition="fetched_month",
        partitioning="Hive, by `fetched_month`: the UTC month of `fetched_at`",
    ),
    TableDoc(
        "validators",
        "VALIDATORS",
        "state/validators/ (Delta)",
        "feed or sitemap URL (rows replaced by URL at the end of each web run)",
        "`url`",
    ),
    TableDoc(
        "site_boilerplate",
        "SITE_BOILERPLATE",
        "state/site_boilerplate/ (Delta)",
        "source (the table is replaced after each ingest run learns from its articles; the "
        "runs counted are Delta application transactions of the same commit)",
        "`source`",
    ),
    TableDoc(
        "inputs",
        "INPUTS",
        "state/inputs/ (Delta)",
        "input file of the file flow (rows replaced by name as the run commits)",
        "`name`",
    ),
    TableDoc(
        "url_outcomes",
        "URL_OUTCOMES",
        "state/url_outcomes/ (Delta)",
        "listed URL whose last fetch failed transiently or permanently (the table is "
        "replaced at the end of each web run)",
        "`url`",
    ),
    TableDoc(
        "minhash",
        "MINHASH",
        "state/minhash/ (Delta)",
        "distinct article body and MinHash settings (append-only: a batch that stores new "
        "bodies appends them)",
        "`content_hash`, `settings`",
    ),
)
