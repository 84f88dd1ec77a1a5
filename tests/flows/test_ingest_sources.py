"""The web flow end to end against a real HTTP server on 127.0.0.1, under a real Prefect.

The site serves real material from the shared corpus: the Guardian RSS feed
(its links pointed at this server), real article pages, the gzip bomb; plus
routes that fail in each way a page can.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.ingest_web import ingest_sources
from flows.ledger import RunSummary
from tests.support.delta_sql import delta_rows
from tests.support.guardian_site import FEED_ETAG, PAGES, feed_and_direct, serve_feed_and_pages
from tests.support.http_server import InTurn, LoggedRequest, Reply, TestServer, redirect

DIRECT = {
    "/private/secret.html": "ROBOTS_DISALLOWED",
    "/gone.html": "FETCH_FAILED",
    "/paper.pdf": "NOT_HTML",
    "/bomb.html": "TOO_LARGE",
    "/loop-a": "REDIRECT_LOOP",
}
DELAY = 0.05


@dataclass(frozen=True)
class Site:
    server: TestServer
    article_paths: list[str]  # the pages the feed links to, in feed order
    feed: bytes


@pytest.fixture
def site(corpus: Path) -> Iterator[Site]:
    """The site, with the paths of the article pages its feed links to."""
    with TestServer("127.0.0.1") as server:
        paths, feed = serve_feed_and_pages(server, corpus)
        server.route(
            "/robots.txt",
            Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
        )
        bomb = (corpus / "compression/scrapy__scrapy/compressed/bomb-gzip.bin").read_bytes()
        server.routes(
            {
                "/gone.html": Reply(410),
                "/paper.pdf": Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%..."),
                "/bomb.html": Reply(
                    200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb
                ),
                "/loop-a": redirect("/loop-b"),
                "/loop-b": redirect("/loop-a"),
            }
        )
        yield Site(server, paths, feed)


def _config(tmp_path: Path, server: TestServer) -> Path:
    direct = ", ".join(f'"{server.url(path)}"' for path in DIRECT)
    path = tmp_path / "sources.toml"
    path.write_text(
        f"""
[http]
user_agent = "news-etl-tests/0.1"
timeout_seconds = 5
max_bytes = 1_000_000
per_host_delay_seconds = {DELAY}
max_retries = 0

[[sources]]
name = "local-guardian"
feeds = ["{server.url("/rss.xml")}"]
urls = [{direct}]
max_articles = {len(DIRECT) + len(PAGES)}
allow_private_network = true
""",
        encoding="utf-8",
    )
    return path


def _run(config: Path, warehouse: Path) -> RunSummary:
    return ingest_sources(config=str(config), warehouse=str(warehouse))


def test_scrape_then_rescrape(site: Site, tmp_path: Path) -> None:
    """Feed pages become articles, each failure a reject; the rerun sends a conditional GET only."""
    server, article_paths = site.server, site.article_paths
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"
    first = _run(config, warehouse)

    assert first.counts.articles_written == len(PAGES)
    rejects = dict(
        delta_rows(f"SELECT locator, reason FROM read_parquet('{warehouse}/rejects/*.parquet')")
    )
    assert {loc.removeprefix(server.base_url): reason for loc, reason in rejects.items()} == DIRECT
    stored = delta_rows(
        f"SELECT url, source FROM read_parquet('{warehouse}/articles/**/*.parquet') ORDER BY url"
    )
    assert sorted(url for url, _ in stored) == sorted(server.url(p) for p in article_paths)
    assert {source for _, source in stored} == {"local-guardian"}
    [(raw,)] = delta_rows(
        f"SELECT count(*) FROM read_parquet('{warehouse}/raw_pages/**/*.parquet')"
    )
    assert raw == len(PAGES)

    # robots.txt fetched once; the disallowed page never requested; one request per page
    assert server.hits("/robots.txt") == 1
    assert server.hits("/private/secret.html") == 0
    assert [server.hits(p) for p in article_paths] == [1] * len(PAGES)
    # politeness: one host, so every request starts at least DELAY after the previous one ended
    assert min(server.gaps()) >= DELAY

    feed_hits, requests = server.hits("/rss.xml"), server.hits()
    second = _run(config, warehouse)
    assert second.counts.articles_written == 0
    # the feed answered 304, so its entries are not even listed; of the direct URLs
    # that failed, only the robots.txt refusal is looked at again (a new robots.txt
    # could allow it): the others failed for a permanent reason and rest
    assert second.counts.rejects_by_reason == {"ROBOTS_DISALLOWED": 1}
    assert server.hits("/rss.xml") == feed_hits + 1
    assert server.requests("/rss.xml")[-1].headers.get("if-none-match") == '"g1"'
    assert server.hits() == requests + 2  # the feed and robots.txt, nothing else
    [(rows,)] = delta_rows(f"SELECT count(*) FROM read_parquet('{warehouse}/rejects/*.parquet')")
    assert rows == len(DIRECT)  # a failure seen again is not logged twice


@pytest.mark.slow
def test_known_pages_are_not_fetched_again_unless_refresh(site: Site, tmp_path: Path) -> None:
    """With a feed that has no validators, stored pages are skipped; refresh fetches them again."""
    server, article_paths = site.server, site.article_paths
    server.route("/rss.xml", Reply(200, {"Content-Type": "application/rss+xml"}, site.feed))
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"
    _run(config, warehouse)
    second = _run(config, warehouse)
    assert second.counts.articles_written == 0
    # listed again and known, or resting after a permanent failure: not fetched, so
    # already stored, as for files (a duplicate is a document read again)
    resting = len(DIRECT) - 1  # all but the robots.txt refusal
    assert (second.counts.already_stored, second.counts.duplicates_skipped) == (
        len(PAGES) + resting,
        0,
    )
    assert [server.hits(p) for p in article_paths] == [1] * len(PAGES)
    third = ingest_sources(config=str(config), warehouse=str(warehouse), refresh=True)
    assert [server.hits(p) for p in article_paths] == [2] * len(PAGES)
    assert third.counts.articles_written == 0  # same article ids: still no duplicate rows
    [(rows, distinct)] = delta_rows(
        f"SELECT count(*), count(DISTINCT article_id) "
        f"FROM read_parquet('{warehouse}/articles/**/*.parquet')"
    )
    assert rows == distinct == len(PAGES)


def test_sitemaps_from_robots_and_index(corpus: Path, tmp_path: Path) -> None:
    """robots.txt `Sitemap:` -> gzipped index -> Google News sitemap -> pages; attacks rejected."""
    import gzip

    with TestServer("127.0.0.1") as server:
        news = (corpus / "sitemaps/crawler-commons__crawler-commons/sitemaps/extension"
                / "sitemap-news.xml").read_bytes()  # fmt: skip
        news = news.replace(b"http://www.example.org", server.base_url.encode())
        index = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{server.url('/news.xml')}</loc></sitemap>"
            f"<sitemap><loc>{server.url('/bomb.xml')}</loc></sitemap>"
            "</sitemapindex>"
        ).encode()
        page = (corpus / "html/adbar__trafilatura/eval/theatlantic.com.disasters.html").read_bytes()
        bomb = (corpus / "xml-attacks/tiran__defusedxml/xmltestdata/xmlbomb.xml").read_bytes()
        xml = {"Content-Type": "application/xml"}
        server.routes(
            {
                "/robots.txt": Reply(
                    200, {"Content-Type": "text/plain"},
                    f"User-agent: *\nAllow: /\nSitemap: {server.url('/index.xml.gz')}\n".encode(),
                ),
                "/index.xml.gz": Reply(200, {"Content-Type": "application/gzip"},
                                       gzip.compress(index)),
                "/news.xml": Reply(200, xml, news),
                "/bomb.xml": Reply(200, xml, bomb),
                "/business/article55.html": Reply(200, {"Content-Type": "text/html"}, page),
            }
        )  # fmt: skip
        config = tmp_path / "sources.toml"
        config.write_text(
            f"""
[http]
per_host_delay_seconds = 0
max_retries = 0

[[sources]]
name = "news-sitemap"
urls = ["{server.url("/business/article55.html")}"]
use_robots_sitemaps = true
allow_private_network = true
""",
            encoding="utf-8",
        )
        warehouse = tmp_path / "warehouse"
        summary = ingest_sources(config=str(config), warehouse=str(warehouse))
        hits = {path: server.hits(path) for path in ("/index.xml.gz", "/news.xml", "/bomb.xml")}

    assert hits == {"/index.xml.gz": 1, "/news.xml": 1, "/bomb.xml": 1}
    assert summary.counts.articles_written == 1  # listed directly and in the sitemap: fetched once
    rejects = delta_rows(
        f"SELECT locator, reason FROM read_parquet('{warehouse}/rejects/*.parquet') ORDER BY 1"
    )
    reasons = {locator.rsplit("/", 1)[-1]: reason for locator, reason in rejects}
    assert reasons["bomb.xml"] == "UNSAFE_XML"
    assert reasons["empty_news_name.html"] == "FETCH_FAILED"  # listed, but 404 here


def test_reprocess_rebuilds_from_raw_pages_offline(site: Site, tmp_path: Path) -> None:
    """reprocess rebuilds web articles from raw_pages: no request, no duplicate, new run id."""
    from flows.reprocess import reprocess

    server = site.server
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"
    first = _run(config, warehouse)
    requests_before = server.hits()
    again = reprocess(warehouse=str(warehouse))
    assert server.hits() == requests_before  # offline: the site was not asked for anything
    assert (again.counts.documents_seen, again.counts.articles_written) == (len(PAGES), len(PAGES))
    rows = delta_rows(
        f"SELECT article_id, run_id FROM read_parquet('{warehouse}/articles/**/*.parquet')"
    )
    assert len(rows) == len({a for a, _ in rows}) == len(PAGES)
    assert {run for _, run in rows} == {again.run_id} != {first.run_id}


def test_a_run_killed_before_its_raw_pages_leaves_them_to_the_rerun(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between a batch's articles and its raw pages, a web run leaves articles with
    no raw copy; the rerun fetches those pages again, stores no article twice, and writes
    the raw copy of every article, so reprocess can rebuild them all."""
    from flows.reprocess import reprocess

    config, warehouse = _config(tmp_path, site.server), tmp_path / "warehouse"

    def crash(*args: object, **kwargs: object) -> int:
        raise OSError("the process died here")

    monkeypatch.setattr("flows.commit.write_raw_pages", crash)
    with pytest.raises(OSError, match="died here"):
        _run(config, warehouse)
    monkeypatch.undo()
    stranded = _article_locators(warehouse)
    assert stranded and not _raw_urls(warehouse)  # articles committed, no raw copy
    rerun = _run(config, warehouse)
    assert rerun.counts.articles_written == len(PAGES) - len(stranded)
    assert len(_article_locators(warehouse)) == len(PAGES)  # none twice
    assert set(_article_locators(warehouse)) <= _raw_urls(warehouse)
    assert reprocess(warehouse=str(warehouse)).counts.articles_written == len(PAGES)


def _article_locators(warehouse: Path) -> list[str]:
    rows = delta_rows(f"SELECT locator FROM read_parquet('{warehouse}/articles/**/*.parquet')")
    return [locator for (locator,) in rows]


def _raw_urls(warehouse: Path) -> set[str]:
    if not (warehouse / "raw_pages").exists():
        return set()
    rows = delta_rows(f"SELECT url FROM read_parquet('{warehouse}/raw_pages/**/*.parquet')")
    return {url for (url,) in rows}


def _outcomes(warehouse: Path) -> dict[str, tuple[str, str, int | None, int]]:
    """state/url_outcomes read back with DuckDB: URL path -> (kind, reason, status, failures)."""
    rows = delta_rows(
        "SELECT regexp_replace(url, '^http://[^/]+', ''), kind, reason, http_status, failures "
        f"FROM read_parquet('{warehouse}/state/url_outcomes.parquet')"
    )
    return {path: (kind, reason, status, failures) for path, kind, reason, status, failures in rows}


def _feed_without_validators(site: Site) -> None:
    """The feed answers 200 without ETag or Last-Modified: every run lists all its entries."""
    site.server.route("/rss.xml", Reply(200, {"Content-Type": "application/rss+xml"}, site.feed))


@pytest.mark.slow
def test_permanent_rejects_rest_until_refresh_or_the_period_ends(
    site: Site, tmp_path: Path
) -> None:
    """Permanently rejected URLs get no request for `permanent_reject_days`, unless refresh."""
    server, paths = site.server, site.article_paths
    _feed_without_validators(site)
    server.route(paths[0], Reply(410))  # a listed article withdrawn
    permanent = ["/gone.html", "/paper.pdf", "/bomb.html", "/loop-a", paths[0]]
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"
    day0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)

    def run(at: datetime, **options: Any) -> RunSummary:
        summary: RunSummary = ingest_sources(
            config=str(config), warehouse=str(warehouse), now=at, **options
        )
        return summary

    def hits() -> list[int]:
        return [server.hits(path) for path in permanent]

    first = run(day0)
    assert hits() == [1] * 5
    assert first.counts.rejects_by_reason["FETCH_FAILED"] == 2
    states = _outcomes(warehouse)
    assert states["/gone.html"] == states[paths[0]] == ("permanent", "FETCH_FAILED", 410, 1)
    assert states["/bomb.html"][:2] == ("permanent", "TOO_LARGE")
    assert "/private/secret.html" not in states  # robots.txt is read again every run anyway

    resting = run(day0 + timedelta(days=29))
    assert hits() == [1] * 5  # not one request
    assert resting.counts.rejects_by_reason == {"ROBOTS_DISALLOWED": 1}
    # the stored pages and the resting rejects alike: passed over, their outcome stored
    assert (resting.counts.duplicates_skipped, resting.counts.already_stored) == (0, len(PAGES) + 4)
    assert resting.counts.documents_seen == first.counts.documents_seen

    run(day0 + timedelta(days=30))  # the rest is over: asked once more, and rejected again
    assert hits() == [2] * 5
    run(day0 + timedelta(days=31))  # ... which starts a new rest
    assert hits() == [2] * 5
    run(day0 + timedelta(days=31), refresh=True)
    assert hits() == [3] * 5
    run(day0 + timedelta(days=31), permanent_reject_days=0)  # no rest at all
    assert hits() == [4] * 5
    assert _outcomes(warehouse)["/gone.html"] == ("permanent", "FETCH_FAILED", 410, 4)
    [(rows,)] = delta_rows(f"SELECT count(*) FROM read_parquet('{warehouse}/rejects/*.parquet')")
    assert rows == len(DIRECT) + 1  # each reject logged once, however often it is met
    [(parameters,)] = delta_rows(
        f"SELECT parameters FROM read_parquet('{warehouse}/runs/*.parquet') "
        "ORDER BY started_at DESC LIMIT 1"
    )
    assert json.loads(parameters)["permanent_reject_days"] == 0


@pytest.mark.slow
def test_transient_failure_is_retried_while_the_feed_answers_304(
    site: Site, tmp_path: Path, corpus: Path
) -> None:
    """After a page's 503 the feed keeps its ETag: run 2 gets a 304 and retries the page alone."""
    server, paths = site.server, site.article_paths
    page = (corpus / "html/adbar__trafilatura/eval" / PAGES[0]).read_bytes()
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route(paths[0], InTurn(Reply(503), Reply(503), Reply(200, html, page)))
    feed_answers: list[int] = []

    def feed(request: LoggedRequest) -> Reply:
        unchanged = request.headers.get("if-none-match") == FEED_ETAG
        headers = {"Content-Type": "application/rss+xml", "ETag": FEED_ETAG}
        reply = Reply(304) if unchanged else Reply(200, headers, site.feed)
        feed_answers.append(reply.status)
        return reply

    server.route("/rss.xml", feed)
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"
    first = _run(config, warehouse)
    assert first.counts.articles_written == len(PAGES) - 1
    assert _outcomes(warehouse)[paths[0]] == ("transient", "FETCH_FAILED", 503, 1)

    second = _run(config, warehouse)  # the page fails once more: still remembered
    assert feed_answers == [200, 304]
    assert server.requests("/rss.xml")[-1].headers["if-none-match"] == FEED_ETAG
    assert server.hits(paths[0]) == 2
    assert second.counts.articles_written == 0
    assert _outcomes(warehouse)[paths[0]] == ("transient", "FETCH_FAILED", 503, 2)

    third = _run(config, warehouse)
    assert feed_answers == [200, 304, 304]  # never read in full again
    assert third.counts.articles_written == 1
    assert server.hits(paths[0]) == 3
    assert [server.hits(p) for p in paths[1:]] == [1] * (len(PAGES) - 1)
    assert paths[0] not in _outcomes(warehouse)  # settled: forgotten

    fourth = _run(config, warehouse)
    assert (feed_answers[-1], fourth.counts.articles_written, server.hits(paths[0])) == (304, 0, 3)


def test_two_sources_share_robots_and_urls(site: Site, tmp_path: Path) -> None:
    """Two sources, one host: robots.txt read once, a shared URL fetched once, counts per source."""
    server, paths = site.server, site.article_paths
    config = feed_and_direct(tmp_path / "sources.toml", server, [paths[0], "/gone.html"], delay=0)
    warehouse = tmp_path / "warehouse"
    summary = ingest_sources(config=str(config), warehouse=str(warehouse))
    assert server.hits("/robots.txt") == 1
    assert server.hits(paths[0]) == 1
    assert summary.counts.articles_written == len(PAGES)
    [(sources,)] = delta_rows(f"SELECT sources FROM read_parquet('{warehouse}/runs/*.parquet')")
    by_name = {row["source"]: row for row in sources}
    assert by_name["feed"]["discovered"] + by_name["direct"]["discovered"] == len(PAGES) + 2
    assert by_name["feed"]["fetched"] + by_name["direct"]["fetched"] == len(PAGES) + 1
    assert by_name["direct"]["rejects"] == 1
