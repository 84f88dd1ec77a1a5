"""Removing rows from the articles table, for reprocessing.

Files are immutable once written, so removing articles means rewriting each
file that holds any of them without those rows (atomically, under a new
name, then deleting the old file). Callers hold the writer lock. A crash
between two files leaves some of the rows removed and others not, never a
duplicate or a partial file; reprocessing again finishes the job, since
its input (raw_pages) is untouched.
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


def remove_articles(warehouse: Warehouse, article_ids: Collection[str], *, tag: str) -> int:
    """Remove the given article ids from every file; returns rows removed.

    `tag` goes into the names of rewritten files (e.g. the run id), so a
    rewritten file never takes the name of a file that exists.
    """
    if not article_ids:
        return 0
    wanted = pa.array(sorted(set(article_ids)), pa.string())
    removed = 0
    for path in warehouse.parquet_files(warehouse.articles):
        try:
            ids = pq.read_table(path, columns=["article_id"])["article_id"]
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(path, exc) from exc
        hit = pc.is_in(ids, value_set=wanted)
        count = pc.sum(hit).as_py() or 0
        if not count:
            continue
        table = pq.read_table(path)
        keep = table.filter(pc.invert(hit))
        if keep.num_rows:
            write_parquet_atomic(keep, path.with_name(f"{path.stem}-r{tag}.parquet"))
        path.unlink()
        removed += count
    logger.info("removed %d article rows for reprocessing", removed)
    return removed
