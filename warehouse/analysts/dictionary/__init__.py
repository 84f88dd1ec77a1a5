"""The data dictionary: every table and column of the warehouse, rendered into docs/.

- `tables`, `columns`: data tables (not code) saying what the schemas cannot:
  per table its path, grain, keys and partitioning; per column how it is
  derived, when it is null, an example.
- `markdown`: the drift check against `warehouse.schema`, and the docs it renders.

`python -m warehouse.analysts.dictionary` writes docs/warehouse.md and
docs/queries.md (`--check` only reports). The public names below are
imported on first use (PEP 562), as in `warehouse`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from warehouse.analysts.dictionary.columns import NOTES
    from warehouse.analysts.dictionary.markdown import (
        DOCS,
        REGENERATE,
        declared_schemas,
        main,
        problems,
        render,
        render_queries,
    )
    from warehouse.analysts.dictionary.tables import TABLES, Notes, TableDoc

__all__ = [
    "DOCS",
    "NOTES",
    "REGENERATE",
    "TABLES",
    "Notes",
    "TableDoc",
    "declared_schemas",
    "main",
    "problems",
    "render",
    "render_queries",
]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "warehouse.analysts.dictionary.columns": ("NOTES",),
    "warehouse.analysts.dictionary.markdown": (
        "DOCS",
        "REGENERATE",
        "declared_schemas",
        "main",
        "problems",
        "render",
        "render_queries",
    ),
    "warehouse.analysts.dictionary.tables": ("TABLES", "Notes", "TableDoc"),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
