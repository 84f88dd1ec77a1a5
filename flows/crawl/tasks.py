"""The web run's Prefect tasks: discovery per source, fetch-and-write per batch of URLs.

Inside a batch the fetcher works on several hosts at once while keeping one
polite connection per host; the host gate is shared by every task of the
run, so politeness holds across sources and batches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, wait

from extractors.records import DiscoveredUrl, FetchedPage, NotModified, Reject, Validators
from extractors.sources import Source, SourcesConfig
from extractors.web.discovery import Discovery, discover, page_to_article
from extractors.web.http import Fetcher
from extractors.web.politeness import HostGate
from extractors.web.transience import with_failure_facts
from flows.crawl.tally import SourceTally
from pipeline.clean import clean_document
from transforms.article import Article, CleanSettings
from warehouse import BatchWriter, Warehouse, WriteCounts
from warehouse.raw_pages import write_raw_pages

__all__ = [
    "BatchResult",
    "WebContext",
    "collect",
    "discover_all",
    "discover_task",
    "fetch_batch",
    "fetchers_for",
    "submit_batches",
]


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


def fetchers_for(settings: SourcesConfig, selected: Sequence[Source]) -> dict[bool, Fetcher]:
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


def discover_all(
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


def submit_batches(
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


def collect(
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
