"""Inputs named by URL: a web archive over HTTP and from an S3-compatible store.

The archive is a real Common Crawl WARC from the shared corpus, served by a
local HTTP server and by moto's S3 server on 127.0.0.1. Rows must be those
of the same file ingested from disk, with locators naming the URL, and a
rerun must resume (skip every record written) rather than start over.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.ingest import ingest_files
from tests.support.delta_sql import delta_rows
from tests.support.http_server import Reply, TestServer
from tests.support.s3_server import running_s3_server

RESILIPARSE = "warc/chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz"
WARC = {"Content-Type": "application/warc"}


def _rows(warehouse: Path, prefix: str) -> list[tuple[str, str, str]]:
    """(locator without the file part, article_id, body) of every article, sorted."""
    rows = delta_rows(
        "SELECT locator, article_id, body "
        f"FROM read_parquet('{warehouse}/articles/**/*.parquet', union_by_name = true)"
    )
    assert all(locator.startswith(prefix + "#offset=") for locator, _, _ in rows), rows[:2]
    return sorted((locator.removeprefix(prefix), aid, body) for locator, aid, body in rows)


@pytest.fixture(scope="module")
def from_disk(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, str]]:
    archive = corpus / RESILIPARSE
    warehouse = tmp_path_factory.mktemp("disk") / "warehouse"
    ingest_files(paths=[str(archive)], warehouse=str(warehouse))
    return _rows(warehouse, str(archive))


@pytest.mark.slow
def test_archive_over_http_is_ingested_and_resumed(
    corpus: Path, tmp_path: Path, from_disk: list[tuple[str, str, str]]
) -> None:
    warehouse = tmp_path / "warehouse"
    with TestServer("127.0.0.1") as server:
        server.route("/crawl/cc.warc.gz", Reply(200, WARC, (corpus / RESILIPARSE).read_bytes()))
        url = server.url("/crawl/cc.warc.gz")
        first = ingest_files(paths=[url], warehouse=str(warehouse))
        second = ingest_files(paths=[url], warehouse=str(warehouse))

    assert _rows(warehouse, url) == from_disk
    assert first.counts.articles_written == len(from_disk) > 10
    assert second.counts.articles_written == 0
    assert (
        second.counts.already_stored == first.counts.articles_written + first.counts.rejects
    )  # passed over unread
    assert not (warehouse / ".downloads").exists()  # local copies go once the run completes


def test_unreachable_url_is_a_reject_and_the_run_goes_on(corpus: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse"
    with TestServer("127.0.0.1") as server:
        missing = server.url("/gone.warc.gz")
        summary = ingest_files(paths=[missing, str(corpus / RESILIPARSE)], warehouse=str(warehouse))
    assert summary.counts.rejects_by_reason.get("UNREADABLE") == 1
    assert summary.counts.articles_written > 10
    [(locator, reason, detail)] = delta_rows(
        f"SELECT locator, reason, detail FROM read_parquet('{warehouse}/rejects/*.parquet') "
        "WHERE reason = 'UNREADABLE'"
    )
    assert (locator, reason) == (missing, "UNREADABLE")
    assert "404" in detail


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server on a free port of 127.0.0.1."""
    with running_s3_server() as endpoint:
        yield endpoint


@pytest.mark.slow
def test_archive_from_s3_compatible_store(
    corpus: Path,
    tmp_path: Path,
    s3_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    from_disk: list[tuple[str, str, str]],
) -> None:
    """The standard AWS variables point pyarrow at the store, as for AWS or MinIO."""
    import boto3  # type: ignore[import-untyped]

    for name, value in {
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3")
    client.create_bucket(Bucket="crawl")
    client.put_object(
        Bucket="crawl", Key="news/cc.warc.gz", Body=(corpus / RESILIPARSE).read_bytes()
    )
    uri = "s3://crawl/news/cc.warc.gz"
    warehouse = tmp_path / "warehouse"
    summary = ingest_files(paths=[uri], warehouse=str(warehouse))
    assert summary.counts.articles_written == len(from_disk)
    assert _rows(warehouse, uri) == from_disk
