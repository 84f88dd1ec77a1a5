"""The ingest flow on a local Dask cluster of two worker processes writes what threads write."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.cli import EXIT_USAGE, main
from flows.ingest import RunSummary, ingest_files
from tests.conftest import REPO_ROOT, sql_rows

SAMPLES = REPO_ROOT / "samples"
RESILIPARSE = "warc/chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz"
EVAL_PAGES = "html/adbar__trafilatura/eval"
# Columns that differ between runs by design: who wrote the row, and when.
RUN_COLUMNS = frozenset({"run_id", "ingested_at", "seen_at", "first_seen_at", "last_seen_at"})


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


def _table(glob: str) -> list[tuple[Any, ...]]:
    """Every row of a table, without the run-specific columns, sorted."""
    source = f"read_parquet('{glob}', hive_partitioning = true)"
    with duckdb.connect() as connection:
        columns = connection.execute(f"SELECT * FROM {source} LIMIT 0").description
        kept = ", ".join(f'"{c[0]}"' for c in columns if c[0] not in RUN_COLUMNS)
        return connection.execute(f"SELECT {kept} FROM {source} ORDER BY ALL").fetchall()


@pytest.mark.slow
def test_two_dask_workers_write_the_same_rows_as_threads(inputs: list[str], tmp_path: Path) -> None:
    """Same input, same options: the Dask run's articles and rejects equal the thread run's."""
    threads = _run(inputs, tmp_path / "threads")
    dask = _run(inputs, tmp_path / "dask", workers=2)
    assert threads.batches == dask.batches > 10
    assert (dask.documents_seen, dask.articles_written, dask.duplicates_skipped) == (
        threads.documents_seen,
        threads.articles_written,
        threads.duplicates_skipped,
    )
    assert dask.rejects_by_reason == threads.rejects_by_reason
    assert dask.records_skipped == threads.records_skipped
    for table in ("articles/**/*.parquet", "rejects/*.parquet"):
        rows = _table(f"{tmp_path / 'threads'}/{table}")
        assert rows
        assert _table(f"{tmp_path / 'dask'}/{table}") == rows
    [(runs,)] = sql_rows(
        f"SELECT list(parameters) FROM read_parquet('{tmp_path / 'dask'}/runs/*.parquet')"
    )
    assert '"workers": 2' in runs[0]


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
