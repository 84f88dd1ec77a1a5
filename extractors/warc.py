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
  PARSE_ERROR;
- bytes warcio cannot parse as a record (garbage, a corrupt gzip member, a
  whole-file gzip) give one reject at their offset; the reader then scans
  forward for the next gzip member or `WARC/1.x` line that starts a record
  and carries on there. A stream that cannot seek, or has no record start
  left, ends with that one reject for the rest of the file.

warcio reports some damage only on stderr (a decompression error mid-member,
a record not followed by blank lines) and then reads on to the end of the
file; the checks above catch those cases from what it leaves behind.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import Counter
from collections.abc import Callable, Container, Generator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from extractors.decoding import decode
from extractors.errors import ExtractError
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
    AttributeError,  # a record missing a header warcio assumes, e.g. a response without a URI
    AssertionError,
)
_ERRORS = _READ_ERRORS + _PARSE_ERRORS


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


@dataclass(frozen=True, slots=True)
class _Stop:
    """Where a pass of warcio's iterator lost its place in the file, and why."""

    offset: int
    problem: tuple[RejectReason, str] | None  # None: a cut-short record, already accounted for


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
    payload before it is decoded (`--keep-raw`).
    """
    tally: Counter[str] = Counter() if skipped is None else skipped
    context = _Context(
        locator, hints, parse_html, tally, skip_offsets, max_payload_bytes, end, on_raw
    )
    can_seek = seekable(stream)
    while True:
        iterator = ArchiveIterator(stream, arc2warc=True)
        stop = yield from _read_records(iterator, context)
        iterator.close()
        if stop is None:
            return
        if (
            can_seek
            and stop.problem is not None
            and stop.problem[0] == RejectReason.PARSE_ERROR
            and gzip_member_at(stream, stop.offset)
        ):  # warcio reads a member that does not decompress as plain bytes
            stop = _Stop(stop.offset, (RejectReason.UNREADABLE, _CORRUPT_MEMBER))
        resume = next_record_start(stream, stop.offset) if can_seek else None
        if stop.problem is not None and can_seek and not _owned(stream, stop.offset, end):
            pass  # a damaged record that starts the next range: that range reports it
        elif stop.problem is not None and stop.offset in skip_offsets:
            tally["resumed"] += 1  # this reject was written by the run being resumed
        elif stop.problem is not None:
            reason, detail = stop.problem
            if resume is None:
                then = "the rest of the file cannot be read"
            else:
                then = f"skipped to the next record at offset {resume}"
            where = f"{locator}#offset={stop.offset}"
            logger.warning("%s: %s; %s", where, detail, then)
            yield Reject(where, reason, f"{detail}; {then}"[:500], hints.source)
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
        if record.rec_type is None or record.length is None:
            # Not a record: warcio takes a line it cannot parse as an empty
            # header block, and without a Content-Length reads on to the end.
            return _Stop(offset, (RejectReason.PARSE_ERROR, _NOT_A_RECORD))
        if context.end is not None and offset >= context.end:
            return None  # the next range's first record
        try:
            item, cut_short = _record(record, iterator, offset, context)
        except _ERRORS as exc:
            return _Stop(offset, _describe(exc))
        if item is not None:
            yield item
        if cut_short:
            return _Stop(offset, None)


def _advanced(offset: int, start: int, previous: int | None) -> bool:
    """True when warcio's offset moved past the previous record, as record offsets must."""
    return offset >= start if previous is None else offset > previous


def _record(
    record: Any, iterator: Any, offset: int, context: _Context
) -> tuple[ParsedArticle | Reject | None, bool]:
    """(the record's item or None if skipped, whether the record was cut short)."""
    if offset in context.skip_offsets:
        context.skipped["resumed"] += 1
        return None, _drain(record, iterator)[0]
    where = f"{context.locator}#offset={offset}"
    source = context.hints.source
    kind = _skip_kind(record)
    if kind is not None:
        context.skipped[kind] += 1
        return None, _drain(record, iterator)[0]
    http = record.http_headers
    if not http or not str(http.protocol).upper().startswith("HTTP/"):
        cut_short, _ = _drain(record, iterator)
        return Reject(where, RejectReason.PARSE_ERROR, _no_http(record), source), cut_short
    status = str(http.get_statuscode())
    if not (len(status) == 3 and status.isdigit()):
        detail = f"response has no valid HTTP status line: {http.protocol} {http.statusline}"
        cut_short, _ = _drain(record, iterator)
        return Reject(where, RejectReason.PARSE_ERROR, detail[:300], source), cut_short
    if not status.startswith("2"):
        context.skipped[f"response:status-{status}"] += 1
        return None, _drain(record, iterator)[0]
    content_type = http.get_header("content-type") or ""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in _HTML_TYPES and media_type not in _UNKNOWN_TYPES:
        context.skipped["response:non-html"] += 1
        return None, _drain(record, iterator)[0]
    payload = record.content_stream()
    head = payload.read(_SNIFF_BYTES)
    if media_type in _UNKNOWN_TYPES and not _sniffs_as_html(head):
        context.skipped["response:non-html"] += 1
        return None, _drain(record, iterator)[0]
    body = head + payload.read(context.max_payload_bytes + 1 - len(head))
    cut_short, bad_length = _drain(record, iterator)
    if cut_short:
        detail = "record is cut short (truncated file or corrupt gzip member)"
        return Reject(where, RejectReason.UNREADABLE, detail, source), True
    if bad_length:
        detail = (
            "record is not followed by the blank lines WARC requires: its Content-Length "
            "is wrong, so the payload may be cut or hold its neighbour's bytes"
        )
        return Reject(where, RejectReason.PARSE_ERROR, detail, source), False
    return _document(body, record, content_type, where, context), False


def _document(
    body: bytes, record: Any, content_type: str, where: str, context: _Context
) -> ParsedArticle | Reject:
    source = context.hints.source
    if len(body) > context.max_payload_bytes:
        detail = (
            f"payload larger than {context.max_payload_bytes} bytes "
            "(after de-chunking and decompression); not read"
        )
        return Reject(where, RejectReason.TOO_LARGE, detail, source)
    if not body.strip():
        return Reject(where, RejectReason.EMPTY_BODY, "response has an empty body", source)
    match = _CHARSET.search(content_type)
    charset = match.group(1) if match else None
    url = record.rec_headers.get_header("WARC-Target-URI")
    fetched_at = _warc_date(record.rec_headers.get_header("WARC-Date"))
    if context.on_raw is not None:
        context.on_raw(_raw_page(body, record, url, content_type, charset, fetched_at))
    try:
        text = decode(body, declared=charset)
    except ExtractError as exc:
        return Reject(where, exc.reason, exc.detail, source)
    hints = context.hints.overridden_by(Metadata(url=url))
    parsed = call_parser(context.parse_html, text, where, hints)
    if isinstance(parsed, Reject):
        return parsed
    # `url` is where the crawler fetched it; the page's own claim stays in canonical_url.
    return replace(
        parsed,
        metadata=replace(parsed.metadata, url=url),
        fetched_at=fetched_at,
    )


def _raw_page(
    body: bytes,
    record: Any,
    url: str,
    content_type: str,
    charset: str | None,
    fetched_at: datetime | None,
) -> FetchedPage:
    """The record's payload as a fetched page; undated records take the time of reading."""
    http = record.http_headers
    return FetchedPage(
        url=url,
        final_url=url,
        status=int(http.get_statuscode()),
        content_type=content_type or None,
        charset=charset,
        body=body,
        etag=http.get_header("etag"),
        last_modified=http.get_header("last-modified"),
        fetched_at=fetched_at or datetime.now(UTC),
    )


def _skip_kind(record: Any) -> str | None:
    """The `skipped` key of a record that is not a document candidate, else None."""
    kind = str(record.rec_type)
    if kind != "response":
        return kind
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not uri.lower().startswith(("http:", "https:")):
        return "response:non-http"  # dns:, whois:, ftp: captures
    return None


def _no_http(record: Any) -> str:
    if not record.length:
        return "response record is empty or its length field is invalid"
    return "response record holds no HTTP status line and headers"


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


def _warc_date(value: str | None) -> datetime | None:
    """WARC-Date (ISO 8601, UTC per WARC 1.1 section 5.4) as an aware UTC datetime."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        logger.warning("unparseable WARC-Date %r", value)
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


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
    return RejectReason.PARSE_ERROR, f"malformed record: {type(exc).__name__}: {message}"
