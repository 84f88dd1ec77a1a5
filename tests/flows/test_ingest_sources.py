"""The web flow end to end against a real HTTP server on 127.0.0.1, under a real Prefect.

The site serves real material from the shared corpus: the Guardian RSS feed
(its links pointed at this server), real article pages, the gzip bomb; plus
routes that fail in each way a page can.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.ingest import RunSummary
from flows.ingest_web import ingest_sources
from tests.conftest import sql_rows
from tests.support.guardian_site import PAGES, serve_feed_and_pages
from tests.support.http_server import InTurn, Reply, TestServer, redirect

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

    assert first.articles_written == len(PAGES)
    rejects = dict(
        sql_rows(f"SELECT locator, reason FROM read_parquet('{warehouse}/rejects/*.parquet')")
    )
    assert {loc.removeprefix(server.base_url): reason for loc, reason in rejects.items()} == DIRECT
    stored = sql_rows(
        f"SELECT url, source FROM read_parquet('{warehouse}/articles/**/*.parquet') ORDER BY url"
    )
    assert sorted(url for url, _ in stored) == sorted(server.url(p) for p in article_paths)
    assert {source for _, source in stored} == {"local-guardian"}
    [(raw,)] = sql_rows(f"SELECT count(*) FROM read_parquet('{warehouse}/raw_pages/**/*.parquet')")
    assert raw == len(PAGES)

    # robots.txt fetched once; the disallowed page never requested; one request per page
    assert server.hits("/robots.txt") == 1
    assert server.hits("/private/secret.html") == 0
    assert [server.hits(p) for p in article_paths] == [1] * len(PAGES)
    # politeness: one host, so every request starts at least DELAY after the previous one ended
    assert min(server.gaps()) >= DELAY

    feed_hits = server.hits("/rss.xml")
    second = _run(config, warehouse)
    assert second.articles_written == 0
    # the feed answered 304, so its entries are not even listed; the direct URLs
    # that failed are tried again and fail the same way
    assert second.rejects_by_reason == first.rejects_by_reason
    assert server.hits("/rss.xml") == feed_hits + 1
    assert server.requests("/rss.xml")[-1].headers.get("if-none-match") == '"g1"'
    assert [server.hits(p) for p in article_paths] == [1] * len(PAGES)  # nothing refetched
    [(rows,)] = sql_rows(f"SELECT count(*) FROM read_parquet('{warehouse}/rejects/*.parquet')")
    assert rows == len(DIRECT)  # failures are retried, but not logged twice


def test_known_pages_are_not_fetched_again_unless_refresh(site: Site, tmp_path: Path) -> None:
    """With a feed that has no validators, stored pages are skipped; refresh fetches them again."""
    server, article_paths = site.server, site.article_paths
    server.route("/rss.xml", Reply(200, {"Content-Type": "application/rss+xml"}, site.feed))
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"
    _run(config, warehouse)
    second = _run(config, warehouse)
    assert second.articles_written == 0
    assert second.duplicates_skipped == len(PAGES)  # listed again, known, not fetched
    assert [server.hits(p) for p in article_paths] == [1] * len(PAGES)
    third = ingest_sources(config=str(config), warehouse=str(warehouse), refresh=True)
    assert [server.hits(p) for p in article_paths] == [2] * len(PAGES)
    assert third.articles_written == 0  # same article ids: still no duplicate rows
    [(rows, distinct)] = sql_rows(
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
    assert summary.articles_written == 1  # listed directly and in the sitemap: fetched once
    rejects = sql_rows(
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
    assert (again.documents_seen, again.articles_written) == (len(PAGES), len(PAGES))
    rows = sql_rows(
        f"SELECT article_id, run_id FROM read_parquet('{warehouse}/articles/**/*.parquet')"
    )
    assert len(rows) == len({a for a, _ in rows}) == len(PAGES)
    assert {run for _, run in rows} == {again.run_id} != {first.run_id}


def test_transient_failure_is_retried_next_run(site: Site, tmp_path: Path, corpus: Path) -> None:
    """A page failing with a 503 keeps its feed from being marked unchanged: run 2 gets it."""
    server, paths = site.server, site.article_paths
    page = (corpus / "html/adbar__trafilatura/eval" / PAGES[0]).read_bytes()
    server.route(
        paths[0],
        InTurn(Reply(503), Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page)),
    )
    config, warehouse = _config(tmp_path, server), tmp_path / "warehouse"
    first = _run(config, warehouse)
    assert first.articles_written == len(PAGES) - 1
    second = _run(config, warehouse)
    assert "if-none-match" not in server.requests("/rss.xml")[-1].headers  # listed in full again
    assert second.articles_written == 1
    assert server.hits(paths[0]) == 2
    assert [server.hits(p) for p in paths[1:]] == [1] * (len(PAGES) - 1)
    third = _run(config, warehouse)  # now every URL of the feed is settled: a 304 is enough
    assert server.requests("/rss.xml")[-1].headers.get("if-none-match") == '"g1"'
    assert third.articles_written == 0


def test_two_sources_share_robots_and_urls(site: Site, tmp_path: Path) -> None:
    """Two sources, one host: robots.txt read once, a shared URL fetched once, counts per source."""
    server, paths = site.server, site.article_paths
    config = tmp_path / "sources.toml"
    config.write_text(
        f"""
[http]
per_host_delay_seconds = 0
max_retries = 0

[[sources]]
name = "feed"
feeds = ["{server.url("/rss.xml")}"]
allow_private_network = true

[[sources]]
name = "direct"
urls = ["{server.url(paths[0])}", "{server.url("/gone.html")}"]
allow_private_network = true
""",
        encoding="utf-8",
    )
    warehouse = tmp_path / "warehouse"
    summary = ingest_sources(config=str(config), warehouse=str(warehouse))
    assert server.hits("/robots.txt") == 1
    assert server.hits(paths[0]) == 1
    assert summary.articles_written == len(PAGES)
    [(sources,)] = sql_rows(f"SELECT sources FROM read_parquet('{warehouse}/runs/*.parquet')")
    by_name = {row["source"]: row for row in sources}
    assert by_name["feed"]["discovered"] + by_name["direct"]["discovered"] == len(PAGES) + 2
    assert by_name["feed"]["fetched"] + by_name["direct"]["fetched"] == len(PAGES) + 1
    assert by_name["direct"]["rejects"] == 1
