"""Throughput and memory of WARC ingestion, against bare trafilatura on the same pages.

Builds a per-record-gzip WARC of N `response` records from the real pages of
the shared corpus (`html/adbar__trafilatura/eval/*.html` and `cache/*.html`,
repeated in order with distinct URLs), then measures, each in a fresh
process so that its peak RSS is its own:

- read: `iter_warc` with a parser that keeps the decoded text, i.e. warcio,
  the record checks and charset decoding, nothing else;
- pipeline: what the flow's tasks and commit do, without Prefect: the file
  cut into 16 MiB ranges (`plan_parts`), each through `clean_parts` (warcio,
  `extract_html`, boilerplate, normalise, validate), the results through one
  `BatchWriter` into a temporary warehouse in chunks of 1,000 rows (dedup by
  article id included);
- baseline: bare `trafilatura.extract` (default settings) on the first
  min(N, 2,000) pages of the same sequence, from bytes.

All single-process, so per-core figures. The repeated pages share their
canonical URLs, so most rows are dropped as duplicates by the writer; the
counts are printed.

Usage: python bench/warc_throughput.py [--sizes 2000 20000] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import zlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from _isolated import peak_rss_mib, run_worker  # a sibling script module

REPO = Path(__file__).resolve().parents[1]
PAGE_FOLDERS = ("html/adbar__trafilatura/eval", "html/adbar__trafilatura/cache")
BASELINE_PAGES = 2000
CHUNK_ROWS = 1000
SPLIT_BYTES = 16 * 2**20  # the flow's default --split-mb
# WARCWriter(gzip=True) deflates at level 9 (about 40 MB/s here); level 1 runs at
# about 150 MB/s, which keeps building 20,000 records (4 GB of HTML) under a minute.
GZIP_LEVEL = 1


def _default_corpus() -> Path:
    return Path(os.environ.get("NEWS_ETL_CORPUS", REPO.parent / "shared" / "corpus"))


def _pages(corpus: Path) -> list[Path]:
    pages = [p for folder in PAGE_FOLDERS for p in sorted((corpus / folder).glob("*.html"))]
    if not pages:
        sys.exit(f"no pages under {corpus}; pass --corpus or set NEWS_ETL_CORPUS")
    return pages


def _sequence(pages: list[Path], n: int) -> list[Path]:
    return [pages[i % len(pages)] for i in range(n)]


def build_warc(pages: list[Path], n: int, target: Path) -> None:
    """N response records, one gzip member each, serialised by warcio's WARCWriter."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    bodies = {page: page.read_bytes() for page in pages}
    http = [("Content-Type", "text/html"), ("Server", "bench")]
    with target.open("wb") as out:
        for number, page in enumerate(_sequence(pages, n)):
            buffer = io.BytesIO()
            writer = WARCWriter(buffer, gzip=False)
            record = writer.create_warc_record(
                f"https://bench.example/{number}/{page.stem.replace(' ', '-')}",
                "response",
                payload=io.BytesIO(bodies[page]),
                http_headers=StatusAndHeaders("200 OK", list(http), protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": "2024-03-01T12:00:00Z"},
            )
            writer.write_record(record)
            member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
            out.write(member.compress(buffer.getvalue()) + member.flush())


def run_baseline(corpus: Path, n: int) -> dict[str, float]:
    import trafilatura

    pages = _pages(corpus)
    bodies = {page: page.read_bytes() for page in pages}
    sequence = _sequence(pages, min(n, BASELINE_PAGES))
    started = time.perf_counter()
    for page in sequence:
        trafilatura.extract(bodies[page])
    elapsed = time.perf_counter() - started
    return {"documents": len(sequence), "seconds": elapsed, "peak_rss_mib": peak_rss_mib()}


def run_read(warc: Path) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from extractors.records import ExtractionMethod, Metadata, ParsedArticle
    from extractors.warc import iter_warc

    def keep_text(html: str, *, locator: str, hints: Metadata) -> ParsedArticle:
        return ParsedArticle(locator, html, hints, ExtractionMethod.TRAFILATURA)

    skipped: Counter[str] = Counter()
    started = time.perf_counter()
    with warc.open("rb") as stream:
        documents = sum(
            1
            for _ in iter_warc(
                stream, locator=warc.name, hints=Metadata(), parse_html=keep_text, skipped=skipped
            )
        )
    elapsed = time.perf_counter() - started
    return {"documents": documents, "seconds": elapsed, "peak_rss_mib": peak_rss_mib()}


def run_pipeline(warc: Path) -> dict[str, float]:
    """The flow's work without Prefect: its batches (16 MiB ranges) through `clean_parts`,
    committed in order through one `BatchWriter` in chunks of 1,000 rows."""
    sys.path.insert(0, str(REPO))
    from extractors.parts import plan_parts
    from extractors.records import Reject
    from pipeline.clean import clean_parts
    from transforms.article import Article, CleanSettings
    from warehouse import BatchWriter, KeyIndex, RunCounts, Warehouse

    settings = CleanSettings(default_source="bench")
    ingested_at = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        writer = BatchWriter(
            Warehouse(Path(tmp)),
            run_id="bench",
            articles_index=KeyIndex(),
            rejects_index=KeyIndex(),
        )
        counts = RunCounts()
        documents = 0
        started = time.perf_counter()
        for part in plan_parts([warc], split_bytes=SPLIT_BYTES):
            batch = clean_parts([part], settings=settings, run_id="bench", ingested_at=ingested_at)
            documents += batch.documents
            items = [*batch.articles, *batch.rejects]
            for chunk in range(0, len(items), CHUNK_ROWS):
                rows = items[chunk : chunk + CHUNK_ROWS]
                counts += writer.write(
                    f"c{documents:07d}-{chunk:05d}",
                    [r for r in rows if isinstance(r, Article)],
                    [r for r in rows if isinstance(r, Reject)],
                    datetime.now(UTC),
                )
        elapsed = time.perf_counter() - started
    return {
        "documents": documents,
        "seconds": elapsed,
        "peak_rss_mib": peak_rss_mib(),
        "articles_written": counts.articles_written,
        "duplicates_skipped": counts.duplicates_skipped,
        "rejects": counts.rejects,
    }


def _measure(*arguments: str) -> dict[str, float]:
    """Run one measurement in a fresh interpreter so its peak RSS is its own."""
    return run_worker(__file__, "--worker", *arguments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, value = args.worker
        if mode == "baseline":
            print(json.dumps(run_baseline(args.corpus, int(value))))
        else:
            runner = run_read if mode == "read" else run_pipeline
            print(json.dumps(runner(Path(value))))
        return

    pages = _pages(args.corpus)
    print(f"pages: {len(pages)} real pages from {', '.join(PAGE_FOLDERS)}, repeated in order")
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            warc = Path(tmp) / f"bench-{n}.warc.gz"
            started = time.perf_counter()
            build_warc(pages, n, warc)
            built = time.perf_counter() - started
            size_mib = warc.stat().st_size / 2**20
            read = _measure("read", str(warc))
            pipe = _measure("pipeline", str(warc))
            base = _measure("baseline", str(n))
            warc.unlink()
            read_rate = read["documents"] / read["seconds"]
            pipe_rate = pipe["documents"] / pipe["seconds"]
            base_rate = base["documents"] / base["seconds"]
            peaks[n] = pipe["peak_rss_mib"]
            print(f"\nN = {n}: WARC of {size_mib:.0f} MiB built in {built:.1f} s")
            print(f"  read only (warcio + checks + decode) : {read_rate:8.1f} documents/s")
            print(
                f"  pipeline end to end (no Prefect)     : {pipe_rate:8.1f} documents/s"
                f"  ({pipe['documents']:.0f} documents in {pipe['seconds']:.1f} s;"
                f" {pipe['articles_written']:.0f} articles written,"
                f" {pipe['duplicates_skipped']:.0f} duplicates, {pipe['rejects']:.0f} rejects)"
            )
            print(
                f"  baseline trafilatura.extract         : {base_rate:8.1f} pages/s"
                f"  ({base['documents']:.0f} pages)"
            )
            print(f"  ratio pipeline / baseline (per core) : {pipe_rate / base_rate:8.2f}")
            print(f"  peak RSS pipeline                    : {pipe['peak_rss_mib']:8.1f} MiB")
            print(f"  peak RSS read only                   : {read['peak_rss_mib']:8.1f} MiB")
    if len(peaks) >= 2:
        small, large = min(peaks), max(peaks)
        print(f"\nRSS ratio pipeline N={large} / N={small} : {peaks[large] / peaks[small]:8.2f}")


if __name__ == "__main__":
    main()
