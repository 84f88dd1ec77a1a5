"""What one read of an archive carries from record to record.

One frozen object rather than nine arguments threaded through every
function of the reader, the record checks and the page builder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container
from dataclasses import dataclass

from extractors.records import FetchedPage, Metadata
from extractors.tabular import HtmlParser

__all__ = ["MAX_PAYLOAD_BYTES", "RawPayload", "ReadContext"]

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # one page's body after de-chunking and decompression

RawPayload = Callable[[FetchedPage], None]
"""Called with each document record's payload as stored, before it is decoded."""


@dataclass(frozen=True, slots=True)
class ReadContext:
    """One read's settings and tallies; `skipped` is updated in place."""

    locator: str
    hints: Metadata
    parse_html: HtmlParser
    skipped: Counter[str]
    skip_offsets: Container[int]
    max_payload_bytes: int
    end: int | None = None  # records at or past this offset belong to the next range
    on_raw: RawPayload | None = None
    can_seek: bool = False  # whether reading can resume at a record start found by scanning
