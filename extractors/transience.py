"""Which fetch failures may pass on a later try.

A listing (feed, sitemap) whose URL failed transiently must be read in full
on the next run instead of being marked unchanged; a 404 need not be.
"""

from __future__ import annotations

import re

from extractors.records import Reject, RejectReason

__all__ = ["is_transient"]

_HTTP_STATUS = re.compile(r"^HTTP (\d{3})\b")


def is_transient(reject: Reject) -> bool:
    """Whether a fetch reject may succeed on a later run (timeouts, 5xx, 408, 429, no answer).

    A 404 or 410 is final; so are robots, size and type refusals.
    """
    if reject.reason is RejectReason.TIMEOUT:
        return True
    if reject.reason is not RejectReason.FETCH_FAILED:
        return False
    match = _HTTP_STATUS.match(reject.detail)
    if match is None:
        return True  # a connection error, a broken body: no answer from the server
    status = int(match.group(1))
    return status >= 500 or status in (408, 429)
