"""One WARC/ARC record: its WARC headers checked, its HTTP head parsed, its block read.

A `response` record is a document candidate when its URI is http(s), its
status is 2xx and its payload is HTML (`text/html`, `application/xhtml+xml`,
or no usable Content-Type and a payload that sniffs as HTML). Every other
record is counted in `skipped` by kind: its WARC-Type (`request`,
`metadata`, `revisit`, ...), `response:non-html`, `response:non-http`,
`response:status-404`, or `resumed` for records whose offset the caller
already has.

A header we read that is missing or malformed is an INVALID_FIELD reject
naming it (`WARC-Type: missing`, `Content-Length: not a valid length: 'abc'`):
WARC-Type and Content-Length on every record, WARC-Target-URI on responses,
WARC-Date on documents (all four are mandatory there, WARC 1.1 section 5).
Without a valid Content-Length the record's end is unknown, so reading goes on
at the next record start as after damage; the others cost their record only.
Headers we do not read (WARC-Record-ID, digests, the WARC Content-Type) are
not checked. The HTTP headers are parsed here, once the WARC headers are
known good, not by warcio (see `extractors.warc.reader`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeadersParser

from extractors.errors import ExtractError, InvalidFieldError, UnreadableError
from extractors.records import ParsedArticle, Reject, RejectReason
from extractors.warc.context import ReadContext
from extractors.warc.damage import BAD_LENGTH, CUT_SHORT, RECORD_ERRORS, bug, describe
from extractors.warc.page import Page, finish

__all__ = ["Stop", "read_one"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types that say nothing; WHATWG MIME Sniffing 7.1 sniffs these like a missing one.
_UNKNOWN_TYPES = frozenset({"", "unknown/unknown", "application/unknown", "*/*"})
_SNIFF_BYTES = 1445  # WHATWG MIME Sniffing's resource header length
_HTML_START = re.compile(
    rb"[\t\n\x0c\r ]*(?:<!doctype html|<html|<head|<script|<iframe|<h1|<div|<font|<table"
    rb"|<a|<style|<title|<b|<body|<br|<p|<!--)[ >]",
    re.IGNORECASE,
)
_XML_DECLARATION = re.compile(rb"\s*<\?xml[^>]*\?>", re.IGNORECASE)

# The WARC headers we read; each is mandatory where we read it (WARC 1.1 section 5).
_TYPE, _LENGTH, _URI, _DATE = "WARC-Type", "Content-Length", "WARC-Target-URI", "WARC-Date"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 5.6.2: a record type's form
_DIGITS = re.compile(r"[0-9]+")  # WARC 1.1 section 5.6: Content-Length = 1*DIGIT
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986 section 3.1
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# warcio's own HTTP parser, unverified as warcio runs it; the status line is checked here.
_HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)


@dataclass(frozen=True, slots=True)
class Stop:
    """Where a pass of warcio's iterator lost its place in the file, and why."""

    offset: int
    problem: tuple[RejectReason, str] | None  # None: the record is accounted for already


def read_one(
    record: Any, iterator: Any, offset: int, context: ReadContext
) -> tuple[ParsedArticle | Reject | None, Stop | None]:
    """The record's item (None if skipped), and why reading must resynchronise after it.

    warcio reads a record with no Content-Length to the end of its gzip member
    or of the file, and one with an invalid length as empty, taking its block
    for the next record; after a wrong length it takes the record's last bytes
    for the next one. The record's end is unknown then, so the next record start
    is found by scanning. An exception from our code costs this record only.
    """
    try:
        _check_length(record)
        outcome, cut_short, bad_length = _record(record, iterator, offset, context)
    except InvalidFieldError as exc:  # from _check_length: _record makes its own rejects
        return None, Stop(offset, (exc.reason, exc.detail))
    except RECORD_ERRORS as exc:
        return None, Stop(offset, describe(exc))
    except Exception as exc:  # a bug of ours: where warcio stands now is unknown
        detail = bug(exc, f"{context.locator}#offset={offset}")
        return None, Stop(offset, (RejectReason.PROCESSING_ERROR, detail))
    item = finish(outcome, context) if isinstance(outcome, Page) else outcome
    if cut_short or (bad_length and context.can_seek):
        return item, Stop(offset, None)
    return item, None


def _record(
    record: Any, iterator: Any, offset: int, context: ReadContext
) -> tuple[Page | Reject | None, bool, bool]:
    """(the record's page, its reject, or None if skipped; cut short; Content-Length wrong)."""
    if offset in context.skip_offsets:
        context.skipped["resumed"] += 1
        return None, *_drain(record, iterator)
    where = f"{context.locator}#offset={offset}"
    kind: str | None = None
    outcome: str | Page | Reject
    try:
        kind = _skip_kind(record)
        outcome = kind if kind is not None else _payload(record, where, context)
    except ExtractError as exc:
        outcome = Reject(where, exc.reason, exc.detail[:300], context.hints.source)
    cut_short, bad_length = _drain(record, iterator)
    # A skip judged from the WARC headers stands; one judged from the block does
    # unless the block is not all the record's (a Content-Length too short to hold
    # the HTTP headers makes any page look like a non-HTML one).
    if kind is not None or (isinstance(outcome, str) and not bad_length):
        context.skipped[kind or str(outcome)] += 1
        return None, cut_short, bad_length
    return _framed(outcome, where, cut_short, bad_length, context), cut_short, bad_length


def _framed(
    outcome: str | Page | Reject,
    where: str,
    cut_short: bool,
    bad_length: bool,
    context: ReadContext,
) -> Page | Reject:
    """The record's page or reject, now that how it ended is known.

    A WARC header's fault stands, whatever the block holds. Otherwise data that
    ran out, or a block that does not end where Content-Length says, explains
    whatever else went wrong with it.
    """
    source = context.hints.source
    if isinstance(outcome, Reject) and outcome.reason == RejectReason.INVALID_FIELD:
        return outcome
    if cut_short:
        return Reject(where, RejectReason.UNREADABLE, CUT_SHORT, source)
    if bad_length or isinstance(outcome, str):  # a str here: a skip judged from a bad block
        return Reject(where, RejectReason.PARSE_ERROR, BAD_LENGTH, source)
    return outcome


def _payload(record: Any, where: str, context: ReadContext) -> str | Page:
    """A document candidate's page, or the `skipped` key its block earns; raises `ExtractError`."""
    http = _http_headers(record)
    status = str(http.get_statuscode())
    if not status.startswith("2"):
        return f"response:status-{status}"
    content_type = http.get_header("content-type") or ""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in _HTML_TYPES and media_type not in _UNKNOWN_TYPES:
        return "response:non-html"
    record.http_headers = http  # content_stream() undoes chunking and Content-Encoding by it
    payload = record.content_stream()
    head = payload.read(_SNIFF_BYTES)
    if media_type in _UNKNOWN_TYPES and not _sniffs_as_html(head):
        return "response:non-html"
    body = head + payload.read(context.max_payload_bytes + 1 - len(head))
    url = _field(record, _URI)  # checked by _skip_kind before this
    return Page(where, url, _fetched_at(record), http, content_type, body)


def _skip_kind(record: Any) -> str | None:
    """The `skipped` key of a record that is not a document candidate, else None.

    A WARC-Type, or a response's WARC-Target-URI, that is missing or malformed
    raises `InvalidFieldError`: such a record may be a page, so it is rejected
    rather than skipped. A well-formed type we do not read is skipped, as WARC
    1.1 section 6 asks of readers meeting a type they do not know.
    """
    kind = _field(record, _TYPE)
    if not _TOKEN.fullmatch(kind):
        raise InvalidFieldError(f"{_TYPE}: not a valid record type: {_shown(kind)}")
    if kind != "response":
        return kind
    uri = _field(record, _URI)
    if _CONTROL.search(uri) or not _SCHEME.match(uri):
        raise InvalidFieldError(f"{_URI}: not a valid absolute URI: {_shown(uri)}")
    if not uri.lower().startswith(("http:", "https:")):
        return "response:non-http"  # dns:, whois:, ftp: captures
    try:
        host = urlsplit(uri).hostname
    except ValueError:  # an unclosed IPv6 bracket
        host = None
    if not host:
        raise InvalidFieldError(f"{_URI}: not a valid http(s) URL, no host: {_shown(uri)}")
    return None


def _field(record: Any, name: str) -> str:
    """A WARC header's value, stripped; `InvalidFieldError` if it is absent or blank."""
    value = record.rec_headers.get_header(name)
    if value is None:
        raise InvalidFieldError(f"{name}: missing")
    if not str(value).strip():
        raise InvalidFieldError(f"{name}: empty")
    return str(value).strip()


def _check_length(record: Any) -> None:
    """Raise `InvalidFieldError` unless Content-Length is written as WARC 1.1 section 5.6 says.

    warcio reads a negative or non-numeric length as 0, and takes anything
    `int()` accepts ("+5", "5_0", Arabic-Indic digits), so the header itself
    is checked here, not warcio's reading of it. A length past `sys.maxsize`
    fits no file and makes warcio's first read raise OverflowError.
    """
    value = _field(record, _LENGTH)
    if not _DIGITS.fullmatch(value):
        raise InvalidFieldError(f"{_LENGTH}: not a valid length: {_shown(value)}")
    digits = value.lstrip("0")
    if len(digits) > len(str(sys.maxsize)) or int(digits or "0") > sys.maxsize:
        raise InvalidFieldError(f"{_LENGTH}: not a valid length, too large: {_shown(value)}")


def _fetched_at(record: Any) -> datetime:
    """WARC-Date (ISO 8601, UTC per WARC 1.1 section 5.4) as an aware UTC datetime."""
    value = _field(record, _DATE)
    try:
        when = datetime.fromisoformat(value)
        return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 east of UTC
        raise InvalidFieldError(f"{_DATE}: not a valid ISO 8601 date: {_shown(value)}") from None


def _shown(value: str) -> str:
    """A header value as a reject detail quotes it: escaped, and short."""
    return repr(value[:80]) + ("..." if len(value) > 80 else "")


def _http_headers(record: Any) -> Any:
    """The HTTP status line and headers that open a response's block; raises `ExtractError`."""
    if not record.length:
        raise ExtractError("response record is empty: its Content-Length is 0")
    try:
        http = _HTTP.parse(record.raw_stream)
    except EOFError:  # the data ran out before the block's first line
        raise UnreadableError(CUT_SHORT) from None
    if not http or not str(http.protocol).upper().startswith("HTTP/"):
        raise ExtractError("response record holds no HTTP status line and headers")
    status = str(http.get_statuscode())
    if not (len(status) == 3 and status.isdigit()):
        detail = f"response has no valid HTTP status line: {http.protocol} {http.statusline}"
        raise ExtractError(detail[:300])
    return http


def _drain(record: Any, iterator: Any) -> tuple[bool, bool]:
    """Read the record to its end as warcio would: (cut short, Content-Length wrong).

    warcio's `read_to_end` leaves the record's length-limited stream with
    bytes still owed when the data ran out, and counts in `err_count` a
    record not followed by blank lines.
    """
    errors = iterator.err_count
    iterator.read_to_end()
    return getattr(record.raw_stream, "limit", 0) > 0, iterator.err_count > errors


def _sniffs_as_html(head: bytes) -> bool:
    """WHATWG MIME Sniffing 7.1's HTML patterns, also after a UTF-8 BOM or XML declaration.

    The spec calls a BOM-led or `<?xml`-led resource text or XML; a crawler's
    unlabelled XHTML page is still a page to us.
    """
    head = head.removeprefix(b"\xef\xbb\xbf")
    if declaration := _XML_DECLARATION.match(head):
        head = head[declaration.end() :]
    return _HTML_START.match(head) is not None
