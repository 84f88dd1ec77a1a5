"""What a web run fetches: the crawl policy and each source's list of URLs to fetch.

A URL already stored (as an article's URL or canonical URL, or as a fetched
raw page) or already taken by another source of the run is not fetched
again unless `refresh` is set; a permanent failure rests
`permanent_reject_days`; a transient one is retried by itself
(`warehouse.url_outcomes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from extractors.records import DiscoveredUrl, FailureKind
from extractors.sources import Source
from extractors.web.discovery import Discovery
from flows.crawl.tally import SourceTally
from transforms.normalise import canonical_url, parse_timestamp
from warehouse.url_outcomes import UrlOutcome

__all__ = ["CrawlPolicy", "crawl_policy", "plan_source"]


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


def crawl_policy(
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


def plan_source(
    source: Source,
    found: Discovery,
    counts: SourceTally,
    known: set[str],
    policy: CrawlPolicy,
    outcomes: Mapping[str, UrlOutcome],
    resting: set[str],
) -> list[DiscoveredUrl]:
    """The URLs of `source` to fetch this run, counted in `counts`.

    Those listed and neither stored, taken, nor resting after a permanent
    failure; then those that failed transiently last time and no listing
    named this time.
    """
    counts.discovered = len(found.urls)
    counts.listings_unchanged = len(found.not_modified)
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
