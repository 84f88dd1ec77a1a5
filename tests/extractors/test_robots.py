"""robots.txt rules and RFC 9309 fetch semantics, on the corpus's robots files.

The files are crawler-commons' and protego's test data (RFC 9309 examples,
group merging, BOMs, real news sites); `fetch_text` serves them from a dict,
so these tests pin our semantics (4xx allow, 5xx disallow, once per host,
product-token matching) and what we rely on protego for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from extractors.web.robots import ROBOTS_MAX_BYTES, RobotsCache, product_token, robots_text

UA = "news-etl/0.1 (+https://example.org/bot)"
HOST = "http://example.com"


def _commons(corpus: Path, name: str) -> bytes:
    return (corpus / "robots/crawler-commons__crawler-commons/robots" / name).read_bytes()


def _serving(
    body: bytes | str | None, calls: list[str] | None = None
) -> Callable[[str], str | None]:
    """A `fetch_text` that answers every robots URL with `body` and counts the calls."""

    def fetch_text(url: str) -> str | None:
        if calls is not None:
            calls.append(url)
        if body is None or isinstance(body, str):
            return body
        return robots_text(body)

    return fetch_text


@pytest.mark.parametrize(
    ("agent", "path", "allowed"),
    [
        ("news-etl", "/", True),
        ("news-etl", "/example/page.html", False),  # `*` group: Disallow /example/
        ("news-etl", "/publications/a.html", True),
        ("news-etl", "/picture.gif", False),  # `Disallow: *.gif$`
        ("news-etl", "/picture.gif?x=1", True),  # `$` anchors the end
        ("foobot", "/example/page.html", True),  # its own group: Allow wins over Disallow /
        ("foobot", "/example/allowed.gif", True),
        ("foobot", "/other.html", False),
        ("barbot", "/example/page.html", False),  # two user-agent lines, one group
        ("bazbot", "/example/page.html", False),
        ("bazbot", "/example/other.html", True),
        ("quxbot", "/example/page.html", True),  # an empty group allows all
    ],
)
def test_rfc9309_simple_example(corpus: Path, agent: str, path: str, allowed: bool) -> None:
    """RFC 9309 section 5.1's example file gives each agent its group's verdict."""
    cache = RobotsCache(_serving(_commons(corpus, "rfc9309-example-simple-robots.txt")))
    assert cache.allowed(HOST + path, agent) is allowed


@pytest.mark.parametrize(
    ("name", "agent", "path", "allowed"),
    [
        ("rfc9309-example-longest-match-robots.txt", "foobot", "/example/page/", True),
        (
            "rfc9309-example-longest-match-robots.txt",
            "foobot",
            "/example/page/disallowed.gif",
            False,
        ),
        ("rfc9309-example-rule-group-merging.txt", "ExampleBot", "/foo", False),
        ("rfc9309-example-rule-group-merging.txt", "ExampleBot", "/baz", False),  # merged groups
        ("rfc9309-example-rule-group-merging.txt", "BazBot", "/foo", True),
        ("rfc9309-example-rule-group-merging.txt", "BazBot", "/baz", False),
        ("rfc9309-example-rule-group-merging.txt", "news-etl", "/bar", False),
        ("rfc9309-example-rule-group-merging.txt", "news-etl", "/baz", True),
        ("precedence-of-rules.txt", "testy", "/foo/bar", True),  # longest match
        ("precedence-of-rules.txt", "testy", "/foo/baz", False),
        ("precedence-of-rules.txt", "wget", "/foo", True),
        ("precedence-of-rules.txt", "wget", "/other", False),
        ("merge-rules.txt", "wget", "/foo/bar", True),  # Allow equals Disallow: allow wins
        ("merge-rules.txt", "wget", "/tmp/bar", False),
        ("wildcards.txt", "news-etl", "/wishlist/universal/x", True),
        ("wildcards.txt", "news-etl", "/wishlist/other", False),
        ("wildcards.txt", "news-etl", "/gp/registry/wishlist/123/reserve", False),
        ("robots-with-utf8-bom.txt", "news-etl", "/profile", False),
        ("robots-with-utf16le-bom.txt", "news-etl", "/profile", False),
        ("robots-with-utf16be-bom.txt", "news-etl", "/login.aspx", False),
        ("robots-with-utf16be-bom.txt", "news-etl", "/article", True),
    ],
)
def test_corpus_rules(corpus: Path, name: str, agent: str, path: str, allowed: bool) -> None:
    """Longest match, group merging, wildcards and BOM-encoded files decide as the RFC says."""
    cache = RobotsCache(_serving(_commons(corpus, name)))
    assert cache.allowed(HOST + path, agent) is allowed


@pytest.mark.parametrize(
    ("site", "path", "allowed"),
    [
        ("www.theguardian.com", "/world/2020/jan/01/story", True),
        ("www.theguardian.com", "/discussion/comment-permalink/1", False),
        ("www.theguardian.com", "/uk/print", False),  # `/*/print$`
        ("www.theguardian.com", "/uk/print/more", True),
        ("www.nytimes.com", "/2020/01/01/world/story.html", True),
        ("www.bbc.co.uk", "/news/world-1234", True),
    ],
)
def test_news_sites(corpus: Path, site: str, path: str, allowed: bool) -> None:
    """Real news sites' robots files (protego's test data) read as their rules say."""
    body = (corpus / "robots/scrapy__protego/test_data" / site).read_bytes()
    cache = RobotsCache(_serving(body))
    assert cache.allowed(f"https://{site}{path}", UA) is allowed


def test_crawl_delay_per_group(corpus: Path) -> None:
    """Crawl-delay comes from the agent's own group, else from `*`."""
    cache = RobotsCache(_serving(_commons(corpus, "crawl-delay-group-merging.txt")))
    assert cache.crawl_delay(HOST, "mybot") == 10.0
    assert cache.crawl_delay(HOST, UA) == 30.0
    assert (
        RobotsCache(_serving(_commons(corpus, "dos-line-endings.txt"))).crawl_delay(HOST, UA) == 1
    )


@pytest.mark.xfail(
    reason="protego 0.7 ends a group at Crawl-delay; RFC 9309 2.2.4 says it must not"
)
def test_crawl_delay_does_not_split_a_group(corpus: Path) -> None:
    """`User-agent: mybot / Crawl-delay / User-agent: yourbot / Disallow` is one group."""
    cache = RobotsCache(_serving(_commons(corpus, "crawl-delay-group-merging.txt")))
    assert not cache.allowed(HOST + "/private/x", "mybot")


@pytest.mark.parametrize(
    ("name", "host", "expected"),
    [
        (
            "sitemap-robots.txt",
            HOST,
            ["http://domain.com/sitemap.xml", "http://domain.com/dir/MixedCased-sitemap.xml"],
        ),
        ("sitemap-robots-dedup.txt", HOST, ["http://example.org/sitemap.xml"]),
        (
            "relative-sitemap-robots.txt",
            "https://news.example:8443",
            ["https://news.example:8443/sitemap.xml"],
        ),
        ("rfc9309-example-simple-robots.txt", HOST, []),
    ],
)
def test_sitemaps(corpus: Path, name: str, host: str, expected: list[str]) -> None:
    """`Sitemap:` lines come back absolute, in order, once each; case is kept."""
    cache = RobotsCache(_serving(_commons(corpus, name)))
    assert cache.sitemaps(host + "/any/page") == expected


@pytest.mark.parametrize(
    ("answer", "allowed"),
    [("", True), (None, False)],
    ids=["4xx-means-no-file", "5xx-or-unreachable"],
)
def test_http_semantics(answer: str | None, allowed: bool) -> None:
    """RFC 9309 2.3.1: no file allows everything; an unreadable one disallows everything."""
    cache = RobotsCache(_serving(answer))
    assert cache.allowed(HOST + "/news/a.html", UA) is allowed
    assert cache.allowed(HOST + "/robots.txt", UA)  # robots.txt itself stays fetchable
    assert cache.crawl_delay(HOST, UA) is None
    assert cache.sitemaps(HOST) == []


def test_fetched_once_per_authority_across_threads(corpus: Path) -> None:
    """Sixteen threads asking at once cause one fetch per scheme://host:port."""
    calls: list[str] = []
    body = _commons(corpus, "rfc9309-example-simple-robots.txt")
    cache = RobotsCache(_serving(body, calls))
    hosts = ["http://a.example", "https://a.example", "http://a.example:8080", "http://B.example"]
    barrier = threading.Barrier(16)

    def ask(index: int) -> None:
        barrier.wait()
        cache.allowed(hosts[index % 4] + f"/page{index}", UA)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(calls) == [
        "http://a.example/robots.txt",
        "http://a.example:8080/robots.txt",
        "http://b.example/robots.txt",
        "https://a.example/robots.txt",
    ]


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        (UA, "news-etl"),
        ("Mozilla/5.0 (compatible; Foobot/1.0)", "Mozilla"),
        ("plainbot", "plainbot"),
    ],
)
def test_product_token(user_agent: str, token: str) -> None:
    """Rules are matched on the leading product token of our User-Agent."""
    assert product_token(user_agent) == token


def test_contact_url_does_not_match_other_groups() -> None:
    """A group for `bot` must not catch us through the `/bot` in our contact URL."""
    cache = RobotsCache(_serving("User-agent: bot\nDisallow: /\n"))
    assert cache.allowed(HOST + "/news/a.html", UA)


def test_oversize_file_cut_at_a_line(corpus: Path) -> None:
    """Past the RFC's 500 KiB parsing minimum the rest is ignored, at a line boundary."""
    body = (corpus / "robots/scrapy__protego/test_data/docs.oracle.com").read_bytes()
    assert len(body) > ROBOTS_MAX_BYTES
    text = robots_text(body)
    assert len(text.encode()) <= ROBOTS_MAX_BYTES
    assert text.endswith("\n")
    assert body.startswith(text.encode())


def test_binary_robots_reads_as_empty(corpus: Path) -> None:
    """A body that is not text (here a gzip file) is treated as no rules: allow all."""
    gzip_bytes = (corpus / "compression/scrapy__scrapy/compressed/html-gzip.bin").read_bytes()
    assert robots_text(gzip_bytes) == ""
