"""Compaction: files and bytes before and after, its time and memory, and DuckDB query times.

Builds a warehouse shaped like one fed by a scheduled run every few
minutes: `--files` runs, each committing one small articles file of
`--rows-per-file` rows (real article bodies from the shared corpus's
`extraction-dev/ground-truth.json`, cycled with distinct URLs) into one of
four months through the writer's keyed append, plus its runs row. Then,
each in a fresh process so that its peak RSS is its own:

- before: DuckDB queries over the articles table (the Delta table's latest
  version as an Arrow dataset), best of `--repeat`;
- compaction: `compact_warehouse` (Delta optimize with the default target,
  128 MiB, then vacuum), wall time and peak RSS;
- after: the same queries over the compacted table.

Also prints the build's commits per second (keyed appends: each one checks
its keys against the table) and whether a plain Parquet glob of the
partitions counts the same rows as the table after compaction.

Prints files and bytes per table, and the query times with the ratio
before/after.

Usage: python bench/compaction.py [--files 2000] [--rows-per-file 5] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

from _isolated import peak_rss_mib, run_worker  # a sibling script module

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MONTHS = ("2026-08", "2026-09", "2026-10", "2026-11")
QUERIES = {
    "count per source and month": (
        "SELECT source, published_month, count(*), avg(word_count) FROM articles GROUP BY ALL"
    ),
    "full-text scan of body": "SELECT count(*) FROM articles WHERE body ILIKE '%health%'",
    "newest 10 by ingested_at": (
        "SELECT article_id, title FROM articles ORDER BY ingested_at DESC LIMIT 10"
    ),
}


def _default_corpus() -> Path:
    return Path(os.environ.get("NEWS_ETL_CORPUS", REPO.parent / "shared" / "corpus"))


def _bodies(corpus: Path) -> list[str]:
    path = corpus / "extraction-dev" / "ground-truth.json"
    if not path.is_file():
        sys.exit(f"{path} not found; pass --corpus or set NEWS_ETL_CORPUS")
    truth = json.loads(path.read_text(encoding="utf-8"))
    return [entry["articleBody"] for entry in truth.values() if entry.get("articleBody")]


def build(root: Path, *, files: int, rows_per_file: int, corpus: Path) -> None:
    """`files` scheduled runs' worth of small files, written as the pipeline writes them."""
    import pyarrow as pa

    from warehouse import RunCounts, Warehouse, write_run
    from warehouse.convert import partition_of
    from warehouse.delta import insert_new
    from warehouse.layout import ARTICLES_TABLE
    from warehouse.runs import RunRecord, RunStatus
    from warehouse.schema import ARTICLES, with_version

    store = Warehouse(root)
    bodies = _bodies(corpus)
    start = datetime(2026, 8, 1, tzinfo=UTC)
    schema = with_version(ARTICLES)
    for run in range(files):
        run_id = f"bench-{run:06d}"
        at = start + timedelta(minutes=5 * run)
        month = MONTHS[run % len(MONTHS)]
        rows = []
        for i in range(rows_per_file):
            n = run * rows_per_file + i
            body = bodies[n % len(bodies)]
            url = f"https://example.org/{n}"
            published = datetime.fromisoformat(f"{month}-15T12:00:00+00:00")
            rows.append(
                {
                    "article_id": sha256(url.encode()).hexdigest()[:32],
                    "url": url,
                    "canonical_url": url,
                    "source": f"source-{n % 7}",
                    "domain": "example.org",
                    "title": body.split("\n", 1)[0][:120],
                    "authors": ["Jane Doe"],
                    "published_at": published,
                    "published_month": partition_of(published),
                    "language": "en",
                    "tags": [],
                    "body": body,
                    "word_count": len(body.split()),
                    "content_hash": sha256(body.encode()).hexdigest(),
                    "boilerplate_removed": [],
                    "extraction_method": "trafilatura",
                    "locator": url,
                    "ingested_at": at + timedelta(seconds=i),
                    "run_id": run_id,
                    "extracted_hash": sha256(body.encode()).hexdigest(),
                }
            )
        insert_new(store, ARTICLES_TABLE, pa.Table.from_pylist(rows, schema=schema))
        write_run(
            store,
            RunRecord(
                run_id, "ingest_files", {}, started_at=at, status=RunStatus.COMPLETED,
                finished_at=at + timedelta(seconds=30),
                counts=RunCounts(articles_written=rows_per_file),
            ),
        )  # fmt: skip


def _footprint(root: Path) -> dict[str, tuple[int, int]]:
    """Data files (not the log) and their bytes per table folder."""
    out = {}
    for name in ("articles", "runs"):
        files = [p for p in (root / name).rglob("*.parquet") if "_delta_log" not in p.parts]
        out[name] = (len(files), sum(p.stat().st_size for p in files))
    return out


def query_worker(root: str, repeat: str) -> dict[str, Any]:
    """Best-of-N DuckDB time per query over the table's latest version; and the glob's count."""
    import duckdb

    from warehouse import Warehouse
    from warehouse.delta import table_dataset
    from warehouse.layout import ARTICLES_TABLE

    articles = table_dataset(Warehouse(Path(root)), ARTICLES_TABLE)
    times = {}
    with duckdb.connect() as connection:
        connection.register("articles", articles)
        for name, sql in QUERIES.items():
            best = float("inf")
            for _ in range(int(repeat)):
                started = time.perf_counter()
                connection.execute(sql).fetchall()
                best = min(best, time.perf_counter() - started)
            times[name] = best
        [(rows,)] = connection.execute("SELECT count(*) FROM articles").fetchall()
        glob = f"{root}/articles/published_month=*/*.parquet"
        [(globbed,)] = connection.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchall()
    return {"times": times, "rows": rows, "glob_rows": globbed, "peak_rss_mib": peak_rss_mib()}


def compact_worker(root: str) -> dict[str, Any]:
    from warehouse import Warehouse, compact_warehouse

    imported = peak_rss_mib()  # the interpreter and its imports, before any file is read
    started = time.perf_counter()
    report = compact_warehouse(Warehouse(Path(root)))
    return {
        "seconds": time.perf_counter() - started,
        "files_compacted": sum(t.files_compacted for t in report.tables),
        "files_deleted": report.files_deleted,
        "peak_rss_mib": peak_rss_mib(),
        "imported_rss_mib": imported,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=2000, help="small runs to simulate")
    parser.add_argument("--rows-per-file", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query; the best counts")
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        result = query_worker(*rest) if kind == "query" else compact_worker(*rest)
        print(json.dumps(result))
        return

    script = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory(prefix="bench-compaction-") as tmp:
        root = Path(tmp) / "warehouse"
        started = time.perf_counter()
        build(root, files=args.files, rows_per_file=args.rows_per_file, corpus=args.corpus)
        seconds = time.perf_counter() - started
        print(
            f"built {args.files} runs x {args.rows_per_file} articles in {seconds:.1f} s "
            f"({2 * args.files / seconds:.1f} commits/s: an articles append and a runs row each)"
        )
        before = _footprint(root)
        q_before = run_worker(script, "--worker", "query", str(root), str(args.repeat))
        compaction = run_worker(script, "--worker", "compact", str(root))
        after = _footprint(root)
        q_after = run_worker(script, "--worker", "query", str(root), str(args.repeat))

    print(
        f"\n{'table':<10}{'files before':>14}{'files after':>13}{'MiB before':>12}{'MiB after':>11}"
    )
    for name in before:
        (fb, bb), (fa, ba) = before[name], after[name]
        print(f"{name:<10}{fb:>14}{fa:>13}{bb / 2**20:>12.2f}{ba / 2**20:>11.2f}")
    files = sum(n for n, _ in before.values())
    print(
        f"\ncompaction: {compaction['files_compacted']} of {files} files compacted, "
        f"{compaction['files_deleted']} deleted, in {compaction['seconds']:.2f} s, "
        f"peak RSS {compaction['peak_rss_mib']:.0f} MiB "
        f"({compaction['imported_rss_mib']:.0f} MiB after imports alone; "
        f"articles table {before['articles'][1] / 2**20:.1f} MiB on disk)"
    )
    print(
        f"rows through the log {q_after['rows']}; plain glob of the partitions: "
        f"{q_before['glob_rows']} before compaction, {q_after['glob_rows']} after"
    )
    heading = f"DuckDB query (best of {args.repeat})"
    print(f"\n{heading:<34}{'before':>10}{'after':>10}{'ratio':>8}")
    for name in QUERIES:
        tb, ta = q_before["times"][name], q_after["times"][name]
        print(f"{name:<34}{tb * 1000:>8.1f}ms{ta * 1000:>8.1f}ms{tb / ta:>7.1f}x")


if __name__ == "__main__":
    main()
