"""Three ingest processes at once on one warehouse, no lock: Delta's log keeps rows unique."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from tests.conftest import REPO_ROOT
from tests.flows.test_crash_recovery import _big_export
from tests.support.delta_sql import delta_rows

# End to end: three CLI processes against the harness's server (about a minute); only
# `make test` runs it.
pytestmark = pytest.mark.slow

SAMPLES = REPO_ROOT / "samples"


def test_overlapping_runs_write_each_article_once(tmp_path: Path) -> None:
    """Runs over overlapping inputs started together end with exactly the union, no duplicates."""
    export = tmp_path / "export.jsonl"
    shared = _big_export(export)  # long enough (seconds) that the runs overlap
    warehouse = tmp_path / "warehouse"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    inputs = ([export, SAMPLES / "text"], [export, SAMPLES / "html"], [SAMPLES / "html", export])
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "ingest", *map(str, paths),
             "--warehouse", str(warehouse), "--rows-per-file", "100", "--quiet"],
            cwd=REPO_ROOT,
            env=env,
        )
        for paths in inputs
    ]  # fmt: skip
    assert [run.wait(timeout=300) for run in runs] == [0, 0, 0]
    glob = f"{warehouse}/articles/**/*.parquet"
    [(rows, distinct)] = delta_rows(
        f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{glob}')"
    )
    # the export's articles once, the seed once (its windows-1252 copy is a duplicate),
    # and the 14 sample pages
    assert (rows, distinct) == (shared + 1 + 14, shared + 1 + 14)
