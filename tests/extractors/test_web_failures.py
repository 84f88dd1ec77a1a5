"""Fetch failures as typed facts: which are transient, which permanent, which neither."""

from __future__ import annotations

import dataclasses

import pytest

from extractors.records import FailureKind, Reject, RejectReason
from extractors.sources import HttpSettings
from extractors.web.http import Fetcher
from extractors.web.transience import failure_kind, with_failure_facts
from tests.support.http_server import Reply, TestServer, redirect

FAST = HttpSettings(
    timeout_seconds=0.3,
    max_bytes=1_000,
    per_host_delay_seconds=0.0,
    max_retries=0,
    backoff_seconds=0.01,
    max_retry_wait_seconds=1.0,
    max_redirects=5,
    max_concurrent_hosts=2,
)
HTML = {"Content-Type": "text/html"}


FETCH_FAILED = RejectReason.FETCH_FAILED
PERMANENT, TRANSIENT, UNKNOWN = FailureKind.PERMANENT, FailureKind.TRANSIENT, FailureKind.UNKNOWN
PDF = Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
HUGE = Reply(200, HTML, b"<p>" + b"x" * 2_000)
LATE = Reply(200, HTML, b"<p>late</p>", delay=1.0)


@pytest.mark.parametrize(
    ("reply", "reason", "status", "kind"),
    [
        (Reply(410), FETCH_FAILED, 410, PERMANENT),
        (Reply(451), FETCH_FAILED, 451, PERMANENT),
        (Reply(404), FETCH_FAILED, 404, UNKNOWN),
        (Reply(403), FETCH_FAILED, 403, UNKNOWN),
        (Reply(503), FETCH_FAILED, 503, TRANSIENT),
        (Reply(429, {"Retry-After": "3600"}), FETCH_FAILED, 429, TRANSIENT),
        (Reply(408), FETCH_FAILED, 408, TRANSIENT),
        (PDF, RejectReason.NOT_HTML, None, PERMANENT),
        (HUGE, RejectReason.TOO_LARGE, None, PERMANENT),
        (LATE, RejectReason.TIMEOUT, None, TRANSIENT),
    ],
)
def test_a_real_answer_becomes_typed_facts(
    server: TestServer, reply: Reply, reason: RejectReason, status: int | None, kind: FailureKind
) -> None:
    """What the server answered ends up in fields, and decides what the next run does.

    Sizes and types are refused on a 2xx: their status says nothing, so
    only the HTTP errors are checked for it.
    """
    server.route("/page", reply)
    with Fetcher(FAST, allow_private_network=True) as fetcher:
        result = fetcher.fetch(server.url("/page"))
    assert isinstance(result, Reject)
    facts = with_failure_facts(result)
    assert facts.reason is reason
    if status is not None:
        assert facts.http_status == status
    assert facts.transient is (kind is FailureKind.TRANSIENT)
    assert failure_kind(facts) is kind


def test_redirect_loop_and_blocked_address_are_permanent(server: TestServer) -> None:
    """A loop, and a URL the SSRF guard refuses, are not worth asking again soon."""
    server.routes({"/a": redirect("/b"), "/b": redirect("/a")})
    with Fetcher(FAST, allow_private_network=True) as fetcher:
        loop = fetcher.fetch(server.url("/a"))
    with Fetcher(FAST) as guarded:  # the default: no private addresses
        blocked = guarded.fetch(server.url("/a"))
    assert isinstance(loop, Reject) and isinstance(blocked, Reject)
    assert (loop.reason, failure_kind(loop)) == (RejectReason.REDIRECT_LOOP, FailureKind.PERMANENT)
    assert (blocked.reason, failure_kind(blocked)) == (
        RejectReason.BLOCKED_ADDRESS, FailureKind.PERMANENT,
    )  # fmt: skip
    assert server.hits("/a") == 1  # the guarded fetcher sent nothing


def test_robots_refusal_is_neither(server: TestServer) -> None:
    """robots.txt is read again each run (RFC 9309 2.4), so its refusal is not remembered."""
    server.route(
        "/robots.txt", Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /\n")
    )
    with Fetcher(FAST, allow_private_network=True) as fetcher:
        refused = fetcher.fetch(server.url("/page"))
    assert isinstance(refused, Reject)
    assert failure_kind(refused) is FailureKind.UNKNOWN


def test_no_answer_is_transient() -> None:
    """A refused connection has no status, and may pass next run."""
    with TestServer("127.0.0.1") as gone:
        url = gone.url("/page")
    # robots off: an unreachable robots.txt disallows the host for the run instead
    with Fetcher(dataclasses.replace(FAST, obey_robots=False), allow_private_network=True) as f:
        result = f.fetch(url)
    assert isinstance(result, Reject)
    facts = with_failure_facts(result)
    assert (facts.reason, facts.http_status, facts.transient) == (FETCH_FAILED, None, True)
    assert failure_kind(facts) is FailureKind.TRANSIENT


@pytest.mark.parametrize(
    ("reject", "kind"),
    [
        # the fields are what counts: the detail text is never read when they are set
        (Reject("u", FETCH_FAILED, "HTTP 503", http_status=410), PERMANENT),
        (Reject("u", FETCH_FAILED, "HTTP 410", http_status=503), TRANSIENT),
        (Reject("u", FETCH_FAILED, "HTTP 503", transient=False), UNKNOWN),
        (Reject("u", FETCH_FAILED, "broken", transient=True), TRANSIENT),
        (Reject("u", FETCH_FAILED, "connection failed"), TRANSIENT),
        (Reject("u", RejectReason.TOO_SHORT, "12 words"), UNKNOWN),
        (Reject("u", RejectReason.PROCESSING_ERROR, "KeyError: x"), UNKNOWN),
    ],
)
def test_stated_facts_win(reject: Reject, kind: FailureKind) -> None:
    """A producer's `http_status` and `transient` decide; neither is parsed back from text."""
    assert failure_kind(reject) is kind


def test_facts_are_filled_once() -> None:
    """Filling the facts is idempotent and keeps every other field."""
    reject = Reject("u", RejectReason.TIMEOUT, "timed out (5 s)", "src")
    filled = with_failure_facts(reject)
    assert filled == dataclasses.replace(reject, transient=True)
    assert with_failure_facts(filled) is filled
