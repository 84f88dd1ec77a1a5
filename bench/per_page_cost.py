"""CPU per page of our extraction against bare trafilatura, on the same pages in one run.

Issue 13 part 1 ("a per-page cost close to trafilatura's") compares, per page:
(a) `trafilatura.extract(html, include_comments=False)`, the bare extractor;
(b) `trafilatura.bare_extraction(html, with_metadata=True)`, the same with its
    own metadata (htmldate included);
(c) `extract_html` + `detect_language` on its body: what a task does per page
    before cleaning;
(d) the whole per-document path of a task: `extract_html` then `build_article`
    (boilerplate, normalising, language, validation).
All four read the same pages (extraction-dev's HTML and trafilatura's `eval`
pages from the shared corpus) in this one process, after one untimed warm-up
page each (a page whose date htmldate must find, so dateparser's one-off
loading is start-up, not throughput; `--cold` measures start-up in fresh
interpreters). The systems take turns page by page, in a shuffled order, so a
busy machine slows them alike: run one after the other, the same system
measured 10% apart between runs on a shared 2-core machine. Before each call
the bounded caches of htmldate, trafilatura and courlan are emptied: htmldate
caches its date parsing by the string parsed, so a system reading a page
another has just read would find its dates for free. Unbounded caches
(dateparser's locale data) are start-up and are kept. CPU time is
`time.process_time`; each page's figure is the least of `--rounds` turns.
`--profile` prints cProfile's top 15 (cumulative) for (c).

    .venv/bin/python bench/per_page_cost.py [--rounds 2] [--limit N] [--profile] [--cold]
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import logging
import os
import pstats
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
import trafilatura  # noqa: E402
from _isolated import run_worker  # noqa: E402

from extractors.html import extract_html  # noqa: E402
from extractors.records import Metadata, ParsedArticle  # noqa: E402
from transforms.article import CleanSettings, build_article  # noqa: E402
from transforms.language import detect_language  # noqa: E402

_INGESTED = datetime(2026, 1, 1, tzinfo=UTC)
_SETTINGS = CleanSettings()

# Pages for the cold start: two whose markup states title, date and author,
# and one whose date htmldate must find (and which reaches dateparser).
COLD_PAGES = (
    "theatlantic.com.disasters.html",
    "bbc.com.52241221.html",
    "der-erfolg-gibt-recht.de.rinderleber.html",
)


class Page(NamedTuple):
    name: str
    url: str | None
    html: bytes


def load_pages(corpus: Path, limit: int | None) -> list[Page]:
    """extraction-dev's pages (with their labelled URL) then trafilatura's eval pages."""
    dev = corpus / "extraction-dev"
    truth = json.loads((dev / "ground-truth.json").read_text("utf-8"))
    pages = [
        Page(path.name, truth.get(path.name.removesuffix(".html.gz"), {}).get("url"),
             gzip.decompress(path.read_bytes()))
        for path in sorted((dev / "html").glob("*.html.gz"))
    ]  # fmt: skip
    pages += [
        Page(path.name, None, path.read_bytes())
        for path in sorted((corpus / "html/adbar__trafilatura/eval").glob("*.html"))
    ]
    return pages[:limit] if limit else pages


def bare_extract(page: Page) -> object:
    return trafilatura.extract(page.html, include_comments=False)


def bare_with_metadata(page: Page) -> object:
    return trafilatura.bare_extraction(page.html, with_metadata=True)


def ours(page: Page) -> object:
    parsed = extract_html(page.html, locator=page.name, hints=Metadata(url=page.url))
    if isinstance(parsed, ParsedArticle):
        return detect_language(parsed.body, parsed.metadata.language)
    return parsed


def ours_full(page: Page) -> object:
    parsed = extract_html(page.html, locator=page.name, hints=Metadata(url=page.url))
    if isinstance(parsed, ParsedArticle):
        return build_article(parsed, run_id="bench", ingested_at=_INGESTED, settings=_SETTINGS)
    return parsed


SYSTEMS: dict[str, Callable[[Page], object]] = {
    "(a) trafilatura.extract, no comments": bare_extract,
    "(b) trafilatura.bare_extraction + metadata": bare_with_metadata,
    "(c) extract_html + language": ours,
    "(d) extract_html + build_article": ours_full,
}


def forget_page_caches() -> None:
    """Empty the bounded lru caches of the extraction libraries (see the module docstring)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith(("htmldate", "trafilatura", "courlan")):
            continue
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if callable(info) and info().maxsize is not None:
                value.cache_clear()


def cpu_seconds(run: Callable[[Page], object], page: Page) -> float:
    """CPU seconds of one call, with the libraries' page caches emptied first."""
    forget_page_caches()
    started = time.process_time()
    run(page)
    return time.process_time() - started


def measure(pages: Sequence[Page], warm_up: Page, rounds: int) -> dict[str, float]:
    """CPU seconds of each system over `pages`: per page the least of `rounds` turns."""
    for run in SYSTEMS.values():
        run(warm_up)
    least = {name: [float("inf")] * len(pages) for name in SYSTEMS}
    order = random.Random(13)
    for _ in range(rounds):
        for index, page in enumerate(pages):
            for name in order.sample(list(SYSTEMS), len(SYSTEMS)):
                spent = cpu_seconds(SYSTEMS[name], page)
                least[name][index] = min(least[name][index], spent)
    return {name: sum(times) for name, times in least.items()}


def report(seconds: dict[str, float], pages: int) -> None:
    a, b = seconds[next(iter(SYSTEMS))], list(seconds.values())[1]
    header = f"{'CPU s':>7} {'ms/page':>8} {'pages/CPU-s':>12} {'vs (a)':>7} {'vs (b)':>7}"
    print(f"{'system':44} {header}")
    for name, spent in seconds.items():
        print(
            f"{name:44} {spent:7.1f} {1000 * spent / pages:8.1f}"
            f" {pages / spent:12.1f} {a / spent:7.2f} {b / spent:7.2f}"
        )  # fmt: skip


def profile(pages: Sequence[Page]) -> None:
    forget_page_caches()
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [ours(page) for page in pages])
    print("\ncProfile of (c), top 15 by cumulative time:")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(15)


def cold_start(corpus: Path) -> None:
    """Imports plus the first page of (c), in fresh interpreters: what each worker pays once."""
    for name in COLD_PAGES:
        figures = run_worker(__file__, "--worker", name, "--corpus", str(corpus))
        print(
            f"cold start, {name}: imports {figures['imports']:.2f} s,"
            f" first page {figures['first']:.2f} s, second page {figures['second']:.3f} s CPU,"
            f" dateparser {'loaded' if figures['dateparser'] else 'not loaded'}"
        )


def load_page(corpus: Path, name: str) -> Page:
    """One of trafilatura's eval pages by file name."""
    return Page(name, None, (corpus / "html/adbar__trafilatura/eval" / name).read_bytes())


def worker(corpus: Path, name: str) -> None:
    """Print one JSON line: CPU of this interpreter so far, of a first and of a second page."""
    imports = time.process_time()
    page = load_page(corpus, name)
    times = []
    for _ in range(2):
        started = time.process_time()
        ours(page)
        times.append(time.process_time() - started)
    loaded = "dateparser" in sys.modules
    print(
        json.dumps(
            {"imports": imports, "first": times[0], "second": times[1], "dateparser": loaded}
        )
    )


def main() -> None:
    default = Path(os.environ.get("NEWS_ETL_CORPUS", REPO.parent / "shared" / "corpus"))
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default, help="shared corpus folder")
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--rounds", type=int, default=2, help="turns per page and system")
    parser.add_argument("--profile", action="store_true", help="cProfile top 15 of (c)")
    parser.add_argument("--cold", action="store_true", help="start-up in fresh interpreters")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    if args.worker:
        worker(args.corpus, args.worker)
        return
    pages = load_pages(args.corpus, args.limit)
    print(
        f"{len(pages)} pages, trafilatura {trafilatura.__version__}, one process,"
        f" CPU time, each page the least of {args.rounds} turns"
    )
    warm_up = load_page(args.corpus, COLD_PAGES[-1])
    report(measure(pages, warm_up, args.rounds), len(pages))
    if args.cold:
        cold_start(args.corpus)
    if args.profile:
        profile(pages)


if __name__ == "__main__":
    main()
