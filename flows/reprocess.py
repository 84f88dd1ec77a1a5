"""The `reprocess` flow: stored raw pages -> extraction and cleaning again, offline.

After a change to extraction or cleaning, the web articles can be rebuilt
from `raw_pages` without touching the network. Each batch first removes the
articles it is about to rebuild (rewriting the files that hold them), then
writes the new rows, all under the writer lock: a crash between the two
leaves those articles missing until `reprocess` runs again, never twice
(each file is rewritten by one atomic replace). Only the newest version of
each article is rebuilt (from the newest fetch); earlier versions keep their
text. Articles whose page is now rejected keep their old row, and the reject is
logged beside it.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from extractors.records import DiscoveredUrl, FetchedPage
from extractors.web import page_to_article
from flows.ingest import (
    RunSummary,
    current_run_id,
    final_record,
    summary_rows,
)
from flows.object_store import open_warehouse
from transforms.article import Article, CleanSettings
from transforms.normalise import parse_timestamp
from transforms.pipeline import clean_document
from transforms.site_boilerplate import (
    DEFAULT_MIN_ARTICLES,
    DEFAULT_SHARE,
    NO_LEARNED_BOILERPLATE,
    LearnedBoilerplate,
)
from warehouse import BatchWriter, RunRecord, RunStatus, Warehouse, WriteCounts, write_run
from warehouse.raw_pages import iter_raw_pages
from warehouse.rewrite import remove_latest_versions
from warehouse.site_rules import with_learned_boilerplate

__all__ = ["reprocess"]

FLOW_NAME = "reprocess"


@task(name="reprocess_batch", cache_policy=NO_CACHE, task_run_name="reprocess-{batch_no}")
def reprocess_batch(
    batch_no: int,
    pages: list[tuple[FetchedPage, DiscoveredUrl]],
    writer: BatchWriter,
    store: Warehouse,
    run_id: str,
    min_words: int,
    learned: LearnedBoilerplate = NO_LEARNED_BOILERPLATE,
) -> tuple[WriteCounts, int, dict[str, int]]:
    """Rebuild one batch of pages; returns write counts, rows replaced, rejects by reason."""
    ingested_at = datetime.now(UTC)
    results = [
        clean_document(
            page_to_article(page, discovered),
            settings=CleanSettings(
                min_words=min_words, default_source=discovered.source, site_boilerplate=learned
            ),
            run_id=run_id,
            ingested_at=ingested_at,
        )
        for page, discovered in pages
    ]
    articles = [r for r in results if isinstance(r, Article)]
    rejects = [r for r in results if not isinstance(r, Article)]
    # Remove by the new ids and by where the old rows came from: a code change
    # may change an article's id (its canonical URL) for the same page. Only
    # the newest version goes (it is what the newest fetch rebuilds); earlier
    # versions keep their text.
    removed = remove_latest_versions(
        store,
        article_ids={a.article_id for a in articles},
        locators={a.locator for a in articles},
        spare_run_id=run_id,
    )
    writer.forget_rows(removed)
    written = writer.write(f"reprocess-b{batch_no:05d}", articles, rejects, seen_at=ingested_at)
    return written, len(removed), dict(Counter(str(r.reason) for r in rejects))


@flow(name=FLOW_NAME)
def reprocess(
    warehouse: str = "data/warehouse",
    since: str | None = None,
    batch_size: int = 200,
    min_words: int = 20,
    site_share: float = DEFAULT_SHARE,
    site_min_articles: int = DEFAULT_MIN_ARTICLES,
) -> RunSummary:
    """Re-run extraction and cleaning over stored raw pages fetched at or after `since`."""
    logger = get_run_logger()
    started = time.perf_counter()
    since_at = parse_timestamp(since) if since else None
    if since and since_at is None:
        raise ValueError(f"--since {since!r} is not a date or timestamp, e.g. 2026-11-01")
    store = open_warehouse(warehouse)
    run_id = current_run_id()
    parameters = {"warehouse": warehouse, "since": since, "batch_size": batch_size}
    record = RunRecord(run_id, FLOW_NAME, parameters, started_at=datetime.now(UTC))
    write_run(store, record)
    written, replaced, reasons, pages = WriteCounts(), 0, Counter[str](), 0
    status = RunStatus.FAILED
    try:
        # The learned site boilerplate, applied as a snapshot; not learned from:
        # these articles were counted when they were first written.
        thresholds = CleanSettings(site_share=site_share, site_min_articles=site_min_articles)
        learned = with_learned_boilerplate(store, thresholds).site_boilerplate
        # the catalog is read now, before any row is removed, so a rebuilt
        # article keeps the time it was first seen
        writer = BatchWriter.for_run(store, run_id=run_id)
        batches = iter_raw_pages(
            store, since=since_at.utc if since_at else None, batch_rows=batch_size
        )
        for number, batch in enumerate(batches, start=1):
            counts, rows, batch_reasons = reprocess_batch(
                number, batch, writer, store, run_id, min_words, learned
            )
            pages += len(batch)
            written += counts
            replaced += rows
            reasons.update(batch_reasons)
        status = RunStatus.COMPLETED
    finally:
        summary = RunSummary(
            run_id=run_id,
            warehouse=warehouse,
            files=0,
            documents_seen=pages,
            articles_written=written.articles_written,
            duplicates_skipped=written.duplicates_skipped,
            rejects_by_reason=dict(reasons),
            elapsed_seconds=time.perf_counter() - started,
            status=status,
            rejects_new=written.rejects_written,
            exact_duplicates=written.exact_duplicates,
            near_duplicates=written.near_duplicates,
            new_versions=written.new_versions,
        )
        write_run(store, final_record(record, summary))
    logger.info(
        "reprocessed %d pages: %d articles written (%d replaced old rows), rejects %s",
        pages,
        written.articles_written,
        replaced,
        dict(reasons),
    )
    create_table_artifact(
        key="reprocess-summary",
        table=[*summary_rows(summary), {"measure": "old rows replaced", "value": replaced}],
        description=f"news-etl reprocess run {run_id}",
    )
    return summary
