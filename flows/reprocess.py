"""The `reprocess` flow: stored raw pages -> extraction and cleaning again, offline.

After a change to extraction or cleaning, the web articles can be rebuilt
from `raw_pages` without touching the network. As in the ingest flows, the
task (`clean_pages`) only extracts and cleans; the flow commits. For each
batch it first removes the articles it is about to rebuild (a Delta delete),
then writes the new rows (a keyed insert): a crash between the two commits
leaves those articles missing until `reprocess` runs again, never twice.
Only the newest version of
each article is rebuilt (from the newest fetch); earlier versions keep their
text. Articles whose page is now rejected keep their old row, and the reject is
logged beside it.

The batches are extracted on the run's task runner as in `ingest`: every
core by default when the stored pages are large enough to pay for the
process pool's start-up (`flows.runners.choose_runner`, on the size of the
`raw_pages` table), `workers=1` for threads in this process, or a Dask
cluster; at most two batches per task slot are read and not yet committed,
so memory stays bounded, and the flow commits them in batch order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.futures import PrefectFuture

from extractors.records import DiscoveredUrl, FetchedPage
from flows.batches import in_order
from flows.defaults import CLEANING, REPROCESS_RUN, WAREHOUSE
from flows.extract_task import submit_clean_pages
from flows.ledger import RunLedger, RunSummary, run_ledger
from flows.runners import Runner, choose_runner, task_runner
from flows.site_learning import with_learned_boilerplate
from flows.summary import summary_rows
from pipeline.clean import CleanedBatch
from transforms.article import Article, CleanSettings
from transforms.normalise import parse_timestamp
from warehouse import BatchWriter, RunCounts, RunStatus, Warehouse
from warehouse.raw_pages import iter_raw_pages, newest_fetches, raw_pages_bytes
from warehouse.rewrite import newest_versions, remove_versions

__all__ = ["reprocess"]

FLOW_NAME = "reprocess"


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a rebuilt batch goes, and which stored pages this run rebuilds."""

    store: Warehouse
    writer: BatchWriter
    run_id: str
    pages: Mapping[str, datetime]  # the pages this run rebuilds (`newest_fetches`)


def _replace(target: _Target, number: int, cleaned: CleanedBatch) -> tuple[RunCounts, int]:
    """Commit one rebuilt batch: remove the rows it replaces, then write it.

    Removed by the new ids and by where the old rows came from: a code
    change may change an article's id (its canonical URL) for the same page.
    Only the newest version goes (it is what the newest fetch rebuilds);
    earlier versions keep their text. An article whose stored row came from
    another page this run rebuilds too (a mirror declaring the original's
    canonical URL) is left to that page, as `ingest` left it: it counts as
    a duplicate, whichever of the two pages is rebuilt first.
    """
    locators = {a.locator for a in cleaned.articles}
    stored = newest_versions(
        target.store,
        article_ids={a.article_id for a in cleaned.articles},
        locators=locators,
        spare_run_id=target.run_id,
    )
    owners = {row["article_id"]: row["locator"] for row in stored}
    articles = [a for a in cleaned.articles if not _owned_elsewhere(a, owners, target.pages)]
    kept = {a.article_id for a in articles}
    removed = remove_versions(
        target.store,
        (row for row in stored if row["article_id"] in kept or row["locator"] in locators),
        spare_run_id=target.run_id,
    )
    target.writer.forget_rows(removed)
    written = target.writer.write(
        f"reprocess-b{number:05d}",
        articles,
        cleaned.rejects,
        seen_at=datetime.now(UTC),
        signatures=cleaned.signatures,
    )
    deferred = RunCounts(duplicates_skipped=len(cleaned.articles) - len(articles))
    return written + deferred, len(removed)


def _owned_elsewhere(
    article: Article, owners: Mapping[str, str], pages: Mapping[str, datetime]
) -> bool:
    owner = owners.get(article.article_id, article.locator)
    return owner != article.locator and owner in pages


@flow(name=FLOW_NAME)
def reprocess(
    warehouse: str = WAREHOUSE,
    since: str | None = None,
    batch_size: int = REPROCESS_RUN.batch_size,
    min_words: int = CLEANING.min_words,
    site_share: float = CLEANING.site_share,
    site_min_articles: int = CLEANING.site_min_articles,
    workers: int | None = None,
    dask_address: str | None = None,
) -> RunSummary:
    """Re-run extraction and cleaning over stored raw pages fetched at or after `since`.

    `workers`: N worker processes, 1 for threads in this process, None to
    choose by the size of the stored pages; `dask_address`: an existing
    Dask cluster instead.
    """
    logger = get_run_logger()
    since_at = parse_timestamp(since) if since else None
    if since and since_at is None:
        raise ValueError(f"--since {since!r} is not a date or timestamp, e.g. 2026-11-01")
    parameters = {"warehouse": warehouse, "since": since, "batch_size": batch_size,
                  "workers": workers, "dask_address": dask_address}  # fmt: skip
    with run_ledger(FLOW_NAME, warehouse, parameters) as ledger:
        store, rebuilt = ledger.store, _Rebuilt()
        ledger.summarise = partial(rebuilt.summary, ledger)
        # The learned site boilerplate, applied as a snapshot; not learned from:
        # these articles were counted when they were first written.
        settings = with_learned_boilerplate(
            store,
            CleanSettings(min_words, site_share=site_share, site_min_articles=site_min_articles),
        )
        # the catalog is read now, before any row is removed, so a rebuilt
        # article keeps the time it was first seen
        writer = BatchWriter.for_run(store, run_id=ledger.run_id)
        newest = newest_fetches(store, since=since_at.utc if since_at else None)
        pages = iter_raw_pages(store, newest, batch_rows=batch_size)
        target = _Target(store, writer, ledger.run_id, newest)
        choice = choose_runner(workers, dask_address, raw_pages_bytes(store))
        logger.info("extracting on %s", choice)
        _rebuild(choice, pages, settings, target, rebuilt)
    rebuilt.report(ledger.summary, logger)
    return ledger.summary


def _rebuild(
    choice: Runner,
    pages: Iterator[list[tuple[FetchedPage, DiscoveredUrl]]],
    settings: CleanSettings,
    target: _Target,
    rebuilt: _Rebuilt,
) -> None:
    """Clean the batches on the chosen runner; replace each one's rows in batch order."""
    with task_runner(choice) as (runner, slots):

        def submit(number: int, batch: list[Any]) -> PrefectFuture[CleanedBatch]:
            similarity = target.writer.similarity
            name = f"reprocess-{number}"
            return submit_clean_pages(runner, name, batch, settings, target.run_id, similarity)

        ordered = in_order(submit, pages, window=2 * slots)
        for number, (batch, cleaned) in enumerate(ordered, start=1):
            rebuilt.add(len(batch), _replace(target, number, cleaned))


@dataclass(slots=True)
class _Rebuilt:
    """What the run rebuilt so far: pages read, what their writes did, rows replaced."""

    counts: RunCounts = field(default_factory=RunCounts)
    replaced: int = 0

    def add(self, pages: int, batch: tuple[RunCounts, int]) -> None:
        written, replaced = batch
        self.counts += RunCounts(documents_seen=pages) + written
        self.replaced += replaced

    def summary(self, ledger: RunLedger, status: RunStatus) -> RunSummary:
        return RunSummary(ledger.run_id, ledger.warehouse, self.counts, ledger.elapsed(), status)

    def report(self, summary: RunSummary, logger: Any) -> None:
        """The run's log line and its table artifact."""
        logger.info(
            "reprocessed %d pages: %d articles written (%d replaced old rows), rejects %s",
            self.counts.documents_seen,
            self.counts.articles_written,
            self.replaced,
            dict(self.counts.rejects_by_reason),
        )
        create_table_artifact(
            key="reprocess-summary",
            table=[
                *summary_rows(summary),
                {"measure": "old rows replaced", "value": self.replaced},
            ],
            description=f"news-etl reprocess run {summary.run_id}",
        )
