"""The ingest flows write the same rows on threads, a process pool and a Dask cluster."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from deltalake import DeltaTable

from flows.cli import EXIT_USAGE, main
from flows.ingest import ingest_files
from flows.ingest_web import ingest_sources
from flows.ledger import RunSummary
from flows.reprocess import reprocess
from flows.runners import POOL_MIN_BYTES, THREADS, Runner, RunnerKind, choose_runner
from tests.conftest import REPO_ROOT
from tests.support.delta_sql import delta_rows
from tests.support.guardian_site import PAGES, feed_and_direct, serve_feed_and_pages
from tests.support.http_server import Reply, TestServer

SAMPLES = REPO_ROOT / "samples"
RESILIPARSE = "warc/chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz"
EVAL_PAGES = "html/adbar__trafilatura/eval"
# Columns that differ between runs by design: who wrote the row, and when.
RUN_COLUMNS = frozenset(
    {"run_id", "ingested_at", "seen_at", "first_seen_at", "last_seen_at", "fetched_at"}
)
DELAY = 0.05  # the web site's crawl delay, seconds


@pytest.fixture(scope="module")
def inputs(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Samples (text, html, jsonl, bad files), 12 real pages and a Common Crawl WARC."""
    folder = tmp_path_factory.mktemp("inputs")
    shutil.copyfile(corpus / RESILIPARSE, folder / "cc.warc.gz")
    pages = folder / "pages"
    pages.mkdir()
    for page in sorted((corpus / EVAL_PAGES).glob("*.html"))[:12]:
        shutil.copyfile(page, pages / page.name)
    return [str(SAMPLES), str(folder)]


def _run(inputs: list[str], warehouse: Path, **runner: Any) -> RunSummary:
    # Small batches and ranges, so that both runners see many tasks, a WARC cut
    # into 5 ranges and the sample JSONL into 2, finishing in any order.
    summary: RunSummary = ingest_files(
        paths=inputs, warehouse=str(warehouse), batch_size=6, split_mb=0.03, **runner
    )
    return summary


@pytest.fixture
def site(corpus: Path) -> Iterator[TestServer]:
    """The Guardian feed and its pages, a mirror of one page, and two pages that fail."""
    with TestServer("127.0.0.1") as server:
        serve_feed_and_pages(server, corpus)
        page = (corpus / "html/adbar__trafilatura/eval" / PAGES[0]).read_bytes()
        server.routes(
            {
                "/robots.txt": Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\n"),
                "/mirror.html": Reply(200, {"Content-Type": "text/html; charset=utf-8"}, page),
                "/gone.html": Reply(410),
                "/paper.pdf": Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n"),
            }
        )
        yield server


@pytest.mark.slow
def test_the_web_flow_writes_the_same_rows_on_threads_and_a_process_pool(
    site: TestServer, tmp_path: Path
) -> None:
    """Pages fetched politely in the flow's process, extracted on threads or on two pool
    processes, committed in one order: the same articles, rejects and raw pages; and
    `reprocess` rebuilds the same articles from those raw pages either way."""
    direct = ["/mirror.html", "/gone.html", "/paper.pdf"]  # the mirror, and two failures
    config = feed_and_direct(tmp_path / "sources.toml", site, direct, delay=DELAY)
    runs: dict[str, RunSummary] = {}
    for name, workers in (("threads", 1), ("pool", 2)):
        summary: RunSummary = ingest_sources(
            config=str(config), warehouse=str(tmp_path / name), batch_size=2, workers=workers
        )
        runs[name] = summary
    threads, pool = runs["threads"], runs["pool"]
    assert pool.counts == threads.counts
    assert threads.counts.articles_written == len(PAGES)
    # the mirror declares the first page's canonical URL: same article, skipped
    assert (threads.counts.duplicates_skipped, threads.counts.rejects) == (1, 2)
    assert pool.batches == threads.batches >= 4
    # every page fetched once per run, one request at a time, the crawl delay apart
    assert site.hits("/mirror.html") == 2
    assert min(site.gaps()) >= DELAY
    for table in ("articles/**/*.parquet", "rejects/*.parquet", "raw_pages/**/*.parquet"):
        rows = _table(f"{tmp_path / 'threads'}/{table}")
        assert rows
        assert _table(f"{tmp_path / 'pool'}/{table}") == rows
    [(parameters,)] = delta_rows(
        f"SELECT parameters FROM read_parquet('{tmp_path / 'pool'}/runs/*.parquet')"
    )
    assert '"workers": 2' in parameters
    _reprocess_alike(tmp_path / "threads", tmp_path / "pool")


def _reprocess_alike(threads: Path, pool: Path) -> None:
    """`reprocess` rebuilds the articles ingest kept from the raw pages, on threads and on a
    pool alike; a mirror declaring another page's canonical URL stays a duplicate."""
    before = _latest_articles(threads)
    one = reprocess(warehouse=str(threads), batch_size=1, workers=1)
    two = reprocess(warehouse=str(pool), batch_size=1, workers=2)
    assert two.counts == one.counts
    # the mirror is a duplicate again, whichever of the two pages is rebuilt first
    assert (one.counts.articles_written, one.counts.duplicates_skipped) == (len(PAGES), 1)
    rebuilt = _latest_articles(threads)
    assert rebuilt == before  # the same code rebuilds the rows ingest kept
    assert _latest_articles(pool) == rebuilt
    workers = delta_rows(
        f"SELECT parameters FROM read_parquet('{pool}/runs/*.parquet') WHERE flow = 'reprocess'"
    )
    assert [('"workers": 2' in text) for (text,) in workers] == [True]


def _latest_articles(warehouse: Path) -> list[tuple[Any, ...]]:
    """The articles table's latest version, without the run-specific columns, sorted."""
    names = [field.name for field in DeltaTable(str(warehouse / "articles")).schema().fields]
    kept = ", ".join(f'"{name}"' for name in names if name not in RUN_COLUMNS)
    glob = f"{warehouse}/articles/**/*.parquet"
    return delta_rows(f"SELECT {kept} FROM read_parquet('{glob}') ORDER BY ALL")


def _table(glob: str) -> list[tuple[Any, ...]]:
    """Every row of a table, without the run-specific columns, sorted."""
    source = f"read_parquet('{glob}', hive_partitioning = true)"
    with duckdb.connect() as connection:
        columns = connection.execute(f"SELECT * FROM {source} LIMIT 0").description
        kept = ", ".join(f'"{c[0]}"' for c in columns if c[0] not in RUN_COLUMNS)
        return connection.execute(f"SELECT {kept} FROM {source} ORDER BY ALL").fetchall()


def _assert_same_run(one: RunSummary, other: RunSummary, folders: tuple[Path, Path]) -> None:
    assert one.batches == other.batches > 10
    assert (
        other.counts.documents_seen,
        other.counts.articles_written,
        other.counts.duplicates_skipped,
    ) == (
        one.counts.documents_seen,
        one.counts.articles_written,
        one.counts.duplicates_skipped,
    )
    assert other.counts.rejects_by_reason == one.counts.rejects_by_reason
    assert other.records_skipped == one.records_skipped
    for table in ("articles/**/*.parquet", "rejects/*.parquet"):
        rows = _table(f"{folders[0]}/{table}")
        assert rows
        assert _table(f"{folders[1]}/{table}") == rows


@pytest.mark.slow
def test_a_process_pool_writes_the_same_rows_as_threads(inputs: list[str], tmp_path: Path) -> None:
    """Same input, same options: two pool processes write exactly what one thread run writes."""
    threads = _run(inputs, tmp_path / "threads", workers=1)
    pool = _run(inputs, tmp_path / "pool", workers=2)
    _assert_same_run(threads, pool, (tmp_path / "threads", tmp_path / "pool"))
    [(runs,)] = delta_rows(
        f"SELECT list(parameters) FROM read_parquet('{tmp_path / 'pool'}/runs/*.parquet')"
    )
    assert '"workers": 2' in runs[0]


@pytest.mark.slow
def test_a_dask_cluster_writes_the_same_rows_as_threads(inputs: list[str], tmp_path: Path) -> None:
    """Two single-threaded Dask worker processes write exactly what one thread run writes."""
    from distributed import LocalCluster

    threads = _run(inputs, tmp_path / "threads", workers=1)
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        dask = _run(inputs, tmp_path / "dask", dask_address=cluster.scheduler_address)
    _assert_same_run(threads, dask, (tmp_path / "threads", tmp_path / "dask"))


@pytest.mark.parametrize(
    ("workers", "size", "expected"),
    [
        (None, POOL_MIN_BYTES - 1, Runner(RunnerKind.THREADS, THREADS)),
        (None, POOL_MIN_BYTES, Runner(RunnerKind.PROCESSES, 4)),
        (1, 10 * POOL_MIN_BYTES, Runner(RunnerKind.THREADS, THREADS)),
        (3, 0, Runner(RunnerKind.PROCESSES, 3)),
    ],
)
def test_the_default_runner_depends_on_the_input_size(
    workers: int | None, size: int, expected: Runner
) -> None:
    """Every core for large inputs; threads when a pool could not win its start-up back."""
    assert choose_runner(workers, None, size, cpus=4) == expected
    assert choose_runner(workers, "tcp://h:1", size).kind is RunnerKind.DASK


@pytest.mark.parametrize(
    "options",
    [
        ["--workers", "2", "--dask-address", "tcp://127.0.0.1:8786"],
        ["--split-mb", "0"],
        ["--split-mb", "-1"],
    ],
)
def test_runner_usage_errors_exit_2_before_any_work(
    options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both runners at once, or a split size of nothing, is a usage error: no cluster, no run."""
    warehouse = tmp_path / "w"
    assert main(["ingest", str(SAMPLES), *options, "--warehouse", str(warehouse)]) == EXIT_USAGE
    assert capsys.readouterr().err.startswith("news-etl: ")
    assert not warehouse.exists()


def test_reprocess_refuses_both_runners_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "w"
    both = ["--workers", "2", "--dask-address", "tcp://127.0.0.1:8786"]
    assert main(["reprocess", *both, "--warehouse", str(warehouse)]) == EXIT_USAGE
    assert "not both" in capsys.readouterr().err
    assert not warehouse.exists()
