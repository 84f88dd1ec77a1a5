"""The `ingest_sources` flow: feeds and sitemaps -> fetched pages -> articles.

Per source: one discovery task (feeds and sitemaps, fetched conditionally),
then one task per batch of article URLs. Inside a batch the fetcher works on
several hosts at once while keeping one polite connection per host; the
host gate is shared by every task of the run, so politeness holds across
sources and batches. A URL already stored (as an article's URL or canonical
URL, or as a fetched raw page) or already taken by another source of the
run is not fetched again unless `refresh` is set. Writes go through the same
lock, index and atomic writer as local files.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, wait
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.http import Fetcher, is_transient
from extractors.politeness import HostGate
from extractors.records import DiscoveredUrl, FetchedPage, NotModified, Reject
from extractors.sources import Source, SourcesConfig, load_config
from extractors.web import Discovery, discover, page_to_article
from flows.artifacts import publish_warehouse_figures
from flows.ingest import RunSummary, current_run_id, final_record
from transforms.article import Article, CleanSettings
from transforms.normalise import canonical_url, parse_timestamp
from transforms.pipeline import clean_document
from transforms.site_boilerplate import DEFAULT_MIN_ARTICLES, DEFAULT_SHARE
from warehouse import BatchWriter, KeyIndex, RunRecord, RunStatus, Warehouse, WriteCounts, write_run
from warehouse.lock import exclusive_writer, sweep_temp_files
from warehouse.raw_pages import write_raw_pages
from warehouse.reader import known_urls
from warehouse.runs import SourceCounts
from warehouse.site_rules import learn_pending, with_learned_boilerplate
from warehouse.state import read_validators, write_validators

__all__ = ["SourceTally", "ingest_sources"]

FLOW_NAME = "ingest_sources"


@dataclass(slots=True)
class SourceTally:
    """What one source's part of a run did."""

    source: str
    discovered: int = 0
    already_stored: int = 0
    before_since: int = 0  # listed with a date before the run's `since`: left for later
    fetched: int = 0
    listings_unchanged: int = 0
    written: WriteCounts = field(default_factory=WriteCounts)
    rejects_by_reason: Counter[str] = field(default_factory=Counter)

    @property
    def documents_seen(self) -> int:
        """URLs discovered (fetched or already stored) plus listings that failed."""
        return (
            self.already_stored
            + self.written.articles_written
            + self.written.duplicates_skipped
            + sum(self.rejects_by_reason.values())
        )


@dataclass(frozen=True, slots=True)
class WebContext:
    """What every task of one web run shares (same process: thread task runner)."""

    writer: BatchWriter
    settings: CleanSettings
    run_id: str
    warehouse: Warehouse


@task(name="discover", cache_policy=NO_CACHE, task_run_name="discover-{source.name}")
def discover_task(source: Source, fetcher: Fetcher, validators: dict[str, Any]) -> Discovery:
    """Feeds and sitemaps of one source -> article URLs (and listing rejects)."""
    return discover(source, fetcher, validators=validators, robots_sitemaps=fetcher.robots.sitemaps)


@dataclass(frozen=True, slots=True)
class BatchResult:
    written: WriteCounts
    rejects_by_reason: dict[str, int]
    retry_later: frozenset[str]  # URLs that failed for a possibly transient reason


@task(name="fetch_batch", cache_policy=NO_CACHE, task_run_name="{source_name}-batch-{batch_no}")
def fetch_batch(
    source_name: str,
    batch_no: int,
    urls: Sequence[DiscoveredUrl],
    fetcher: Fetcher,
    context: WebContext,
) -> BatchResult:
    """Fetch, extract, clean and write one batch of article URLs, then keep the raw pages."""
    by_url = {d.url: d for d in urls}
    pages: list[tuple[FetchedPage, DiscoveredUrl]] = []
    articles: list[Article] = []
    rejects: list[Reject] = []
    ingested_at = datetime.now(UTC)
    for url, result in fetcher.fetch_many(list(by_url)):
        discovered = by_url[url]
        if isinstance(result, Reject):
            rejects.append(Reject(result.locator, result.reason, result.detail, source_name))
            continue
        if isinstance(result, NotModified):  # no validators are sent for pages
            continue
        pages.append((result, discovered))
        built = clean_document(
            page_to_article(result, discovered),
            settings=context.settings,
            run_id=context.run_id,
            ingested_at=ingested_at,
        )
        if isinstance(built, Article):
            articles.append(built)
        else:
            rejects.append(built)
    part = f"{source_name}-b{batch_no:05d}"
    # Articles and rejects first: raw_pages marks a URL as fetched, so a crash
    # between the two must leave the URL unmarked (fetched again), never
    # marked with its article missing.
    written = context.writer.write(part, articles, rejects, seen_at=datetime.now(UTC))
    if pages:
        write_raw_pages(context.warehouse, pages, run_id=context.run_id, part=part)
    return BatchResult(
        written,
        dict(Counter(str(r.reason) for r in rejects)),
        frozenset(r.locator for r in rejects if is_transient(r)),
    )


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=4))  # type: ignore[arg-type]
def ingest_sources(
    config: str,
    sources: list[str] | None = None,
    warehouse: str = "data/warehouse",
    refresh: bool = False,
    batch_size: int = 50,
    min_words: int = 20,
    since: str | None = None,
    max_articles: int | None = None,
    site_share: float = DEFAULT_SHARE,
    site_min_articles: int = DEFAULT_MIN_ARTICLES,
) -> RunSummary:
    """Scrape the configured web sources politely and incrementally.

    Fails only when the warehouse cannot be used; every URL that does not
    become an article is a reject with a reason. `since` (a date or
    timestamp) leaves listed URLs whose feed or sitemap date is older
    unfetched (undated ones are fetched); `max_articles` replaces each
    source's own cap for this run.
    """
    logger = get_run_logger()
    started = time.perf_counter()
    settings = load_config(Path(config))
    selected = settings.select(sources or [])
    since_at = parse_timestamp(since) if since else None
    if since and since_at is None:
        raise ValueError(f"since {since!r} is not a date or timestamp, e.g. 2026-11-01")
    if max_articles is not None:
        if max_articles < 1:
            raise ValueError(f"max_articles must be at least 1, got {max_articles}")
        selected = tuple(replace(s, max_articles=max_articles) for s in selected)
    run_id = current_run_id()
    store = Warehouse.at(warehouse)
    parameters = {
        "config": config,
        "sources": [s.name for s in selected],
        "warehouse": warehouse,
        "refresh": refresh,
        "batch_size": batch_size,
        "min_words": min_words,
        "since": since,
        "max_articles": max_articles,
        "site_share": site_share,
        "site_min_articles": site_min_articles,
    }
    with exclusive_writer(store):
        sweep_temp_files(store)
        record = RunRecord(run_id, FLOW_NAME, parameters, started_at=datetime.now(UTC))
        write_run(store, record)
        counts: list[SourceTally] = []
        try:
            counts = _run_sources(
                settings, selected, store, run_id, refresh, batch_size, min_words, logger,
                since=since_at.utc if since_at else None,
                site_share=site_share, site_min_articles=site_min_articles,
            )  # fmt: skip
        except BaseException:
            summary = _summary(run_id, warehouse, counts, started, RunStatus.FAILED)
            try:
                write_run(store, final_record(record, summary, sources=_source_counts(counts)))
            except Exception:
                logger.exception("could not record the failed run %s", run_id)
            raise
        summary = _summary(run_id, warehouse, counts, started, RunStatus.COMPLETED)
        write_run(store, final_record(record, summary, sources=_source_counts(counts)))
        # read under the lock: a compaction cannot delete files mid-read
        publish_warehouse_figures(store, run_id, logger)
    create_table_artifact(
        key="ingest-sources-summary",
        table=[_source_row(c) for c in counts],
        description=f"news-etl web ingest run {run_id}",
    )
    for c in counts:
        logger.info(
            "%s: %d discovered, %d already stored, %d fetched, %d written, rejects %s",
            c.source,
            c.discovered,
            c.already_stored,
            c.fetched,
            c.written.articles_written,
            dict(c.rejects_by_reason),
        )
    return summary


def _run_sources(
    settings: SourcesConfig,
    selected: Sequence[Source],
    store: Warehouse,
    run_id: str,
    refresh: bool,
    batch_size: int,
    min_words: int,
    logger: Any,
    since: datetime | None = None,
    site_share: float = DEFAULT_SHARE,
    site_min_articles: int = DEFAULT_MIN_ARTICLES,
) -> list[SourceTally]:
    known = known_urls(store, canonical_url)
    # Site-learned boilerplate: one snapshot for the whole run, counted again at
    # its end (with the runs killed before counting).
    base = with_learned_boilerplate(
        store,
        CleanSettings(
            min_words=min_words, site_share=site_share, site_min_articles=site_min_articles
        ),
    )
    writer = BatchWriter(
        store,
        run_id=run_id,
        articles_index=KeyIndex.from_table(store.articles, "article_id"),
        rejects_index=KeyIndex.from_table(store.rejects, "reject_id"),
    )
    validators = read_validators(store)
    gate = HostGate(settings.http.per_host_delay_seconds)
    # One fetcher per SSRF policy for the whole run: sources sharing a policy
    # share its session and its robots.txt cache (read once per host per run).
    fetchers: dict[bool, Fetcher] = {}
    for source in selected:
        policy = source.allow_private_network
        if policy not in fetchers:
            fetchers[policy] = Fetcher(settings.http, allow_private_network=policy, gate=gate)
    try:
        # 1. Discovery of every source at once: their listings are on different hosts.
        discoveries = [
            discover_task.submit(s, fetchers[s.allow_private_network], dict(validators))
            for s in selected
        ]
        tallies = [SourceTally(s.name) for s in selected]
        found_all = [future.result() for future in discoveries]
        # 2. What to fetch, source by source, so a URL two sources list is taken once.
        plans: list[list[DiscoveredUrl]] = []
        for source, found, counts in zip(selected, found_all, tallies, strict=True):
            plans.append(_plan(source, found, counts, writer, known, refresh, since))
        # 3. Every source's batches together: the task runner and each batch's
        #    fetch_many spread them over hosts; the shared gate keeps each host polite.
        step = max(1, batch_size)
        submitted: list[tuple[int, PrefectFuture[BatchResult]]] = []
        for index, (source, todo) in enumerate(zip(selected, plans, strict=True)):
            context = WebContext(
                writer=writer,
                settings=replace(base, default_source=source.name),
                run_id=run_id,
                warehouse=store,
            )
            fetcher = fetchers[source.allow_private_network]
            submitted += [
                (index, fetch_batch.submit(source.name, n, todo[i : i + step], fetcher, context))
                for n, i in enumerate(range(0, len(todo), step), start=1)
            ]
        wait([future for _, future in submitted])
        for index, future in submitted:
            result = future.result()
            tallies[index].written += result.written
            tallies[index].rejects_by_reason.update(result.rejects_by_reason)
            found = found_all[index]
            for url in result.retry_later:  # so its listing is read in full next time
                found.validators.pop(found.listing_of.get(url, ""), None)
        updates = {url: v for found in found_all for url, v in found.validators.items()}
        write_validators(store, updates, checked_at=datetime.now(UTC))
        learn_pending(store)  # this run's committed articles
    finally:
        for fetcher in fetchers.values():
            fetcher.close()
    for counts in tallies:
        logger.info("%s done: %s", counts.source, _source_row(counts))
    return tallies


def _plan(
    source: Source,
    found: Discovery,
    counts: SourceTally,
    writer: BatchWriter,
    known: set[str],
    refresh: bool,
    since: datetime | None = None,
) -> list[DiscoveredUrl]:
    """Record the listings' rejects; the URLs of `source` not stored or taken yet.

    A URL listed with a date before `since` is left alone, and its listing's
    validators dropped, so a later run without `since` still lists it.
    """
    counts.discovered = len(found.urls)
    counts.listings_unchanged = len(found.not_modified)
    listing_rejects = [Reject(r.locator, r.reason, r.detail, source.name) for r in found.rejects]
    counts.written += writer.write(
        f"{source.name}-listings", [], listing_rejects, seen_at=datetime.now(UTC)
    )
    counts.rejects_by_reason.update(str(r.reason) for r in listing_rejects)
    listed = found.urls
    if since is not None:
        old = {d.url for d in listed if (at := _listed_at(d)) is not None and at < since}
        for url in old:
            found.validators.pop(found.listing_of.get(url, ""), None)
        counts.before_since = len(old)
        listed = [d for d in listed if d.url not in old]
    todo = [d for d in listed if refresh or canonical_url(d.url) not in known]
    known.update(c for d in todo if (c := canonical_url(d.url)))  # once per run
    counts.already_stored = len(listed) - len(todo)
    counts.fetched = len(todo)
    return todo


def _listed_at(d: DiscoveredUrl) -> datetime | None:
    """The listing's date for a URL: its lastmod, else the entry's publication date."""
    if d.lastmod is not None:
        return d.lastmod
    published = parse_timestamp(d.hints.published)
    return published.utc if published else None


def _source_counts(tallies: Sequence[SourceTally]) -> tuple[SourceCounts, ...]:
    return tuple(
        SourceCounts(
            source=t.source,
            discovered=t.discovered,
            already_stored=t.already_stored,
            fetched=t.fetched,
            articles_written=t.written.articles_written,
            duplicates_skipped=t.written.duplicates_skipped,
            rejects=sum(t.rejects_by_reason.values()),
        )
        for t in tallies
    )


def _source_row(c: SourceTally) -> dict[str, Any]:
    return {
        "source": c.source,
        "discovered": c.discovered,
        "already stored": c.already_stored,
        "before since": c.before_since,
        "fetched": c.fetched,
        "listings unchanged (304)": c.listings_unchanged,
        "articles written": c.written.articles_written,
        "duplicates": c.written.duplicates_skipped,
        "rejects": sum(c.rejects_by_reason.values()),
        "rejects by reason": ", ".join(f"{k} {v}" for k, v in sorted(c.rejects_by_reason.items())),
    }


def _summary(
    run_id: str,
    warehouse: str,
    counts: Sequence[SourceTally],
    started: float,
    status: RunStatus,
) -> RunSummary:
    reasons: Counter[str] = Counter()
    written = WriteCounts()
    for c in counts:
        reasons.update(c.rejects_by_reason)
        written += c.written
    return RunSummary(
        run_id=run_id,
        warehouse=warehouse,
        files=0,
        documents_seen=sum(c.documents_seen for c in counts),
        articles_written=written.articles_written,
        duplicates_skipped=written.duplicates_skipped + sum(c.already_stored for c in counts),
        rejects_by_reason=dict(reasons),
        elapsed_seconds=time.perf_counter() - started,
        status=status,
        rejects_new=written.rejects_written,
        batches=0,
        exact_duplicates=written.exact_duplicates,
        near_duplicates=written.near_duplicates,
        new_versions=written.new_versions,
    )
