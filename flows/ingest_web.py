"""The `ingest_sources` flow: feeds and sitemaps -> fetched pages -> articles.

Per source: one discovery task (feeds and sitemaps, fetched conditionally),
then one task per batch of article URLs. Inside a batch the fetcher works on
several hosts at once while keeping one polite connection per host; the
host gate is shared by every task of the run, so politeness holds across
sources and batches. A URL already stored (as an article's URL or canonical
URL, or as a fetched raw page) or already taken by another source of the
run is not fetched again unless `refresh` is set. Fetch failures are
remembered for the next run (`warehouse.url_outcomes`): a transient one is
retried directly, with its listing still fetched conditionally; a permanent
one is not fetched again for `permanent_reject_days` unless `refresh` is set.
Writes go through the same index and writer as local files; the run's
parts live in `flows.crawl`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.records import DiscoveredUrl, Reject
from extractors.sources import Source, SourcesConfig, load_config
from extractors.web.discovery import Discovery
from flows.artifacts import publish_warehouse_figures
from flows.crawl import (
    CrawlPolicy,
    SourceTally,
    crawl_policy,
    plan_source,
    report_sources,
    source_counts,
    source_row,
    summarise_sources,
)
from flows.crawl.tasks import WebContext, collect, discover_all, fetchers_for, submit_batches
from flows.defaults import CLEANING, WAREHOUSE, WEB_RUN
from flows.ledger import RunLedger, RunSummary, run_ledger
from flows.site_learning import learn_pending, with_learned_boilerplate
from transforms.article import CleanSettings
from transforms.normalise import canonical_url
from warehouse import BatchWriter, KeyIndex, Warehouse
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE
from warehouse.reader import known_urls
from warehouse.state import read_validators, write_validators
from warehouse.url_outcomes import read_url_outcomes, write_url_outcomes

__all__ = ["ingest_sources"]

FLOW_NAME = "ingest_sources"


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=4))  # type: ignore[arg-type]
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
) -> RunSummary:
    """Scrape the configured web sources politely and incrementally.

    Fails only when the warehouse cannot be used; every URL that does not
    become an article is a reject with a reason. `since` (a date or
    timestamp) leaves URLs listed with an older date unfetched;
    `max_articles` replaces each source's cap for this run; a permanent
    reject rests `permanent_reject_days` (0: none) counted on `now`.
    """
    parameters: dict[str, Any] = dict(locals())  # first: the parameters are all it holds
    logger = get_run_logger()
    settings = load_config(Path(config))
    selected = _selected(settings, sources, max_articles)
    policy = crawl_policy(refresh, batch_size, since, permanent_reject_days, now)
    clean = CleanSettings(min_words, site_share=site_share, site_min_articles=site_min_articles)
    parameters.update(sources=[s.name for s in selected], now=now.isoformat() if now else None)
    with run_ledger(FLOW_NAME, warehouse, parameters) as ledger:
        tallies = _run_sources(ledger, settings, selected, policy, clean, logger)
        ledger.summarise = partial(summarise_sources, ledger, tallies)
        ledger.sources = source_counts(tallies)
    publish_warehouse_figures(ledger.store, ledger.run_id, logger)
    report_sources(tallies, ledger.run_id, logger)
    return ledger.summary


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


def _run_sources(
    ledger: RunLedger,
    settings: SourcesConfig,
    selected: Sequence[Source],
    policy: CrawlPolicy,
    clean: CleanSettings,
    logger: Any,
) -> list[SourceTally]:
    """Discover, plan, fetch and write every selected source, then keep the crawl state."""
    store, run_id = ledger.store, ledger.run_id
    known = known_urls(store, canonical_url)
    # Site-learned boilerplate: runs killed before counting are counted first, then
    # one snapshot for the whole run, counted again at its end.
    learn_pending(store, skip={run_id})
    base = with_learned_boilerplate(store, clean)
    writer = BatchWriter(
        store,
        run_id=run_id,
        articles_index=KeyIndex.from_table(store, ARTICLES_TABLE, "article_id"),
        rejects_index=KeyIndex.from_table(store, REJECTS_TABLE, "reject_id"),
    )
    outcomes = read_url_outcomes(store)
    fetchers = fetchers_for(settings, selected)
    try:
        found_all = discover_all(selected, fetchers, read_validators(store))
        tallies = [SourceTally(s.name) for s in selected]
        resting = policy.resting(outcomes)
        # What to fetch, source by source, so a URL two sources list is taken once.
        plans = [
            plan_source(source, found, counts, writer, known, policy, outcomes, resting)
            for source, found, counts in zip(selected, found_all, tallies, strict=True)
        ]
        contexts = [
            WebContext(writer, replace(base, default_source=s.name), run_id, store)
            for s in selected
        ]
        submitted = submit_batches(selected, plans, fetchers, contexts, policy.batch_size)
        fetched, failed = collect(submitted, tallies)
        _save_crawl_state(store, found_all, fetched, failed, policy.now, run_id)
        learn_pending(store)  # this run's committed articles
    finally:
        for fetcher in fetchers.values():
            fetcher.close()
    for counts in tallies:
        logger.info("%s done: %s", counts.source, source_row(counts))
    return tallies


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
