"""A run killed with SIGKILL mid-write, then rerun: the table is complete, without duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from tests.conftest import REPO_ROOT
from tests.support.delta_sql import delta_rows
from warehouse import Warehouse, read_site_counts
from warehouse.inputs import read_progress

EXPORT = REPO_ROOT / "samples" / "jsonl" / "newspaper4k-export.jsonl"
COPIES = 150
ROWS_PER_FILE = 40
SPLIT_MB = 0.25


def _big_export(path: Path) -> int:
    """The sample export's real records, repeated under distinct URLs; returns the count."""
    records = []
    for line in EXPORT.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("body"):
            records.append(record)
    with path.open("w", encoding="utf-8") as out:
        for copy in range(COPIES):
            for record in records:
                out.write(json.dumps({**record, "url": f"{record['url']}?copy={copy}"}) + "\n")
    return COPIES * len(records)


def _ingest_cmd(export: Path, warehouse: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "flows.cli",
        "ingest",
        str(export),
        "--warehouse",
        str(warehouse),
        "--rows-per-file",
        str(ROWS_PER_FILE),
        "--split-mb",  # about 18 ranges of the one file, so commits spread over the run
        str(SPLIT_MB),
        "--quiet",
    ]


def _article_files(warehouse: Path) -> list[Path]:
    return list((warehouse / "articles").rglob("*.parquet"))


@pytest.mark.slow
def test_sigkill_then_rerun(tmp_path: Path) -> None:
    """Kill the ingest after some files are committed; the rerun completes without duplicates."""
    export = tmp_path / "export.jsonl"
    expected = _big_export(export)
    warehouse = tmp_path / "warehouse"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}

    victim = subprocess.Popen(_ingest_cmd(export, warehouse), cwd=REPO_ROOT, env=env)
    deadline = time.monotonic() + 120
    # killed once a range's outcome is recorded as committed, before the end
    while str(export) not in read_progress(Warehouse.at(str(warehouse))):
        assert victim.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no article files appeared in time"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    glob = f"{warehouse}/articles/**/*.parquet"
    [(partial,)] = delta_rows(f"SELECT count(*) FROM read_parquet('{glob}')")
    assert 0 < partial < expected
    # how far the killed run got, as recorded: the rerun starts reading there
    progress = read_progress(Warehouse.at(str(warehouse)))[str(export)]
    assert 0 < progress.committed_to < progress.size
    assert 0 < progress.documents <= partial

    subprocess.run(_ingest_cmd(export, warehouse), cwd=REPO_ROOT, env=env, check=True)
    [(total, distinct)] = delta_rows(
        f"SELECT count(*), count(DISTINCT article_id) FROM read_parquet('{glob}')"
    )
    assert (total, distinct) == (expected, expected)
    statuses = delta_rows(
        f"SELECT status FROM read_parquet('{warehouse}/runs/*.parquet') ORDER BY started_at"
    )
    assert statuses == [("running",), ("completed",)]
    [(passed_over,)] = delta_rows(
        f"SELECT already_stored FROM read_parquet('{warehouse}/runs/*.parquet') "
        "WHERE status = 'completed'"
    )
    assert passed_over >= progress.documents
    # the killed run's articles were counted for site learning by the rerun, once
    counts = read_site_counts(Warehouse.at(str(warehouse)))
    assert sum(c.articles_seen for c in counts.values()) == expected
