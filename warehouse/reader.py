"""Reads the flows need from existing tables (analysts read the Delta tables directly)."""

from __future__ import annotations

from collections.abc import Callable

from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE, RAW_PAGES_TABLE, REJECTS_TABLE, TableSpec, Warehouse

__all__ = ["known_urls", "stored_locators"]


def known_urls(warehouse: Warehouse, canonical: Callable[[str | None], str | None]) -> set[str]:
    """Canonical forms of every URL already stored or fetched.

    Articles are known by their own URL and the canonical URL the page
    declared; raw pages by the URL requested and the one redirected to. A
    page that was fetched but rejected (too short, say) is known too, so it
    is fetched once, not on every run.
    """
    urls: set[str] = set()
    for spec, columns in (
        (ARTICLES_TABLE, ["url", "canonical_url"]),
        (RAW_PAGES_TABLE, ["url", "final_url"]),
    ):
        for value in _column_values(warehouse, spec, columns):
            if (form := canonical(value)) is not None:
                urls.add(form)
    return urls


def _column_values(warehouse: Warehouse, spec: TableSpec, columns: list[str]) -> set[str]:
    values: set[str] = set()
    for column in read(warehouse, spec, columns).columns:
        values.update(v for v in column.to_pylist() if v)
    return values


def stored_locators(warehouse: Warehouse, *, containing: str) -> set[str]:
    """Locators of articles and rejects containing `containing` (e.g. "#offset=").

    A resumed run skips the web-archive records these name without parsing them.
    """
    values = _column_values(warehouse, ARTICLES_TABLE, ["locator"])
    values |= _column_values(warehouse, REJECTS_TABLE, ["locator"])
    return {value for value in values if containing in value}
