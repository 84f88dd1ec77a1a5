"""The crawl state of failed fetches (`state/url_outcomes.parquet`): merge, rest, storage."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime, timedelta

import boto3  # type: ignore[import-untyped]
import pytest

from extractors.records import DiscoveredUrl, FailureKind, Reject, RejectReason
from tests.support.delta_sql import delta_rows
from tests.support.s3_server import running_s3_server, s3_env, s3_warehouse
from warehouse import Warehouse
from warehouse.delta import SCHEMA_VERSION_PROPERTY, open_table
from warehouse.layout import URL_OUTCOMES_TABLE
from warehouse.schema import SCHEMA_VERSION, URL_OUTCOMES
from warehouse.url_outcomes import UrlOutcome, read_url_outcomes, write_url_outcomes

DAY0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
FEED = "https://example.org/rss.xml"


def _listed(path: str) -> DiscoveredUrl:
    return DiscoveredUrl(url=f"https://example.org{path}", source="example", found_in=FEED)


Failed = tuple[DiscoveredUrl, Reject]


def _failed(path: str, reason: RejectReason, detail: str, http_status: int | None = None) -> Failed:
    listed = _listed(path)
    return listed, Reject(listed.url, reason, detail, "example", http_status=http_status)


GONE = _failed("/gone", RejectReason.FETCH_FAILED, "HTTP 410", http_status=410)
BUSY = _failed("/busy", RejectReason.FETCH_FAILED, "HTTP 503", http_status=503)
SLOW = _failed("/slow", RejectReason.TIMEOUT, "timed out (5 s)")
MISSING = _failed("/missing", RejectReason.FETCH_FAILED, "HTTP 404", http_status=404)


def _write(
    store: Warehouse, failed: list[Failed], at: datetime, fetched: set[str] | None = None
) -> None:
    urls = {d.url for d, _ in failed} if fetched is None else fetched
    write_url_outcomes(store, urls, failed, at=at, run_id=at.isoformat())


def test_remembers_transient_and_permanent_failures_only(store: Warehouse) -> None:
    """A 410 rests, a 503 and a timeout are retried; a 404 leaves no row (it says nothing)."""
    _write(store, [GONE, BUSY, SLOW, MISSING], DAY0)
    rows = read_url_outcomes(store)
    assert {url.removeprefix("https://example.org"): row.kind for url, row in rows.items()} == {
        "/gone": FailureKind.PERMANENT,
        "/busy": FailureKind.TRANSIENT,
        "/slow": FailureKind.TRANSIENT,
    }
    gone = rows[GONE[0].url]
    assert (gone.reason, gone.http_status, gone.failures, gone.found_in) == (
        RejectReason.FETCH_FAILED, 410, 1, FEED,
    )  # fmt: skip
    assert rows[SLOW[0].url].http_status is None  # no answer came


def test_failures_count_on_and_a_fetch_settles(store: Warehouse) -> None:
    """Failing again counts on from the first failure; fetched without failing, the row goes."""
    _write(store, [GONE, BUSY], DAY0)
    later = DAY0 + timedelta(days=1)
    _write(store, [BUSY], later, fetched={GONE[0].url, BUSY[0].url})  # the 410 page is back
    rows = read_url_outcomes(store)
    assert list(rows) == [BUSY[0].url]
    busy = rows[BUSY[0].url]
    assert (busy.failures, busy.first_failed_at, busy.last_failed_at) == (2, DAY0, later)


def test_a_change_of_kind_starts_the_count_again(store: Warehouse) -> None:
    """A 503 that becomes a 410 is a first permanent failure, resting from now."""
    _write(store, [BUSY], DAY0)
    gone_now = _failed("/busy", RejectReason.FETCH_FAILED, "HTTP 410", http_status=410)
    _write(store, [gone_now], DAY0 + timedelta(hours=1))
    row = read_url_outcomes(store)[BUSY[0].url]
    assert (row.kind, row.failures, row.first_failed_at) == (
        FailureKind.PERMANENT, 1, DAY0 + timedelta(hours=1),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "age", "rests"),
    [
        (FailureKind.PERMANENT, timedelta(days=29, hours=23), True),
        (FailureKind.PERMANENT, timedelta(days=30), False),
        (FailureKind.TRANSIENT, timedelta(0), False),
    ],
)
def test_only_a_young_permanent_failure_rests(
    kind: FailureKind, age: timedelta, rests: bool
) -> None:
    """The rest runs from the last failure for the period given; a transient one never rests."""
    row = UrlOutcome(
        "https://example.org/x", "example", FEED, kind, RejectReason.FETCH_FAILED, 410,
        "HTTP 410", 1, DAY0, DAY0, "r1",
    )  # fmt: skip
    assert row.rests(DAY0 + age, timedelta(days=30)) is rests


def test_declared_schema_read_back_by_pyarrow_and_duckdb(store: Warehouse) -> None:
    """The table carries the declared schema and version; DuckDB reads the typed facts."""
    _write(store, [GONE, SLOW], DAY0)
    path = store.folder(URL_OUTCOMES_TABLE)
    table = open_table(store, URL_OUTCOMES_TABLE)
    assert table is not None
    assert table.to_pyarrow_dataset().schema.remove_metadata() == URL_OUTCOMES.remove_metadata()
    assert table.metadata().configuration[SCHEMA_VERSION_PROPERTY] == SCHEMA_VERSION
    rows = delta_rows(
        f"SELECT url, kind, reason, http_status FROM read_parquet('{path}') ORDER BY url"
    )
    assert rows == [
        (GONE[0].url, "permanent", "FETCH_FAILED", 410),
        (SLOW[0].url, "transient", "TIMEOUT", None),
    ]


def test_nothing_changed_writes_nothing(store: Warehouse) -> None:
    """A run that fetched none of the remembered URLs commits nothing."""
    _write(store, [GONE], DAY0)
    before = store.journal.versions()
    _write(store, [MISSING], DAY0 + timedelta(days=1))  # a 404 elsewhere: no row to add
    assert store.journal.versions() == before


def test_producer_facts_are_stored_as_given(store: Warehouse) -> None:
    """The stored status is the reject's field, not whatever its detail text says."""
    odd = _failed("/odd", RejectReason.FETCH_FAILED, "HTTP 503 (as the text says)", http_status=451)
    _write(store, [odd], DAY0)
    row = read_url_outcomes(store)[odd[0].url]
    assert (row.kind, row.http_status) == (FailureKind.PERMANENT, 451)


@pytest.fixture(scope="module")
def bucket() -> Iterator[str]:
    """A bucket on moto's S3 server, with the AWS_* variables pointing at it."""
    with running_s3_server() as endpoint, pytest.MonkeyPatch.context() as patch:
        for name, value in s3_env(endpoint).items():
            patch.setenv(name, value)
        client = boto3.client("s3")
        with suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket="crawl-state")
        yield "crawl-state"


def test_same_rows_on_an_object_store(bucket: str) -> None:
    """Written to s3:// through the same storage helpers, read back the same."""
    store = s3_warehouse(f"s3://{bucket}/w")
    _write(store, [GONE, BUSY], DAY0)
    _write(store, [BUSY], DAY0 + timedelta(days=1))
    rows = read_url_outcomes(store)
    assert {url: (r.kind, r.failures) for url, r in rows.items()} == {
        GONE[0].url: (FailureKind.PERMANENT, 1),
        BUSY[0].url: (FailureKind.TRANSIENT, 2),
    }
