"""Throughput and memory of the core pipeline on the bundled HTML samples.

Prints, for the same pages in the same run:
- baseline: bare `trafilatura.extract` (default settings), pages per second;
- pipeline: decode + extract + metadata + boilerplate + normalise + write
  Parquet (no Prefect), documents per second, and the ratio to the baseline;
- peak RSS of the pipeline at two input sizes, each measured in a fresh
  process, to show whether memory grows with the input.

Usage: python bench/ingest_throughput.py [--repeats 10] [--large 40]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _isolated import peak_rss_mib, run_worker  # a sibling script module

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PAGES = sorted((REPO / "samples" / "html").glob("*.html"))


def _inputs(folder: Path, repeats: int) -> list[Path]:
    """The sample pages copied `repeats` times under distinct names."""
    paths = []
    for n in range(repeats):
        for page in SAMPLE_PAGES:
            target = folder / f"{n:04d}-{page.name}"
            shutil.copyfile(page, target)
            paths.append(target)
    return paths


def run_baseline(repeats: int) -> dict[str, float]:
    import trafilatura

    pages = [p.read_bytes() for p in SAMPLE_PAGES] * repeats
    started = time.perf_counter()
    for page in pages:
        trafilatura.extract(page)
    elapsed = time.perf_counter() - started
    return {"documents": len(pages), "seconds": elapsed, "peak_rss_mib": peak_rss_mib()}


def run_pipeline(repeats: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from pipeline.clean import clean_files
    from transforms.article import Article, CleanSettings
    from warehouse import BatchWriter, KeyIndex, Warehouse

    with tempfile.TemporaryDirectory() as tmp:
        paths = _inputs(Path(tmp), repeats)
        store = Warehouse(Path(tmp) / "warehouse")
        writer = BatchWriter(
            store, run_id="bench", articles_index=KeyIndex(), rejects_index=KeyIndex()
        )
        started = time.perf_counter()
        documents, chunk = 0, []
        stream = clean_files(
            paths, settings=CleanSettings(), run_id="bench", ingested_at=datetime.now(UTC)
        )
        for number, document in enumerate(stream):
            chunk.append(document)
            if len(chunk) == 50:
                articles = [d for d in chunk if isinstance(d, Article)]
                writer.write(f"c{number:06d}", articles, [], seen_at=datetime.now(UTC))
                documents += len(chunk)
                chunk = []
        articles = [d for d in chunk if isinstance(d, Article)]
        writer.write("last", articles, [], seen_at=datetime.now(UTC))
        documents += len(chunk)
        elapsed = time.perf_counter() - started
    return {"documents": documents, "seconds": elapsed, "peak_rss_mib": peak_rss_mib()}


def _measure(mode: str, repeats: int) -> dict[str, float]:
    """Run one measurement in a fresh interpreter so peak RSS is its own."""
    return run_worker(__file__, "--worker", mode, "--repeats", str(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="copies of the sample pages")
    parser.add_argument("--large", type=int, default=40, help="copies for the memory check")
    parser.add_argument("--worker", choices=["baseline", "pipeline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        runner = run_baseline if args.worker == "baseline" else run_pipeline
        print(json.dumps(runner(args.repeats)))
        return

    base = _measure("baseline", args.repeats)
    pipe = _measure("pipeline", args.repeats)
    large = _measure("pipeline", args.large)
    base_rate = base["documents"] / base["seconds"]
    pipe_rate = pipe["documents"] / pipe["seconds"]
    print(f"pages: {len(SAMPLE_PAGES)} sample HTML pages x {args.repeats}")
    print(f"baseline trafilatura.extract : {base_rate:8.1f} pages/s")
    print(f"pipeline (no Prefect)        : {pipe_rate:8.1f} documents/s")
    print(f"ratio pipeline / baseline    : {pipe_rate / base_rate:8.2f}")
    print(
        f"peak RSS pipeline x{args.repeats:<4}       : {pipe['peak_rss_mib']:8.1f} MiB"
        f"  ({pipe['documents']:.0f} documents)"
    )
    print(
        f"peak RSS pipeline x{args.large:<4}       : {large['peak_rss_mib']:8.1f} MiB"
        f"  ({large['documents']:.0f} documents)"
    )
    print(f"RSS ratio large / small      : {large['peak_rss_mib'] / pipe['peak_rss_mib']:8.2f}")


if __name__ == "__main__":
    main()
