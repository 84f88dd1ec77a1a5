"""What damage in an archive looks like, and the words its rejects use.

warcio, zlib and the file itself let out many exception types on bad input.
They are sorted here, once: data that cannot be read is UNREADABLE, bytes
warcio cannot parse as a record are PARSE_ERROR, and an exception from our
own code is a PROCESSING_ERROR that says it is a bug, never a PARSE_ERROR
quoting an AttributeError.
"""

from __future__ import annotations

import logging
import zlib

from warcio.bufferedreaders import ChunkedDataException
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from extractors.records import RejectReason

__all__ = [
    "BAD_LENGTH",
    "CORRUPT_MEMBER",
    "CUT_SHORT",
    "ERRORS",
    "NOT_A_RECORD",
    "READ_ERRORS",
    "RECORD_ERRORS",
    "WHOLE_GZIP",
    "bug",
    "describe",
    "is_whole_file_gzip",
]

logger = logging.getLogger(__name__)

CORRUPT_MEMBER = "corrupt gzip member: it does not decompress"
WHOLE_GZIP = (
    "is the file gzipped as one stream rather than one gzip member per record? "
    "records cannot be told apart in it; `warcio recompress IN OUT` fixes that"
)
NOT_A_RECORD = "not a WARC/ARC record: no WARC-Type or Content-Length header"
CUT_SHORT = (
    "record is cut short: the data ends before its Content-Length does "
    "(truncated file, corrupt gzip member, or a Content-Length too large)"
)
BAD_LENGTH = (
    "record is not followed by the blank lines WARC requires: its Content-Length "
    "is wrong, so the payload may be cut or hold its neighbour's bytes"
)

# What warcio, zlib and the file let out on bad input: translated here, once.
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
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
ERRORS = READ_ERRORS + _PARSE_ERRORS
# What warcio lets out while a record's HTTP headers and payload are read. Anything
# else raised there comes from our code: a bug, reported as PROCESSING_ERROR.
RECORD_ERRORS: tuple[type[BaseException], ...] = (
    *READ_ERRORS,
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ChunkedDataException,
)


def is_whole_file_gzip(exc: BaseException) -> bool:
    """True when warcio gave up because the file is one gzip stream, not one member a record."""
    return isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc)


def describe(exc: BaseException) -> tuple[RejectReason, str]:
    """The reject reason and detail for what stopped warcio."""
    message = " ".join(str(exc).split())[:200]
    if is_whole_file_gzip(exc):
        return RejectReason.UNREADABLE, WHOLE_GZIP
    if isinstance(exc, READ_ERRORS):
        return RejectReason.UNREADABLE, f"unreadable data: {type(exc).__name__}: {message}"
    if isinstance(exc, ArchiveLoadFailed):
        return RejectReason.PARSE_ERROR, f"not a WARC/ARC record: {message}"
    return RejectReason.PARSE_ERROR, f"malformed record, warcio cannot parse it: {message}"


def bug(exc: Exception, where: str) -> str:
    """A PROCESSING_ERROR detail: the exception, and that it is ours to fix, not the file's."""
    logger.error("bug while reading %s", where, exc_info=exc)
    return f"bug in the WARC reader, please report it: {type(exc).__name__}: {exc}"[:300]
