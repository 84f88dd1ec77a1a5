"""Fetch a URL politely and safely: a page, a `NotModified`, or a `Reject`.

Every URL a run fetches came from a stranger (a feed, a sitemap, a redirect),
so each request goes through the same gauntlet, in this order, for the first
URL and again for every redirect hop (redirects are followed by hand for that
reason): the SSRF guard (`netguard`), robots.txt (`robots`), the per-host
gate (`politeness`), then the request itself with retries for transient
faults only. What the response means (status, type, the body read and
decompressed under the size cap) is `response`. requests and urllib3
exceptions are translated there and here, once; a caller only ever sees the
three result types.

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
from dataclasses import replace
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from extractors.records import FetchedPage, NotModified, Reject, RejectReason, Validators
from extractors.sources import HttpSettings
from extractors.web.fetch_many import fetch_concurrently
from extractors.web.http_body import ACCEPT, ACCEPT_ENCODING, Expect
from extractors.web.netguard import check_url
from extractors.web.politeness import HostGate
from extractors.web.response import Failure, Plan, Redirect, answer, root_cause
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


FetchResult = FetchedPage | NotModified | Reject


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
        plan = Plan(expect, validators, self.settings.obey_robots, self.settings.max_bytes)
        try:
            outcome = self._follow(url, plan)
        except Exception as exc:  # a bug of ours must cost one URL, not the run
            logger.exception("unexpected error fetching %s", url)
            return Reject(url, RejectReason.PROCESSING_ERROR, f"{type(exc).__name__}: {exc}")
        if isinstance(outcome, Failure):
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

    def _follow(self, url: str, plan: Plan) -> FetchedPage | NotModified | Failure:
        current, hops = url, list[str]()
        seen = {_without_fragment(url)}
        headers = self._headers(plan)
        while True:
            if problem := self._guard(current):
                where = "redirect to " if hops else ""
                return Failure(RejectReason.BLOCKED_ADDRESS, f"{where}{current}: {problem}")
            delay = None
            if plan.obey_robots:
                if not self.robots.allowed(current, self._agent):
                    path = urlsplit(current).path or "/"
                    return Failure(
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
            if isinstance(outcome, Failure):
                return outcome
            target = outcome.location
            if _without_fragment(target) in seen:
                chain = " -> ".join([url, *hops, target])
                return Failure(RejectReason.REDIRECT_LOOP, f"redirect loop: {chain}")
            if len(hops) >= self.settings.max_redirects:
                return Failure(
                    RejectReason.REDIRECT_LOOP,
                    f"more than {self.settings.max_redirects} redirects (last: {target})",
                )
            seen.add(_without_fragment(target))
            hops.append(target)
            current = target

    def _with_retries(
        self, url: str, headers: dict[str, str], plan: Plan, delay: float | None
    ) -> FetchedPage | NotModified | Redirect | Failure:
        attempt = 0
        while True:
            outcome = self._attempt(url, headers, plan, delay)
            if not (isinstance(outcome, Failure) and outcome.transient):
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
        self, url: str, headers: dict[str, str], plan: Plan, delay: float | None
    ) -> FetchedPage | NotModified | Redirect | Failure:
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
                return Failure(RejectReason.TIMEOUT, f"timed out ({timeout:g} s)", transient=True)
            except requests.ConnectionError as exc:
                return Failure(
                    RejectReason.FETCH_FAILED,
                    f"connection failed: {root_cause(exc)}",
                    transient=True,
                )
            except (requests.RequestException, urllib3.exceptions.HTTPError, ValueError) as exc:
                return Failure(RejectReason.FETCH_FAILED, f"request failed: {root_cause(exc)}")
            with response:
                return answer(url, response, plan, self.settings)

    def _headers(self, plan: Plan) -> dict[str, str]:
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
        plan = Plan(Expect.ANY, None, obey_robots=False, limit=ROBOTS_MAX_BYTES, truncate=True)
        try:
            outcome = self._follow(url, plan)
        except Exception:  # same promise as fetch(): one host, not the run
            logger.exception("unexpected error fetching %s", url)
            return None
        if isinstance(outcome, FetchedPage):
            return robots_text(outcome.body, outcome.charset)
        if isinstance(outcome, Failure):
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
