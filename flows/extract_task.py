"""The ingest flow's one task: read, extract and clean a batch of input.

In a module of its own, importing only the pipeline (extractors and
transforms) and Prefect: pool processes and Dask workers import the module a
task comes from, and this keeps the warehouse, DuckDB and datasketch out of
them (measured here: 107 MiB for a worker's imports against 232 MiB through
`flows.ingest`).
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from extractors.parts import FilePart
from pipeline.clean import CleanedBatch, clean_parts
from transforms.article import CleanSettings
from transforms.similarity import SimilaritySettings

__all__ = ["extract_batch"]


@task(name="extract_batch", cache_policy=NO_CACHE, task_run_name="batch-{number}")
def extract_batch(
    number: int,
    parts: tuple[FilePart, ...],
    settings: CleanSettings,
    run_id: str,
    done: Container[str],
    keep_raw: bool,
    similarity: SimilaritySettings | None,
) -> CleanedBatch:
    """Read, extract and clean one batch; its articles and rejects go back to the flow,
    with the bodies' MinHash signatures (`similarity`: the writer's settings)."""
    return clean_parts(
        parts,
        settings=settings,
        run_id=run_id,
        ingested_at=datetime.now(UTC),
        done=done,
        keep_raw=keep_raw,
        similarity=similarity,
    )
