"""Prefect artifacts every ingest run leaves behind, beside its table of counts."""

from __future__ import annotations

import logging

from prefect.artifacts import create_markdown_artifact

from warehouse import Warehouse
from warehouse.analysts.report import key_figures_markdown

__all__ = ["publish_warehouse_figures"]


def publish_warehouse_figures(
    store: Warehouse, run_id: str, logger: logging.Logger | logging.LoggerAdapter[logging.Logger]
) -> None:
    """The warehouse's headline figures after the run, as a markdown artifact.

    Links the full HTML report when one was written (`news-etl report`).
    Call it under the writer lock (a compaction could otherwise delete a file
    between listing and reading). Any failure here is logged and never fails
    the run: its rows are committed and its runs row written.
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
    except Exception:  # an artifact is a courtesy; the run has succeeded
        logger.warning("could not summarise the warehouse for the artifact", exc_info=True)
