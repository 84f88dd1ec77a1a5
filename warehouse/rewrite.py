"""Removing rows from the articles table, for reprocessing.

Removing articles means rewriting each file that holds any of them without
those rows, atomically in place (or deleting it when nothing is left).
Callers hold the writer lock. A crash between two files leaves some of the
rows removed and others not, never a duplicate or a partial file;
reprocessing again finishes the job, since its input (raw_pages) is
untouched.

Reprocessing rebuilds the newest fetch of each page, so it removes only the
newest version of each article (`remove_latest_versions`): the text of
earlier versions stays in the table.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection

import pyarrow as pa
import pyarrow.compute as pc

from warehouse.atomic import write_parquet_atomic
from warehouse.errors import WarehouseReadError
from warehouse.layout import Warehouse
from warehouse.storage import StorePath, read_schema, read_table

__all__ = ["remove_articles", "remove_latest_versions"]

logger = logging.getLogger(__name__)


def remove_articles(
    warehouse: Warehouse, *, article_ids: Collection[str], locators: Collection[str] = ()
) -> int:
    """Remove rows whose article_id or locator is given, from every file; returns rows removed."""
    if not article_ids and not locators:
        return 0
    wanted_ids = pa.array(sorted(set(article_ids)), pa.string())
    wanted_locators = pa.array(sorted(set(locators)), pa.string())

    def hit(keys: pa.Table) -> pa.ChunkedArray:
        return pc.or_(
            pc.is_in(keys["article_id"], value_set=wanted_ids),
            pc.is_in(keys["locator"], value_set=wanted_locators),
        )

    removed = _rewrite_without(warehouse, ["article_id", "locator"], hit)
    logger.info("removed %d article rows for reprocessing", len(removed))
    return len(removed)


def remove_latest_versions(
    warehouse: Warehouse,
    *,
    article_ids: Collection[str],
    locators: Collection[str] = (),
    spare_run_id: str | None = None,
) -> list[tuple[str, str]]:
    """Remove the newest version of each article given by id or locator.

    Rows written by `spare_run_id` (the reprocessing run itself) are never
    removed. Returns the (article_id, extracted_hash) of each removed row, so
    the writer can forget exactly those bodies.
    """
    if not article_ids and not locators:
        return []
    ids, locs = set(article_ids), set(locators)
    newest: dict[str, int] = defaultdict(int)
    columns = ["article_id", "locator", "version", "run_id"]
    for path in warehouse.parquet_files(warehouse.articles):
        for row in _read(path, columns).to_pylist():
            if row["run_id"] != spare_run_id and (
                row["article_id"] in ids or row["locator"] in locs
            ):
                aid = row["article_id"]
                newest[aid] = max(newest[aid], row["version"] or 1)
    if not newest:
        return []

    def hit(keys: pa.Table) -> pa.Array:
        return pa.array(
            [
                aid in newest and (version or 1) == newest[aid] and run != spare_run_id
                for aid, version, run in zip(
                    keys["article_id"].to_pylist(),
                    keys["version"].to_pylist(),
                    keys["run_id"].to_pylist(),
                    strict=True,
                )
            ],
            pa.bool_(),
        )

    removed = _rewrite_without(warehouse, columns, hit)
    logger.info("removed the newest version of %d articles for reprocessing", len(removed))
    return removed


def _read(path: StorePath, columns: list[str]) -> pa.Table:
    """Some columns of one file; a column the file predates (version) reads as null."""
    try:
        schema = read_schema(path)
        present = [c for c in columns if c in schema.names]
        table = read_table(path, columns=present)
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(path, exc) from exc
    for name in columns:
        if name not in present:
            table = table.append_column(name, pa.nulls(table.num_rows, pa.int32()))
    return table


def _rewrite_without(
    warehouse: Warehouse,
    columns: list[str],
    hit: Callable[[pa.Table], pa.Array | pa.ChunkedArray],
) -> list[tuple[str, str]]:
    """Rewrite each articles file without the rows `hit` marks; the removed rows' keys."""
    removed: list[tuple[str, str]] = []
    for path in warehouse.parquet_files(warehouse.articles):
        mask = hit(_read(path, columns))
        if not (pc.sum(mask).as_py() or 0):
            continue
        try:
            table = read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(path, exc) from exc
        gone = table.filter(mask)
        extracted = (
            gone["extracted_hash"].to_pylist()
            if "extracted_hash" in gone.column_names
            else [None] * gone.num_rows
        )
        removed += [
            (aid, version_key or body)
            for aid, body, version_key in zip(
                gone["article_id"].to_pylist(),
                gone["content_hash"].to_pylist(),
                extracted,
                strict=True,
            )
        ]
        keep = table.filter(pc.invert(mask))
        if keep.num_rows:
            write_parquet_atomic(keep, path)  # one atomic replace: old rows or new, never both
        else:
            path.unlink()
    return removed
