"""The `ingest_sources` flow: feeds and sitemaps -> fetched pages -> articles.

Per source: one discovery task (feeds and sitemaps, fetched conditionally)
and a plan of the article URLs to fetch (`flows.crawl.plan`): a URL already
stored (as an article's URL or canonical URL, or as a fetched raw page) or
already taken by another source of the run is not fetched again unless
`refresh` is set. Then, batch by batch, the sources taken in turn:

- fetch (network I/O) on the flow's threads, in this process, behind one
  host gate shared by every fetcher, so one connection per host and the
  crawl delay hold across sources, batches and runners
  (`flows.crawl.tasks`);
- extract and clean (CPU) on the run's task runner: threads by default, a
  process pool or Dask like the files flow (`flows.runners`,
  `flows.extract_task.clean_pages`);
- commit in batch order through the same `Committer` as the files flow
  (`flows.commit`), raw pages after their articles, so every runner writes
  the same rows.

Fetch failures are remembered for the next run (`warehouse.url_outcomes`):
a transient one is retried directly, with its listing still fetched
conditionally; a permanent one is not fetched again for
`permanent_reject_days` unless `refresh` is set.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.records import DiscoveredUrl, Reject
from extractors.sources import Source, SourcesConfig, load_config
from extractors.web.discovery import Discovery
from extractors.web.http import Fetcher
from flows.artifacts import publish_warehouse_figures
from flows.batches import in_order
from flows.commit import Committer, summarise
from flows.crawl import (
    CrawlPolicy,
    SourceTally,
    crawl_policy,
    plan_source,
    report_sources,
    source_counts,
    source_row,
)
from flows.crawl.tasks import (
    FETCH_BATCHES,
    FetchedBatch,
    WebBatch,
    discover_all,
    fetch_batch,
    fetchers_for,
    web_batches,
)
from flows.defaults import CLEANING, WAREHOUSE, WEB_RUN
from flows.extract_task import submit_clean_pages
from flows.ledger import RunLedger, RunSummary, run_ledger
from flows.runners import Runner, choose_runner, task_runner
from flows.site_learning import learn_pending, with_learned_boilerplate
from pipeline.clean import CleanedBatch
from transforms.article import CleanSettings
from transforms.normalise import canonical_url
from warehouse import Warehouse
from warehouse.reader import known_urls
from warehouse.runs import run_ids_of
from warehouse.state import read_validators, write_validators
from warehouse.url_outcomes import UrlOutcome, read_url_outcomes, write_url_outcomes

__all__ = ["ingest_sources"]

FLOW_NAME = "ingest_sources"


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=FETCH_BATCHES))  # type: ignore[arg-type]
def ingest_sources(
    config: str,
    sources: list[str] | None = None,
    warehouse: str = WAREHOUSE,
    refresh: bool = False,
    batch_size: int = WEB_RUN.batch_size,
    min_words: int = CLEANING.min_words,
    since: str | None = None,
    max_articles: int | None = None,
    site_share: float = CLEANING.site_share,
    site_min_articles: int = CLEANING.site_min_articles,
    permanent_reject_days: int = WEB_RUN.permanent_reject_days,
    now: datetime | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
) -> RunSummary:
    """Scrape the configured web sources politely and incrementally.

    Fails only when the warehouse cannot be used; every URL that does not
    become an article is a reject with a reason. `since` leaves URLs listed
    with an older date unfetched; `max_articles` replaces each source's cap;
    a permanent reject rests `permanent_reject_days` (0: none) counted on
    `now`; `workers` and `dask_address` choose where pages are extracted.
    """
    parameters: dict[str, Any] = dict(locals())  # first: the parameters are all it holds
    logger = get_run_logger()
    settings = load_config(Path(config))
    selected = _selected(settings, sources, max_articles)
    clean = CleanSettings(min_words, site_share=site_share, site_min_articles=site_min_articles)
    crawl = _Crawl(
        settings, selected, crawl_policy(refresh, batch_size, since, permanent_reject_days, now),
        clean, choose_runner(workers, dask_address, input_bytes=0),
    )  # fmt: skip
    parameters.update(sources=[s.name for s in selected], now=now.isoformat() if now else None)
    with run_ledger(FLOW_NAME, warehouse, parameters) as ledger:
        tallies = _run_sources(ledger, crawl, logger)
    publish_warehouse_figures(ledger.store, ledger.run_id, logger)
    report_sources(tallies, ledger.run_id, logger)
    return ledger.summary


@dataclass(frozen=True, slots=True)
class _Crawl:
    """What the run crawls and how, decided from the flow's parameters before it starts."""

    settings: SourcesConfig
    selected: tuple[Source, ...]
    policy: CrawlPolicy
    clean: CleanSettings
    runner: Runner  # where pages are extracted and cleaned (fetching stays in this process)


def _selected(
    settings: SourcesConfig, names: list[str] | None, max_articles: int | None
) -> tuple[Source, ...]:
    """The sources named (all when none is), each capped at `max_articles` when given."""
    selected = settings.select(names or [])
    if max_articles is None:
        return selected
    if max_articles < 1:
        raise ValueError(f"max_articles must be at least 1, got {max_articles}")
    return tuple(replace(s, max_articles=max_articles) for s in selected)


def _run_sources(ledger: RunLedger, crawl: _Crawl, logger: Any) -> list[SourceTally]:
    """Discover, plan, fetch, extract and commit every selected source, then keep the
    crawl state and count this run's articles for site learning."""
    store, run_id = ledger.store, ledger.run_id
    # Site-learned boilerplate: runs killed before counting are counted first, then
    # one snapshot for the whole run, counted again at its end.
    learn_pending(store, skip={run_id})
    clean = with_learned_boilerplate(store, crawl.clean)
    commit = Committer.for_run(ledger, rows_per_file=crawl.policy.batch_size)
    tallies = [SourceTally(s.name) for s in crawl.selected]
    ledger.summarise = partial(summarise, ledger, commit)
    fetchers = fetchers_for(crawl.settings, crawl.selected)
    try:
        found_all = discover_all(crawl.selected, fetchers, read_validators(store))
        outcomes = read_url_outcomes(store)
        # an article of an earlier web run whose raw page never got committed is
        # fetched again for it (`known_urls`)
        known = known_urls(store, canonical_url, web_runs=run_ids_of(store, {FLOW_NAME}))
        plans = _plan(crawl, found_all, tallies, commit, known, outcomes)
        batches = web_batches(crawl.selected, plans, fetchers, crawl.policy.batch_size)
        fetched, failed = _fetch_and_commit(crawl, batches, clean, commit, tallies, run_id)
        _save_crawl_state(store, found_all, fetched, failed, crawl.policy.now, run_id)
        learn_pending(store)  # this run's committed articles
    finally:
        _close(fetchers)
    ledger.sources = source_counts(tallies)
    for counts in tallies:
        logger.info("%s done: %s", counts.source, source_row(counts))
    return tallies


def _plan(
    crawl: _Crawl,
    found_all: Sequence[Discovery],
    tallies: Sequence[SourceTally],
    commit: Committer,
    known: set[str],
    outcomes: Mapping[str, UrlOutcome],
) -> list[list[DiscoveredUrl]]:
    """Each source's URLs to fetch, source by source, so that a URL two sources list is
    taken once; the listings' rejects committed and the URLs passed over counted."""
    resting = crawl.policy.resting(outcomes)
    plans = []
    for source, found, tally in zip(crawl.selected, found_all, tallies, strict=True):
        if found.rejects:
            listings = [replace(r, source=source.name) for r in found.rejects]
            tally.written += commit.add(CleanedBatch(rejects=listings), whole=True)
        plans.append(plan_source(source, found, tally, known, crawl.policy, outcomes, resting))
        commit.passed_over(tally.passed_over)
    return plans


def _fetch_and_commit(
    crawl: _Crawl,
    batches: Sequence[WebBatch],
    clean: CleanSettings,
    commit: Committer,
    tallies: Sequence[SourceTally],
    run_id: str,
) -> tuple[set[str], list[tuple[DiscoveredUrl, Reject]]]:
    """Fetch the batches here, extract them on the run's runner, commit them in order;
    the URLs fetched, and the fetches that failed."""
    fetched: set[str] = set()
    failed: list[tuple[DiscoveredUrl, Reject]] = []
    with task_runner(crawl.runner) as (runner, slots):

        def extract(_: int, got: tuple[WebBatch, FetchedBatch]) -> PrefectFuture[CleanedBatch]:
            batch, fetched = got
            return submit_clean_pages(
                runner, batch.name, fetched.pages, clean, run_id, commit.similarity
            )

        for (batch, got), cleaned in in_order(extract, _fetched(batches), window=2 * slots):
            result = replace(cleaned, rejects=got.rejects + cleaned.rejects, raw_pages=got.pages)
            tallies[batch.index].written += commit.add(result, whole=True)
            fetched |= got.urls
            failed += got.failed
    return fetched, failed


def _fetched(batches: Sequence[WebBatch]) -> Iterator[tuple[WebBatch, FetchedBatch]]:
    """The batches fetched, in order, `FETCH_BATCHES` at a time on the flow's threads."""
    return in_order(lambda _, batch: fetch_batch.submit(batch), batches, window=FETCH_BATCHES)


def _close(fetchers: dict[bool, Fetcher]) -> None:
    for fetcher in fetchers.values():
        fetcher.close()


def _save_crawl_state(
    store: Warehouse,
    found_all: Sequence[Discovery],
    fetched: set[str],
    failed: Sequence[tuple[DiscoveredUrl, Reject]],
    now: datetime,
    run_id: str,
) -> None:
    """The fetch failures, then the listings' validators: the order `warehouse.url_outcomes` needs.

    A listing keeps its validators when one of its URLs failed transiently:
    the URL is remembered and retried by itself, so the listing may answer 304.
    """
    write_url_outcomes(store, fetched, failed, at=now, run_id=run_id)
    updates = {url: v for found in found_all for url, v in found.validators.items()}
    write_validators(store, updates, checked_at=datetime.now(UTC))
