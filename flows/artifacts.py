"""Prefect artifacts every ingest run leaves behind, beside its table of counts."""

from __future__ import annotations

import logging

from prefect.artifacts import create_markdown_artifact

from warehouse import QueryError, Warehouse, WarehouseError
from warehouse.report import key_figures_markdown

__all__ = ["publish_warehouse_figures"]


def publish_warehouse_figures(
    store: Warehouse, run_id: str, logger: logging.Logger | logging.LoggerAdapter[logging.Logger]
) -> None:
    """The warehouse's headline figures after the run, as a markdown artifact.

    Links the full HTML report when one was written (`news-etl report`). A
    failure here is logged, never fails the run: the rows are committed.
    """
    report_page = store.root / "report.html"
    try:
        create_markdown_artifact(
            key="warehouse-figures",
            markdown=key_figures_markdown(
                store, report=report_page if report_page.is_file() else None
            ),
            description=f"news-etl warehouse after run {run_id} (full page: news-etl report)",
        )
    except (QueryError, WarehouseError):
        logger.warning("could not summarise the warehouse for the artifact", exc_info=True)
