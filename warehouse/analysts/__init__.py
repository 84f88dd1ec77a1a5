"""The warehouse's read side for analysts: SQL views, the report, the status numbers, the docs.

- `query`: every table as a DuckDB view (latest or as of a version) and the
  example queries of `news-etl query`.
- `report/`: `news-etl report`, one self-contained HTML page, and the headline
  figures as markdown.
- `status`: the last runs, each source's freshness, each table's version.
- `dictionary/`: the data dictionary, rendered into docs/warehouse.md and
  docs/queries.md (`python -m warehouse.analysts.dictionary`).

Nothing here writes a table, and nothing in the rest of `warehouse` imports
this package (an import-linter contract in pyproject.toml), so the storage
layer can change without reading the analysts' code.
The public names below are imported on first use (PEP 562), as in `warehouse`:
`news-etl status` needs only `status`, not DuckDB.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from warehouse.analysts.query import EXAMPLES, QueryError, QueryResult, run_query, sql_views
    from warehouse.analysts.report import (
        Report,
        build_report,
        key_figures_markdown,
        write_report,
    )
    from warehouse.analysts.status import (
        SourceFreshness,
        freshness_by_source,
        last_runs,
        table_versions,
    )

__all__ = [
    "EXAMPLES",
    "QueryError",
    "QueryResult",
    "Report",
    "SourceFreshness",
    "build_report",
    "freshness_by_source",
    "key_figures_markdown",
    "last_runs",
    "run_query",
    "sql_views",
    "table_versions",
    "write_report",
]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "warehouse.analysts.query": ("EXAMPLES", "QueryError", "QueryResult", "run_query", "sql_views"),
    "warehouse.analysts.report": ("Report", "build_report", "key_figures_markdown", "write_report"),
    "warehouse.analysts.status": (
        "SourceFreshness",
        "freshness_by_source",
        "last_runs",
        "table_versions",
    ),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
