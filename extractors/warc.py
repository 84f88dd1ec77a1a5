"""WARC and ARC files -> one article or reject per HTML response record.

Read with warcio (per-record gzip, plain WARC, ARC via `arc2warc`), one
record at a time, so memory does not grow with the file. A `response`
record becomes a document when its URI is http(s), its status is 2xx and
its payload is HTML (`text/html`, `application/xhtml+xml`, or no usable
Content-Type and a payload that sniffs as HTML); the WARC-Target-URI is its
URL, the WARC-Date its `fetched_at`, and the HTTP Content-Type's charset
decides the decoding. Every other record is not a document and yields
nothing; it is counted in `skipped` by kind: its WARC-Type (`request`,
`metadata`, `revisit`, ...), `response:non-html`, `response:non-http`,
`response:status-404`, or `resumed` for records whose offset the caller
already has.

Locators are `<file>#offset=N`, N being the byte offset of the record in the
file as stored (what warcio's `get_record_offset()` reports), so a rerun can
pass the offsets it wrote as `skip_offsets` and resume without duplicates.

A large archive can be read as byte ranges by separate workers
(`iter_warc_range`): each range starts at the first record start at or
after its first byte (the same resynchronisation as after damage, below)
and owns the records whose offset lies in it, reading the last one to its
end even past the range. Every record is read by exactly one range, and the
locators are those of a whole-file read.

Damage becomes rejects, never exceptions:

- a document record cut short (truncated file, a gzip member that stops
  decompressing) is UNREADABLE; one whose Content-Length disagrees with the
  blank lines that must follow it, or with no valid HTTP status line, is
  PARSE_ERROR. After a wrong Content-Length the reader goes on at the next
  record start, as below, rather than where the length points;
- bytes warcio cannot parse as a record (garbage, a corrupt gzip member, a
  whole-file gzip) give one reject at their offset; the reader then scans
  forward for the next gzip member or `WARC/1.x` line that starts a record
  and carries on there. A stream that cannot seek ends with that one reject
  for the rest of the file.

A header we read that is missing or malformed is an INVALID_FIELD reject
naming it (`WARC-Type: missing`, `Content-Length: not a valid length: 'abc'`):
WARC-Type and Content-Length on every record, WARC-Target-URI on responses,
WARC-Date on documents (all four are mandatory there, WARC 1.1 section 5).
Without a valid Content-Length the record's end is unknown, so reading goes on
at the next record start as after damage; the others cost their record only.
Headers we do not read (WARC-Record-ID, digests, the WARC Content-Type) are
not checked. warcio is told not to parse HTTP headers (`no_record_parse`):
it fails on a response with no WARC-Target-URI, and a failure inside its
iterator ends the pass. They are parsed here once the WARC headers are known
good. An exception from our own code is a PROCESSING_ERROR reject saying it
is a bug, never a PARSE_ERROR quoting an AttributeError.

warcio reports some damage only on stderr (a decompression error mid-member,
a record not followed by blank lines) and then reads on to the end of the
file; the checks above catch those cases from what it leaves behind.
"""

from __future__ import annotations

import logging
import re
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Container, Generator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParser, StatusAndHeadersParserException

from extractors.decoding import decode
from extractors.errors import ExtractError, InvalidFieldError, UnreadableError
from extractors.records import FetchedPage, Metadata, ParsedArticle, Reject, RejectReason
from extractors.tabular import HtmlParser, call_parser
from extractors.warc_scan import gzip_member_at, is_record_start, next_record_start, seekable

__all__ = ["MAX_PAYLOAD_BYTES", "RawPayload", "is_warc_name", "iter_warc", "iter_warc_range"]

logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # one page's body after de-chunking and decompression
_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
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
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)

_CORRUPT_MEMBER = "corrupt gzip member: it does not decompress"
_WHOLE_GZIP = (
    "is the file gzipped as one stream rather than one gzip member per record? "
    "records cannot be told apart in it; `warcio recompress IN OUT` fixes that"
)
_NOT_A_RECORD = "not a WARC/ARC record: no WARC-Type or Content-Length header"
_CUT_SHORT = (
    "record is cut short: the data ends before its Content-Length does "
    "(truncated file, corrupt gzip member, or a Content-Length too large)"
)
_BAD_LENGTH = (
    "record is not followed by the blank lines WARC requires: its Content-Length "
    "is wrong, so the payload may be cut or hold its neighbour's bytes"
)

# The WARC headers we read; each is mandatory where we read it (WARC 1.1 section 5).
_TYPE, _LENGTH, _URI, _DATE = "WARC-Type", "Content-Length", "WARC-Target-URI", "WARC-Date"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 5.6.2: a record type's form
_DIGITS = re.compile(r"[0-9]+")  # WARC 1.1 section 5.6: Content-Length = 1*DIGIT
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # RFC 3986 section 3.1
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# warcio's own HTTP parser, unverified as warcio runs it; the status line is checked here.
_HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=False)

# What warcio, zlib and the file let out on bad input: translated here, once.
_READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
_PARSE_ERRORS: tuple[type[BaseException], ...] = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ChunkedDataException,
    ValueError,  # int() of a malformed length or chunk size; also UnicodeDecodeError
    IndexError,
    KeyError,
    TypeError,
    AttributeError,  # warcio's own code tripping over bytes it cannot parse
    AssertionError,
)
_ERRORS = _READ_ERRORS + _PARSE_ERRORS
# What warcio lets out while a record's HTTP headers and payload are read. Anything
# else raised there comes from our code: a bug, reported as PROCESSING_ERROR.
_RECORD_ERRORS: tuple[type[BaseException], ...] = (
    *_READ_ERRORS,
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ChunkedDataException,
)


def is_warc_name(name: str) -> bool:
    """True for `.warc`, `.warc.gz`, `.arc` and `.arc.gz` names, in any case."""
    return name.lower().endswith(_WARC_SUFFIXES)


RawPayload = Callable[[FetchedPage], None]
"""Called with each document record's payload as stored, before it is decoded."""


@dataclass(frozen=True, slots=True)
class _Context:
    locator: str
    hints: Metadata
    parse_html: HtmlParser
    skipped: Counter[str]
    skip_offsets: Container[int]
    max_payload_bytes: int
    end: int | None = None  # records at or past this offset belong to the next range
    on_raw: RawPayload | None = None
    can_seek: bool = False  # whether reading can resume at a record start found by scanning


@dataclass(frozen=True, slots=True)
class _Stop:
    """Where a pass of warcio's iterator lost its place in the file, and why."""

    offset: int
    problem: tuple[RejectReason, str] | None  # None: the record is accounted for already


@dataclass(frozen=True, slots=True)
class _Page:
    """A document record read to its end, its WARC headers checked; not yet decoded."""

    where: str
    url: str
    fetched_at: datetime
    http: Any  # warcio's StatusAndHeaders of the HTTP response
    content_type: str
    body: bytes


def iter_warc(
    stream: BinaryIO,
    *,
    locator: str,
    hints: Metadata,
    parse_html: HtmlParser,
    skipped: Counter[str] | None = None,
    skip_offsets: Container[int] = (),
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    end: int | None = None,
    on_raw: RawPayload | None = None,
) -> Iterator[ParsedArticle | Reject]:
    """One item per HTML response record of a WARC/ARC stream; never raises for bad input.

    `skipped` (if given) is updated in place with the records that are not
    documents. `skip_offsets` holds the offsets of items already written
    (records, or rejects for unreadable stretches): warcio reads past them,
    nothing is yielded. Offsets count from the stream's position at the
    call, so a file opened and seeked to a record's offset resumes there
    with the same locators. Reading stops at the first record whose offset
    is `end` or more. `on_raw` (if given) receives each document record's
    payload before it is decoded (`--keep-raw`); what it raises is let out.
    """
    tally: Counter[str] = Counter() if skipped is None else skipped
    can_seek = seekable(stream)
    context = _Context(
        locator, hints, parse_html, tally, skip_offsets, max_payload_bytes, end, on_raw, can_seek
    )
    while True:
        iterator = ArchiveIterator(stream, arc2warc=True, no_record_parse=True)
        stop = yield from _read_records(iterator, context)
        iterator.close()
        if stop is None:
            return
        if can_seek and _in_corrupt_member(stream, stop):
            stop = _Stop(stop.offset, (RejectReason.UNREADABLE, _CORRUPT_MEMBER))
        resume = next_record_start(stream, stop.offset) if can_seek else None
        reject = _stop_reject(stream, stop, resume, context)
        if reject is not None:
            yield reject
        if resume is None or (end is not None and resume >= end):
            return
        stream.seek(resume)


def iter_warc_range(
    stream: BinaryIO,
    *,
    start: int,
    end: int | None,
    locator: str,
    hints: Metadata,
    parse_html: HtmlParser,
    skipped: Counter[str] | None = None,
    skip_offsets: Container[int] = (),
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    on_raw: RawPayload | None = None,
) -> Iterator[ParsedArticle | Reject]:
    """The items of the records whose offset is in [start, end) of a seekable stream.

    Reading begins at the first record start at or after `start` (found as
    after damage: a gzip member or `WARC/1.x` line that starts a record) and
    ends before the first record at or past `end` (None: the end of the
    file). Ranges that tile a file read each record exactly once. Safe for
    per-record gzip archives, where a record start is checked by
    decompressing it; in an uncompressed archive a payload quoting a record
    header could be mistaken for a record start, so split only gzipped ones.
    """
    first = start if start == 0 else next_record_start(stream, start - 1, before=end)
    if first is None:
        return
    stream.seek(first)
    yield from iter_warc(
        stream,
        locator=locator,
        hints=hints,
        parse_html=parse_html,
        skipped=skipped,
        skip_offsets=skip_offsets,
        max_payload_bytes=max_payload_bytes,
        end=end,
        on_raw=on_raw,
    )


def _owned(stream: BinaryIO, offset: int, end: int | None) -> bool:
    """True unless `offset` is past the range and a record starts there (the next range's)."""
    if end is None or offset < end:
        return True
    try:
        return not is_record_start(stream, offset)
    except _READ_ERRORS:
        return True


def _in_corrupt_member(stream: BinaryIO, stop: _Stop) -> bool:
    """True when warcio could not parse what starts as a gzip member.

    warcio reads a member that does not decompress as plain bytes, so a parse
    failure there means corrupt compression, not a malformed record.
    """
    return (
        stop.problem is not None
        and stop.problem[0] == RejectReason.PARSE_ERROR
        and gzip_member_at(stream, stop.offset)
    )


def _stop_reject(
    stream: BinaryIO, stop: _Stop, resume: int | None, context: _Context
) -> Reject | None:
    """The reject for where a pass stopped; None if there is nothing to say here.

    Nothing is said for a record already accounted for (cut short, or with a
    wrong Content-Length), for a damaged record that starts the next range
    (that range reports it), or for one the run being resumed already wrote.
    "The rest of the file cannot be read" is said only when it is so: the
    stream cannot seek past the damage.
    """
    if stop.problem is None:
        return None
    if context.can_seek and not _owned(stream, stop.offset, context.end):
        return None
    if stop.offset in context.skip_offsets:
        context.skipped["resumed"] += 1
        return None
    reason, detail = stop.problem
    if resume is not None:
        then = f"skipped to the next record at offset {resume}"
    elif context.can_seek:
        then = "no record start found after it"
    else:
        then = "the rest of the file cannot be read: the stream cannot seek past it"
    where = f"{context.locator}#offset={stop.offset}"
    logger.warning("%s: %s; %s", where, detail, then)
    return Reject(where, reason, f"{detail}; {then}"[:500], context.hints.source)


def _read_records(
    iterator: Any, context: _Context
) -> Generator[ParsedArticle | Reject, None, _Stop | None]:
    """Items of one pass of warcio's iterator; how the pass ended if not at the end."""
    start = iterator.offset
    previous: int | None = None
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return None
        except _ERRORS as exc:
            # warcio's offset after a failure is only right when it moved on;
            # inside a whole-file gzip it is negative or meaningless.
            offset = iterator.offset
            if _is_whole_file_gzip(exc) or not _advanced(offset, start, previous):
                offset = start if previous is None else previous
            return _Stop(offset, _describe(exc))
        offset = iterator.offset  # what get_record_offset() returns, read before the record is
        if not _advanced(offset, start, previous):
            detail = f"record offsets stop making sense here (warcio says {offset}); {_WHOLE_GZIP}"
            return _Stop(start if previous is None else previous, (RejectReason.UNREADABLE, detail))
        previous = offset
        if not record.rec_headers.protocol:
            # Not a record: warcio takes a line it cannot parse as an empty
            # header block, and without a Content-Length reads on to the end.
            return _Stop(offset, (RejectReason.PARSE_ERROR, _NOT_A_RECORD))
        if context.end is not None and offset >= context.end:
            return None  # the next range's first record
        item, stop = _one_record(record, iterator, offset, context)
        if item is not None:
            yield item
        if stop is not None:
            return stop


def _advanced(offset: int, start: int, previous: int | None) -> bool:
    """True when warcio's offset moved past the previous record, as record offsets must."""
    return offset >= start if previous is None else offset > previous


def _one_record(
    record: Any, iterator: Any, offset: int, context: _Context
) -> tuple[ParsedArticle | Reject | None, _Stop | None]:
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
        return None, _Stop(offset, (exc.reason, exc.detail))
    except _RECORD_ERRORS as exc:
        return None, _Stop(offset, _describe(exc))
    except Exception as exc:  # a bug of ours: where warcio stands now is unknown
        detail = _bug(exc, f"{context.locator}#offset={offset}")
        return None, _Stop(offset, (RejectReason.PROCESSING_ERROR, detail))
    item = _finish(outcome, context) if isinstance(outcome, _Page) else outcome
    if cut_short or (bad_length and context.can_seek):
        return item, _Stop(offset, None)
    return item, None


def _record(
    record: Any, iterator: Any, offset: int, context: _Context
) -> tuple[_Page | Reject | None, bool, bool]:
    """(the record's page, its reject, or None if skipped; cut short; Content-Length wrong)."""
    if offset in context.skip_offsets:
        context.skipped["resumed"] += 1
        return None, *_drain(record, iterator)
    where = f"{context.locator}#offset={offset}"
    kind: str | None = None
    outcome: str | _Page | Reject
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
    outcome: str | _Page | Reject, where: str, cut_short: bool, bad_length: bool, context: _Context
) -> _Page | Reject:
    """The record's page or reject, now that how it ended is known.

    A WARC header's fault stands, whatever the block holds. Otherwise data that
    ran out, or a block that does not end where Content-Length says, explains
    whatever else went wrong with it.
    """
    source = context.hints.source
    if isinstance(outcome, Reject) and outcome.reason == RejectReason.INVALID_FIELD:
        return outcome
    if cut_short:
        return Reject(where, RejectReason.UNREADABLE, _CUT_SHORT, source)
    if bad_length or isinstance(outcome, str):  # a str here: a skip judged from a bad block
        return Reject(where, RejectReason.PARSE_ERROR, _BAD_LENGTH, source)
    return outcome


def _payload(record: Any, where: str, context: _Context) -> str | _Page:
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
    return _Page(where, url, _fetched_at(record), http, content_type, body)


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
        raise UnreadableError(_CUT_SHORT) from None
    if not http or not str(http.protocol).upper().startswith("HTTP/"):
        raise ExtractError("response record holds no HTTP status line and headers")
    status = str(http.get_statuscode())
    if not (len(status) == 3 and status.isdigit()):
        detail = f"response has no valid HTTP status line: {http.protocol} {http.statusline}"
        raise ExtractError(detail[:300])
    return http


def _finish(page: _Page, context: _Context) -> ParsedArticle | Reject:
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


def _fetched_page(page: _Page, context: _Context) -> FetchedPage | Reject:
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


def _article(page: FetchedPage, where: str, context: _Context) -> ParsedArticle | Reject:
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


def _bug_reject(exc: Exception, where: str, context: _Context) -> Reject:
    """The PROCESSING_ERROR reject of a page whose item a bug of ours kept from being made."""
    return Reject(where, RejectReason.PROCESSING_ERROR, _bug(exc, where), context.hints.source)


def _bug(exc: Exception, where: str) -> str:
    """A PROCESSING_ERROR detail: the exception, and that it is ours to fix, not the file's."""
    logger.error("bug while reading %s", where, exc_info=exc)
    return f"bug in the WARC reader, please report it: {type(exc).__name__}: {exc}"[:300]


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


def _is_whole_file_gzip(exc: BaseException) -> bool:
    return isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc)


def _describe(exc: BaseException) -> tuple[RejectReason, str]:
    """The reject reason and detail for what stopped warcio."""
    message = " ".join(str(exc).split())[:200]
    if _is_whole_file_gzip(exc):
        return RejectReason.UNREADABLE, _WHOLE_GZIP
    if isinstance(exc, _READ_ERRORS):
        return RejectReason.UNREADABLE, f"unreadable data: {type(exc).__name__}: {message}"
    if isinstance(exc, ArchiveLoadFailed):
        return RejectReason.PARSE_ERROR, f"not a WARC/ARC record: {message}"
    return RejectReason.PARSE_ERROR, f"malformed record, warcio cannot parse it: {message}"
