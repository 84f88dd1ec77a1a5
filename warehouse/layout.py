"""Where each table lives under a warehouse root, and what keys it.

Every table is a Delta Lake table (a folder of Parquet files and a
`_delta_log`, see `warehouse/delta.py`):

<root>/articles/published_month=YYYY-MM/*.parquet     (published_month=undated too)
<root>/rejects/*.parquet
<root>/runs/*.parquet
<root>/raw_pages/fetched_month=YYYY-MM/*.parquet
<root>/state/{validators,site_boilerplate,inputs,url_outcomes,minhash}/*.parquet

The root is a local folder or an object-store URL (`warehouse/storage.py`);
the options an object store needs (endpoint, credentials, conditional
writes) are given by the caller, never read here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow as pa

from warehouse.errors import WarehouseError
from warehouse.schema import (
    ARTICLES,
    FETCH_PARTITION,
    INPUTS,
    MINHASH,
    PARTITION_COLUMN,
    RAW_PAGES,
    REJECTS,
    RUNS,
    SITE_BOILERPLATE,
    URL_OUTCOMES,
    VALIDATORS,
)
from warehouse.storage import ObjectPath, StorePath, store_path

__all__ = ["TABLES", "CommitJournal", "TableSpec", "Warehouse"]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table: its path under the root, schema, key columns and partition column."""

    name: str
    path: str
    schema: pa.Schema
    keys: tuple[str, ...]
    partition: str | None = None
    description: str = ""


ARTICLES_TABLE: Final = TableSpec(
    "articles", "articles", ARTICLES, ("article_id", "extracted_hash"), PARTITION_COLUMN,
    "cleaned articles, one row per distinct body of an article (version)",
)  # fmt: skip
REJECTS_TABLE: Final = TableSpec(
    "rejects", "rejects", REJECTS, ("reject_id",), None,
    "documents that did not become an article, with a machine-readable reason",
)  # fmt: skip
RUNS_TABLE: Final = TableSpec("runs", "runs", RUNS, ("run_id",), None, "one row per flow run")
RAW_PAGES_TABLE: Final = TableSpec(
    "raw_pages", "raw_pages", RAW_PAGES, ("url", "fetched_at"), FETCH_PARTITION,
    "fetched web pages as received, for reprocessing offline",
)  # fmt: skip
VALIDATORS_TABLE: Final = TableSpec(
    "validators", "state/validators", VALIDATORS, ("url",), None,
    "feed and sitemap validators (ETag, Last-Modified) for conditional requests",
)  # fmt: skip
SITE_BOILERPLATE_TABLE: Final = TableSpec(
    "site_boilerplate", "state/site_boilerplate", SITE_BOILERPLATE, ("source",), None,
    "per source, the paragraph counts site-learned boilerplate is learned from",
)  # fmt: skip
INPUTS_TABLE: Final = TableSpec(
    "inputs", "state/inputs", INPUTS, ("name",), None,
    "how far each input file of the file flow is committed",
)  # fmt: skip
URL_OUTCOMES_TABLE: Final = TableSpec(
    "url_outcomes", "state/url_outcomes", URL_OUTCOMES, ("url",), None,
    "listed URLs whose last fetch failed transiently or permanently",
)  # fmt: skip
MINHASH_TABLE: Final = TableSpec(
    "minhash", "state/minhash", MINHASH, ("content_hash", "settings"), None,
    "MinHash signatures of stored article bodies, for near-duplicate clusters",
)  # fmt: skip

TABLES: Final = {
    spec.name: spec
    for spec in (
        ARTICLES_TABLE,
        REJECTS_TABLE,
        RUNS_TABLE,
        RAW_PAGES_TABLE,
        VALIDATORS_TABLE,
        SITE_BOILERPLATE_TABLE,
        INPUTS_TABLE,
        URL_OUTCOMES_TABLE,
        MINHASH_TABLE,
    )
}


class CommitJournal:
    """The table versions the commits made through one `Warehouse` produced, in order."""

    def __init__(self) -> None:
        self._versions: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def record(self, table: str, version: int) -> None:
        with self._lock:
            self._versions.setdefault(table, []).append(version)

    def versions(self) -> dict[str, list[int]]:
        """Table name -> the versions committed, oldest first."""
        with self._lock:
            return {name: list(found) for name, found in sorted(self._versions.items())}


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A warehouse rooted at a local folder or an object-store prefix.

    `storage_options` go to delta-rs as they are (for S3: endpoint,
    credentials, `conditional_put`); `journal` collects the versions this
    handle's commits produced, for the runs table.
    """

    root: StorePath
    storage_options: tuple[tuple[str, str], ...] = ()
    journal: CommitJournal = field(default_factory=CommitJournal, compare=False, repr=False)

    @classmethod
    def at(
        cls,
        target: str | os.PathLike[str] | ObjectPath,
        storage_options: Mapping[str, str] | None = None,
    ) -> Warehouse:
        """The warehouse at a local path, a `file://` URL or an object-store URL."""
        try:
            root = store_path(target)
        except ValueError as exc:
            raise WarehouseError(
                str(target), exc, "give a local folder or a URL such as s3://bucket/prefix"
            ) from exc
        return cls(root, tuple(sorted((storage_options or {}).items())))

    def uri(self, spec: TableSpec) -> str:
        """The table's location as delta-rs takes it."""
        if isinstance(self.root, Path):
            return str((self.root / spec.path).absolute())
        return f"{self.root}/{spec.path}"

    def folder(self, spec: TableSpec) -> StorePath:
        """The table's folder (for readers that glob Parquet files themselves)."""
        return self.root / spec.path

    @property
    def options(self) -> dict[str, str]:
        return dict(self.storage_options)

    @property
    def articles(self) -> StorePath:
        return self.folder(ARTICLES_TABLE)

    @property
    def rejects(self) -> StorePath:
        return self.folder(REJECTS_TABLE)

    @property
    def runs(self) -> StorePath:
        return self.folder(RUNS_TABLE)

    @property
    def raw_pages(self) -> StorePath:
        return self.folder(RAW_PAGES_TABLE)

    @property
    def state(self) -> StorePath:
        return self.root / "state"
