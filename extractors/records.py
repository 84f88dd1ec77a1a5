"""Records produced by the extractors and passed up the pipeline.

Every input document ends as exactly one of two things: a `ParsedArticle`
(handed to `transforms`) or a `Reject` (written to the rejects table). Records
are frozen and slotted so a batch of thousands stays cheap and nothing
downstream can mutate what an extractor saw.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

# A reader's tally key (the `skipped` counter of `extractors.warc.reader`) for an archive
# record passed over because an earlier run committed its outcome: a document,
# counted as "already stored", not a record skipped for its kind.
RESUMED_TALLY: Final = "resumed"


class RejectReason(StrEnum):
    """Machine-readable reasons a document did not become an article.

    Values are stable strings: they are written to the rejects table and
    analysts group by them.
    """

    UNREADABLE = "UNREADABLE"  # the file could not be opened or decompressed
    UNDECODABLE = "UNDECODABLE"  # bytes are binary or in no detectable text encoding
    PARSE_ERROR = "PARSE_ERROR"  # a JSONL/CSV record or a page could not be parsed
    UNSUPPORTED_TYPE = "UNSUPPORTED_TYPE"  # a file type the pipeline does not read
    EMPTY_BODY = "EMPTY_BODY"  # nothing left after extraction and cleaning
    TOO_SHORT = "TOO_SHORT"  # a body below the minimum word count
    NOT_AN_ARTICLE = "NOT_AN_ARTICLE"  # a page with no article (index, form, error page)
    INVALID_FIELD = "INVALID_FIELD"  # a record field with the wrong type or value
    PROCESSING_ERROR = "PROCESSING_ERROR"  # an unexpected error in our code: report it as a bug
    # Web sources (issue 3): one reason per way a URL can fail.
    FETCH_FAILED = "FETCH_FAILED"  # connection error, or an HTTP error status (detail has it)
    TIMEOUT = "TIMEOUT"  # connect or read timeout, after retries
    ROBOTS_DISALLOWED = "ROBOTS_DISALLOWED"  # robots.txt forbids our user agent
    TOO_LARGE = "TOO_LARGE"  # body over the size cap, after decompression
    NOT_HTML = "NOT_HTML"  # a PDF, image or feed where a page was expected
    BLOCKED_ADDRESS = "BLOCKED_ADDRESS"  # non-http(s) scheme or a non-public address (SSRF guard)
    REDIRECT_LOOP = "REDIRECT_LOOP"  # a redirect cycle or too many redirects
    UNSAFE_XML = "UNSAFE_XML"  # a feed or sitemap using entity tricks (billion laughs, XXE)


class ExtractionMethod(StrEnum):
    """Which code produced an article's body; an analyst filters on it."""

    PLAIN_TEXT = "plain_text"  # a .txt file or a record's `body` field
    TRAFILATURA = "trafilatura"  # main-text extraction from HTML
    JSONLD = "jsonld"  # the page's JSON-LD articleBody, when clearly longer than trafilatura's
    READABILITY = "readability"  # readability-lxml, when trafilatura found too little
    JUSTEXT = "justext"  # jusText, when trafilatura and readability found too little


@dataclass(frozen=True, slots=True)
class Metadata:
    """Article metadata as found in a source, before normalisation.

    Every field is optional: sources differ in what they know. Timestamps are
    kept as found (a string or an aware/naive datetime) and normalised once,
    in `transforms.normalise`, so the original UTC offset is not lost early.
    """

    url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | datetime | None = None
    modified: str | datetime | None = None
    language: str | None = None
    description: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    site_name: str | None = None
    source: str | None = None

    def overridden_by(self, other: Metadata) -> Metadata:
        """Fields set in `other` win; empty ones fall back to `self`."""
        changes = {
            name: value
            for name in self.__dataclass_fields__
            if (value := getattr(other, name)) not in (None, "", ())
        }
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """The main text of one document with the metadata found for it.

    `body` keeps paragraph breaks as blank lines; it is not yet cleaned of
    boilerplate nor normalised.
    """

    locator: str  # where it came from: a path, `path#line=N`, later a URL
    body: str
    metadata: Metadata
    extraction_method: ExtractionMethod
    fetched_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DiscoveredUrl:
    """An article URL found in a feed or sitemap, with what the listing said of it.

    `hints` (title, published, authors, description, language, tags) fill the
    fields a page itself lacks; `lastmod` is the listing's last-modified
    time (kept for a later `refresh` policy; nothing reads it yet).
    """

    url: str
    source: str
    found_in: str  # the feed or sitemap URL
    hints: Metadata = Metadata()
    lastmod: datetime | None = None


class FailureKind(StrEnum):
    """What a failed fetch says about asking again: what the next web run does with the URL.

    Values are stable strings: the crawl state (`state/url_outcomes`) stores them.
    """

    TRANSIENT = "transient"  # may pass later (timeout, 429, 5xx, no answer): retry next run
    PERMANENT = "permanent"  # asking soon gets the same answer (410, too large...): rest it
    UNKNOWN = "unknown"  # says nothing either way (404, 403, robots): fetched whenever listed


@dataclass(frozen=True, slots=True)
class Reject:
    """A document that did not become an article, with why.

    A fetch failure carries its facts as fields, never only in `detail`:
    `http_status` is the status of the answer that refused the URL (None
    when no answer came, or when the reject is not about a fetch), and
    `transient` whether the fetcher judged that a later try may pass (None
    when it did not say; `extractors.web.transience` then decides from the
    reason and status).
    """

    locator: str
    reason: RejectReason
    detail: str
    source: str | None = None
    http_status: int | None = None
    transient: bool | None = None


# Web fetching (issue 3): what `extractors.web.http.Fetcher.fetch` returns besides a `Reject`.


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said about a resource last time, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A 2xx response with its body, decompressed but not yet decoded to text.

    `charset` is the Content-Type header's, for `decoding.decode(body,
    declared=charset)`; `redirects` lists the hops after `url`, the last one
    being `final_url`. `fetched_at` is UTC.
    """

    url: str
    final_url: str
    status: int
    content_type: str | None
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    redirects: tuple[str, ...] = ()

    @property
    def validators(self) -> Validators:
        """What to send next time to get a 304 if nothing changed."""
        return Validators(etag=self.etag, last_modified=self.last_modified)


@dataclass(frozen=True, slots=True)
class NotModified:
    """A 304 to a conditional GET: the copy we have is current."""

    url: str
    fetched_at: datetime
