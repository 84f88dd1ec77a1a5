"""WARC and ARC files -> one article or reject per HTML response record.

Read with warcio (per-record gzip, plain WARC, ARC via `arc2warc`), one
record at a time, so memory does not grow with the file. Which records are
documents, and how their headers are checked, is `extractors.warc.record`;
this module runs warcio's iterator over the file and finds its place again
when warcio loses it.

Locators are `<file>#offset=N`, N being the byte offset of the record in the
file as stored (what warcio's `get_record_offset()` reports), so a rerun can
pass the offsets it wrote as `skip_offsets` and resume without duplicates.

A large archive can be read as byte ranges by separate workers
(`iter_warc` with `start` and `end`): each range starts at the first record start at or
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
  and carries on there (`extractors.warc.scan`). A stream that cannot seek
  ends with that one reject for the rest of the file.

warcio is told not to parse HTTP headers (`no_record_parse`): it fails on a
response with no WARC-Target-URI, and a failure inside its iterator ends the
pass. warcio reports some damage only on stderr (a decompression error
mid-member, a record not followed by blank lines) and then reads on to the
end of the file; the checks in `extractors.warc.record` catch those cases
from what it leaves behind.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Container, Generator, Iterator
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from extractors.records import Metadata, ParsedArticle, Reject, RejectReason
from extractors.tabular import HtmlParser
from extractors.warc.context import MAX_PAYLOAD_BYTES, RawPayload, ReadContext
from extractors.warc.damage import (
    CORRUPT_MEMBER,
    ERRORS,
    NOT_A_RECORD,
    READ_ERRORS,
    WHOLE_GZIP,
    describe,
    is_whole_file_gzip,
)
from extractors.warc.record import Stop, read_one
from extractors.warc.scan import gzip_member_at, is_record_start, next_record_start, seekable

__all__ = ["is_warc_name", "iter_warc"]

logger = logging.getLogger(__name__)

_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


def is_warc_name(name: str) -> bool:
    """True for `.warc`, `.warc.gz`, `.arc` and `.arc.gz` names, in any case."""
    return name.lower().endswith(_WARC_SUFFIXES)


def iter_warc(
    stream: BinaryIO,
    *,
    locator: str,
    hints: Metadata,
    parse_html: HtmlParser,
    skipped: Counter[str] | None = None,
    skip_offsets: Container[int] = (),
    max_payload_bytes: int = MAX_PAYLOAD_BYTES,
    start: int = 0,
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

    A `start` above 0 reads a byte range [start, end) of a seekable stream
    (offsets from its beginning): reading begins at the first record start
    at or after `start`, found as after damage (a gzip member or `WARC/1.x`
    line that starts a record). Ranges that tile a file read each record
    exactly once. Safe for per-record gzip archives, where a record start is
    checked by decompressing it; in an uncompressed archive a payload quoting
    a record header could be mistaken for a record start, so split only
    gzipped ones.
    """
    if start:
        first = next_record_start(stream, start - 1, before=end)
        if first is None:
            return
        stream.seek(first)
    tally: Counter[str] = Counter() if skipped is None else skipped
    can_seek = seekable(stream)
    context = ReadContext(
        locator, hints, parse_html, tally, skip_offsets, max_payload_bytes, end, on_raw, can_seek
    )
    while True:
        iterator = ArchiveIterator(stream, arc2warc=True, no_record_parse=True)
        stop = yield from _read_records(iterator, context)
        iterator.close()
        if stop is None:
            return
        if can_seek and _in_corrupt_member(stream, stop):
            stop = Stop(stop.offset, (RejectReason.UNREADABLE, CORRUPT_MEMBER))
        resume = next_record_start(stream, stop.offset) if can_seek else None
        reject = _stop_reject(stream, stop, resume, context)
        if reject is not None:
            yield reject
        if resume is None or (end is not None and resume >= end):
            return
        stream.seek(resume)


def _owned(stream: BinaryIO, offset: int, end: int | None) -> bool:
    """True unless `offset` is past the range and a record starts there (the next range's)."""
    if end is None or offset < end:
        return True
    try:
        return not is_record_start(stream, offset)
    except READ_ERRORS:
        return True


def _in_corrupt_member(stream: BinaryIO, stop: Stop) -> bool:
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
    stream: BinaryIO, stop: Stop, resume: int | None, context: ReadContext
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
    iterator: Any, context: ReadContext
) -> Generator[ParsedArticle | Reject, None, Stop | None]:
    """Items of one pass of warcio's iterator; how the pass ended if not at the end."""
    start = iterator.offset
    previous: int | None = None
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return None
        except ERRORS as exc:
            # warcio's offset after a failure is only right when it moved on;
            # inside a whole-file gzip it is negative or meaningless.
            offset = iterator.offset
            if is_whole_file_gzip(exc) or not _advanced(offset, start, previous):
                offset = start if previous is None else previous
            return Stop(offset, describe(exc))
        offset = iterator.offset  # what get_record_offset() returns, read before the record is
        if not _advanced(offset, start, previous):
            detail = f"record offsets stop making sense here (warcio says {offset}); {WHOLE_GZIP}"
            return Stop(start if previous is None else previous, (RejectReason.UNREADABLE, detail))
        previous = offset
        if not record.rec_headers.protocol:
            # Not a record: warcio takes a line it cannot parse as an empty
            # header block, and without a Content-Length reads on to the end.
            return Stop(offset, (RejectReason.PARSE_ERROR, NOT_A_RECORD))
        if context.end is not None and offset >= context.end:
            return None  # the next range's first record
        item, stop = read_one(record, iterator, offset, context)
        if item is not None:
            yield item
        if stop is not None:
            return stop


def _advanced(offset: int, start: int, previous: int | None) -> bool:
    """True when warcio's offset moved past the previous record, as record offsets must."""
    return offset >= start if previous is None else offset > previous
