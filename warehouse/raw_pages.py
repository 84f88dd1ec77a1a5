"""The raw_pages table: every fetched page as received, for reprocessing offline.

Bodies are stored as fetched (after transfer decoding, before charset
decoding) in zstd-compressed Parquet; with them and the listing's hints,
extraction and cleaning can be re-run after a code change without the
network. Partitioned by the UTC month of fetching; keyed by (url,
fetched_at), so a batch committed twice (a rerun after a crash) adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute  # pa.compute
import pyarrow.dataset as ds

from extractors.records import DiscoveredUrl, FetchedPage, Metadata
from warehouse.convert import storable
from warehouse.delta import insert_new, open_table, table_dataset
from warehouse.errors import WarehouseReadError
from warehouse.layout import RAW_PAGES_TABLE, Warehouse
from warehouse.schema import FETCH_PARTITION, RAW_PAGES, with_version

__all__ = [
    "iter_raw_pages",
    "raw_page_urls",
    "raw_pages_bytes",
    "raw_pages_table",
    "write_raw_pages",
]


def raw_pages_table(pages: Sequence[tuple[FetchedPage, DiscoveredUrl]], *, run_id: str) -> pa.Table:
    """Pages and the listing entries they were found from, as a RAW_PAGES table."""
    return pa.table(
        {
            "url": [storable(p.url) for p, _ in pages],
            "final_url": [storable(p.final_url) for p, _ in pages],
            "source": [d.source for _, d in pages],
            "status": [p.status for p, _ in pages],
            "content_type": [p.content_type for p, _ in pages],
            "charset": [p.charset for p, _ in pages],
            "etag": [p.etag for p, _ in pages],
            "last_modified": [p.last_modified for p, _ in pages],
            "body": [p.body for p, _ in pages],
            "hints": [_hints_json(d) for _, d in pages],
            "fetched_at": [p.fetched_at for p, _ in pages],
            "run_id": [run_id] * len(pages),
            FETCH_PARTITION: [p.fetched_at.strftime("%Y-%m") for p, _ in pages],
        },
        schema=with_version(RAW_PAGES),
    )


def write_raw_pages(
    warehouse: Warehouse,
    pages: Sequence[tuple[FetchedPage, DiscoveredUrl]],
    *,
    run_id: str,
    part: str,
) -> int:
    """Merge the pages not stored yet in one commit; returns pages written."""
    table = raw_pages_table(pages, run_id=run_id)
    note = {"news_etl.run_id": run_id, "news_etl.batch": part}
    return insert_new(warehouse, RAW_PAGES_TABLE, table, note)


def _hints_json(discovered: DiscoveredUrl) -> str:
    fields = {k: v for k, v in asdict(discovered.hints).items() if v not in (None, "", ())}
    fields["found_in"] = discovered.found_in
    return storable(json.dumps(fields, default=str, ensure_ascii=False, sort_keys=True))


def iter_raw_pages(
    warehouse: Warehouse, *, since: datetime | None = None, batch_rows: int = 200
) -> Iterator[list[tuple[FetchedPage, DiscoveredUrl]]]:
    """Stored pages in batches, the newest fetch of each URL only, fetched at or after `since`."""
    files = table_dataset(warehouse, RAW_PAGES_TABLE)
    if files is None:
        return
    try:
        latest: dict[str, datetime] = {}
        for batch in files.to_batches(columns=["url", "fetched_at"]):
            for url, at in zip(
                batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
            ):
                if url not in latest or at > latest[url]:
                    latest[url] = at
        done: set[str] = set()
        pending: list[tuple[FetchedPage, DiscoveredUrl]] = []
        for batch in files.to_batches(batch_size=batch_rows):
            for row in batch.to_pylist():
                url, at = row["url"], row["fetched_at"]
                if at != latest[url] or url in done or (since is not None and at < since):
                    continue
                done.add(url)
                pending.append(_from_row(row))
                if len(pending) >= batch_rows:
                    yield pending
                    pending = []
        if pending:
            yield pending
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(str(warehouse.raw_pages), exc) from exc


def raw_page_urls(warehouse: Warehouse, *, since: datetime | None = None) -> set[str]:
    """The URLs with a stored page fetched at or after `since`: what `iter_raw_pages` yields."""
    files = table_dataset(warehouse, RAW_PAGES_TABLE)
    if files is None:
        return set()
    wanted = None if since is None else ds.field("fetched_at") >= pa.scalar(since)
    try:
        return set(files.to_table(columns=["url"], filter=wanted).column(0).to_pylist())
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(str(warehouse.raw_pages), exc) from exc


def raw_pages_bytes(warehouse: Warehouse) -> int:
    """How many bytes the table's current files hold (0 when it was never written).

    Read from the Delta log, not the files: what `reprocess` sizes its task
    runner by.
    """
    table = open_table(warehouse, RAW_PAGES_TABLE)
    if table is None:
        return 0
    actions = pa.table(table.get_add_actions(flatten=True))
    return sum(actions.column("size_bytes").to_pylist())


def _from_row(row: dict[str, Any]) -> tuple[FetchedPage, DiscoveredUrl]:
    page = FetchedPage(
        url=row["url"],
        final_url=row["final_url"],
        status=row["status"],
        content_type=row["content_type"],
        charset=row["charset"],
        body=row["body"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        fetched_at=row["fetched_at"],
    )
    fields = json.loads(row["hints"])
    found_in = fields.pop("found_in", "raw_pages")
    for name in ("authors", "tags"):
        if name in fields:
            fields[name] = tuple(fields[name])
    known = {k: v for k, v in fields.items() if k in Metadata.__dataclass_fields__}
    return page, DiscoveredUrl(
        url=row["url"], source=row["source"], found_in=found_in, hints=Metadata(**known)
    )
