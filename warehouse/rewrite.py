"""Removing rows from the articles table, for reprocessing: Delta deletes.

Each removal is one Delta DELETE: the files holding the rows are rewritten
without them in the same commit that removes the old files, so readers see
the rows or not, never half. Reprocessing deletes, then merges the rebuilt
rows in a second commit; a crash between the two leaves the rows removed,
and reprocessing again finishes the job, since its input (raw_pages) is
untouched.

Reprocessing rebuilds the newest fetch of each page, so it removes only the
newest version of each article (`newest_versions`, `remove_versions`): the text of
earlier versions stays in the table.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from warehouse.delta import delete_where, read
from warehouse.layout import ARTICLES_TABLE, Warehouse

__all__ = ["newest_versions", "remove_articles", "remove_versions"]

logger = logging.getLogger(__name__)

_COLUMNS = ["article_id", "locator", "version", "run_id", "extracted_hash"]


def remove_articles(
    warehouse: Warehouse, *, article_ids: Collection[str], locators: Collection[str] = ()
) -> int:
    """Remove rows whose article_id or locator is given; returns rows removed."""
    if not article_ids and not locators:
        return 0
    predicate = f"article_id IN ({_list(article_ids)}) OR locator IN ({_list(locators)})"
    removed = delete_where(warehouse, ARTICLES_TABLE, predicate)
    logger.info("removed %d article rows for reprocessing", removed)
    return removed


def newest_versions(
    warehouse: Warehouse,
    *,
    article_ids: Collection[str],
    locators: Collection[str] = (),
    spare_run_id: str | None = None,
) -> list[dict[str, Any]]:
    """The newest stored version of each article given by id or locator.

    Rows (article_id, locator, version, run_id, extracted_hash); those written
    by `spare_run_id` (the reprocessing run itself) are left out, so a page
    this run rebuilt is never replaced by a later one.
    """
    if not article_ids and not locators:
        return []
    wanted = ds.field("article_id").isin(pa.array(sorted(set(article_ids)), pa.string())) | (
        ds.field("locator").isin(pa.array(sorted(set(locators)), pa.string()))
    )
    rows = [
        r
        for r in read(warehouse, ARTICLES_TABLE, _COLUMNS, wanted).to_pylist()
        if r["run_id"] != spare_run_id
    ]
    newest: dict[str, int] = {}
    for row in rows:
        newest[row["article_id"]] = max(newest.get(row["article_id"], 0), row["version"] or 1)
    return [r for r in rows if (r["version"] or 1) == newest[r["article_id"]]]


def remove_versions(
    warehouse: Warehouse, rows: Iterable[dict[str, Any]], *, spare_run_id: str | None = None
) -> list[tuple[str, str]]:
    """Remove the given rows (from `newest_versions`) in one Delta delete.

    Returns the (article_id, extracted_hash) of each, so the writer can forget
    exactly those bodies.
    """
    removed = [(r["article_id"], r["extracted_hash"]) for r in rows]
    if not removed:
        return []
    spare = f" AND run_id <> {_quote(spare_run_id)}" if spare_run_id else ""
    pairs = " OR ".join(
        f"(article_id = {_quote(aid)} AND extracted_hash = {_quote(body)})" for aid, body in removed
    )
    delete_where(warehouse, ARTICLES_TABLE, f"({pairs}){spare}")
    logger.info("removed the newest version of %d articles for reprocessing", len(removed))
    return removed


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(values: Iterable[str]) -> str:
    return ", ".join(_quote(v) for v in sorted(set(values))) or "NULL"
