"""A document record read to its end -> its article or reject.

The record's HTTP Content-Type charset decides the decoding, its
WARC-Target-URI is the article's URL and its WARC-Date the `fetched_at`.
`on_raw` sees each page as stored, before decoding (`--keep-raw`); what it
raises belongs to the caller and is let out. An exception from our own code
costs this page only, as a PROCESSING_ERROR reject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from extractors.decoding import decode
from extractors.errors import ExtractError
from extractors.records import FetchedPage, Metadata, ParsedArticle, Reject, RejectReason
from extractors.tabular import call_parser
from extractors.warc.context import ReadContext
from extractors.warc.damage import bug

__all__ = ["Page", "finish"]

_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Page:
    """A document record read to its end, its WARC headers checked; not yet decoded."""

    where: str
    url: str
    fetched_at: datetime
    http: Any  # warcio's StatusAndHeaders of the HTTP response
    content_type: str
    body: bytes


def finish(page: Page, context: ReadContext) -> ParsedArticle | Reject:
    """The page's article or reject; a bug of ours making it is a PROCESSING_ERROR reject.

    `on_raw` belongs to the caller: what it raises is let out, not blamed on the page.
    """
    try:
        fetched = _fetched_page(page, context)
    except Exception as exc:  # a bug of ours costs this page, not the file
        return _bug_reject(exc, page.where, context)
    if isinstance(fetched, Reject):
        return fetched
    if context.on_raw is not None:
        context.on_raw(fetched)
    try:
        return _article(fetched, page.where, context)
    except Exception as exc:  # a bug of ours costs this page, not the file
        return _bug_reject(exc, page.where, context)


def _fetched_page(page: Page, context: ReadContext) -> FetchedPage | Reject:
    """The page as fetched (the `on_raw` record), or its reject if too large or empty."""
    source = context.hints.source
    if len(page.body) > context.max_payload_bytes:
        detail = (
            f"payload larger than {context.max_payload_bytes} bytes "
            "(after de-chunking and decompression); not read"
        )
        return Reject(page.where, RejectReason.TOO_LARGE, detail, source)
    if not page.body.strip():
        return Reject(page.where, RejectReason.EMPTY_BODY, "response has an empty body", source)
    match = _CHARSET.search(page.content_type)
    return FetchedPage(
        url=page.url,
        final_url=page.url,
        status=int(page.http.get_statuscode()),
        content_type=page.content_type or None,
        charset=match.group(1) if match else None,
        body=page.body,
        etag=page.http.get_header("etag"),
        last_modified=page.http.get_header("last-modified"),
        fetched_at=page.fetched_at,
    )


def _article(page: FetchedPage, where: str, context: ReadContext) -> ParsedArticle | Reject:
    """The page decoded by its HTTP charset and parsed, dated and located by its record."""
    source = context.hints.source
    try:
        text = decode(page.body, declared=page.charset)
    except ExtractError as exc:
        return Reject(where, exc.reason, exc.detail, source)
    hints = context.hints.overridden_by(Metadata(url=page.url))
    parsed = call_parser(context.parse_html, text, where, hints)
    if isinstance(parsed, Reject):
        return parsed
    # `url` is where the crawler fetched it; the page's own claim stays in canonical_url.
    return replace(
        parsed,
        metadata=replace(parsed.metadata, url=page.url),
        fetched_at=page.fetched_at,
    )


def _bug_reject(exc: Exception, where: str, context: ReadContext) -> Reject:
    """The PROCESSING_ERROR reject of a page whose item a bug of ours kept from being made."""
    return Reject(where, RejectReason.PROCESSING_ERROR, bug(exc, where), context.hints.source)
