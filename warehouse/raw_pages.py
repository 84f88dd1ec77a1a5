"""The raw_pages table: every fetched page as received, for reprocessing offline.

Bodies are stored as fetched (after transfer decoding, before charset
decoding) in zstd-compressed Parquet; with them and the listing's hints,
extraction and cleaning can be re-run after a code change without the
network. Partitioned by the UTC month of fetching.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa

from extractors.records import DiscoveredUrl, FetchedPage
from warehouse.atomic import write_parquet_atomic
from warehouse.convert import storable
from warehouse.layout import Warehouse
from warehouse.schema import RAW_PAGES, with_version

__all__ = ["raw_pages_table", "write_raw_pages"]


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
        },
        schema=with_version(RAW_PAGES),
    )


def write_raw_pages(
    warehouse: Warehouse,
    pages: Sequence[tuple[FetchedPage, DiscoveredUrl]],
    *,
    run_id: str,
    part: str,
) -> list[Path]:
    """Write one file per fetch month; returns the files written."""
    by_month: dict[str, list[tuple[FetchedPage, DiscoveredUrl]]] = {}
    for page, discovered in pages:
        by_month.setdefault(page.fetched_at.strftime("%Y-%m"), []).append((page, discovered))
    written = []
    for month, rows in sorted(by_month.items()):
        path = warehouse.raw_pages / f"fetched_month={month}" / f"part-{run_id}-{part}.parquet"
        write_parquet_atomic(raw_pages_table(rows, run_id=run_id), path)
        written.append(path)
    return written


def _hints_json(discovered: DiscoveredUrl) -> str:
    fields = {k: v for k, v in asdict(discovered.hints).items() if v not in (None, "", ())}
    fields["found_in"] = discovered.found_in
    return storable(json.dumps(fields, default=str, ensure_ascii=False, sort_keys=True))
