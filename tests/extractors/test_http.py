"""The fetcher against a real local server: every way a URL can fail, and politeness.

Material is the corpus's: trafilatura eval pages, the Guardian feed, the
compression files (gzip bomb, truncated gzip, brotli and zstd bodies), the
W3C charset test pages and RFC 9309 robots examples. The only inline bytes
are a PDF header (the corpus holds no PDF) and two one-line robots files.
Outcomes are asserted exactly: the reject reason and detail, how many
requests each path received, and the gaps the server measured.
"""

from __future__ import annotations

import dataclasses
import email.utils
import gzip
import itertools
import socket
import threading
import time
import tracemalloc
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from extractors.decoding import decode
from extractors.records import FetchedPage, NotModified, Reject, RejectReason, Validators
from extractors.sources import HttpSettings
from extractors.web.http import Expect, Fetcher, is_transient
from extractors.web.netguard import check_url
from extractors.web.politeness import HostGate
from tests.support.http_server import (
    InTurn,
    LoggedRequest,
    Reply,
    TestServer,
    corpus_file,
    redirect,
)

FAST = HttpSettings(
    timeout_seconds=0.3,
    max_bytes=1_000_000,
    per_host_delay_seconds=0.0,
    max_retries=3,
    backoff_seconds=0.01,
    max_retry_wait_seconds=2.0,
    max_redirects=5,
    max_concurrent_hosts=4,
    obey_robots=False,
)
PAGE = "html/adbar__trafilatura/eval/bbc.com.52241221.html"
OTHER_PAGE = "html/adbar__trafilatura/eval/taz.de.siemens.html"
FEED = "feeds/rbren__rss-parser/input/guardian.rss"
COMPRESSED = "compression/scrapy__scrapy/compressed/"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # a PDF header: all a type check needs


class Sleeps:
    """Records each wait the fetcher asks for, and really waits (the server measures gaps)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


def site(corpus: Path) -> dict[str, Reply | InTurn]:
    """The routes of the main test site; stateful ones are fresh per call."""
    html = "text/html; charset=utf-8"
    page = corpus_file(corpus / PAGE, html)
    chain = {f"/chain/{i}": redirect(f"/chain/{i + 1}") for i in range(8)}
    return {
        "/page": page,
        "/missing": Reply(404),
        "/gone": Reply(410),
        "/busy": InTurn(Reply(429, {"Retry-After": "1"}), page),
        "/flaky": InTurn(Reply(500), page),
        "/unavailable": Reply(503),
        "/slow": Reply(200, {"Content-Type": html}, b"<p>late</p>", delay=1.0),
        "/slow-body": Reply(200, {"Content-Type": html}, b"<p>late</p>", body_delay=1.0),
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        **chain,
        "/old": redirect("/page", 301),
        "/nowhere": Reply(302),
        "/report.pdf": Reply(200, {"Content-Type": "application/pdf"}, PDF),
        "/pdf-as-html": Reply(200, {"Content-Type": "text/html"}, PDF),
        "/feed.rss": corpus_file(corpus / FEED, "application/rss+xml; charset=utf-8"),
        "/feed.xml": corpus_file(corpus / FEED, "text/xml"),
        "/feed-as-html": corpus_file(corpus / FEED, html),
        "/robots-as-plain": corpus_file(
            corpus / "robots/scrapy__protego/test_data/www.nytimes.com", "text/plain"
        ),
        "/untyped": corpus_file(corpus / PAGE, None),
        "/bomb": corpus_file(corpus / COMPRESSED / "bomb-gzip.bin", html, Content_Encoding="gzip"),
        "/truncated": corpus_file(
            corpus / COMPRESSED / "truncated-crc-error.gz", html, Content_Encoding="gzip"
        ),
        "/huge": Reply(200, {"Content-Type": html, "Content-Length": "50000000"}, b"<p>"),
        "/page.gz": corpus_file(
            corpus / COMPRESSED / "html-gzip.bin", html, Content_Encoding="gzip"
        ),
        "/page.br": corpus_file(corpus / COMPRESSED / "html-br.bin", html, Content_Encoding="br"),
        "/page.zst": corpus_file(
            corpus / COMPRESSED / "html-zstd-streaming-no-content-size.bin",
            html,
            Content_Encoding="zstd",
        ),
    }


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def fetcher(server: TestServer, corpus: Path, sleeps: Sleeps) -> Fetcher:
    """A fast fetcher allowed to reach 127.0.0.1, with the test site installed."""
    server.routes(site(corpus))
    return Fetcher(FAST, allow_private_network=True, sleep=sleeps, rng=lambda: 0.5)


def _reject(result: object) -> Reject:
    assert isinstance(result, Reject), result
    return result


def _page(result: object) -> FetchedPage:
    assert isinstance(result, FetchedPage), result
    return result


@pytest.mark.parametrize(
    ("path", "reason", "detail", "hits"),
    [
        ("/missing", RejectReason.FETCH_FAILED, "HTTP 404", 1),
        ("/gone", RejectReason.FETCH_FAILED, "HTTP 410", 1),
        ("/unavailable", RejectReason.FETCH_FAILED, "HTTP 503 after 3 retries", 4),
        ("/slow", RejectReason.TIMEOUT, "timed out (0.3 s) after 3 retries", 4),
        ("/slow-body", RejectReason.TIMEOUT, "read timed out mid-body (0.3 s) after 3 retries", 4),
        ("/chain/0", RejectReason.REDIRECT_LOOP, "more than 5 redirects (last: ", 1),
        ("/nowhere", RejectReason.FETCH_FAILED, "HTTP 302 without a Location", 1),
        ("/report.pdf", RejectReason.NOT_HTML, "served as application/pdf where a page", 1),
        ("/pdf-as-html", RejectReason.NOT_HTML, "the body is a PDF, served as text/html", 1),
        ("/feed.rss", RejectReason.NOT_HTML, "served as application/rss+xml where a page", 1),
        ("/feed.xml", RejectReason.NOT_HTML, "served as text/xml where a page was expected", 1),
        ("/feed-as-html", RejectReason.NOT_HTML, "the body is a feed or sitemap", 1),
        ("/robots-as-plain", RejectReason.NOT_HTML, "served as text/plain and not HTML", 1),
        ("/bomb", RejectReason.TOO_LARGE, "over the 1000000-byte cap after decompression", 1),
        ("/truncated", RejectReason.FETCH_FAILED, "gzip body is truncated", 1),
        ("/huge", RejectReason.TOO_LARGE, "Content-Length 50000000 bytes is over the 1000000", 1),
        ("/page.br", RejectReason.FETCH_FAILED, "Content-Encoding 'br' is not one we asked", 1),
        ("/page.zst", RejectReason.FETCH_FAILED, "Content-Encoding 'zstd' is not one we", 1),
    ],
)
def test_rejects(
    fetcher: Fetcher, server: TestServer, path: str, reason: RejectReason, detail: str, hits: int
) -> None:
    """Each failing route becomes one reject with its reason, after the right number of requests."""
    url = server.url(path)
    reject = _reject(fetcher.fetch(url))
    assert (reject.locator, reject.reason) == (url, reason)
    assert detail in reject.detail
    assert server.hits(path) == hits


def test_redirect_loop(fetcher: Fetcher, server: TestServer) -> None:
    """A cycle is caught on its first repeat, each hop requested once, and named in full."""
    reject = _reject(fetcher.fetch(server.url("/loop-a")))
    assert reject.reason is RejectReason.REDIRECT_LOOP
    a, b = server.url("/loop-a"), server.url("/loop-b")
    assert reject.detail == f"redirect loop: {a} -> {b} -> {a}"
    assert (server.hits("/loop-a"), server.hits("/loop-b")) == (1, 1)


def test_page(fetcher: Fetcher, server: TestServer, corpus: Path) -> None:
    """A 200 page comes back byte for byte with its type, charset and UTC fetch time."""
    before = datetime.now(UTC)
    page = _page(fetcher.fetch(server.url("/page")))
    assert page.body == (corpus / PAGE).read_bytes()
    assert (page.url, page.final_url, page.status) == (server.url("/page"),) * 2 + (200,)
    assert (page.content_type, page.charset, page.redirects) == ("text/html", "utf-8", ())
    assert before <= page.fetched_at <= datetime.now(UTC)
    assert page.fetched_at.tzinfo is UTC


def test_request_headers(fetcher: Fetcher, server: TestServer) -> None:
    """We send our User-Agent, and advertise only the encodings we decode (no br, no zstd)."""
    fetcher.fetch(server.url("/page"))
    (request,) = server.requests("/page")
    assert request.headers["user-agent"] == FAST.user_agent
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.headers["accept"].startswith("text/html")
    assert "if-none-match" not in request.headers


def test_redirect_followed(fetcher: Fetcher, server: TestServer) -> None:
    """A 301 is followed by hand: the page keeps the first URL and lists the hop."""
    page = _page(fetcher.fetch(server.url("/old")))
    assert (page.url, page.final_url) == (server.url("/old"), server.url("/page"))
    assert page.redirects == (server.url("/page"),)
    assert (server.hits("/old"), server.hits("/page")) == (1, 1)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies(server: TestServer, corpus: Path, coding: str) -> None:
    """gzip (corpus file), zlib deflate and raw deflate bodies are decompressed."""
    original = gzip.decompress((corpus / COMPRESSED / "html-gzip.bin").read_bytes())
    if coding == "gzip":
        body = (corpus / COMPRESSED / "html-gzip.bin").read_bytes()
    else:
        wbits = -zlib.MAX_WBITS if coding == "raw-deflate" else zlib.MAX_WBITS
        packer = zlib.compressobj(wbits=wbits)
        body = packer.compress(original) + packer.flush()
    header = "gzip" if coding == "gzip" else "deflate"
    server.route("/c", Reply(200, {"Content-Type": "text/html", "Content-Encoding": header}, body))
    page = _page(Fetcher(FAST, allow_private_network=True).fetch(server.url("/c")))
    assert page.body == original


def test_gzip_bomb_is_not_inflated(server: TestServer, corpus: Path) -> None:
    """The 28 KB -> 11.5 MB bomb stops at the 1 MB cap: peak memory stays near the cap."""
    bomb = (corpus / COMPRESSED / "bomb-gzip.bin").read_bytes()
    server.route(
        "/bomb", Reply(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    )
    fetcher = Fetcher(FAST, allow_private_network=True)
    tracemalloc.start()
    try:
        result = fetcher.fetch(server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert _reject(result).reason is RejectReason.TOO_LARGE
    assert peak < 3 * FAST.max_bytes  # measured ~1.4 MB; inflating would be 11.5 MB


@pytest.mark.parametrize(
    ("path", "waits", "min_gap"),
    [("/busy", [1.0], 1.0), ("/flaky", [0.01], 0.01)],
    ids=["429-retry-after", "500-backoff"],
)
def test_transient_then_ok(
    fetcher: Fetcher,
    server: TestServer,
    sleeps: Sleeps,
    path: str,
    waits: list[float],
    min_gap: float,
) -> None:
    """429 waits its Retry-After, 500 its backoff (0.01 s x 2**0 x (0.5 + 0.5)), then succeeds."""
    _page(fetcher.fetch(server.url(path)))
    assert sleeps.waits == waits
    assert server.hits(path) == 2
    assert server.gaps(path)[0] >= min_gap


@pytest.mark.parametrize(("rng", "waits"), [(0.5, [0.01, 0.02, 0.04]), (0.0, [0.005, 0.01, 0.02])])
def test_backoff_doubles_with_jitter(server: TestServer, rng: float, waits: list[float]) -> None:
    """Waits are backoff x 2**attempt x (0.5 + jitter), max_retries of them."""
    server.route("/down", Reply(503))
    sleeps = Sleeps()
    Fetcher(FAST, allow_private_network=True, sleep=sleeps, rng=lambda: rng).fetch(
        server.url("/down")
    )
    assert sleeps.waits == pytest.approx(waits)


def test_backoff_capped(server: TestServer) -> None:
    """No single backoff wait exceeds max_retry_wait_seconds."""
    server.route("/down", Reply(500))
    settings = replace(FAST, backoff_seconds=1.5, max_retry_wait_seconds=0.05)
    sleeps = Sleeps()
    Fetcher(settings, allow_private_network=True, sleep=sleeps).fetch(server.url("/down"))
    assert sleeps.waits == [0.05, 0.05, 0.05]


@pytest.mark.parametrize(
    "retry_after",
    ["3600", email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)],
    ids=["seconds", "http-date"],
)
def test_retry_after_beyond_cap_gives_up(server: TestServer, retry_after: str) -> None:
    """A Retry-After longer than the cap ends the retries at once rather than retrying early."""
    server.route("/later", Reply(429, {"Retry-After": retry_after}))
    sleeps = Sleeps()
    reject = _reject(
        Fetcher(FAST, allow_private_network=True, sleep=sleeps).fetch(server.url("/later"))
    )
    assert reject.reason is RejectReason.FETCH_FAILED
    assert reject.detail.startswith("HTTP 429; Retry-After 3")
    assert reject.detail.endswith("s exceeds 2 s")
    assert (sleeps.waits, server.hits("/later")) == ([], 1)


def test_connection_refused(sleeps: Sleeps) -> None:
    """Nothing listening is a transient FETCH_FAILED, retried, then rejected with the cause."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fetcher = Fetcher(FAST, allow_private_network=True, sleep=sleeps, rng=lambda: 0.5)
    reject = _reject(fetcher.fetch(f"http://127.0.0.1:{port}/"))
    assert reject.reason is RejectReason.FETCH_FAILED
    assert reject.detail.startswith("connection failed: ")
    assert "Connection refused" in reject.detail
    assert reject.detail.endswith("after 3 retries")
    assert len(sleeps.waits) == 3


def test_conditional_get(server: TestServer, corpus: Path) -> None:
    """Validators from a 200 are sent back, and a 304 becomes NotModified."""
    etag, modified = '"v1"', "Wed, 21 Oct 2015 07:28:00 GMT"
    body = (corpus / FEED).read_bytes()

    def feed(request: LoggedRequest) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, {"ETag": etag})
        return Reply(
            200,
            {"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": modified},
            body,
        )

    server.route("/feed", feed)
    fetcher = Fetcher(FAST, allow_private_network=True)
    first = _page(fetcher.fetch(server.url("/feed"), expect=Expect.FEED))
    assert first.validators == Validators(etag=etag, last_modified=modified)
    second = fetcher.fetch(server.url("/feed"), expect=Expect.FEED, validators=first.validators)
    assert isinstance(second, NotModified)
    assert second.url == server.url("/feed")
    sent = server.requests("/feed")[1].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == (etag, modified)


@pytest.mark.parametrize(
    ("path", "expect", "outcome"),
    [
        ("/feed.rss", Expect.FEED, None),
        ("/feed.xml", Expect.SITEMAP, None),
        ("/feed-as-html", Expect.FEED, None),  # sniffed: an RSS body behind a text/html label
        ("/page", Expect.FEED, RejectReason.UNSUPPORTED_TYPE),
        ("/report.pdf", Expect.FEED, RejectReason.UNSUPPORTED_TYPE),
        ("/untyped", Expect.HTML, None),  # no Content-Type: the body sniffs as HTML
        ("/report.pdf", Expect.ANY, None),
    ],
)
def test_content_type_by_expectation(
    fetcher: Fetcher, server: TestServer, path: str, expect: Expect, outcome: RejectReason | None
) -> None:
    """What is accepted depends on what the caller expects from the URL."""
    result = fetcher.fetch(server.url(path), expect=expect)
    if outcome is None:
        assert _page(result).status == 200
    else:
        assert _reject(result).reason is outcome


def test_header_charset_is_reported_not_applied(server: TestServer, corpus: Path) -> None:
    """A wrong header charset is passed on as given; decoding then lets the UTF-8 BOM win."""
    w3c = corpus / "encodings/golang__net/testdata/HTTP-vs-UTF-8-BOM.html"
    server.route("/w3c", corpus_file(w3c, "text/html; charset=ISO-8859-15"))
    page = _page(Fetcher(FAST, allow_private_network=True).fetch(server.url("/w3c")))
    assert (page.charset, page.body) == ("ISO-8859-15", w3c.read_bytes())
    assert decode(page.body, declared=page.charset) == w3c.read_bytes().decode("utf-8-sig")


def test_private_network_refused_by_default(server: TestServer, corpus: Path) -> None:
    """Without allow_private_network, 127.0.0.1 is refused before any request."""
    server.routes(site(corpus))
    reject = _reject(Fetcher(FAST).fetch(server.url("/page")))
    assert reject.reason is RejectReason.BLOCKED_ADDRESS
    assert "a loopback address" in reject.detail
    assert server.hits() == 0


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://localhost:{port}/page", "a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/page", "embeds 127.0.0.1, a loopback address"),
        ("http://2130706433:{port}/page", "is 127.0.0.1, a loopback address"),
        ("file:///etc/passwd", "scheme 'file' is not http or https"),
    ],
)
def test_redirect_hops_are_guarded(
    server: TestServer, corpus: Path, target: str, problem: str
) -> None:
    """Each redirect hop meets the SSRF guard; a private target is never requested."""
    server.routes(site(corpus))
    location = target.format(port=server.port)
    server.route("/jump", redirect(location))
    trusted = f"127.0.0.1:{server.port}"  # only the test server itself is let through

    def guard(url: str) -> str | None:
        return None if urlsplit(url).netloc == trusted else check_url(url, allow_private=False)

    reject = _reject(Fetcher(FAST, url_guard=guard).fetch(server.url("/jump")))
    assert reject.reason is RejectReason.BLOCKED_ADDRESS
    assert reject.detail.startswith(f"redirect to {location}: ")
    assert problem in reject.detail
    assert [r.path for r in server.requests()] == ["/jump"]


@pytest.mark.parametrize("url", ["not a url", "http://[::1/", "mailto:desk@example.org"])
def test_malformed_urls_reject(url: str) -> None:
    """Unusable URLs are rejected, never raised."""
    assert _reject(Fetcher(FAST).fetch(url)).reason is RejectReason.BLOCKED_ADDRESS


# -- robots.txt ---------------------------------------------------------------------------------


def _robots_fetcher(sleeps: Sleeps | None = None) -> Fetcher:
    settings = replace(FAST, obey_robots=True)
    return Fetcher(settings, allow_private_network=True, sleep=sleeps or Sleeps())


def test_robots_obeyed_and_fetched_once(server: TestServer, corpus: Path) -> None:
    """RFC 9309's example file: /example/ refused without a request, robots.txt read once."""
    server.routes(site(corpus))
    rfc = (
        corpus / "robots/crawler-commons__crawler-commons/robots/rfc9309-example-simple-robots.txt"
    )
    server.route("/robots.txt", corpus_file(rfc, "text/plain"))
    server.route("/publications/a.html", corpus_file(corpus / PAGE, "text/html"))
    server.route("/example/a.html", corpus_file(corpus / PAGE, "text/html"))
    fetcher = _robots_fetcher()
    reject = _reject(fetcher.fetch(server.url("/example/a.html")))
    assert reject.reason is RejectReason.ROBOTS_DISALLOWED
    assert reject.detail == "robots.txt of 127.0.0.1 disallows /example/a.html for news-etl"
    _page(fetcher.fetch(server.url("/publications/a.html")))
    _page(fetcher.fetch(server.url("/page")))
    assert [r.path for r in server.requests()] == ["/robots.txt", "/publications/a.html", "/page"]
    assert server.requests("/robots.txt")[0].headers["user-agent"] == FAST.user_agent


@pytest.mark.parametrize(
    ("robots", "allowed", "robots_hits"),
    [
        (Reply(404), True, 1),
        (Reply(410), True, 1),
        (Reply(403), True, 1),  # RFC 9309 2.3.1.3: any 4xx is "unavailable": allow
        (Reply(503), False, 4),  # 2.3.1.4: "unreachable": disallow, after our retries
        (Reply(429), False, 4),  # busy is not absent
        (redirect("/robots.txt"), False, 1),  # a loop is unreachable too
    ],
    ids=["404", "410", "403", "503", "429", "loop"],
)
def test_robots_http_semantics(
    server: TestServer, corpus: Path, robots: Reply, allowed: bool, robots_hits: int
) -> None:
    """4xx robots.txt allows all; 5xx, 429 or a redirect loop disallows the host for the run."""
    server.routes(site(corpus))
    server.route("/robots.txt", robots)
    fetcher = _robots_fetcher()
    for _ in range(2):
        result = fetcher.fetch(server.url("/page"))
        assert isinstance(result, FetchedPage) is allowed
    assert server.hits("/page") == (2 if allowed else 0)
    assert server.hits("/robots.txt") == robots_hits


def test_crawl_delay_spaces_requests(server: TestServer, corpus: Path) -> None:
    """A robots.txt Crawl-delay of 0.4 s spaces page requests at least that far apart."""
    server.routes(site(corpus))
    server.route(
        "/robots.txt",
        Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nCrawl-delay: 0.4\n"),
    )
    fetcher = _robots_fetcher()
    for _ in range(3):
        _page(fetcher.fetch(server.url("/page")))
    gaps = server.gaps()  # robots.txt, then three pages: the robots request counts too
    assert [r.path for r in server.requests()] == ["/robots.txt"] + ["/page"] * 3
    assert len(gaps) == 3
    assert all(gap >= 0.39 for gap in gaps)


# -- politeness -----------------------------------------------------------------------------


def test_gate_serialises_and_spaces_one_host_with_real_threads() -> None:
    """Six threads on two hosts: each host's starts are >= 0.1 s apart, hosts overlap."""
    gate = HostGate(0.1)
    starts: dict[str, list[float]] = {"a.example": [], "b.example": []}
    inside: dict[str, int] = {"a.example": 0, "b.example": 0}
    overlaps: list[str] = []
    lock = threading.Lock()

    def request(host: str) -> None:
        with gate.slot(host):
            with lock:
                starts[host].append(time.monotonic())
                inside[host] += 1
                if inside[host] > 1:
                    overlaps.append(host)
            time.sleep(0.02)
            with lock:
                inside[host] -= 1

    threads = [threading.Thread(target=request, args=(h,)) for h in ["a.example", "b.example"] * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    for times in starts.values():
        times.sort()
        assert all(later - earlier >= 0.099 for earlier, later in itertools.pairwise(times))
    assert abs(starts["a.example"][0] - starts["b.example"][0]) < 0.05  # not waiting on each other


@pytest.mark.parametrize(
    ("min_delay", "delay", "waits"),
    [(1.0, None, [1.0, 1.0]), (1.0, 3.0, [3.0, 3.0]), (2.0, 0.5, [2.0, 2.0])],
)
def test_gate_arithmetic(min_delay: float, delay: float | None, waits: list[float]) -> None:
    """The gap is max(min_delay, crawl delay), measured start to start (fake clock)."""
    now = [100.0]
    recorded: list[float] = []

    def sleep(seconds: float) -> None:
        recorded.append(seconds)
        now[0] += seconds

    gate = HostGate(min_delay, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        with gate.slot("News.Example", delay):
            pass
    assert recorded == waits


def test_fetch_many_is_polite_per_host_and_parallel_across_hosts(
    server: TestServer, other_server: TestServer, corpus: Path
) -> None:
    """Three pages on each of two hosts, 0.25 s gap: gaps hold per host, the hosts run together."""
    for host in (server, other_server):
        host.route("/a", corpus_file(corpus / PAGE, "text/html"))
        host.route("/b", corpus_file(corpus / OTHER_PAGE, "text/html"))
        host.route("/c", Reply(404))
    settings = replace(FAST, per_host_delay_seconds=0.25)
    urls = [h.url(p) for p in ("/a", "/b", "/c") for h in (server, other_server)]
    started = time.monotonic()
    results = dict(Fetcher(settings, allow_private_network=True).fetch_many(urls))
    elapsed = time.monotonic() - started
    assert sorted(results) == sorted(urls)
    assert [type(results[u]).__name__ for u in urls] == ["FetchedPage"] * 4 + ["Reject"] * 2
    for host in (server, other_server):
        assert [r.path for r in host.requests()] == ["/a", "/b", "/c"]  # each host in order
        assert all(gap >= 0.24 for gap in host.gaps())
    assert abs(server.requests()[0].at - other_server.requests()[0].at) < 0.1
    assert elapsed < 0.9  # one after the other would take 5 x 0.25 s


def test_one_connection_per_host_across_fetchers(server: TestServer, corpus: Path) -> None:
    """Two fetchers sharing a gate in two threads never overlap requests to one host."""
    server.route("/slowish", Reply(200, {"Content-Type": "text/html"}, b"<p>x</p>", delay=0.15))
    gate = HostGate(0.0)
    fetchers = [Fetcher(FAST, allow_private_network=True, gate=gate) for _ in range(2)]
    threads = [
        threading.Thread(target=f.fetch, args=(server.url("/slowish"),)) for f in fetchers * 2
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.hits("/slowish") == 4
    assert all(gap >= 0.14 for gap in server.gaps("/slowish"))  # each waited for the previous


def test_fetch_many_passes_validators_per_url(server: TestServer) -> None:
    """fetch_many sends each URL's own validators."""
    server.route(
        "/f", lambda r: Reply(304) if r.headers.get("if-none-match") == '"x"' else Reply(200)
    )
    urls = [server.url("/f"), server.url("/f?page=2")]
    results = dict(
        Fetcher(FAST, allow_private_network=True).fetch_many(
            urls, expect=Expect.ANY, validators={urls[0]: Validators(etag='"x"')}
        )
    )
    assert isinstance(results[urls[0]], NotModified)
    assert isinstance(results[urls[1]], FetchedPage)


@pytest.mark.parametrize(
    ("reason", "detail", "status", "transient"),
    [
        (RejectReason.TIMEOUT, "read timed out", None, True),
        (RejectReason.FETCH_FAILED, "HTTP 503 after 3 retries", 503, True),
        (RejectReason.FETCH_FAILED, "HTTP 429; Retry-After 3600 s exceeds 2 s", 429, True),
        (RejectReason.FETCH_FAILED, "HTTP 408", 408, True),
        (RejectReason.FETCH_FAILED, "connection refused", None, True),
        (RejectReason.FETCH_FAILED, "HTTP 404", 404, False),
        (RejectReason.FETCH_FAILED, "HTTP 410", 410, False),
        (RejectReason.NOT_HTML, "application/pdf", None, False),
        (RejectReason.ROBOTS_DISALLOWED, "robots.txt", None, False),
    ],
)
def test_is_transient(
    reason: RejectReason, detail: str, status: int | None, transient: bool
) -> None:
    """Only failures that may pass on a later run count as transient (from the status
    field, never from the detail's text)."""
    reject = Reject("https://e.org/", reason, detail, http_status=status)
    assert is_transient(reject) is transient


def test_slow_drip_body_is_cut_off(server: TestServer) -> None:
    """A body dripping a byte at a time, each within the read timeout, is stopped: TIMEOUT."""
    body = b"<html><body>" + b"x" * 60 + b"</body></html>"
    server.route("/drip", Reply(200, {"Content-Type": "text/html"}, body, drip=0.02))
    settings = dataclasses.replace(FAST, max_response_seconds=0.5, max_retries=0)
    started = time.monotonic()
    with Fetcher(settings, allow_private_network=True) as fetcher:
        result = fetcher.fetch(server.url("/drip"))
    assert isinstance(result, Reject)
    assert result.reason is RejectReason.TIMEOUT
    assert time.monotonic() - started < 1.5  # the whole body would take about 1.7 s
