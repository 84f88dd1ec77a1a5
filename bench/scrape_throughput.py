"""End-to-end throughput and memory of the web path, over local HTTP hosts.

Serves N real article pages (the trafilatura evaluation pages of the shared
corpus, repeated under distinct paths) from H local hosts, 127.0.0.1 to
127.0.0.H, each a `tests.support.http_server.TestServer` on its own port,
and runs the web path without Prefect: `Fetcher.fetch_many` (robots.txt,
SSRF guard with private addresses allowed, per-host gate, size cap) ->
`page_to_article` -> `build_article`. Prints, for the same pages in the
same run:
- per-host delay 0: pages, hosts, elapsed seconds, pages per second,
  the share spent extracting and cleaning, articles and rejects, peak RSS
  of the client;
- per-host delay at its default (1.0 s), on fewer pages: the same, plus the
  lower bound ceil(N/H) x delay and the smallest gap between two requests
  to one host as the servers logged it (robots.txt included: it goes
  through the same gate);
- baseline: bare `trafilatura.extract` (default settings) on the same page
  bytes, pages per second, and the ratio of the delay-0 path to it.

Each measurement runs in a fresh interpreter so its peak RSS is its own;
the servers live in this process, so their threads and page bodies count
in neither figure. The test server closes every connection (HTTP/1.0), so
each page costs a TCP connect on loopback: no keep-alive is measured.

Usage: python bench/scrape_throughput.py [--pages 400] [--hosts 4] [--delay-pages 40]
Set NEWS_ETL_CORPUS when the shared corpus is not at ../shared/corpus.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _isolated import peak_rss_mib, run_worker  # a sibling script module

REPO = Path(__file__).resolve().parents[1]
EVAL_PAGES = Path("html") / "adbar__trafilatura" / "eval"
DEFAULT_DELAY = 1.0  # HttpSettings.per_host_delay_seconds, checked in main()


def _corpus() -> Path:
    """The shared corpus, as tests/conftest.py finds it."""
    path = Path(os.environ.get("NEWS_ETL_CORPUS", REPO.parent / "shared" / "corpus"))
    if not (path / EVAL_PAGES).is_dir():
        sys.exit(f"corpus pages not found at {path / EVAL_PAGES}; set NEWS_ETL_CORPUS")
    return path


def _page_files(count: int) -> list[Path]:
    """`count` corpus pages, cycling through the evaluation set in name order."""
    files = sorted((_corpus() / EVAL_PAGES).glob("*.html"))
    if not files:
        sys.exit(f"no *.html under {_corpus() / EVAL_PAGES}")
    return [files[n % len(files)] for n in range(count)]


# -- workers: one measurement each, in a fresh interpreter ---------------------


def run_scrape(urls: list[str], delay: float) -> dict[str, Any]:
    """Fetch, extract and clean every URL; counts and timings as JSON-ready values."""
    sys.path.insert(0, str(REPO))
    from extractors.records import DiscoveredUrl, Reject
    from extractors.sources import HttpSettings
    from extractors.web.discovery import page_to_article
    from extractors.web.http import FetchedPage, Fetcher
    from transforms.article import Article, CleanSettings, build_article

    settings = HttpSettings(per_host_delay_seconds=delay)
    clean = CleanSettings()
    discovered = {u: DiscoveredUrl(url=u, source="bench", found_in="bench") for u in urls}
    articles, rejects, processing = 0, Counter[str](), 0.0
    ingested_at = datetime.now(UTC)
    started = time.perf_counter()
    with Fetcher(settings, allow_private_network=True) as fetcher:
        for url, result in fetcher.fetch_many(urls):
            if isinstance(result, Reject):
                rejects[str(result.reason)] += 1
                continue
            if not isinstance(result, FetchedPage):  # NotModified: no validators are sent
                rejects["NOT_MODIFIED"] += 1
                continue
            parse_started = time.perf_counter()
            parsed = page_to_article(result, discovered[url])
            built = (
                parsed
                if isinstance(parsed, Reject)
                else build_article(parsed, run_id="bench", ingested_at=ingested_at, settings=clean)
            )
            processing += time.perf_counter() - parse_started
            if isinstance(built, Article):
                articles += 1
            else:
                rejects[str(built.reason)] += 1
    elapsed = time.perf_counter() - started
    return {
        "pages": len(urls),
        "seconds": elapsed,
        "processing_seconds": processing,
        "articles": articles,
        "rejects": dict(rejects),
        "peak_rss_mib": peak_rss_mib(),
    }


def run_baseline(count: int) -> dict[str, Any]:
    """Bare `trafilatura.extract` on the bytes the servers send."""
    import trafilatura

    pages = [p.read_bytes() for p in _page_files(count)]
    started = time.perf_counter()
    extracted = sum(trafilatura.extract(page) is not None for page in pages)
    elapsed = time.perf_counter() - started
    return {
        "pages": len(pages),
        "seconds": elapsed,
        "extracted": extracted,
        "peak_rss_mib": peak_rss_mib(),
    }


def _worker(argv: list[str], timeout: float) -> dict[str, Any]:
    return run_worker(__file__, *argv, timeout=timeout)


# -- the parent: servers and report -------------------------------------------


def measure_scrape(pages: int, hosts: int, delay: float) -> dict[str, Any]:
    """Serve `pages` pages from `hosts` fresh servers, scrape them in a worker, read the logs."""
    sys.path.insert(0, str(REPO))
    from tests.support.http_server import TestServer, corpus_file

    files = _page_files(pages)
    corpus_index = {path: n for n, path in enumerate(sorted(set(files)))}
    servers = [TestServer(f"127.0.0.{n + 1}").start() for n in range(hosts)]
    try:
        urls = []
        for n, path in enumerate(files):
            server = servers[n % hosts]
            target = f"/news/{n:05d}-{corpus_index[path]:02d}.html"
            # No charset: the page's own BOM or meta tag decides, as for most of the web.
            server.route(target, corpus_file(path, "text/html"))
            urls.append(server.url(target))
        bound = math.ceil(pages / hosts) * delay
        with tempfile.TemporaryDirectory() as tmp:
            plan = Path(tmp) / "urls.json"
            plan.write_text(json.dumps(urls), encoding="utf-8")
            # Generous, but a hung fetch must not hang the bench.
            result = _worker(
                ["--worker", "scrape", "--plan", str(plan), "--delay", str(delay)],
                timeout=120 + 3 * bound,
            )
        gaps = [min(s.gaps(), default=math.nan) for s in servers]
        result.update(
            hosts=hosts,
            delay=delay,
            bound=bound,
            min_gaps=gaps,
            requests=[s.hits() for s in servers],
        )
        return result
    finally:
        for server in servers:
            server.stop()


def _report(name: str, r: dict[str, Any], base_rate: float | None = None) -> None:
    rate = r["pages"] / r["seconds"]
    rejects = ", ".join(f"{k} {v}" for k, v in sorted(r["rejects"].items())) or "none"
    print(f"{name}")
    print(f"  pages / hosts / delay      : {r['pages']} / {r['hosts']} / {r['delay']:g} s")
    print(f"  elapsed                    : {r['seconds']:8.2f} s")
    if r["delay"]:
        print(f"  lower bound ceil(N/H)*delay: {r['bound']:8.2f} s")
    print(f"  of which extract + clean   : {r['processing_seconds']:8.2f} s (main thread)")
    print(f"  throughput                 : {rate:8.1f} pages/s")
    if base_rate:
        print(f"  ratio to extract baseline  : {rate / base_rate:8.2f}")
    print(f"  articles / rejects         : {r['articles']} / {rejects}")
    print(f"  peak RSS (client process)  : {r['peak_rss_mib']:8.1f} MiB")
    gaps = " ".join(f"{g:.3f}" for g in r["min_gaps"])
    print(f"  requests per host          : {' '.join(map(str, r['requests']))} (robots.txt incl.)")
    print(f"  min gap per host (server)  : {gaps} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400, help="pages for the delay-0 case")
    parser.add_argument("--hosts", type=int, default=4, help="local hosts 127.0.0.1..H")
    parser.add_argument(
        "--delay-pages", type=int, default=40, help="pages for the default-delay case"
    )
    parser.add_argument("--worker", choices=["scrape", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "scrape":
        urls = json.loads(args.plan.read_text(encoding="utf-8"))
        print(json.dumps(run_scrape(urls, args.delay)))
        return
    if args.worker == "baseline":
        print(json.dumps(run_baseline(args.pages)))
        return
    if not 1 <= args.hosts <= 254:
        parser.error("--hosts must be between 1 and 254 (127.0.0.1 .. 127.0.0.254)")
    if args.pages < 1 or args.delay_pages < 0:
        parser.error("--pages must be at least 1, --delay-pages at least 0")

    sys.path.insert(0, str(REPO))
    from extractors.sources import HttpSettings

    default_delay = HttpSettings().per_host_delay_seconds
    if default_delay != DEFAULT_DELAY:
        print(f"note: default per-host delay is now {default_delay:g} s")

    distinct = len(set(_page_files(args.pages)))
    print(f"corpus: {distinct} distinct pages from {_corpus() / EVAL_PAGES}")
    fast = measure_scrape(args.pages, args.hosts, 0.0)
    base = _worker(["--worker", "baseline", "--pages", str(args.pages)], timeout=600)
    base_rate = base["pages"] / base["seconds"]
    print(
        f"baseline trafilatura.extract : {base_rate:8.1f} pages/s"
        f"  ({base['pages']} pages, {base['extracted']} with text,"
        f" peak RSS {base['peak_rss_mib']:.1f} MiB)"
    )
    _report("scrape, per-host delay 0", fast, base_rate)
    if args.delay_pages:
        polite = measure_scrape(args.delay_pages, args.hosts, default_delay)
        _report(f"scrape, per-host delay {default_delay:g} s (default)", polite)


if __name__ == "__main__":
    main()
