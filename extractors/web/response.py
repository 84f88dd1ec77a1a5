"""What one HTTP response means: a page, `NotModified`, a redirect to follow, or a failure.

The status decides first (redirects, 304, 429 and 5xx as transient
failures with their Retry-After, other non-2xx), then the declared type and
length, then the body, read and decompressed under the cap by `http_body`
and sniffed. requests and urllib3 exceptions met while reading the body are
translated here, once. A `Failure` carries its HTTP status and transience as
fields, so the fetcher can retry it and robots.txt can tell a 4xx apart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import requests
import urllib3.exceptions

from extractors.records import FetchedPage, NotModified, RejectReason, Validators
from extractors.sources import HttpSettings
from extractors.web.http_body import (
    CorruptBodyError,
    Expect,
    Inflater,
    SlowBodyError,
    TooLargeError,
    content_type,
    retry_after_seconds,
    sniff_refusal,
    type_refusal,
)

__all__ = ["Failure", "Plan", "Redirect", "answer", "root_cause"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed attempt, before it becomes a `Reject`; `status` lets robots read 4xx apart."""

    reason: RejectReason
    detail: str
    status: int | None = None
    transient: bool = False
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Redirect:
    """A 3xx with a Location: the next hop, already made absolute."""

    location: str


@dataclass(frozen=True, slots=True)
class Plan:
    """What one fetch asks for: the expected type, validators, robots, the byte cap."""

    expect: Expect
    validators: Validators | None
    obey_robots: bool
    limit: int
    truncate: bool = False  # robots.txt: keep the first `limit` bytes instead of refusing


def answer(
    url: str, response: requests.Response, plan: Plan, settings: HttpSettings
) -> FetchedPage | NotModified | Redirect | Failure:
    """The outcome of one response to a request for `url` (a hop, not the first URL)."""
    status, fetched_at = response.status_code, datetime.now(UTC)
    if status in _REDIRECTS:
        location = response.headers.get("Location")
        if location:
            return Redirect(urljoin(url, location.strip()))
        return Failure(RejectReason.FETCH_FAILED, f"HTTP {status} without a Location", status)
    if status == 304 and plan.validators is not None:
        return NotModified(url=url, fetched_at=fetched_at)
    if status == 429 or 500 <= status <= 599:
        wait = retry_after_seconds(response.headers.get("Retry-After"), fetched_at)
        return Failure(RejectReason.FETCH_FAILED, f"HTTP {status}", status, True, wait)
    if not 200 <= status <= 299:
        return Failure(RejectReason.FETCH_FAILED, f"HTTP {status}", status)
    mime, charset = content_type(response.headers.get("Content-Type"))
    if refusal := type_refusal(plan.expect, mime):
        return Failure(refusal[0], refusal[1], status)
    length = response.headers.get("Content-Length", "").strip()
    if not plan.truncate and length.isdigit() and int(length) > plan.limit:
        return Failure(
            RejectReason.TOO_LARGE,
            f"Content-Length {int(length)} bytes is over the {plan.limit}-byte cap",
            status,
        )
    body = _read(response, plan, settings)
    if isinstance(body, Failure):
        return body
    if refusal := sniff_refusal(plan.expect, mime, body):
        return Failure(refusal[0], refusal[1], status)
    return FetchedPage(
        url=url,
        final_url=url,
        status=status,
        content_type=mime or None,
        charset=charset,
        body=body,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        fetched_at=fetched_at,
    )


def _read(response: requests.Response, plan: Plan, settings: HttpSettings) -> bytes | Failure:
    """The decompressed body, or why it could not be had within the cap."""
    coding = response.headers.get("Content-Encoding", "")
    try:
        inflater = Inflater(coding)
        deadline = time.monotonic() + settings.max_response_seconds
        body = inflater.read_all(
            response.raw, plan.limit, truncate=plan.truncate, deadline=deadline
        )
    except TooLargeError as exc:
        return Failure(RejectReason.TOO_LARGE, str(exc), response.status_code)
    except SlowBodyError:
        return Failure(
            RejectReason.TIMEOUT,
            f"body not complete within {settings.max_response_seconds:g} s",
            transient=True,
        )
    except CorruptBodyError as exc:
        return Failure(RejectReason.FETCH_FAILED, str(exc), response.status_code)
    except urllib3.exceptions.ReadTimeoutError:
        return Failure(
            RejectReason.TIMEOUT,
            f"read timed out mid-body ({settings.timeout_seconds:g} s)",
            transient=True,
        )
    except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
        return Failure(
            RejectReason.FETCH_FAILED,
            f"connection broke mid-body: {root_cause(exc)}",
            transient=True,
        )
    return body


def root_cause(exc: BaseException) -> str:
    """The innermost cause's message: requests wraps urllib3 wraps the socket error."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return f"{type(exc).__name__}: {exc}"[:300]
