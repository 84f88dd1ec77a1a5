"""MinHash signatures of stored bodies, kept so that later runs cluster against them.

`state/minhash` holds one row per body and settings: each batch that stores
new bodies merges their signatures in, keyed by (`content_hash`,
`settings`), in its own commit *before* the articles commit. So after a
crash:

- signatures committed, articles not: the rows' bodies are not in the
  table, so their signatures are ignored on load (only hashes the articles
  table holds are kept); the rerun's merge finds them already there;
- articles committed, signatures missing (a table written with other
  settings): the signature is recomputed from the stored body on load and
  merged in.

Rows made with other settings (`settings` is their fingerprint) are ignored.
Small files pile up as batches commit; `news-etl compact` merges them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from transforms.similarity import Signature, SimilaritySettings, signature
from warehouse.delta import insert_new, read, table_dataset
from warehouse.errors import WarehouseReadError
from warehouse.layout import ARTICLES_TABLE, MINHASH_TABLE, Warehouse
from warehouse.schema import MINHASH, with_version

__all__ = [
    "backfill_signatures",
    "read_signatures",
    "signatures_table",
    "write_signatures",
]

logger = logging.getLogger(__name__)

_BACKFILL_ROWS = 2_000


def signatures_table(
    items: Sequence[tuple[str, Signature]], settings: SimilaritySettings
) -> pa.Table:
    """Signatures as a MINHASH table tagged with the settings that made them."""
    return pa.table(
        {
            "content_hash": [key for key, _ in items],
            "signature": [np.asarray(sig, dtype="<u4").tobytes() for _, sig in items],
            "settings": [settings.fingerprint] * len(items),
        },
        schema=with_version(MINHASH),
    )


def write_signatures(
    warehouse: Warehouse, items: Sequence[tuple[str, Signature]], settings: SimilaritySettings
) -> None:
    """Merge the signatures of bodies not stored yet with these settings."""
    if items:
        insert_new(warehouse, MINHASH_TABLE, signatures_table(items, settings))


def read_signatures(
    warehouse: Warehouse, settings: SimilaritySettings, wanted: Collection[str]
) -> dict[str, Signature]:
    """Stored signatures of the `wanted` content hashes, made with `settings`."""
    where = (ds.field("settings") == settings.fingerprint) & ds.field("content_hash").isin(
        pa.array(list(wanted), pa.string())
    )
    table = read(warehouse, MINHASH_TABLE, ["content_hash", "signature"], where)
    return {
        key: np.frombuffer(blob, dtype="<u4").astype(np.uint32)
        for key, blob in zip(
            table["content_hash"].to_pylist(), table["signature"].to_pylist(), strict=True
        )
    }


def backfill_signatures(
    warehouse: Warehouse, settings: SimilaritySettings, missing: Collection[str], *, run_id: str
) -> dict[str, Signature]:
    """Compute signatures of stored bodies that have none, and merge them into the state."""
    if not missing:
        return {}
    computed: dict[str, Signature] = {}
    pending: list[tuple[str, Signature]] = []
    for hashes, bodies in _bodies(warehouse, missing):
        for key, body in zip(hashes, bodies, strict=True):
            if key not in computed:
                computed[key] = signature(body, settings)
                pending.append((key, computed[key]))
        if len(pending) >= _BACKFILL_ROWS:
            write_signatures(warehouse, pending, settings)
            pending = []
    write_signatures(warehouse, pending, settings)
    logger.info("run %s: computed %d MinHash signatures missing", run_id, len(computed))
    return computed


def _bodies(warehouse: Warehouse, hashes: Collection[str]) -> Iterator[tuple[list[str], list[str]]]:
    found = table_dataset(warehouse, ARTICLES_TABLE)
    if found is None:
        return
    wanted = pc.field("content_hash").isin(pa.array(list(hashes), pa.string()))
    try:
        for batch in found.to_batches(
            columns=["content_hash", "body"], filter=wanted, batch_size=_BACKFILL_ROWS
        ):
            yield batch.column(0).to_pylist(), batch.column(1).to_pylist()
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(str(warehouse.articles), exc) from exc
