"""The ingest flows' CPU tasks: extract and clean a batch of files, or of fetched pages.

These are the tasks that run on the chosen runner (threads, a process pool
or Dask, `flows.runners`). In a module of their own, importing only the
pipeline (extractors, transforms and `pipeline`, datasketch for the
signatures the tasks make) and Prefect: pool processes and Dask workers
import the module a task comes from, and this keeps the warehouse (pyarrow,
deltalake) and DuckDB out of them (measured here: 107 MiB for a worker's
imports against 232 MiB through `flows.ingest`).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner

from extractors.parts import FilePart
from extractors.records import DiscoveredUrl, FetchedPage
from extractors.web.discovery import page_to_article
from pipeline.clean import CleanedBatch, clean_document, clean_parts
from transforms.article import Article, CleanSettings
from transforms.similarity import SimilaritySettings, signature

__all__ = ["clean_fetched", "clean_pages", "extract_batch", "submit_clean_pages"]


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


@task(name="clean_pages", cache_policy=NO_CACHE, task_run_name="clean-{name}")
def clean_pages(
    name: str,
    pages: Sequence[tuple[FetchedPage, DiscoveredUrl]],
    settings: CleanSettings,
    run_id: str,
    similarity: SimilaritySettings | None,
) -> CleanedBatch:
    """Extract and clean one batch of fetched pages, with the bodies' MinHash signatures.
    The raw pages do not travel back: the flow has them."""
    ingested_at = datetime.now(UTC)
    return clean_fetched(
        pages, settings=settings, run_id=run_id, ingested_at=ingested_at, similarity=similarity
    )


def submit_clean_pages(
    runner: TaskRunner[Any],
    name: str,
    pages: Sequence[tuple[FetchedPage, DiscoveredUrl]],
    settings: CleanSettings,
    run_id: str,
    similarity: SimilaritySettings | None,
) -> PrefectFuture[CleanedBatch]:
    """`clean_pages` submitted on `runner` (threads, a process pool or Dask)."""
    arguments = {"name": name, "pages": pages, "settings": settings, "run_id": run_id,
                 "similarity": similarity}  # fmt: skip
    future: PrefectFuture[CleanedBatch] = runner.submit(clean_pages, arguments)
    return future


def clean_fetched(
    pages: Sequence[tuple[FetchedPage, DiscoveredUrl]],
    *,
    settings: CleanSettings,
    run_id: str,
    ingested_at: datetime,
    similarity: SimilaritySettings | None = None,
) -> CleanedBatch:
    """Fetched pages (from the web, or stored raw pages) cleaned, in order; each page's
    listing entry names its source. Never raises for a bad page."""
    batch = CleanedBatch()
    for page, discovered in pages:
        built = clean_document(
            page_to_article(page, discovered),
            settings=replace(settings, default_source=discovered.source),
            run_id=run_id,
            ingested_at=ingested_at,
        )
        if isinstance(built, Article):
            batch.articles.append(built)
        else:
            batch.rejects.append(built)
    if similarity is not None:
        bodies = {article.content_hash: article.body for article in batch.articles}
        batch.signatures.update({key: signature(b, similarity) for key, b in bodies.items()})
    return batch
