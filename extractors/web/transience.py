"""Which fetch failures may pass on a later try, and which will not for a while.

The web flow remembers both kinds across runs (`warehouse.url_outcomes`): a
transient failure is retried on the next run, directly, so the listing that
named the URL can still be fetched conditionally (304); a permanent one is
left alone for a rest period (`DEFAULT_PERMANENT_REJECT_DAYS`) instead of
being fetched again on every run. Any other failure is fetched again
whenever a listing names it, as before.

Transient: a timeout, no answer at all, 408, 429 and 5xx (RFC 9110 15.5.9,
RFC 6585 4, RFC 9110 15.6: the server says "not now", not "no").

Permanent, and why asking again within weeks is wasted:
- HTTP 410 Gone: "likely to be permanent" (RFC 9110 15.5.11);
- HTTP 451: refused on a legal demand (RFC 7725), which outlasts a crawl interval;
- TOO_LARGE: an article does not shrink under the cap; a raised `max_bytes` is
  a config change, for which `refresh` exists;
- NOT_HTML: a PDF or image URL stays one;
- REDIRECT_LOOP: a site's redirect rules, mended on its own time, if ever;
- BLOCKED_ADDRESS: a non-http(s) scheme or a non-public address (the SSRF
  guard); a redirect into one costs a request to its first hop each time.

Not permanent: a 404, because RFC 9110 15.5.5 leaves open how long it lasts
and feeds list URLs before every edge serves them (a 30-day rest would lose
the article); 401/403, because paywalls and bot walls change; and
ROBOTS_DISALLOWED, because robots.txt is read again each run anyway (RFC 9309
2.4: not cached beyond 24 hours), refusing costs no request to the URL, and
a rest would outlive the rule.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from extractors.records import FailureKind, Reject, RejectReason

__all__ = [
    "DEFAULT_PERMANENT_REJECT_DAYS",
    "PERMANENT_REASONS",
    "PERMANENT_STATUSES",
    "failure_kind",
    "is_transient",
    "with_failure_facts",
]

# Days a permanently rejected URL is not fetched again (issue 13: "default 30 days").
DEFAULT_PERMANENT_REJECT_DAYS: Final = 30

PERMANENT_REASONS: Final = frozenset(
    {
        RejectReason.TOO_LARGE,
        RejectReason.NOT_HTML,
        RejectReason.REDIRECT_LOOP,
        RejectReason.BLOCKED_ADDRESS,
    }
)
PERMANENT_STATUSES: Final = frozenset({410, 451})
_TRANSIENT_STATUSES: Final = frozenset({408, 429})


def with_failure_facts(reject: Reject) -> Reject:
    """`reject` with `http_status` and `transient` filled in, so nothing reads `detail` later.

    What the producer stated is kept; `transient` left unsaid is decided from
    the reason and status.
    """
    status = reject.http_status
    transient = reject.transient
    if transient is None:
        transient = _may_pass(reject.reason, status)
    if (status, transient) == (reject.http_status, reject.transient):
        return reject
    return replace(reject, http_status=status, transient=transient)


def failure_kind(reject: Reject) -> FailureKind:
    """Whether a failed fetch is worth retrying next run, resting, or neither (module doc)."""
    facts = with_failure_facts(reject)
    if facts.transient:
        return FailureKind.TRANSIENT
    if facts.reason in PERMANENT_REASONS or facts.http_status in PERMANENT_STATUSES:
        return FailureKind.PERMANENT
    return FailureKind.UNKNOWN


def is_transient(reject: Reject) -> bool:
    """Whether a fetch reject may succeed on a later run (timeouts, 5xx, 408, 429, no answer).

    A 404 or 410 is final; so are robots, size and type refusals.
    """
    return failure_kind(reject) is FailureKind.TRANSIENT


def _may_pass(reason: RejectReason, status: int | None) -> bool:
    if reason is RejectReason.TIMEOUT:
        return True
    if reason is not RejectReason.FETCH_FAILED:
        return False
    if status is None:
        return True  # a connection error, a broken body: no answer from the server
    return status >= 500 or status in _TRANSIENT_STATUSES
