"""MinHash signatures of stored bodies, kept so that later runs cluster against them.

`state/minhash/*.parquet` is append-only: each batch that stores new bodies
writes one file (named like its article files) holding one signature per new
`content_hash`, atomically and *before* the article files. So after a crash:

- signatures written, articles not: the rows' bodies are not in the table,
  so their signatures are ignored on load (only hashes the articles table
  holds are kept) and the rerun writes them again under its own name;
  duplicates are harmless, a signature depends on the body alone;
- articles written, signatures missing (not by our order of writes, but a
  deleted file, a table written before schema 3, or a change of settings):
  the signature is recomputed from the stored body on load and appended.

Files whose `news_etl.minhash` metadata names other settings are ignored.
When files pile up, a load merges them into one (written first, the merged
files deleted after, so a crash leaves duplicates, never a loss).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.similarity import Signature, SimilaritySettings, signature
from warehouse.atomic import write_parquet_atomic
from warehouse.errors import WarehouseReadError
from warehouse.layout import Warehouse
from warehouse.schema import MINHASH, with_version
from warehouse.storage import StorePath, dataset, read_table

__all__ = [
    "COMPACT_AFTER_FILES",
    "backfill_signatures",
    "compact_signatures",
    "read_signatures",
    "signature_files",
    "signatures_path",
    "signatures_table",
]

logger = logging.getLogger(__name__)

SETTINGS_KEY = b"news_etl.minhash"
COMPACT_AFTER_FILES = 64
_BACKFILL_ROWS = 2_000


def signatures_path(warehouse: Warehouse, name: str) -> StorePath:
    return warehouse.state / "minhash" / name


def signature_files(warehouse: Warehouse) -> list[StorePath]:
    return warehouse.parquet_files(warehouse.state / "minhash")


def signatures_table(
    items: Sequence[tuple[str, Signature]], settings: SimilaritySettings
) -> pa.Table:
    """Signatures as a MINHASH table tagged with the settings that made them."""
    schema = with_version(MINHASH)
    metadata = {**(schema.metadata or {}), SETTINGS_KEY: settings.fingerprint.encode()}
    return pa.table(
        {
            "content_hash": [key for key, _ in items],
            "signature": [np.asarray(sig, dtype="<u4").tobytes() for _, sig in items],
        },
        schema=schema.with_metadata(metadata),
    )


def read_signatures(
    warehouse: Warehouse, settings: SimilaritySettings, wanted: Collection[str]
) -> dict[str, Signature]:
    """Stored signatures of the `wanted` content hashes, made with `settings`."""
    found: dict[str, Signature] = {}
    expected = settings.fingerprint.encode()
    wanted_array = pa.array(list(wanted), pa.string())
    for path in signature_files(warehouse):
        try:
            table = read_table(path)
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(path, exc) from exc
        if (table.schema.metadata or {}).get(SETTINGS_KEY) != expected:
            continue
        table = table.filter(pc.is_in(table["content_hash"], value_set=wanted_array))
        for key, blob in zip(
            table["content_hash"].to_pylist(), table["signature"].to_pylist(), strict=True
        ):
            if key not in found:
                found[key] = np.frombuffer(blob, dtype="<u4").astype(np.uint32)
    return found


def backfill_signatures(
    warehouse: Warehouse, settings: SimilaritySettings, missing: Collection[str], *, run_id: str
) -> dict[str, Signature]:
    """Compute signatures of stored bodies that have none, and append them to the state."""
    if not missing:
        return {}
    computed: dict[str, Signature] = {}
    pending: list[tuple[str, Signature]] = []
    written = 0
    for hashes, bodies in _bodies(warehouse, missing):
        for key, body in zip(hashes, bodies, strict=True):
            if key not in computed:
                computed[key] = signature(body, settings)
                pending.append((key, computed[key]))
        if len(pending) >= _BACKFILL_ROWS:
            written += 1
            _write(warehouse, f"backfill-{run_id}-{written:05d}.parquet", pending, settings)
            pending = []
    if pending:
        _write(warehouse, f"backfill-{run_id}-{written + 1:05d}.parquet", pending, settings)
    logger.info("computed %d MinHash signatures missing from the state", len(computed))
    return computed


def compact_signatures(
    warehouse: Warehouse,
    settings: SimilaritySettings,
    signatures: dict[str, Signature],
    *,
    run_id: str,
) -> None:
    """Replace every signature file by one holding `signatures` (the live ones)."""
    old = signature_files(warehouse)
    name = f"merged-{run_id}.parquet"
    _write(warehouse, name, sorted(signatures.items()), settings)
    for path in old:
        if path.name != name:
            path.unlink(missing_ok=True)


def _write(
    warehouse: Warehouse, name: str, items: Sequence[tuple[str, Signature]], s: SimilaritySettings
) -> None:
    write_parquet_atomic(signatures_table(items, s), signatures_path(warehouse, name))


def _bodies(warehouse: Warehouse, hashes: Collection[str]) -> Iterator[tuple[list[str], list[str]]]:
    schema = pa.schema([MINHASH.field("content_hash"), pa.field("body", pa.string())])
    try:
        files = warehouse.parquet_files(warehouse.articles)
        if not files:
            return
        found = dataset(files, format="parquet", schema=schema)
        wanted = pc.field("content_hash").isin(pa.array(list(hashes), pa.string()))
        for batch in found.to_batches(filter=wanted, batch_size=_BACKFILL_ROWS):
            yield batch.column(0).to_pylist(), batch.column(1).to_pylist()
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(warehouse.articles, exc) from exc
