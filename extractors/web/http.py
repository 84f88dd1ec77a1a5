"""Fetch a URL politely and safely: a page, a `NotModified`, or a `Reject`.

Every URL a run fetches came from a stranger (a feed, a sitemap, a redirect),
so each request goes through the same gauntlet, in this order, for the first
URL and again for every redirect hop (redirects are followed by hand for that
reason): the SSRF guard (`netguard`), robots.txt (`robots`), the per-host
gate (`politeness`), then the request itself with retries for transient
faults only. The body is read and decompressed under the size cap by
`http_body`. requests and urllib3 exceptions are translated here, once; a
caller only ever sees the three result types.

Known gap: the SSRF check resolves the host and the HTTP client resolves it
again, so a DNS server answering differently the second time (DNS
rebinding) is not caught; pinning the checked address needs a custom
connection class.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from extractors.records import FetchedPage, NotModified, Reject, RejectReason, Validators
from extractors.sources import HttpSettings
from extractors.web.fetch_many import fetch_concurrently
from extractors.web.http_body import (
    ACCEPT,
    ACCEPT_ENCODING,
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
from extractors.web.netguard import check_url
from extractors.web.politeness import HostGate
from extractors.web.robots import ROBOTS_MAX_BYTES, RobotsCache, product_token, robots_text
from extractors.web.transience import is_transient

__all__ = [
    "Expect",
    "FetchResult",
    "FetchedPage",
    "Fetcher",
    "NotModified",
    "Validators",
    "is_transient",
]

logger = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


FetchResult = FetchedPage | NotModified | Reject


@dataclass(frozen=True, slots=True)
class _Failure:
    """A failed attempt, before it becomes a `Reject`; `status` lets robots read 4xx apart."""

    reason: RejectReason
    detail: str
    status: int | None = None
    transient: bool = False
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


@dataclass(frozen=True, slots=True)
class _Plan:
    expect: Expect
    validators: Validators | None
    obey_robots: bool
    limit: int
    truncate: bool = False  # robots.txt: keep the first `limit` bytes instead of refusing


class Fetcher:
    """HTTP for the pipeline; one per run (robots.txt is cached per instance).

    Share one `gate` between fetchers of a process so that politeness holds
    across them. Thread-safe: `fetch_many` calls `fetch` from worker threads.
    """

    def __init__(
        self,
        settings: HttpSettings,
        *,
        allow_private_network: bool = False,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        gate: HostGate | None = None,
        url_guard: Callable[[str], str | None] | None = None,
    ) -> None:
        self.settings = settings
        self.gate = gate or HostGate(settings.per_host_delay_seconds)
        self.robots = RobotsCache(self._robots_text)
        self._sleep = sleep
        self._rng = rng
        self._owns_session = session is None
        self._session = session or _new_session(settings)
        # `url_guard` replaces the SSRF check, e.g. to trust one test server only.
        self._guard = url_guard or (lambda url: check_url(url, allow_private=allow_private_network))
        self._agent = product_token(settings.user_agent)

    def close(self) -> None:
        """Close the session if this fetcher created it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def fetch(
        self, url: str, *, expect: Expect = Expect.HTML, validators: Validators | None = None
    ) -> FetchResult:
        """The page at `url`, `NotModified`, or a `Reject` saying why not; never raises."""
        plan = _Plan(expect, validators, self.settings.obey_robots, self.settings.max_bytes)
        try:
            outcome = self._follow(url, plan)
        except Exception as exc:  # a bug of ours must cost one URL, not the run
            logger.exception("unexpected error fetching %s", url)
            return Reject(url, RejectReason.PROCESSING_ERROR, f"{type(exc).__name__}: {exc}")
        if isinstance(outcome, _Failure):
            logger.info("rejected %s: %s (%s)", url, outcome.reason, outcome.detail)
            # the status travels as a field (not only in the detail's text); whether
            # the failure may pass later is decided by `transience`, from the facts
            return Reject(
                locator=url,
                reason=outcome.reason,
                detail=outcome.detail,
                http_status=outcome.status,
            )
        return outcome

    def fetch_many(
        self,
        urls: Iterable[str],
        *,
        expect: Expect = Expect.HTML,
        validators: Mapping[str, Validators] | None = None,
    ) -> Iterator[tuple[str, FetchResult]]:
        """(url, result) pairs as they complete: hosts in parallel, each host's URLs in order."""
        known = validators or {}
        return fetch_concurrently(
            lambda url: self.fetch(url, expect=expect, validators=known.get(url)),
            urls,
            host_of=_host,
            max_hosts=self.settings.max_concurrent_hosts,
        )

    # -- one URL, hop by hop -------------------------------------------------

    def _follow(self, url: str, plan: _Plan) -> FetchedPage | NotModified | _Failure:
        current, hops = url, list[str]()
        seen = {_without_fragment(url)}
        headers = self._headers(plan)
        while True:
            if problem := self._guard(current):
                where = "redirect to " if hops else ""
                return _Failure(RejectReason.BLOCKED_ADDRESS, f"{where}{current}: {problem}")
            delay = None
            if plan.obey_robots:
                if not self.robots.allowed(current, self._agent):
                    path = urlsplit(current).path or "/"
                    return _Failure(
                        RejectReason.ROBOTS_DISALLOWED,
                        f"robots.txt of {_host(current)} disallows {path} for {self._agent}",
                    )
                delay = self.robots.crawl_delay(current, self._agent)
                if delay is not None:  # never park a worker longer than any other wait
                    delay = min(delay, self.settings.max_retry_wait_seconds)
            outcome = self._with_retries(current, headers, plan, delay)
            if isinstance(outcome, FetchedPage):
                return replace(outcome, url=url, redirects=tuple(hops))
            if isinstance(outcome, NotModified):
                return replace(outcome, url=url)
            if isinstance(outcome, _Failure):
                return outcome
            target = outcome.location
            if _without_fragment(target) in seen:
                chain = " -> ".join([url, *hops, target])
                return _Failure(RejectReason.REDIRECT_LOOP, f"redirect loop: {chain}")
            if len(hops) >= self.settings.max_redirects:
                return _Failure(
                    RejectReason.REDIRECT_LOOP,
                    f"more than {self.settings.max_redirects} redirects (last: {target})",
                )
            seen.add(_without_fragment(target))
            hops.append(target)
            current = target

    def _with_retries(
        self, url: str, headers: dict[str, str], plan: _Plan, delay: float | None
    ) -> FetchedPage | NotModified | _Redirect | _Failure:
        attempt = 0
        while True:
            outcome = self._attempt(url, headers, plan, delay)
            if not (isinstance(outcome, _Failure) and outcome.transient):
                return outcome
            if attempt >= self.settings.max_retries:
                suffix = f" after {attempt} retries" if attempt else ""
                return replace(outcome, detail=outcome.detail + suffix, transient=False)
            wait = self._backoff(attempt, outcome.retry_after)
            if wait is None:
                cap = self.settings.max_retry_wait_seconds
                detail = (
                    f"{outcome.detail}; Retry-After {outcome.retry_after:.0f} s exceeds {cap:g} s"
                )
                return replace(outcome, detail=detail, transient=False)
            logger.info("%s: %s; retry %d in %.2f s", url, outcome.detail, attempt + 1, wait)
            self._sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds before the next try; None when the server asks for longer than the cap.

        Retrying before a server's Retry-After is neither polite nor useful,
        so a longer request ends the retries instead of being shortened.
        """
        cap = self.settings.max_retry_wait_seconds
        if retry_after is not None:
            return retry_after if retry_after <= cap else None
        jittered = self.settings.backoff_seconds * 2.0**attempt * (0.5 + self._rng())
        return min(cap, jittered)

    def _attempt(
        self, url: str, headers: dict[str, str], plan: _Plan, delay: float | None
    ) -> FetchedPage | NotModified | _Redirect | _Failure:
        """One request, holding the host's slot until the body is read."""
        timeout = self.settings.timeout_seconds
        with self.gate.slot(_host(url), delay):
            logger.debug("GET %s", url)
            try:
                response = self._session.get(
                    url, headers=headers, timeout=(timeout, timeout), stream=True,
                    allow_redirects=False,
                )  # fmt: skip
            except requests.Timeout:
                return _Failure(RejectReason.TIMEOUT, f"timed out ({timeout:g} s)", transient=True)
            except requests.ConnectionError as exc:
                return _Failure(
                    RejectReason.FETCH_FAILED, f"connection failed: {_root(exc)}", transient=True
                )
            except (requests.RequestException, urllib3.exceptions.HTTPError, ValueError) as exc:
                return _Failure(RejectReason.FETCH_FAILED, f"request failed: {_root(exc)}")
            with response:
                return self._answer(url, response, plan)

    def _answer(
        self, url: str, response: requests.Response, plan: _Plan
    ) -> FetchedPage | NotModified | _Redirect | _Failure:
        status, fetched_at = response.status_code, datetime.now(UTC)
        if status in _REDIRECTS:
            location = response.headers.get("Location")
            if location:
                return _Redirect(urljoin(url, location.strip()))
            return _Failure(RejectReason.FETCH_FAILED, f"HTTP {status} without a Location", status)
        if status == 304 and plan.validators is not None:
            return NotModified(url=url, fetched_at=fetched_at)
        if status == 429 or 500 <= status <= 599:
            wait = retry_after_seconds(response.headers.get("Retry-After"), fetched_at)
            return _Failure(RejectReason.FETCH_FAILED, f"HTTP {status}", status, True, wait)
        if not 200 <= status <= 299:
            return _Failure(RejectReason.FETCH_FAILED, f"HTTP {status}", status)
        mime, charset = content_type(response.headers.get("Content-Type"))
        if refusal := type_refusal(plan.expect, mime):
            return _Failure(refusal[0], refusal[1], status)
        length = response.headers.get("Content-Length", "").strip()
        if not plan.truncate and length.isdigit() and int(length) > plan.limit:
            return _Failure(
                RejectReason.TOO_LARGE,
                f"Content-Length {int(length)} bytes is over the {plan.limit}-byte cap",
                status,
            )
        body = self._read(response, plan)
        if isinstance(body, _Failure):
            return body
        if refusal := sniff_refusal(plan.expect, mime, body):
            return _Failure(refusal[0], refusal[1], status)
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

    def _read(self, response: requests.Response, plan: _Plan) -> bytes | _Failure:
        """The decompressed body, or why it could not be had within the cap."""
        coding = response.headers.get("Content-Encoding", "")
        try:
            inflater = Inflater(coding)
            deadline = time.monotonic() + self.settings.max_response_seconds
            body = inflater.read_all(
                response.raw, plan.limit, truncate=plan.truncate, deadline=deadline
            )
        except TooLargeError as exc:
            return _Failure(RejectReason.TOO_LARGE, str(exc), response.status_code)
        except SlowBodyError:
            return _Failure(
                RejectReason.TIMEOUT,
                f"body not complete within {self.settings.max_response_seconds:g} s",
                transient=True,
            )
        except CorruptBodyError as exc:
            return _Failure(RejectReason.FETCH_FAILED, str(exc), response.status_code)
        except urllib3.exceptions.ReadTimeoutError:
            return _Failure(
                RejectReason.TIMEOUT,
                f"read timed out mid-body ({self.settings.timeout_seconds:g} s)",
                transient=True,
            )
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            return _Failure(
                RejectReason.FETCH_FAILED,
                f"connection broke mid-body: {_root(exc)}",
                transient=True,
            )
        return body

    def _headers(self, plan: _Plan) -> dict[str, str]:
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": ACCEPT[plan.expect],
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if plan.validators is not None:
            if plan.validators.etag:
                headers["If-None-Match"] = plan.validators.etag
            if plan.validators.last_modified:
                headers["If-Modified-Since"] = plan.validators.last_modified
        return headers

    def _robots_text(self, url: str) -> str | None:
        """robots.txt for `RobotsCache`: text, "" for a 4xx (none), None if unreadable."""
        plan = _Plan(Expect.ANY, None, obey_robots=False, limit=ROBOTS_MAX_BYTES, truncate=True)
        try:
            outcome = self._follow(url, plan)
        except Exception:  # same promise as fetch(): one host, not the run
            logger.exception("unexpected error fetching %s", url)
            return None
        if isinstance(outcome, FetchedPage):
            return robots_text(outcome.body, outcome.charset)
        if isinstance(outcome, _Failure):
            # RFC 9309 2.3.1.3: "unavailable" (4xx) allows all. 429 means busy, not absent.
            if (
                outcome.status is not None
                and 400 <= outcome.status <= 499
                and outcome.status != 429
            ):
                return ""
            logger.warning("robots.txt %s unreadable: %s", url, outcome.detail)
        return None


def _new_session(settings: HttpSettings) -> requests.Session:
    """A session that reads no environment (proxies, .netrc) and never retries by itself."""
    session = requests.Session()
    session.trust_env = False  # a proxy from the environment would also bypass the SSRF guard
    # Several batches share the session: keep a pool per recent host, each
    # as large as the threads that may use it at once.
    adapter = HTTPAdapter(
        pool_connections=4 * settings.max_concurrent_hosts,
        pool_maxsize=settings.max_concurrent_hosts,
        max_retries=0,
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    # No cookies: they would travel between sites and runs, and tie pages to a session.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _without_fragment(url: str) -> str:
    try:
        return urlunsplit(urlsplit(url)._replace(fragment=""))
    except ValueError:  # malformed: the SSRF guard rejects it next
        return url


def _root(exc: BaseException) -> str:
    """The innermost cause's message: requests wraps urllib3 wraps the socket error."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return f"{type(exc).__name__}: {exc}"[:300]
