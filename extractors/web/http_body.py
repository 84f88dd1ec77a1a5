"""Response bodies for the fetcher: decompression under a cap, and content types.

Decompression is ours, not urllib3's, for two measured reasons: urllib3
returns a truncated gzip body (corpus `truncated-crc-error.gz`) without an
error, while zlib's `eof` flag tells; and bounding zlib's output per call
(`max_length`) keeps a gzip bomb (corpus `bomb-gzip.bin`, 28 KB -> 11.5 MB)
from ever being inflated past the cap plus one chunk.

The type checks follow WHATWG MIME Sniffing: a declared HTML type is
trusted unless the body's magic bytes say PDF or image; vague types
(missing, `text/plain`, `application/octet-stream`) let the body decide.
"""

from __future__ import annotations

import email.utils
import re
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from extractors.records import RejectReason

__all__ = [
    "ACCEPT",
    "ACCEPT_ENCODING",
    "CorruptBodyError",
    "Expect",
    "Inflater",
    "SlowBodyError",
    "TooLargeError",
    "content_type",
    "retry_after_seconds",
    "sniff_refusal",
    "type_refusal",
]


class Expect(StrEnum):
    """What the caller wants from a URL; decides the Accept header and the type check."""

    HTML = "html"
    FEED = "feed"
    SITEMAP = "sitemap"
    ANY = "any"


# The Accept header per `Expect`: what we can use, best first.
ACCEPT = {
    Expect.HTML: "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    Expect.FEED: "application/rss+xml,application/atom+xml,application/feed+json,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1",
    Expect.SITEMAP: "application/xml,text/xml;q=0.9,application/gzip;q=0.8,text/plain;q=0.8,"
    "*/*;q=0.1",
    Expect.ANY: "*/*",
}

# Only what `Inflater` decodes: advertising br or zstd without a decoder
# would invite bodies we cannot read (neither brotli nor zstandard is a dependency).
ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024  # bytes read from the socket, and the most zlib may produce per call


class TooLargeError(Exception):
    """The decompressed body passed the cap; its message is the reject's detail."""


class SlowBodyError(Exception):
    """The body kept arriving past the per-response time limit."""


class CorruptBodyError(Exception):
    """Compressed bytes that do not decompress, or an encoding we cannot decode."""


class Inflater:
    """Content-Encoding decoding with bounded output per step, so a bomb stops at the cap."""

    def __init__(self, header: str) -> None:
        codings = [c.strip().lower() for c in header.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        self.coding = codings[0] if len(codings) == 1 else ",".join(codings)
        if self.coding not in ("", "gzip", "x-gzip", "deflate"):
            raise CorruptBodyError(
                f"Content-Encoding {header!r} is not one we asked for ({ACCEPT_ENCODING})"
            )
        self._wbits = zlib.MAX_WBITS | (16 if "gzip" in self.coding else 0)
        self._zlib = zlib.decompressobj(self._wbits)
        self._fed = False

    def read_all(
        self, raw: Any, limit: int, *, truncate: bool = False, deadline: float | None = None
    ) -> bytes:
        """Everything `raw` (a urllib3 response) holds, decoded; at most `limit` bytes.

        `deadline` (on `time.monotonic`) bounds the whole body: the read
        timeout bounds each socket read only, so a server dripping a byte at
        a time would otherwise hold a worker forever.
        """
        body = bytearray()
        # read1 returns what has arrived, so the deadline is checked as bytes come in.
        read = raw.read1 if hasattr(raw, "read1") else raw.read
        while chunk := read(_CHUNK, decode_content=False):
            if deadline is not None and time.monotonic() > deadline:
                raise SlowBodyError("the body took longer than the per-response limit")
            for piece in self._feed(chunk) if self.coding else (chunk,):
                body += piece
                if len(body) > limit:
                    if truncate:
                        return bytes(body[:limit])
                    raise TooLargeError(
                        f"body is over the {limit}-byte cap after decompression; stopped reading"
                    )
        if self.coding and self._fed and not self._zlib.eof:
            raise CorruptBodyError(f"{self.coding} body is truncated: the stream ends early")
        return bytes(body)

    def _feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            if self._zlib.eof:
                data = self._zlib.unused_data + data
                if not data.strip(b"\0"):  # padding after the last member
                    return
                if "gzip" not in self.coding:
                    raise CorruptBodyError("data after the end of the deflate stream")
                self._zlib = zlib.decompressobj(self._wbits)  # RFC 1952: members may follow
            try:
                piece = self._zlib.decompress(data, _CHUNK)
            except zlib.error as exc:
                if self.coding == "deflate" and not self._fed and self._wbits > 0:
                    # Some servers send raw deflate for "deflate" (RFC 9110 8.4.1.2 notes it).
                    self._wbits = -zlib.MAX_WBITS
                    self._zlib = zlib.decompressobj(self._wbits)
                    continue
                raise CorruptBodyError(f"corrupt {self.coding} body ({exc})") from exc
            self._fed = True
            data = self._zlib.unconsumed_tail
            if piece:
                yield piece
            if not data and len(piece) < _CHUNK and not self._zlib.unused_data:
                return


_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types that say nothing: the body decides (WHATWG MIME Sniffing, section 7).
_VAGUE_TYPES = frozenset(
    {"", "text/plain", "application/octet-stream", "binary/octet-stream", "application/unknown"}
)
_LISTING_TYPES = frozenset({"application/gzip", "application/x-gzip", *_VAGUE_TYPES})
# WHATWG MIME Sniffing 7.1 "identifying a resource with an unknown MIME type": HTML patterns.
_HTML_START = re.compile(
    rb"\s*<(?:!--|(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title"
    rb"|b|body|br|p)[\s>])",
    re.IGNORECASE,
)
_LISTING_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:rdf|urlset|sitemapindex)\b",
    re.IGNORECASE | re.DOTALL,
)
_MAGIC = ((b"%PDF-", "a PDF"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF8", "a GIF image"))  # fmt: skip


def content_type(header: str | None) -> tuple[str, str | None]:
    """(lowercased MIME type, charset parameter) of a Content-Type header."""
    mime, *params = (header or "").split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def type_refusal(expect: Expect, mime: str) -> tuple[RejectReason, str] | None:
    """Refuse by the declared type alone, before reading a body we would not use."""
    if expect is Expect.HTML and mime not in _HTML_TYPES and mime not in _VAGUE_TYPES:
        return RejectReason.NOT_HTML, f"served as {mime} where a page was expected"
    listing = any(word in mime for word in ("xml", "rss", "atom", "json"))
    wanted = expect in (Expect.FEED, Expect.SITEMAP)
    if wanted and not listing and mime != "text/html" and mime not in _LISTING_TYPES:
        return RejectReason.UNSUPPORTED_TYPE, f"served as {mime} where a {expect} was expected"
    return None


def sniff_refusal(expect: Expect, mime: str, body: bytes) -> tuple[RejectReason, str] | None:
    """Refuse by the body when the declared type is vague or contradicted by it."""
    head = body[:1024].removeprefix(b"\xef\xbb\xbf")
    if expect is Expect.HTML:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                return RejectReason.NOT_HTML, f"the body is {what}, served as {mime or 'no type'}"
        if _LISTING_START.match(head):
            return RejectReason.NOT_HTML, f"the body is a feed or sitemap, served as {mime}"
        if mime in _VAGUE_TYPES and not _HTML_START.match(head):
            return RejectReason.NOT_HTML, f"served as {mime or 'no type'} and not HTML"
    looks_listing = _LISTING_START.match(head) or head.lstrip().startswith(b"{")
    if expect in (Expect.FEED, Expect.SITEMAP) and mime == "text/html" and not looks_listing:
        return RejectReason.UNSUPPORTED_TYPE, f"an HTML page where a {expect} was expected"
    return None


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """RFC 9110 section 10.2.3: delay-seconds or an HTTP-date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
