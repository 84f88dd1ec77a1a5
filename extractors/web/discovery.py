"""Web sources: discover article URLs from feeds and sitemaps, then fetch pages.

Discovery fetches each feed and sitemap once, conditionally (ETag and
Last-Modified from the previous run), follows sitemap indexes within the
source's depth and file limits, and yields each article URL once. Fetching
and parsing of pages reuses the same HTML path as local files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from extractors.decoding import decode
from extractors.errors import ExtractError
from extractors.html import extract_html
from extractors.records import DiscoveredUrl, Metadata, ParsedArticle, Reject
from extractors.sources import Source
from extractors.web.feeds import parse_feed
from extractors.web.http import Expect, FetchedPage, Fetcher, NotModified, Validators
from extractors.web.sitemaps import parse_sitemap

__all__ = ["Discovery", "discover", "page_to_article"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Discovery:
    """What discovery found for one source.

    `validators` holds only listings whose every URL was taken (not cut by
    `max_articles`) and which parsed: saving them means "next time, a 304
    says there is nothing new here". Sitemap indexes never get validators, so
    their children are always looked at (each child conditionally). A URL
    that then fails for a transient reason keeps its listing's validators:
    the caller remembers the URL itself and retries it on the next run
    (`warehouse.url_outcomes`), so the listing is still fetched
    conditionally. `listing_of` says which listing a URL came from (the
    caller drops a listing's validators when it leaves URLs for later,
    e.g. those dated before `since`).
    """

    urls: list[DiscoveredUrl] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    validators: dict[str, Validators] = field(default_factory=dict)
    not_modified: list[str] = field(default_factory=list)
    listing_of: dict[str, str] = field(default_factory=dict)
    incomplete: set[str] = field(default_factory=set)


def discover(
    source: Source,
    fetcher: Fetcher,
    *,
    validators: Mapping[str, Validators],
    robots_sitemaps: Callable[[str], list[str]] | None = None,
) -> Discovery:
    """Article URLs of `source`, de-duplicated, in listing order, at most `max_articles`."""
    found = Discovery()
    seen: set[str] = set()

    def add(candidates: Iterable[DiscoveredUrl], listing: str | None = None) -> None:
        for candidate in candidates:
            if candidate.url in seen:
                continue
            if len(found.urls) >= source.max_articles:
                if listing is not None:
                    found.incomplete.add(listing)
                continue
            seen.add(candidate.url)
            found.urls.append(candidate)
            if listing is not None:
                found.listing_of[candidate.url] = listing

    add(DiscoveredUrl(url=url, source=source.name, found_in="sources.toml") for url in source.urls)
    for feed_url in source.feeds:
        body = _fetch_listing(feed_url, Expect.FEED, fetcher, validators, found, source)
        if body is None:
            continue
        parsed = parse_feed(
            body.body, url=body.final_url, source=source.name, content_type=body.content_type
        )
        if isinstance(parsed, Reject):
            found.rejects.append(parsed)
        else:
            add(parsed, listing=feed_url)
            _remember(found, feed_url, body)

    sitemap_urls = list(source.sitemaps)
    if source.use_robots_sitemaps and robots_sitemaps is not None:
        hosts = {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, _all_urls(source))}
        for host in sorted(hosts):
            sitemap_urls.extend(robots_sitemaps(host))
    _walk_sitemaps(sitemap_urls, source, fetcher, validators, found, add)
    for listing in found.incomplete:
        found.validators.pop(listing, None)
    return found


def _remember(found: Discovery, url: str, page: FetchedPage) -> None:
    if page.etag or page.last_modified:
        found.validators[url] = Validators(etag=page.etag, last_modified=page.last_modified)


def _all_urls(source: Source) -> Iterator[str]:
    yield from source.feeds
    yield from source.sitemaps
    yield from source.urls


def _walk_sitemaps(
    start: list[str],
    source: Source,
    fetcher: Fetcher,
    validators: Mapping[str, Validators],
    found: Discovery,
    add: Callable[..., None],
) -> None:
    """Breadth-first over sitemap indexes, bounded in depth and in files fetched."""
    frontier = [(url, 0) for url in dict.fromkeys(start)]
    visited: set[str] = set()
    while frontier and len(visited) < source.sitemap_max_files:
        url, depth = frontier.pop(0)
        if url in visited:
            continue
        visited.add(url)
        page = _fetch_listing(url, Expect.SITEMAP, fetcher, validators, found, source)
        if page is None:
            continue
        parsed = parse_sitemap(page.body, url=page.final_url, source=source.name)
        if isinstance(parsed, Reject):
            found.rejects.append(parsed)
            continue
        add(parsed.urls, listing=url)
        if not parsed.sitemaps:
            _remember(found, url, page)  # an index is always re-read: see Discovery
        if depth < source.sitemap_max_depth:
            frontier.extend((child, depth + 1) for child in parsed.sitemaps if child not in visited)
        elif parsed.sitemaps:
            logger.warning("%s: sitemap index depth limit reached at %s", source.name, url)


def _fetch_listing(
    url: str,
    expect: Expect,
    fetcher: Fetcher,
    validators: Mapping[str, Validators],
    found: Discovery,
    source: Source,
) -> FetchedPage | None:
    """A feed or sitemap, or None when unchanged (304) or failed (then a reject).

    Its validators are remembered by the caller only once it parsed.
    """
    result = fetcher.fetch(url, expect=expect, validators=validators.get(url))
    if isinstance(result, NotModified):
        found.not_modified.append(url)
        return None
    if isinstance(result, Reject):
        found.rejects.append(replace(result, source=source.name))  # its typed fields kept
        return None
    return result


def page_to_article(page: FetchedPage, discovered: DiscoveredUrl) -> ParsedArticle | Reject:
    """A fetched page through the HTML path; the listing's hints fill what the page lacks."""
    hints = discovered.hints.overridden_by(Metadata(url=page.final_url, source=discovered.source))
    try:
        text = decode(page.body, declared=page.charset)
    except ExtractError as exc:
        return Reject(page.url, exc.reason, exc.detail, discovered.source)
    parsed = extract_html(text, locator=page.url, hints=hints)
    if isinstance(parsed, Reject):
        return parsed
    # `url` is where we fetched it; the page's own claim goes to canonical_url.
    return replace(parsed, metadata=replace(parsed.metadata, url=page.final_url))
