"""Removing rows from the articles table, for reprocessing.

Removing articles means rewriting each file that holds any of them without
those rows, atomically in place (or deleting it when nothing is left).
Callers hold the writer lock. A crash between two files leaves some of the
rows removed and others not, never a duplicate or a partial file;
reprocessing again finishes the job, since its input (raw_pages) is
untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from warehouse.atomic import write_parquet_atomic
from warehouse.errors import WarehouseReadError
from warehouse.layout import Warehouse

__all__ = ["remove_articles"]

logger = logging.getLogger(__name__)


def remove_articles(
    warehouse: Warehouse, *, article_ids: Collection[str], locators: Collection[str] = ()
) -> int:
    """Remove rows whose article_id or locator is given, from every file; returns rows removed."""
    if not article_ids and not locators:
        return 0
    wanted_ids = pa.array(sorted(set(article_ids)), pa.string())
    wanted_locators = pa.array(sorted(set(locators)), pa.string())
    removed = 0
    for path in warehouse.parquet_files(warehouse.articles):
        try:
            keys = pq.read_table(path, columns=["article_id", "locator"])
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(path, exc) from exc
        hit = pc.or_(
            pc.is_in(keys["article_id"], value_set=wanted_ids),
            pc.is_in(keys["locator"], value_set=wanted_locators),
        )
        count = pc.sum(hit).as_py() or 0
        if not count:
            continue
        table = pq.read_table(path)
        keep = table.filter(pc.invert(hit))
        if keep.num_rows:
            write_parquet_atomic(keep, path)  # one atomic replace: old rows or new, never both
        else:
            path.unlink()
        removed += count
    logger.info("removed %d article rows for reprocessing", removed)
    return removed
