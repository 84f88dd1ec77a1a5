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
Writes go through the same lock, index and atomic writer as local files.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, wait
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.http import Fetcher
from extractors.politeness import HostGate
from extractors.records import (
    DiscoveredUrl,
    FailureKind,
    FetchedPage,
    NotModified,
    Reject,
    Validators,
)
from extractors.sources import Source, SourcesConfig, load_config
from extractors.transience import DEFAULT_PERMANENT_REJECT_DAYS, with_failure_facts
from extractors.web import Discovery, discover, page_to_article
from flows.artifacts import publish_warehouse_figures
from flows.ingest import RunSummary, current_run_id, final_record
from flows.object_store import open_warehouse
from transforms.article import Article, CleanSettings
from transforms.normalise import canonical_url, parse_timestamp
from transforms.pipeline import clean_document
from transforms.site_boilerplate import DEFAULT_MIN_ARTICLES, DEFAULT_SHARE
from warehouse import BatchWriter, KeyIndex, RunRecord, RunStatus, Warehouse, WriteCounts, write_run
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE
from warehouse.raw_pages import write_raw_pages
from warehouse.reader import known_urls
from warehouse.runs import SourceCounts
from warehouse.site_rules import learn_pending, with_learned_boilerplate
from warehouse.state import read_validators, write_validators
from warehouse.url_outcomes import UrlOutcome, read_url_outcomes, write_url_outcomes

__all__ = ["CrawlPolicy", "SourceTally", "ingest_sources"]

FLOW_NAME = "ingest_sources"


@dataclass(slots=True)
class SourceTally:
    """What one source's part of a run did."""

    source: str
    discovered: int = 0
    already_stored: int = 0  # listed, but stored already or taken by another source of the run
    before_since: int = 0  # listed with a date before the run's `since`: left for later
    resting: int = 0  # listed, but rejected for a permanent reason within the rest period
    retried: int = 0  # failed transiently last time, fetched again though no listing named it
    fetched: int = 0
    listings_unchanged: int = 0
    written: WriteCounts = field(default_factory=WriteCounts)
    rejects_by_reason: Counter[str] = field(default_factory=Counter)

    @property
    def documents_seen(self) -> int:
        """URLs discovered (fetched, already stored or resting) plus listings that failed."""
        return (
            self.already_stored
            + self.resting
            + self.written.articles_written
            + self.written.duplicates_skipped
            + sum(self.rejects_by_reason.values())
        )


@dataclass(frozen=True, slots=True)
class CrawlPolicy:
    """What a web run fetches again, decided once from the flow's parameters.

    `now` is the run's clock for the crawl state (when a failure happened,
    whether a rest is over), a parameter so that a test moves it forward
    instead of sleeping through a rest period.
    """

    refresh: bool
    batch_size: int
    since: datetime | None
    permanent_reject_days: int
    now: datetime

    def resting(self, outcomes: Mapping[str, UrlOutcome]) -> set[str]:
        """Canonical URLs not to fetch this run: permanent failures still resting."""
        if self.refresh:
            return set()
        rest = timedelta(days=self.permanent_reject_days)
        return {
            form
            for url, outcome in outcomes.items()
            if outcome.rests(self.now, rest) and (form := canonical_url(url))
        }


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
    fetched: frozenset[str]  # every URL of the batch: what the crawl state said of it is stale
    failed: tuple[tuple[DiscoveredUrl, Reject], ...]  # fetch rejects, with their failure facts


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
    failed: list[tuple[DiscoveredUrl, Reject]] = []
    ingested_at = datetime.now(UTC)
    for url, result in fetcher.fetch_many(list(by_url)):
        discovered = by_url[url]
        if isinstance(result, Reject):
            reject = with_failure_facts(replace(result, source=source_name))
            rejects.append(reject)
            failed.append((discovered, reject))
        elif not isinstance(result, NotModified):  # no validators are sent for pages
            pages.append((result, discovered))
            built = clean_document(
                page_to_article(result, discovered), settings=context.settings,
                run_id=context.run_id, ingested_at=ingested_at,
            )  # fmt: skip
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
    reasons = dict(Counter(str(r.reason) for r in rejects))
    return BatchResult(written, reasons, frozenset(by_url), tuple(failed))


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
    permanent_reject_days: int = DEFAULT_PERMANENT_REJECT_DAYS,
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
    started = time.perf_counter()
    settings = load_config(Path(config))
    selected = _selected(settings, sources, max_articles)
    policy = _policy(refresh, batch_size, since, permanent_reject_days, now)
    clean = CleanSettings(min_words, site_share=site_share, site_min_articles=site_min_articles)
    run_id = current_run_id()
    store = open_warehouse(warehouse)
    parameters.update(sources=[s.name for s in selected], now=now.isoformat() if now else None)
    record = RunRecord(run_id, FLOW_NAME, parameters, started_at=datetime.now(UTC))
    run = partial(_run_sources, settings, selected, store, run_id, policy, clean, logger)
    summarise = partial(_summary, run_id, warehouse, started)
    counts, summary = _recorded(store, record, run, summarise, logger)
    publish_warehouse_figures(store, run_id, logger)
    _report(counts, run_id, logger)
    return summary


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


def _policy(
    refresh: bool,
    batch_size: int,
    since: str | None,
    permanent_reject_days: int,
    now: datetime | None,
) -> CrawlPolicy:
    """The flow's parameters checked, before the warehouse is touched: bad ones fail the run."""
    since_at = parse_timestamp(since) if since else None
    if since and since_at is None:
        raise ValueError(f"since {since!r} is not a date or timestamp, e.g. 2026-11-01")
    if permanent_reject_days < 0:
        raise ValueError(f"permanent_reject_days must be 0 or more, got {permanent_reject_days}")
    if now is not None and now.utcoffset() is None:
        raise ValueError(f"now must carry a time zone, e.g. {datetime.now(UTC).isoformat()}")
    return CrawlPolicy(
        refresh=refresh,
        batch_size=max(1, batch_size),
        since=since_at.utc if since_at else None,
        permanent_reject_days=permanent_reject_days,
        now=now.astimezone(UTC) if now else datetime.now(UTC),
    )


def _recorded(
    store: Warehouse,
    record: RunRecord,
    run: Callable[[], list[SourceTally]],
    summarise: Callable[[Sequence[SourceTally], RunStatus], RunSummary],
    logger: Any,
) -> tuple[list[SourceTally], RunSummary]:
    """Run under a `running` runs row, then record how it ended, failure included."""
    write_run(store, record)
    counts: list[SourceTally] = []
    try:
        counts = run()
    except BaseException:
        summary = summarise(counts, RunStatus.FAILED)
        try:
            write_run(store, final_record(record, summary, sources=_source_counts(counts)))
        except Exception:
            logger.exception("could not record the failed run %s", record.run_id)
        raise
    summary = summarise(counts, RunStatus.COMPLETED)
    write_run(store, final_record(record, summary, sources=_source_counts(counts)))
    return counts, summary


def _report(counts: Sequence[SourceTally], run_id: str, logger: Any) -> None:
    """The per-source table as a Prefect artifact, and one log line per source."""
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


def _run_sources(
    settings: SourcesConfig,
    selected: Sequence[Source],
    store: Warehouse,
    run_id: str,
    policy: CrawlPolicy,
    clean: CleanSettings,
    logger: Any,
) -> list[SourceTally]:
    """Discover, plan, fetch and write every selected source, then keep the crawl state."""
    known = known_urls(store, canonical_url)
    # Site-learned boilerplate: runs killed before counting are counted first, then
    # one snapshot for the whole run, counted again at its end.
    learn_pending(store, skip={run_id})
    base = with_learned_boilerplate(store, clean)
    writer = BatchWriter(
        store, run_id=run_id,
        articles_index=KeyIndex.from_table(store, ARTICLES_TABLE, "article_id"),
        rejects_index=KeyIndex.from_table(store, REJECTS_TABLE, "reject_id"),
    )  # fmt: skip
    outcomes = read_url_outcomes(store)
    fetchers = _fetchers(settings, selected)
    try:
        found_all = _discover_all(selected, fetchers, read_validators(store))
        tallies = [SourceTally(s.name) for s in selected]
        resting = policy.resting(outcomes)
        # What to fetch, source by source, so a URL two sources list is taken once.
        plans = [
            _plan(source, found, counts, writer, known, policy, outcomes, resting)
            for source, found, counts in zip(selected, found_all, tallies, strict=True)
        ]
        contexts = [
            WebContext(writer, replace(base, default_source=s.name), run_id, store)
            for s in selected
        ]
        submitted = _submit_batches(selected, plans, fetchers, contexts, policy.batch_size)
        fetched, failed = _collect(submitted, tallies)
        _save_crawl_state(store, found_all, fetched, failed, policy.now, run_id)
        learn_pending(store)  # this run's committed articles
    finally:
        for fetcher in fetchers.values():
            fetcher.close()
    for counts in tallies:
        logger.info("%s done: %s", counts.source, _source_row(counts))
    return tallies


def _fetchers(settings: SourcesConfig, selected: Sequence[Source]) -> dict[bool, Fetcher]:
    """One fetcher per SSRF policy for the whole run, all behind one host gate.

    Sources sharing a policy share its session and its robots.txt cache
    (read once per host per run).
    """
    gate = HostGate(settings.http.per_host_delay_seconds)
    fetchers: dict[bool, Fetcher] = {}
    for source in selected:
        policy = source.allow_private_network
        if policy not in fetchers:
            fetchers[policy] = Fetcher(settings.http, allow_private_network=policy, gate=gate)
    return fetchers


def _discover_all(
    selected: Sequence[Source],
    fetchers: Mapping[bool, Fetcher],
    validators: Mapping[str, Validators],
) -> list[Discovery]:
    """Every source's listings at once: they are on different hosts."""
    futures = [
        discover_task.submit(s, fetchers[s.allow_private_network], dict(validators))
        for s in selected
    ]
    return [future.result() for future in futures]


def _submit_batches(
    selected: Sequence[Source],
    plans: Sequence[list[DiscoveredUrl]],
    fetchers: Mapping[bool, Fetcher],
    contexts: Sequence[WebContext],
    step: int,
) -> list[tuple[int, PrefectFuture[BatchResult]]]:
    """Every source's batches together, each tagged with its source's index; waits for all.

    The task runner and each batch's fetch_many spread them over hosts; the
    shared gate keeps each host polite.
    """
    submitted: list[tuple[int, PrefectFuture[BatchResult]]] = []
    for index, (source, todo) in enumerate(zip(selected, plans, strict=True)):
        fetcher = fetchers[source.allow_private_network]
        submitted += [
            (
                index,
                fetch_batch.submit(source.name, n, todo[i : i + step], fetcher, contexts[index]),
            )
            for n, i in enumerate(range(0, len(todo), step), start=1)
        ]
    wait([future for _, future in submitted])
    return submitted


def _collect(
    submitted: Sequence[tuple[int, PrefectFuture[BatchResult]]], tallies: list[SourceTally]
) -> tuple[set[str], list[tuple[DiscoveredUrl, Reject]]]:
    """Add each batch to its source's tally; the URLs fetched, and the fetches that failed."""
    fetched: set[str] = set()
    failed: list[tuple[DiscoveredUrl, Reject]] = []
    for index, future in submitted:
        result = future.result()
        tallies[index].written += result.written
        tallies[index].rejects_by_reason.update(result.rejects_by_reason)
        fetched |= result.fetched
        failed += result.failed
    return fetched, failed


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


def _plan(
    source: Source,
    found: Discovery,
    counts: SourceTally,
    writer: BatchWriter,
    known: set[str],
    policy: CrawlPolicy,
    outcomes: Mapping[str, UrlOutcome],
    resting: set[str],
) -> list[DiscoveredUrl]:
    """Record the listings' rejects; the URLs of `source` to fetch this run.

    Those listed and neither stored, taken, nor resting after a permanent
    failure; then those that failed transiently last time and no listing
    named this time.
    """
    counts.discovered = len(found.urls)
    counts.listings_unchanged = len(found.not_modified)
    listing_rejects = [replace(r, source=source.name) for r in found.rejects]
    counts.written += writer.write(
        f"{source.name}-listings", [], listing_rejects, seen_at=datetime.now(UTC)
    )
    counts.rejects_by_reason.update(str(r.reason) for r in listing_rejects)
    listed = _after_since(found, policy.since, counts)
    fresh = [d for d in listed if policy.refresh or canonical_url(d.url) not in known]
    todo = [d for d in fresh if canonical_url(d.url) not in resting]
    known.update(c for d in todo if (c := canonical_url(d.url)))  # once per run
    retries = _retries(source, outcomes, {d.url for d in found.urls}, known)
    known.update(c for d in retries if (c := canonical_url(d.url)))
    counts.resting = len(fresh) - len(todo)
    counts.already_stored = len(listed) - len(fresh)
    counts.retried = len(retries)
    counts.fetched = len(todo) + len(retries)
    return todo + retries


def _after_since(
    found: Discovery, since: datetime | None, counts: SourceTally
) -> list[DiscoveredUrl]:
    """The listed URLs not dated before `since`.

    A URL listed with a date before `since` is left alone, and its listing's
    validators dropped, so a later run without `since` still lists it.
    """
    if since is None:
        return found.urls
    old = {d.url for d in found.urls if (at := _listed_at(d)) is not None and at < since}
    for url in old:
        found.validators.pop(found.listing_of.get(url, ""), None)
    counts.before_since = len(old)
    return [d for d in found.urls if d.url not in old]


def _retries(
    source: Source, outcomes: Mapping[str, UrlOutcome], listed: set[str], known: set[str]
) -> list[DiscoveredUrl]:
    """The source's URLs that failed transiently last time and are neither listed nor taken.

    Their listing may well answer 304 this run (it kept its validators), so
    they are fetched by themselves.
    """
    return [
        outcome.as_listed()
        for url, outcome in outcomes.items()
        if outcome.kind is FailureKind.TRANSIENT
        and outcome.source == source.name
        and url not in listed
        and canonical_url(url) not in known
    ]


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
            already_stored=t.already_stored + t.resting,  # an earlier run stored the outcome
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
        "resting (rejected before)": c.resting,
        "fetched": c.fetched,
        "retried (failed before)": c.retried,
        "listings unchanged (304)": c.listings_unchanged,
        "articles written": c.written.articles_written,
        "duplicates": c.written.duplicates_skipped,
        "rejects": sum(c.rejects_by_reason.values()),
        "rejects by reason": ", ".join(f"{k} {v}" for k, v in sorted(c.rejects_by_reason.items())),
    }


def _summary(
    run_id: str,
    warehouse: str,
    started: float,
    counts: Sequence[SourceTally],
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
        # passed over unread, their reject committed by an earlier run; pages
        # already stored have always counted as duplicates here
        already_stored=sum(c.resting for c in counts),
    )
