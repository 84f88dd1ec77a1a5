"""Finding where a WARC/ARC record starts: after damage, and at the start of a byte range.

A record starts with a `WARC/1.x` line, an ARC v1 URL-record line ("URL IP
date mime length"), or a gzip member whose first bytes decompress to one of
those. Candidates are found with one regex over 1 MiB windows and each is
checked at its offset, so a page that merely quotes a record header does not
count inside a per-record-gzip archive (its bytes are compressed there).
"""

from __future__ import annotations

import logging
import re
import zlib
from typing import BinaryIO

__all__ = ["gzip_member_at", "is_record_start", "next_record_start", "seekable"]

logger = logging.getLogger(__name__)

_RECORD_START = re.compile(rb"WARC/1\.[01]\r?\n|\S+ \S+ \d{12,18} \S+ -?\d+\r?\n")
_GZIP_MEMBER = b"\x1f\x8b\x08"
_CANDIDATE = re.compile(
    rb"\x1f\x8b\x08|(?<=\n)WARC/1\.[01]\r?\n|(?<=\n)\S+ \S+ \d{12,18} \S+ -?\d+\r?\n"
)
_SCAN_BYTES = 1024 * 1024
_SCAN_OVERLAP = 16 * 1024  # longer than any record-start line we look for
_HEAD_BYTES = 4096  # compressed bytes enough to see a member's first line
_READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)


def seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def next_record_start(stream: BinaryIO, after: int, before: int | None = None) -> int | None:
    """The offset of the first record start after `after` (and before `before`); None if none."""
    try:
        position = after + 1
        while before is None or position < before:
            stream.seek(position - 1)  # one byte back, for the look-behind on "\n"
            window = stream.read(_SCAN_BYTES)
            if len(window) <= 1:
                return None
            final = len(window) < _SCAN_BYTES
            limit = len(window) if final else len(window) - _SCAN_OVERLAP
            for match in _CANDIDATE.finditer(window, 1, len(window)):
                if match.start() >= limit:
                    break
                candidate = position - 1 + match.start()
                if before is not None and candidate >= before:
                    return None
                if is_record_start(stream, candidate):
                    return candidate
            if final:
                return None
            position += limit - 1
        return None
    except _READ_ERRORS as exc:
        logger.warning("scanning for the next record failed: %s", exc)
        return None


def gzip_member_at(stream: BinaryIO, offset: int) -> bool:
    """True when a gzip member starts at `offset` (whatever follows its header)."""
    try:
        stream.seek(offset)
        return stream.read(len(_GZIP_MEMBER)) == _GZIP_MEMBER
    except _READ_ERRORS:
        return False


def is_record_start(stream: BinaryIO, offset: int) -> bool:
    """True when a record (plain, or the first line of a gzip member) starts at `offset`."""
    stream.seek(offset)
    head = stream.read(_HEAD_BYTES)
    if head.startswith(_GZIP_MEMBER):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 512)
        except zlib.error:
            return False
    return _RECORD_START.match(head) is not None
