"""What the report is made of: sections holding counts, charts and tables.

Every figure the page draws is computed into a `Section`, and the same
numbers go into the page as tables and as each section's `data-counts` JSON,
so a test (or an analyst) can read what a chart shows without reading the
picture. The sections themselves are made by `articles`, `cleaning` and
`operations` beside this module, over the filtered views `data.collect` makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from warehouse.analysts.query import SqlViews, run_query

__all__ = ["OTHER", "TOP_SOURCES", "Chart", "Section", "Table", "query_rows"]

# A stacked chart with more series than this is unreadable; the rest are "other".
TOP_SOURCES: Final = 8
OTHER: Final = "other"


@dataclass(frozen=True, slots=True)
class Table:
    """Rows shown beside a chart (or alone)."""

    caption: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Chart:
    """What to draw: `kind` is stacked (x labels, series), bars or hbars (labels, values)."""

    kind: str
    title: str
    labels: list[str]
    series: dict[str, list[float]]  # series name -> one value per label
    xlabel: str = ""
    ylabel: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the page."""

    key: str
    title: str
    counts: dict[str, Any]
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


def query_rows(cat: SqlViews, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one query over the report's views."""
    return run_query(cat, sql).rows
