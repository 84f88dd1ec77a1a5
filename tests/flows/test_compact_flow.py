"""The `compact` flow and `news-etl compact`, including while ingest processes run."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from flows.cli import main
from flows.compact import compact
from tests.conftest import REPO_ROOT, sql_rows
from tests.flows.test_crash_recovery import _big_export
from tests.support.compaction import (
    ArticleFactory,
    data_files,
    delta_rows_of,
    glob_rows,
    small_runs,
)
from tests.support.delta_sql import delta_rows
from warehouse import Warehouse
from warehouse.compact import CompactionReport
from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE

SAMPLES = REPO_ROOT / "samples"


def test_flow_compacts_and_publishes_artifact(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """The flow returns the report and leaves a `compaction-summary` table artifact."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    small_runs(store, make_article, runs=5, per_run=3)
    before = delta_rows_of(store, "articles", "article_id")
    state = compact(warehouse=str(store.root), target_mb=1, return_state=True)
    report = state.result()
    assert isinstance(report, CompactionReport)
    [articles] = [t for t in report.tables if t.table == "articles"]
    assert (articles.files_before, articles.files_after) == (15, 3)  # one per month
    assert delta_rows_of(store, "articles", "article_id") == before
    assert len(data_files(store.articles)) == 3  # the vacuum deleted the small files
    run_id = state.state_details.flow_run_id
    assert run_id is not None
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    [artifact] = [a for a in artifacts if a.key == "compaction-summary"]
    assert artifact.type == "table"
    assert '"files before": 15' in str(artifact.data)
    [run] = [r for r in delta_rows_of(store, "runs", "run_id") if r["flow"] == "compact"]
    assert (run["run_id"], run["status"]) == (str(run_id), "completed")


def test_a_failed_compaction_is_recorded_as_failed(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run ledger records the compaction's outcome, a failure included, and re-raises."""
    import flows.compact

    small_runs(store, make_article, runs=2, per_run=2)

    def broken(*args: object, **kwargs: object) -> CompactionReport:
        raise OSError("disk full")

    monkeypatch.setattr(flows.compact, "compact_warehouse", broken)
    state = compact(warehouse=str(store.root), return_state=True)
    assert state.is_failed()
    [run] = [r for r in delta_rows_of(store, "runs", "run_id") if r["flow"] == "compact"]
    assert run["status"] == "failed"


def test_cli_prints_summary(
    store: Warehouse, make_article: ArticleFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """`news-etl compact` compacts without Prefect and prints files before and after."""
    small_runs(store, make_article, runs=4, per_run=3)
    assert main(["compact", "--warehouse", str(store.root)]) == 0
    out = capsys.readouterr().out
    assert "articles" in out and "files before" in out
    assert len(data_files(store.articles)) == 3
    assert len(glob_rows(store.articles, "article_id", partitioned=True)) == 12


@pytest.mark.parametrize(
    ("extra", "message"),
    [(["--retention-hours", "-1"], "0 or more"), (["--target-mb", "0"], "must be positive")],
)
def test_cli_usage_errors(
    store: Warehouse, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad options exit 2 and say what is wrong."""
    store.root.mkdir(parents=True)
    with pytest.raises(SystemExit) as exit_info:
        main(["compact", "--warehouse", str(store.root), *extra])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_missing_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A warehouse that does not exist is a usage error, not an empty compaction."""
    assert main(["compact", "--warehouse", str(tmp_path / "nothing")]) == 2
    assert "no warehouse" in capsys.readouterr().err


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", *args]


@pytest.mark.slow
def test_compaction_while_ingests_run(tmp_path: Path) -> None:
    """Ingest, compact and a second overlapping ingest as three processes at once, no lock:
    a reader never sees a duplicate or loses a row, and the final table is exactly the
    union; compacting again and rerunning adds nothing."""
    export = tmp_path / "export.jsonl"
    shared = _big_export(export)
    expected = shared + 14  # the export, and the 14 sample pages of the second run
    warehouse = tmp_path / "warehouse"
    store = Warehouse(warehouse)
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    ingest_a = _cli("ingest", str(export), "--warehouse", str(warehouse),
                    "--rows-per-file", "40", "--quiet")  # fmt: skip
    ingest_b = _cli("ingest", str(export), str(SAMPLES / "html"), "--warehouse", str(warehouse),
                    "--rows-per-file", "40", "--quiet")  # fmt: skip
    compact_cmd = _cli("compact", "--warehouse", str(warehouse))

    seen: list[tuple[int, int]] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            ids = read(store, ARTICLES_TABLE, ["article_id"])["article_id"].to_pylist()
            seen.append((len(ids), len(set(ids))))
            time.sleep(0.05)

    first = subprocess.Popen(ingest_a, cwd=REPO_ROOT, env=env)
    deadline = time.monotonic() + 120
    while not len(data_files(store.articles)) > 2:  # the first ingest has committed
        assert first.poll() is None, "the first ingest ended before the others started"
        assert time.monotonic() < deadline, "the first ingest did not commit in time"
        time.sleep(0.01)
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        compactor = subprocess.Popen(compact_cmd, cwd=REPO_ROOT, env=env)
        second = subprocess.Popen(ingest_b, cwd=REPO_ROOT, env=env)
        codes = [first.wait(timeout=300), compactor.wait(timeout=300), second.wait(timeout=300)]
    finally:
        stop.set()
        thread.join()
    assert codes == [0, 0, 0]

    assert seen and all(count == distinct for count, distinct in seen)  # never a duplicate
    counts = [count for count, _ in seen]
    assert counts == sorted(counts)  # never a gap: a committed row stays visible
    glob = f"{warehouse}/articles/published_month=*/*.parquet"
    [(total, distinct)] = delta_rows(
        f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{glob}')"
    )
    assert (total, distinct) == (expected, expected)

    subprocess.run([*compact_cmd, "--quiet"], cwd=REPO_ROOT, env=env, check=True)
    [(total, distinct)] = sql_rows(  # compacted and vacuumed: the plain glob is exact
        f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{glob}')"
    )
    assert (total, distinct) == (expected, expected)
    subprocess.run(ingest_a, cwd=REPO_ROOT, env=env, check=True)  # a rerun: all duplicates
    assert delta_rows(
        f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{glob}')"
    ) == [(expected, expected)]
    statuses = delta_rows(f"SELECT status, count(*) FROM read_parquet('{warehouse}/runs/*.parquet')"
                        " GROUP BY ALL")  # fmt: skip
    assert statuses == [("completed", 3)]
