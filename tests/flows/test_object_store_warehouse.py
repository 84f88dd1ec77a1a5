"""A warehouse in object storage: `--warehouse s3://bucket/prefix`, against moto's S3 server.

The same flows as on disk, against a real S3-compatible server on
127.0.0.1: rows equal those written to a local folder and read back by an
analyst's plain pyarrow and by DuckDB; a rerun adds nothing; three runs at
once over overlapping inputs write each article once (Delta's conditional
writes: no lock, no lease); compaction keeps every row once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest
from prefect.settings import PREFECT_API_URL

from flows.ingest import ingest_files
from flows.object_store import open_warehouse
from tests.conftest import REPO_ROOT, sql_rows
from tests.flows.test_crash_recovery import SPLIT_MB, _big_export
from tests.flows.test_versions_flow import _ingest_then_refresh
from tests.support.s3_server import running_s3_server, s3_env
from warehouse import compact_warehouse, sql_views
from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE

# End to end: whole flows and CLI runs against moto's S3 server (minutes in all); `make test`
# runs them, `make check` leaves them out.
pytestmark = pytest.mark.slow

SAMPLES = REPO_ROOT / "samples"
KEY_COLUMNS = ("article_id", "content_hash", "source", "title", "body", "published_month")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server, with the AWS_* variables pointing at it for the whole module."""
    with running_s3_server() as endpoint, pytest.MonkeyPatch.context() as patch:
        for name, value in s3_env(endpoint).items():
            patch.setenv(name, value)
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint: str, request: pytest.FixtureRequest) -> str:
    """A fresh bucket per test."""
    stem = request.node.originalname.replace("_", "-")[:40].lower().strip("-")
    name = f"{stem}-{uuid.uuid4().hex[:8]}"  # parametrised runs get buckets of their own
    boto3.client("s3").create_bucket(Bucket=name)
    return name


def _analyst_rows(bucket: str, prefix: str) -> list[tuple[Any, ...]]:
    """Article rows read the way an analyst would: pyarrow's own S3 client, no news-etl code."""
    fs = pafs.S3FileSystem(
        endpoint_override=os.environ["AWS_ENDPOINT_URL"],
        access_key="test",
        secret_key="test",
        region="us-east-1",
    )
    table = ds.dataset(
        f"{bucket}/{prefix}/articles", filesystem=fs, format="parquet", partitioning="hive"
    ).to_table(columns=list(KEY_COLUMNS))
    return sorted(tuple(row[c] for c in KEY_COLUMNS) for row in table.to_pylist())


def _local_rows(warehouse: Path) -> list[tuple[Any, ...]]:
    columns = ", ".join(KEY_COLUMNS)
    return sorted(
        sql_rows(
            f"SELECT {columns} FROM read_parquet('{warehouse}/articles/**/*.parquet', "
            "hive_partitioning = true, union_by_name = true)"
        )
    )


def _keys(bucket: str) -> list[str]:
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def test_ingest_writes_the_same_rows_as_on_disk_and_a_rerun_adds_none(
    bucket: str, tmp_path: Path
) -> None:
    inputs = [str(SAMPLES / "text"), str(SAMPLES / "html")]
    uri = f"s3://{bucket}/news/warehouse"
    on_disk = ingest_files(paths=inputs, warehouse=str(tmp_path / "warehouse"))
    first = ingest_files(paths=inputs, warehouse=uri)
    again = ingest_files(paths=inputs, warehouse=uri)

    expected = _local_rows(tmp_path / "warehouse")
    assert len(expected) == on_disk.counts.articles_written > 10
    assert (first.counts.articles_written, first.counts.rejects) == (
        on_disk.counts.articles_written,
        on_disk.counts.rejects,
    )
    assert again.counts.articles_written == 0
    assert _analyst_rows(bucket, "news/warehouse") == expected

    with sql_views(open_warehouse(uri)) as views:
        [(articles, runs, rejects)] = views.connection.execute(
            "SELECT (SELECT count(*) FROM articles_latest), (SELECT count(*) FROM runs), "
            "(SELECT count(*) FROM rejects)"
        ).fetchall()
        months = views.connection.execute(
            "SELECT count(DISTINCT published_month) FROM articles"
        ).fetchone()
    assert (articles, runs, rejects) == (len(expected), 2, on_disk.counts.rejects)
    assert months == (len({row[-1] for row in expected}),)  # Hive partitions read back

    keys = _keys(bucket)
    assert "news/warehouse/articles/_delta_log/00000000000000000000.json" in keys
    assert not any(k.endswith(".lock") for k in keys)  # no lock of our own


def test_overlapping_runs_on_the_object_store_write_each_article_once(
    bucket: str, tmp_path: Path
) -> None:
    """Three CLI processes at once on one s3:// warehouse, overlapping inputs: no lock, the
    log's conflict checks keep every article once."""
    export = tmp_path / "export.jsonl"
    shared = _big_export(export)  # long enough (seconds) that the runs overlap
    uri = f"s3://{bucket}/warehouse"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    inputs = ([export, SAMPLES / "text"], [export, SAMPLES / "html"], [SAMPLES / "html", export])
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "ingest", *map(str, paths),
             "--warehouse", uri, "--rows-per-file", "100", "--quiet"],
            cwd=REPO_ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for paths in inputs
    ]  # fmt: skip
    errors = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], errors

    # the export's articles once, the seed once (its windows-1252 copy is a duplicate),
    # and the 14 sample pages: in the table, and, once a compaction has deleted the files of
    # commits that lost a conflict, in a raw read of the bucket too
    store = open_warehouse(uri)
    ids = read(store, ARTICLES_TABLE, ["article_id"])["article_id"].to_pylist()
    assert len(ids) == len(set(ids)) == shared + 1 + 14
    compact_warehouse(store, orphan_hours=0)
    ids = [row[0] for row in _analyst_rows(bucket, "warehouse")]
    assert len(ids) == len(set(ids)) == shared + 1 + 14


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_the_readme_commands_work_on_an_object_store(bucket: str) -> None:
    """query, status, compact and report with `--warehouse s3://...`, as in the README."""
    uri = f"s3://{bucket}/warehouse"
    ingest_files(paths=[str(SAMPLES / "text")], warehouse=uri)
    ingest_files(paths=[str(SAMPLES / "html")], warehouse=uri)

    query = _cli(
        "query", "--warehouse", uri, "--format", "json",
        "SELECT count(*) AS n, count(DISTINCT article_id) AS ids FROM articles_latest",
    )  # fmt: skip
    assert query.returncode == 0, query.stderr
    [counts] = json.loads(query.stdout)
    assert counts["n"] == counts["ids"] == len(_analyst_rows(bucket, "warehouse")) > 10

    status = _cli("status", "--warehouse", uri)
    assert status.returncode == 0, status.stderr
    assert "completed" in status.stdout and "bbc.com" in status.stdout

    compact = _cli("compact", "--warehouse", uri)
    assert compact.returncode == 0, compact.stderr
    assert "runs" in compact.stdout and "articles" in compact.stdout

    report = _cli("report", "--warehouse", uri)
    assert report.returncode == 0, report.stderr
    assert f"report: {uri}/report.html" in report.stdout
    page = boto3.client("s3").get_object(Bucket=bucket, Key="warehouse/report.html")
    assert b"<html" in page["Body"].read()[:200].lower()
    elsewhere = _cli("report", "--warehouse", uri, "--out", f"s3://{bucket}/pages/news.html")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "pages/news.html" in _keys(bucket)

    missing = _cli("status", "--warehouse", "nosuchscheme://x/y")
    assert missing.returncode == 1 and "nosuchscheme://x/y" in missing.stderr


def test_compaction_on_the_object_store_keeps_every_row_once(bucket: str) -> None:
    """optimize + vacuum on S3: same rows, fewer objects, and the superseded ones deleted."""
    uri = f"s3://{bucket}/warehouse"
    for folder in ("text", "html", "jsonl"):
        ingest_files(paths=[str(SAMPLES / folder)], warehouse=uri, rows_per_file=2)
    store = open_warehouse(uri)
    before = read(store, ARTICLES_TABLE, ["article_id"])["article_id"].to_pylist()
    objects_before = len(_data_keys(bucket))

    report = compact_warehouse(store)

    after = read(store, ARTICLES_TABLE, ["article_id"])["article_id"].to_pylist()
    assert sorted(after) == sorted(before) and len(set(after)) == len(after) > 10
    assert report.files_after < report.files_before
    assert len(_data_keys(bucket)) < objects_before  # vacuumed, not just unreferenced
    assert sorted(r[0] for r in _analyst_rows(bucket, "warehouse")) == sorted(before)


def _data_keys(bucket: str) -> list[str]:
    return [k for k in _keys(bucket) if "/articles/published_month=" in k]


def test_sigkill_then_rerun_on_the_object_store(bucket: str, tmp_path: Path) -> None:
    """A run killed mid-way leaves no lock to wait for; the rerun writes exactly what was
    missing."""
    export = tmp_path / "export.jsonl"
    expected = _big_export(export)
    uri = f"s3://{bucket}/warehouse"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    command = [
        sys.executable, "-m", "flows.cli", "ingest", str(export), "--warehouse", uri,
        "--rows-per-file", "100", "--split-mb", str(SPLIT_MB), "--quiet",
    ]  # fmt: skip
    victim = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    deadline = time.monotonic() + 120
    while len(_data_keys(bucket)) < 3:
        assert victim.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no article objects appeared in time"
        time.sleep(0.1)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    partial = len(_analyst_rows(bucket, "warehouse"))
    assert 0 < partial < expected

    rerun = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    store = open_warehouse(uri)
    ids = read(store, ARTICLES_TABLE, ["article_id"])["article_id"].to_pylist()
    assert len(ids) == len(set(ids)) == expected
    # the killed run may have left a data file it never committed: not in the table, and
    # gone from the bucket after a compaction, so a raw read is exact again
    compact_warehouse(store, orphan_hours=0)
    ids = [row[0] for row in _analyst_rows(bucket, "warehouse")]
    assert len(ids) == len(set(ids)) == expected
    with sql_views(open_warehouse(uri)) as views:
        statuses = views.connection.execute(
            "SELECT status FROM runs ORDER BY started_at"
        ).fetchall()
    assert statuses == [("running",), ("completed",)]


def test_web_runs_versions_and_reprocess_on_the_object_store(
    bucket: str, corpus: Path, tmp_path: Path
) -> None:
    """Fetched pages, feed validators, versions and reprocessing: the same rows as on disk."""
    from flows.reprocess import reprocess

    rows_sql = (  # each run has its own server, so URLs are compared by path
        "SELECT regexp_replace(url, '^http://[^/]+', '') AS path, version, body, content_hash "
        "FROM articles ORDER BY path, version"
    )
    results = {}
    for name, warehouse in (("disk", str(tmp_path / "warehouse")), ("s3", f"s3://{bucket}/w")):
        (tmp_path / name).mkdir()
        first, second, _ = _ingest_then_refresh(corpus, tmp_path / name, warehouse)
        rebuilt = reprocess(warehouse=warehouse)
        with sql_views(open_warehouse(warehouse)) as views:
            rows = views.connection.execute(rows_sql).fetchall()
            raw = views.connection.execute("SELECT count(*) FROM raw_pages").fetchone()
        counts = [(s.counts.articles_written, s.counts.rejects) for s in (first, second, rebuilt)]
        results[name] = (rows, raw, counts)
    assert results["s3"] == results["disk"]
    rows, raw, counts = results["s3"]
    assert [version for _, version, _, _ in rows] == [1, 1, 2]  # mirror, story v1, story v2
    assert raw is not None and raw[0] >= 3 and counts[2][0] == 2


@pytest.mark.parametrize("command", ["status", "compact"])
def test_an_unreachable_store_is_an_error_message_not_a_traceback(
    s3_endpoint: str, command: str
) -> None:
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}  # nothing listens there
    done = _cli(command, "--warehouse", "s3://news/warehouse", env=env)
    assert done.returncode == 1
    assert done.stderr.startswith("news-etl: cannot ") and "Traceback" not in done.stderr
    assert "127.0.0.1:1" in done.stderr
