"""The raw_pages table: every fetched page as received, for reprocessing offline.

Bodies are stored as fetched (after transfer decoding, before charset
decoding) in zstd-compressed Parquet; with them and the listing's hints,
extraction and cleaning can be re-run after a code change without the
network. Partitioned by the UTC month of fetching; keyed by (url,
fetched_at), so a batch committed twice (a rerun after a crash) adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import pyarrow as pa

from extractors.records import DiscoveredUrl, FetchedPage, Metadata
from warehouse.convert import storable
from warehouse.delta import insert_new, open_table, table_dataset
from warehouse.errors import WarehouseReadError
from warehouse.layout import RAW_PAGES_TABLE, Warehouse
from warehouse.schema import FETCH_PARTITION, RAW_PAGES, with_version

__all__ = [
    "iter_raw_pages",
    "newest_fetches",
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


def newest_fetches(warehouse: Warehouse, *, since: datetime | None = None) -> dict[str, datetime]:
    """Each stored URL's newest fetch time, for the URLs last fetched at or after `since`."""
    files = table_dataset(warehouse, RAW_PAGES_TABLE)
    if files is None:
        return {}
    newest: dict[str, datetime] = {}
    try:
        for batch in files.to_batches(columns=["url", "fetched_at"]):
            for url, at in zip(
                batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True
            ):
                if url not in newest or at > newest[url]:
                    newest[url] = at
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(str(warehouse.raw_pages), exc) from exc
    return {url: at for url, at in newest.items() if since is None or at >= since}


def iter_raw_pages(
    warehouse: Warehouse, newest: Mapping[str, datetime], *, batch_rows: int = 200
) -> Iterator[list[tuple[FetchedPage, DiscoveredUrl]]]:
    """The stored pages `newest` names (from `newest_fetches`), each URL's newest fetch
    only, in batches."""
    files = table_dataset(warehouse, RAW_PAGES_TABLE)
    if files is None:
        return
    try:
        done: set[str] = set()
        pending: list[tuple[FetchedPage, DiscoveredUrl]] = []
        for batch in files.to_batches(batch_size=batch_rows):
            for row in batch.to_pylist():
                url = row["url"]
                if newest.get(url) != row["fetched_at"] or url in done:
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
