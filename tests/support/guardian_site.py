"""A news site on a local test server, from real material: the Guardian RSS feed.

The feed (from the shared corpus) is cut to its first items, its links are
pointed at the server, and each linked article is served as a real page of
trafilatura's evaluation set. Several web-flow tests build on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from tests.support.http_server import LoggedRequest, Reply, TestServer

GUARDIAN = "https://www.theguardian.com"
PAGES = [
    "nytimes.com.blackouts.html",
    "theatlantic.com.disasters.html",
    "bbc.com.52241221.html",
    "politico.com.retirement.html",
]
FEED_ETAG = '"g1"'


def serve_feed_and_pages(server: TestServer, corpus: Path) -> tuple[list[str], bytes]:
    """Route `/rss.xml` (answering 304 to its ETag) and the pages its items link to.

    Returns the article paths in feed order, and the feed's bytes.
    """
    feed = (corpus / "feeds/rbren__rss-parser/input/guardian.rss").read_bytes()
    feed = feed.replace(GUARDIAN.encode(), server.base_url.encode())
    # the real feed's first items only, so one run takes all of them
    items = feed.split(b"</item>")
    feed = b"</item>".join(items[: len(PAGES)]) + b"</item></channel></rss>"

    def rss(request: LoggedRequest) -> Reply:
        if request.headers.get("if-none-match") == FEED_ETAG:
            return Reply(304, {"ETag": FEED_ETAG})
        return Reply(200, {"Content-Type": "application/rss+xml", "ETag": FEED_ETAG}, feed)

    server.route("/rss.xml", rss)
    links = re.findall(rb"<link>([^<]+)</link>", feed)
    paths = [link.decode().removeprefix(server.base_url) for link in links if b"/2018/" in link][
        : len(PAGES)
    ]
    for path, name in zip(paths, PAGES, strict=True):
        page = (corpus / "html/adbar__trafilatura/eval" / name).read_bytes()
        server.route(path, Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page))
    return paths, feed


def feed_and_direct(path: Path, server: TestServer, direct: Sequence[str], delay: float) -> Path:
    """A sources.toml with two sources on the one server: `feed` reads `/rss.xml`, `direct`
    lists the paths `direct`; `delay` seconds between requests to the host."""
    urls = ", ".join(f'"{server.url(p)}"' for p in direct)
    path.write_text(
        f"""
[http]
per_host_delay_seconds = {delay}
max_retries = 0

[[sources]]
name = "feed"
feeds = ["{server.url("/rss.xml")}"]
allow_private_network = true

[[sources]]
name = "direct"
urls = [{urls}]
allow_private_network = true
""",
        encoding="utf-8",
    )
    return path
