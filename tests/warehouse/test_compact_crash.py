"""A compaction killed with SIGKILL: readers stay exact, and the next one finishes the job."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO_ROOT
from tests.support.compaction import ArticleFactory, files_per_folder, glob_count, rows, small_runs
from tests.support.local import local
from warehouse import Warehouse, sweep_temp_files
from warehouse.compact import compact_warehouse, read_committed

# Runs the real compaction in a child process that kills itself with SIGKILL
# right after its first output is committed, before any replaced file is
# deleted: the one moment where both copies are on disk.
DIE_AFTER_COMMIT = """
import os, signal, sys
from pathlib import Path
import warehouse.compact as compact
from warehouse import Warehouse

real = compact._write_streamed

def write_then_die(*args, **kwargs):
    real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

compact._write_streamed = write_then_die
compact.compact_warehouse(Warehouse(Path(sys.argv[1])), min_files=2)
"""

TABLES = [("articles", "article_id"), ("rejects", "reject_id"), ("runs", "run_id")]


def _snapshot(store: Warehouse) -> dict[str, list[dict[str, object]]]:
    return {name: rows(store, store.root / name, key) for name, key in TABLES}


def test_killed_between_write_and_delete(store: Warehouse, make_article: ArticleFactory) -> None:
    """Killed after its first commit: readers see each row once, a raw glob sees the
    committed partition twice until the next compaction deletes the replaced files."""
    expected = small_runs(store, make_article, runs=6, per_run=3)
    before = _snapshot(store)
    child = subprocess.run(
        [sys.executable, "-c", DIE_AFTER_COMMIT, str(store.root)], cwd=REPO_ROOT, check=False
    )
    assert child.returncode == -signal.SIGKILL
    compacted = [p for p in store.parquet_files(store.articles) if p.name.startswith("compact-")]
    assert len(compacted) == 1  # killed after the first output
    assert _snapshot(store) == before
    assert read_committed(store, store.articles).num_rows == expected
    assert glob_count(store.articles) == expected + 6  # the caveat: one folder twice

    report = compact_warehouse(store, min_files=2)
    assert report.interrupted_finished == 6
    assert _snapshot(store) == before
    assert glob_count(store.articles) == expected
    assert set(files_per_folder(store, store.articles).values()) == {1}
    assert not list(store.root.rglob(".*.tmp"))


@pytest.mark.slow
def test_cli_killed_mid_compaction(store: Warehouse, make_article: ArticleFactory) -> None:
    """`news-etl compact` killed as soon as it has committed something: readers stay
    exact, the sweep of the next run deletes what it left, and nothing is lost."""
    expected = small_runs(store, make_article, runs=30, per_run=4)
    before = _snapshot(store)
    command = [sys.executable, "-m", "flows.cli", "compact", "--warehouse", str(store.root)]
    small_files = ["--target-mb", "0.02", "--min-files", "2", "--quiet"]
    victim = subprocess.Popen([*command, *small_files], cwd=REPO_ROOT)
    deadline = time.monotonic() + 120
    while not list(store.root.rglob("compact-*.parquet")):
        assert victim.poll() is None, "the compaction ended before it could be killed"
        assert time.monotonic() < deadline, "no compacted file appeared in time"
        time.sleep(0.002)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert _snapshot(store) == before
    assert read_committed(store, store.articles).num_rows == expected

    sweep_temp_files(store)  # what the next ingest does first, under the lock
    assert glob_count(store.articles) == expected
    subprocess.run([*command, "--quiet"], cwd=REPO_ROOT, check=True)
    assert _snapshot(store) == before
    assert set(files_per_folder(store, store.articles).values()) == {1}


def test_stray_temp_file_of_a_killed_compaction_is_invisible(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """A half-written compacted file is a hidden temp file: no reader sees it, the sweep
    deletes it."""
    expected = small_runs(store, make_article, runs=2, per_run=3)
    folder = store.articles / "published_month=undated"
    stray = local(folder / ".compact-20261130T000000000000Z-deadbeef.parquet.999.tmp")
    stray.write_bytes(b"PAR1 half a file")
    assert read_committed(store, store.articles).num_rows == expected
    assert glob_count(store.articles) == expected
    assert sweep_temp_files(store) == 1
    assert not stray.exists()
