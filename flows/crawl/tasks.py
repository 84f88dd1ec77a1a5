"""The web run's network tasks: discovery per source, fetching per batch of URLs.

They run on the flow's own thread task runner, in the flow's process,
whatever runner extracts and cleans the pages (`flows.extract_task`): every
fetcher of a run shares one `HostGate`, an in-process lock per host, so one
connection per host and the crawl delay hold across sources and batches
only while every request leaves from this process. Inside a batch the
fetcher works on several hosts at once. A fetch task returns what it got;
it extracts and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import zip_longest
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from extractors.records import DiscoveredUrl, FetchedPage, NotModified, Reject, Validators
from extractors.sources import Source, SourcesConfig
from extractors.web.discovery import Discovery, discover
from extractors.web.http import Fetcher
from extractors.web.politeness import HostGate
from extractors.web.transience import with_failure_facts

__all__ = [
    "FETCH_BATCHES",
    "FetchedBatch",
    "WebBatch",
    "discover_all",
    "discover_task",
    "fetch_batch",
    "fetchers_for",
    "web_batches",
]

# Batches fetched at once: the flow's thread task runner's size. The host gate
# keeps each host to one connection, so more only helps across hosts.
FETCH_BATCHES = 4


@dataclass(frozen=True, slots=True)
class WebBatch:
    """One batch of one source's URLs to fetch; `index` is the source's place in the run."""

    index: int
    source: str
    number: int
    urls: tuple[DiscoveredUrl, ...]
    fetcher: Fetcher

    @property
    def name(self) -> str:
        return f"{self.source}-batch-{self.number}"


@dataclass(frozen=True, slots=True)
class FetchedBatch:
    """What fetching one batch got: pages to extract, and the fetches that failed."""

    pages: list[tuple[FetchedPage, DiscoveredUrl]]  # in the order fetched
    failed: list[tuple[DiscoveredUrl, Reject]]  # fetch rejects, with their failure facts
    urls: frozenset[str]  # every URL of the batch: what the crawl state said of it is stale

    @property
    def rejects(self) -> list[Reject]:
        return [reject for _, reject in self.failed]


@task(name="discover", cache_policy=NO_CACHE, task_run_name="discover-{source.name}")
def discover_task(source: Source, fetcher: Fetcher, validators: dict[str, Any]) -> Discovery:
    """Feeds and sitemaps of one source -> article URLs (and listing rejects)."""
    return discover(source, fetcher, validators=validators, robots_sitemaps=fetcher.robots.sitemaps)


@task(name="fetch_batch", cache_policy=NO_CACHE, task_run_name="{batch.name}")
def fetch_batch(batch: WebBatch) -> FetchedBatch:
    """Fetch one batch of article URLs; a failed fetch becomes a reject with its facts."""
    by_url = {d.url: d for d in batch.urls}
    pages: list[tuple[FetchedPage, DiscoveredUrl]] = []
    failed: list[tuple[DiscoveredUrl, Reject]] = []
    for url, result in batch.fetcher.fetch_many(list(by_url)):
        discovered = by_url[url]
        if isinstance(result, Reject):
            failed.append((discovered, with_failure_facts(replace(result, source=batch.source))))
        elif not isinstance(result, NotModified):  # no validators are sent for pages
            pages.append((result, discovered))
    return FetchedBatch(pages, failed, frozenset(by_url))


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


def web_batches(
    selected: Sequence[Source],
    plans: Sequence[list[DiscoveredUrl]],
    fetchers: Mapping[bool, Fetcher],
    step: int,
) -> list[WebBatch]:
    """Every source's batches, taken in turn (first batch of each source, then the second...).

    The flow fetches a few batches at once and commits them in this order:
    taking sources in turn puts different hosts side by side, and a fixed
    order makes the rows the same on every runner.
    """
    per_source = [
        [
            WebBatch(
                index,
                source.name,
                n,
                tuple(todo[i : i + step]),
                fetchers[source.allow_private_network],
            )
            for n, i in enumerate(range(0, len(todo), step), start=1)
        ]
        for index, (source, todo) in enumerate(zip(selected, plans, strict=True))
    ]
    return [b for turn in zip_longest(*per_source) for b in turn if b is not None]
