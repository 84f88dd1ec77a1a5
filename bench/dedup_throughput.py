"""Writer throughput and memory with and without near-duplicate detection.

Real article bodies (the labelled text of the shared corpus's 791
`extraction-dev` pages, cleaned by the pipeline) plus syndicated variants
of them: every page `--copies` times under other URLs, alternately as an
exact copy and as a light edit (a paragraph dropped, an editor's note
added), so the writer sees new bodies, exact duplicates and near-duplicates
in proportions a wire-heavy source would give.

Prints, each measured in a fresh interpreter:
- `BatchWriter.write` articles/s (chunks of `--chunk` rows, Parquet
  included), near-duplicate detection off, on with the writer computing the
  signatures, and on with signatures made beforehand, as the flow's tasks
  make them (the writer's ceiling: what one flow process can commit however
  many workers feed it);
- the time a later run takes to load the catalog from the table and the
  state, and the memory the loaded catalog holds (tracemalloc), scaled to
  100k stored bodies;
- clusters found and peak RSS.

Usage: python bench/dedup_throughput.py [--copies 3] [--chunk 5000] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _isolated import peak_rss_mib, run_worker  # a sibling script module

REPO = Path(__file__).resolve().parents[1]
WARM = 100  # articles written before the clock starts
MODES = ("off", "on", "tasks")  # near-duplicate detection, and who signs the bodies


def _articles(corpus: Path, copies: int) -> list[Any]:
    sys.path.insert(0, str(REPO))
    import hashlib

    from extractors.records import ExtractionMethod, Metadata, ParsedArticle
    from transforms.article import Article, CleanSettings, build_article, make_article_id

    truth = json.loads((corpus / "extraction-dev" / "ground-truth.json").read_text("utf-8"))
    at = datetime.now(UTC)
    base: list[Article] = []
    for page_id, page in sorted(truth.items()):
        url = f"https://origin.example.org/{page_id}"
        parsed = ParsedArticle(
            url, page["articleBody"], Metadata(url=url, source="wire"), ExtractionMethod.PLAIN_TEXT
        )
        built = build_article(parsed, run_id="bench", ingested_at=at, settings=CleanSettings())
        if isinstance(built, Article):
            base.append(built)
    out = list(base)
    for copy in range(1, copies + 1):
        for n, article in enumerate(base):
            url = f"https://copy{copy}.example.net/{n}"
            body = article.body
            if (copy + n) % 2:
                paragraphs = body.split("\n\n")
                paragraphs.pop(copy % len(paragraphs))
                paragraphs.insert(1, f"Editor's note: updated {copy} times with new comment.")
                body = "\n\n".join(paragraphs)
            digest = hashlib.sha256(body.encode()).hexdigest()
            out.append(
                replace(
                    article,
                    article_id=make_article_id(url, "wire", digest),
                    url=url,
                    canonical_url=url,
                    body=body,
                    content_hash=digest,
                )
            )
    return out


def run_write(corpus: Path, copies: int, mode: str, chunk: int) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from transforms.similarity import DEFAULT_SIMILARITY, signature
    from warehouse import BatchWriter, KeyIndex, Warehouse
    from warehouse.catalog import ArticleCatalog

    similarity = DEFAULT_SIMILARITY if mode != "off" else None
    articles = _articles(corpus, copies)
    signed = (
        {a.content_hash: signature(a.body, DEFAULT_SIMILARITY) for a in articles}
        if mode == "tasks"
        else {}
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = Warehouse(Path(tmp))
        writer = BatchWriter(
            store,
            run_id="bench",
            articles_index=KeyIndex(),
            rejects_index=KeyIndex(),
            similarity=similarity,
        )
        # Untimed: the first write loads the catalog and pays one-off costs
        # (Arrow's and Parquet's first use: 2 s of a 2.3 s first write here).
        first = writer.write("warm", articles[:WARM], [], datetime.now(UTC))
        started = time.perf_counter()
        near_dups, exact = first.near_duplicates, first.exact_duplicates
        for start in range(WARM, len(articles), chunk):
            rows = articles[start : start + chunk]
            counts = writer.write(
                f"c{start:07d}",
                rows,
                [],
                datetime.now(UTC),
                signatures={a.content_hash: signed[a.content_hash] for a in rows if signed},
            )
            near_dups += counts.near_duplicates
            exact += counts.exact_duplicates
        write_seconds = (time.perf_counter() - started) * len(articles) / (len(articles) - WARM)

        started = time.perf_counter()
        ArticleCatalog.load(store, similarity=similarity, run_id="next")
        load_seconds = time.perf_counter() - started
        tracemalloc.start()  # a second load, traced (tracing slows it down)
        catalog = ArticleCatalog.load(store, similarity=similarity, run_id="next")
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        bodies = len(catalog)
    return {
        "articles": len(articles),
        "bodies": bodies,
        "write_seconds": write_seconds,
        "near_duplicates": near_dups,
        "exact_duplicates": exact,
        "load_seconds": load_seconds,
        "catalog_bytes": held,
        "peak_rss_mib": peak_rss_mib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("NEWS_ETL_CORPUS", REPO.parent / "shared" / "corpus"))
    parser.add_argument("--corpus", type=Path, default=default, help="shared corpus folder")
    parser.add_argument("--copies", type=int, default=3, help="variants of each page")
    parser.add_argument(
        "--chunk", type=int, default=5000, help="rows per write (the flow's --rows-per-file)"
    )
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = run_write(args.corpus, args.copies, args.worker, args.chunk)
        print(json.dumps(result))
        return

    common = ("--corpus", str(args.corpus), "--copies", str(args.copies))
    results = {
        mode: run_worker(__file__, "--worker", mode, "--chunk", str(args.chunk), *common)
        for mode in MODES
    }
    first = results["on"]
    print(
        f"{first['articles']:.0f} articles ({first['bodies']:.0f} distinct bodies) from the "
        f"extraction-dev pages and {args.copies} variants of each; chunks of {args.chunk} rows"
    )
    print(f"{'near-duplicate detection':<26}{'off':>12}{'on':>12}{'on, tasks sign':>16}")
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("write, articles/s", lambda r: f"{r['articles'] / r['write_seconds']:.0f}"),
        ("exact duplicates flagged", lambda r: f"{r['exact_duplicates']:.0f}"),
        ("near duplicates clustered", lambda r: f"{r['near_duplicates']:.0f}"),
        ("catalog load, s", lambda r: f"{r['load_seconds']:.2f}"),
        ("catalog memory, MiB", lambda r: f"{r['catalog_bytes'] / 2**20:.1f}"),
        ("  per article, bytes", lambda r: f"{r['catalog_bytes'] / r['articles']:.0f}"),
        ("peak RSS, MiB", lambda r: f"{r['peak_rss_mib']:.0f}"),
    ]
    for label, cell in rows:
        off, on, tasks = (cell(results[mode]) for mode in MODES)
        print(f"{label:<26}{off:>12}{on:>12}{tasks:>16}")
    per_article = results["off"]["catalog_bytes"] / first["articles"]
    per_body = (first["catalog_bytes"] - results["off"]["catalog_bytes"]) / first["bodies"]
    print(
        f"near-duplicate index: {per_body:.0f} bytes per distinct body; 100k articles with "
        f"distinct bodies: about {100_000 * (per_article + per_body) / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()
