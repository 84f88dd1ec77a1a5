"""Reads the flows need from existing tables (analysts read the Delta tables directly)."""

from __future__ import annotations

from collections.abc import Callable, Collection

import pyarrow as pa
import pyarrow.compute as pc

from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE, RAW_PAGES_TABLE, REJECTS_TABLE, TableSpec, Warehouse

__all__ = ["known_urls", "stored_locators"]


def known_urls(
    warehouse: Warehouse,
    canonical: Callable[[str | None], str | None],
    *,
    web_runs: Collection[str] = (),
) -> set[str]:
    """Canonical forms of every URL already stored or fetched.

    Articles are known by their own URL and the canonical URL the page
    declared; raw pages by the URL requested and the one redirected to. A
    page that was fetched but rejected (too short, say) is known too, so it
    is fetched once, not on every run.

    An article that one of `web_runs` wrote from a page whose raw copy was
    never committed is not known by its article: a web run commits a batch's
    articles before its raw pages (`flows.commit`), and one killed between
    the two leaves exactly that. Fetched again, the page's article is
    already stored (skipped by key) and its raw copy, which `reprocess`
    rebuilds from, is written.
    """
    raw = _column_values(warehouse, RAW_PAGES_TABLE, ["url", "final_url"])
    columns = ["url", "canonical_url"] + (["locator", "run_id"] if web_runs else [])
    articles = read(warehouse, ARTICLES_TABLE, columns)
    if web_runs and articles.num_rows:
        other_run = pc.invert(pc.is_in(articles["run_id"], pa.array(sorted(web_runs))))
        archived = pc.is_in(articles["locator"], pa.array(sorted(raw), pa.string()))
        articles = articles.filter(pc.or_(other_run, archived))
    urls: set[str] = set()
    for value in raw | _values(articles, ["url", "canonical_url"]):
        if (form := canonical(value)) is not None:
            urls.add(form)
    return urls


def _column_values(warehouse: Warehouse, spec: TableSpec, columns: list[str]) -> set[str]:
    return _values(read(warehouse, spec, columns), columns)


def _values(table: pa.Table, columns: list[str]) -> set[str]:
    values: set[str] = set()
    for name in columns:
        values.update(v for v in table[name].to_pylist() if v)
    return values


def stored_locators(warehouse: Warehouse, *, containing: str) -> set[str]:
    """Locators of articles and rejects containing `containing` (e.g. "#offset=").

    A resumed run skips the web-archive records these name without parsing them.
    """
    values = _column_values(warehouse, ARTICLES_TABLE, ["locator"])
    values |= _column_values(warehouse, REJECTS_TABLE, ["locator"])
    return {value for value in values if containing in value}
