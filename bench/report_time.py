"""How long `news-etl report` takes on a warehouse of 10,000 articles.

The warehouse is built quickly but honestly: real article bodies (the
corpus's extraction-dev ground truth, 791 pages) go through the real
cleaning (`build_article`) and the real writer (`BatchWriter`, with its
duplicate and near-duplicate catalogue), under 25 outlets and publication
times spread over 60 days. Beyond the first 791, each article is a copy of a
real body with one paragraph dropped, as syndicated copies are, so the
near-duplicate section has clusters to count.

Prints the time to build the warehouse, then the report's time: in-process
(`write_report`, best of 3) and as the whole command in a fresh interpreter
(`python -m flows.cli report`, imports included).

    .venv/bin/python bench/report_time.py [--articles 10000] [--keep DIR]

With --keep, a warehouse already in DIR is reused rather than rebuilt.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject  # noqa: E402
from transforms.article import Article, CleanSettings, build_article  # noqa: E402
from warehouse import KeyIndex, RunCounts, RunRecord, RunStatus, Warehouse, write_run  # noqa: E402
from warehouse.analysts.report import write_report  # noqa: E402
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE  # noqa: E402
from warehouse.writer import BatchWriter  # noqa: E402

OUTLETS = [f"outlet-{k:02d}.example" for k in range(25)]
BATCH = 1_000
SPREAD = timedelta(days=60)


def corpus_bodies() -> list[tuple[str, str]]:
    """(title, body) of every labelled page of the corpus's extraction-dev set."""
    corpus = Path(os.environ.get("NEWS_ETL_CORPUS", ROOT.parent / "shared" / "corpus"))
    truth = json.loads((corpus / "extraction-dev" / "ground-truth.json").read_text("utf-8"))
    pages = [(str(v.get("title") or ""), str(v.get("articleBody") or "")) for v in truth.values()]
    return [(title, body) for title, body in pages if body.strip()]


def _document(i: int, pages: list[tuple[str, str]], now: datetime) -> ParsedArticle:
    title, body = pages[i % len(pages)]
    copy = i // len(pages)
    paragraphs = body.split("\n\n")
    if copy and len(paragraphs) > 2:
        del paragraphs[copy % len(paragraphs)]
    source = OUTLETS[(i * 7 + copy) % len(OUTLETS)]
    published = now - SPREAD * ((i * 7919) % 10_007) / 10_007
    url = f"https://{source}/{published:%Y/%m/%d}/story-{i}"
    meta = Metadata(url=url, title=title or None, published=published, source=source)
    return ParsedArticle(url, "\n\n".join(paragraphs), meta, ExtractionMethod.PLAIN_TEXT)


def build(root: Path, articles: int) -> dict[str, float]:
    """Write `articles` documents into a fresh warehouse at `root`."""
    pages = corpus_bodies()
    store = Warehouse(root)
    now = datetime.now(UTC)
    run_id = f"bench-{now:%Y%m%dT%H%M%S}"
    started = time.perf_counter()
    written = rejected = duplicates = 0
    reasons: dict[str, int] = {}
    write_run(store, RunRecord(run_id, "bench_report", {"articles": articles}, started_at=now))
    writer = BatchWriter(
        store,
        run_id=run_id,
        articles_index=KeyIndex.from_table(store, ARTICLES_TABLE, "article_id"),
        rejects_index=KeyIndex.from_table(store, REJECTS_TABLE, "reject_id"),
    )
    settings = CleanSettings()
    for first in range(0, articles, BATCH):
        good: list[Article] = []
        bad: list[Reject] = []
        for i in range(first, min(first + BATCH, articles)):
            doc = _document(i, pages, now)
            out = build_article(doc, run_id=run_id, ingested_at=now, settings=settings)
            if isinstance(out, Reject):
                bad.append(out)
                reasons[str(out.reason)] = reasons.get(str(out.reason), 0) + 1
            else:
                good.append(out)
        counts = writer.write(f"b{first // BATCH:05d}", good, bad, seen_at=now)
        written += counts.articles_written
        duplicates += counts.duplicates_skipped
        rejected += len(bad)
    record = RunRecord(
        run_id, "bench_report", {"articles": articles}, started_at=now,
        status=RunStatus.COMPLETED, finished_at=datetime.now(UTC),
        counts=RunCounts(documents_seen=articles, articles_written=written,
                         duplicates_skipped=duplicates, rejects_by_reason=reasons),
    )  # fmt: skip
    write_run(store, record)
    return {
        "build_seconds": round(time.perf_counter() - started, 1),
        "articles_written": written,
        "rejects": rejected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--keep", type=Path, default=None, help="build the warehouse here (reused if there)"
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="news-etl-report-"))
    root = folder / "warehouse"
    try:
        if (root / "articles").is_dir():
            print(f"reusing the warehouse under {root}", flush=True)
        else:
            print(f"building a warehouse of {args.articles} documents under {root} ...", flush=True)
            print(build(root, args.articles), flush=True)
        out = folder / "report.html"
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            report = write_report(Warehouse(root), out)
            best = min(best, time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "flows.cli", "report", "--warehouse", str(root),
             "--out", str(out)],
            check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        command = time.perf_counter() - started
        print(
            f"report on {report.totals['articles']} articles "
            f"({report.totals['sources']} sources, {report.totals['rejects']} rejects): "
            f"write_report best of 3 {best:.2f} s; whole command {command:.2f} s; "
            f"page {out.stat().st_size / 1e6:.2f} MB"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
