"""Reads the flows need from existing tables (analysts read the Parquet directly)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from warehouse.errors import WarehouseReadError
from warehouse.layout import Warehouse
from warehouse.storage import StorePath, dataset

__all__ = ["known_urls", "stored_locators"]


def known_urls(warehouse: Warehouse, canonical: Callable[[str | None], str | None]) -> set[str]:
    """Canonical forms of every URL already stored or fetched.

    Articles are known by their own URL and the canonical URL the page
    declared; raw pages by the URL requested and the one redirected to. A
    page that was fetched but rejected (too short, say) is known too, so it
    is fetched once, not on every run.
    """
    urls: set[str] = set()
    for folder, columns in (
        (warehouse.articles, ["url", "canonical_url"]),
        (warehouse.raw_pages, ["url", "final_url"]),
    ):
        for value in _column_values(folder, columns):
            if (form := canonical(value)) is not None:
                urls.add(form)
    return urls


def _column_values(folder: StorePath, columns: list[str]) -> set[str]:
    if not folder.is_dir():
        return set()
    values: set[str] = set()
    try:
        files = dataset(folder, format="parquet", partitioning="hive")
        for batch in files.to_batches(columns=columns):
            for column in batch.columns:
                values.update(v for v in column.to_pylist() if v)
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(folder, exc) from exc
    return values


def stored_locators(warehouse: Warehouse, *, containing: str) -> set[str]:
    """Locators of articles and rejects containing `containing` (e.g. "#offset=").

    A resumed run skips the web-archive records these name without parsing them.
    """
    values = _column_values(warehouse.articles, ["locator"])
    values |= _column_values(warehouse.rejects, ["locator"])
    return {value for value in values if containing in value}
