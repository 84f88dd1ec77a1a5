"""extractors.warc: every corpus WARC/ARC, good and broken, plus damage made from real files."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extractors.html import extract_html
from extractors.records import (
    ExtractionMethod,
    FetchedPage,
    Metadata,
    ParsedArticle,
    Reject,
    RejectReason,
)
from extractors.warc import is_warc_name, iter_warc
from extractors.warc import page as warc_page
from extractors.warc import record as warc_record

WARC = Path("warc")
WARCIO = WARC / "webrecorder__warcio/data"
RESILIPARSE = WARC / "chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz"
W3C_HTTP_CHARSET = Path("encodings/golang__net/testdata/HTTP-charset.html")
EVAL_PAGE = Path("html/adbar__trafilatura/eval/bbc.com.52241221.html")
BINARY = Path("compression/scrapy__scrapy/compressed/html-zstd-streaming-no-content-size.bin")
OFFSET = re.compile(r"#offset=(\d+)$")
EXAMPLE_TEXT = "illustrative examples in documents"  # worded differently in 2014 and 2017

# The response records of warcfile.warc.gz, by offset (checked against warcio below).
RESILIPARSE_RESPONSES = (
    940, 12685, 32353, 38503, 42891, 48321, 61090, 70222,
    75624, 87298, 99077, 106585, 110823, 120465, 125552, 132240,
)  # fmt: skip


@dataclass(frozen=True)
class Expected:
    """What reading one corpus file gives: articles and rejects by offset, skipped by kind."""

    articles: tuple[int, ...] = ()
    rejects: dict[int, RejectReason] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    clean: bool = True  # warcio itself reads the whole file without raising


EXPECTED: dict[str, Expected] = {
    "chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz": Expected(
        RESILIPARSE_RESPONSES, skipped={"warcinfo": 1, "request": 17, "metadata": 16}
    ),
    "commoncrawl__whirlwind-python/whirlwind.warc.gz": Expected(
        (1023,), skipped={"warcinfo": 1, "request": 1, "metadata": 1}
    ),
    "commoncrawl__whirlwind-python/whirlwind.warc.wat.gz": Expected(
        skipped={"warcinfo": 1, "metadata": 1}
    ),
    "commoncrawl__whirlwind-python/whirlwind.warc.wet.gz": Expected(
        skipped={"warcinfo": 1, "conversion": 1}
    ),
    "iipc__jwarc/cc.warc.gz": Expected((0,)),
    "iipc__jwarc/gzip_extra_sl.warc.gz": Expected(skipped={"warcinfo": 1}),
    # ARC lengths of -1 (the file header too), 1 and "abc": -1 and "abc" are
    # malformed Content-Length fields; 1 byte holds no HTTP response.
    "webrecorder__warcio/data/bad.arc": Expected(
        rejects={
            0: RejectReason.INVALID_FIELD,
            134: RejectReason.INVALID_FIELD,
            202: RejectReason.PARSE_ERROR,
            262: RejectReason.INVALID_FIELD,
        },
    ),
    # One gzip stream for the whole file: records cannot be told apart after the first.
    "webrecorder__warcio/data/example-bad-non-chunked.warc.gz": Expected(
        rejects={0: RejectReason.UNREADABLE}, skipped={"warcinfo": 1}, clean=False
    ),
    "webrecorder__warcio/data/example-bad.warc.gz.bad": Expected(
        rejects={0: RejectReason.UNREADABLE}, skipped={"warcinfo": 1}, clean=False
    ),
    "webrecorder__warcio/data/example-digest.warc": Expected(skipped={"request": 4}),
    "webrecorder__warcio/data/example-iana.org-chunked.warc": Expected(
        (405,), skipped={"warcinfo": 1, "request": 1}
    ),
    "webrecorder__warcio/data/example-resource.warc.gz": Expected(
        skipped={"warcinfo": 2, "resource": 1}
    ),
    "webrecorder__warcio/data/example-space-in-target-uri.warc.gz": Expected(
        skipped={"warcinfo": 1, "resource": 1}
    ),
    # Its HTTP headers end in LF where the ARC length counts CRLF: the record
    # claims more bytes than the file holds.
    "webrecorder__warcio/data/example-space-in-url.arc": Expected(
        rejects={151: RejectReason.UNREADABLE}, skipped={"warcinfo": 1}
    ),
    # The response's Content-Length is 2 bytes short; reading goes on after it.
    "webrecorder__warcio/data/example-trunc.warc": Expected(
        rejects={1197: RejectReason.PARSE_ERROR}, skipped={"warcinfo": 2, "request": 1}
    ),
    "webrecorder__warcio/data/example-wget-bad-target-uri.warc.gz": Expected(
        (824,), skipped={"warcinfo": 1, "request": 1, "metadata": 1, "resource": 2}
    ),
    # The response's body sits in a gzip member of its own, outside the record.
    "webrecorder__warcio/data/example-wrong-chunks.warc.gz": Expected(
        rejects={0: RejectReason.UNREADABLE}, clean=False
    ),
    "webrecorder__warcio/data/example.arc": Expected((151,), skipped={"warcinfo": 1}),
    "webrecorder__warcio/data/example.arc.gz": Expected((171,), skipped={"warcinfo": 1}),
    "webrecorder__warcio/data/example.warc": Expected(
        (1197,), skipped={"warcinfo": 2, "request": 2, "revisit": 1}
    ),
    "webrecorder__warcio/data/example.warc.gz": Expected(
        (784,), skipped={"warcinfo": 2, "request": 2, "revisit": 1}
    ),
    "webrecorder__warcio/data/post-test.warc.gz": Expected(
        skipped={"request": 3, "response:non-html": 3}
    ),
}


def echo_parser(html: str, *, locator: str, hints: Metadata) -> ParsedArticle:
    """Stands in for extract_html where only the record handling matters: the text is the body."""
    return ParsedArticle(locator, html, hints, ExtractionMethod.TRAFILATURA)


def _read(
    data: bytes | io.RawIOBase | io.BufferedIOBase,
    *,
    parse_html: object = echo_parser,
    skip_offsets: Iterable[int] = (),
    **options: Any,
) -> tuple[list[ParsedArticle | Reject], Counter[str]]:
    skipped: Counter[str] = Counter()
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    items = list(
        iter_warc(
            stream,  # type: ignore[arg-type]
            locator="in.warc",
            hints=Metadata(source="archive"),
            parse_html=parse_html,  # type: ignore[arg-type]
            skipped=skipped,
            skip_offsets=frozenset(skip_offsets),
            **options,
        )
    )
    return items, skipped


def _offset(item: ParsedArticle | Reject) -> int:
    match = OFFSET.search(item.locator)
    assert match is not None, item.locator
    return int(match.group(1))


def _warcio_offsets(data: bytes) -> list[tuple[int, str]]:
    """(offset, WARC-Type) of each record, by warcio's own `get_record_offset()`."""
    iterator = ArchiveIterator(io.BytesIO(data), arc2warc=True)
    return [(iterator.get_record_offset(), record.rec_type) for record in iterator]


def _response(
    uri: str,
    body: bytes,
    headers: list[tuple[str, str]],
    *,
    status: str = "200 OK",
    date: str = "2024-03-01T12:00:00Z",
) -> tuple[str, bytes, list[tuple[str, str]], str, str]:
    return uri, body, headers, status, date


def _build(*responses: tuple[str, bytes, list[tuple[str, str]], str, str]) -> bytes:
    """A per-record-gzip WARC of the given responses, written by warcio's WARCWriter."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for uri, body, headers, status, date in responses:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            uri,
            "response",
            payload=io.BytesIO(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(record)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.warc", True),
        ("CC-NEWS-20240101.WARC.GZ", True),
        ("old.arc", True),
        ("old.Arc.Gz", True),
        ("story.html", False),
        ("example-bad.warc.gz.bad", False),
        ("whirlwind.warc.wet.gz", False),
        ("warc", False),
    ],
)
def test_is_warc_name(name: str, expected: bool) -> None:
    """WARC and ARC names, plain or gzipped, in any case; WET/WAT extracts are not ingested."""
    assert is_warc_name(name) is expected


def test_expectations_cover_every_corpus_file(corpus: Path) -> None:
    """Every file under corpus warc/ has an expectation here, so none is skipped silently."""
    found = {str(p.relative_to(corpus / WARC)) for p in (corpus / WARC).rglob("*") if p.is_file()}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_is_read_as_expected(corpus: Path, name: str) -> None:
    """Each record is an item or counted as skipped; rejects sit at their record's offset."""
    data = (corpus / WARC / name).read_bytes()
    expected = EXPECTED[name]
    items, skipped = _read(data)
    offsets = [_offset(item) for item in items]
    assert offsets == sorted(set(offsets))
    assert all(0 <= offset < len(data) for offset in offsets)
    assert tuple(_offset(i) for i in items if isinstance(i, ParsedArticle)) == expected.articles
    assert {_offset(i): i.reason for i in items if isinstance(i, Reject)} == expected.rejects
    assert dict(skipped) == expected.skipped
    for item in items:
        assert item.locator.startswith("in.warc#offset=")
        if isinstance(item, Reject):
            assert item.detail
            assert item.source == "archive"
    if expected.clean:
        # Offsets are warcio's own, and every record it sees is accounted for.
        records = _warcio_offsets(data)
        assert set(offsets) <= {offset for offset, _ in records}
        assert len(records) == len(items) + skipped.total()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_second_pass_with_the_first_pass_offsets_yields_nothing(corpus: Path, name: str) -> None:
    """A rerun given the offsets it wrote yields nothing new and counts them as resumed."""
    data = (corpus / WARC / name).read_bytes()
    first, skipped_first = _read(data)
    again, skipped_again = _read(data, skip_offsets=[_offset(item) for item in first])
    assert again == []
    assert skipped_again["resumed"] >= len(first)
    assert skipped_again.total() == skipped_first.total() + len(first)


def test_resiliparse_common_crawl_sample_with_the_real_extractor(corpus: Path) -> None:
    """50 Common Crawl records: 16 HTML responses become articles with URI, date and charset."""
    data = (corpus / RESILIPARSE).read_bytes()
    records = _warcio_offsets(data)
    assert len(records) == 50
    assert Counter(kind for _, kind in records) == {
        "warcinfo": 1,
        "request": 17,
        "response": 16,
        "metadata": 16,
    }
    assert tuple(o for o, kind in records if kind == "response") == RESILIPARSE_RESPONSES
    items, skipped = _read(data, parse_html=extract_html)
    articles = [item for item in items if isinstance(item, ParsedArticle)]
    assert len(articles) == len(items) == 16
    assert skipped == {"warcinfo": 1, "request": 17, "metadata": 16}
    by_url = {a.metadata.url: a for a in articles}
    russian = by_url["http://01spb.ru/company/"]  # Content-Type: text/html; charset=windows-1251
    assert russian.metadata.title == "О компании - Стратегия пожарной безопасности"
    assert russian.fetched_at == datetime(2020, 8, 8, 18, 31, 12, tzinfo=UTC)
    assert russian.locator == "in.warc#offset=12685"
    for article in articles:
        assert article.fetched_at is not None
        assert article.fetched_at.tzinfo is UTC
        assert article.fetched_at.date() == datetime(2020, 8, 8).date()
        assert article.metadata.source == "archive"
        assert article.extraction_method == ExtractionMethod.TRAFILATURA


@pytest.mark.parametrize(
    ("name", "url", "fetched_at", "title", "text"),
    [
        (
            "iipc__jwarc/cc.warc.gz",
            "http://commoncrawl.org/",
            datetime(2019, 12, 10, 10, 0, 1, tzinfo=UTC),
            "Common Crawl",
            "Common Crawl",
        ),
        (
            "commoncrawl__whirlwind-python/whirlwind.warc.gz",
            "https://an.wikipedia.org/wiki/Escopete",
            datetime(2024, 5, 18, 1, 58, 10, tzinfo=UTC),
            "Escopete",
            "Escopete",
        ),
        (
            "webrecorder__warcio/data/example.warc.gz",  # gzip Content-Encoding inside
            "http://example.com/",
            datetime(2017, 3, 6, 4, 2, 6, tzinfo=UTC),
            "Example Domain",
            EXAMPLE_TEXT,
        ),
        (
            "webrecorder__warcio/data/example.warc",
            "http://example.com/",
            datetime(2017, 3, 6, 4, 2, 6, tzinfo=UTC),
            "Example Domain",
            EXAMPLE_TEXT,
        ),
        (
            "webrecorder__warcio/data/example.arc.gz",
            "http://example.com/",
            datetime(2014, 2, 16, 5, 2, 21, tzinfo=UTC),
            "Example Domain",
            EXAMPLE_TEXT,
        ),
        (
            "webrecorder__warcio/data/example.arc",
            "http://example.com/",
            datetime(2014, 2, 16, 5, 2, 21, tzinfo=UTC),
            "Example Domain",
            EXAMPLE_TEXT,
        ),
        (
            "webrecorder__warcio/data/example-iana.org-chunked.warc",  # chunked body
            "http://www.iana.org/",
            datetime(2017, 3, 6, 16, 54, 9, tzinfo=UTC),
            "Internet Assigned Numbers Authority",
            "Management of the DNS Root Zone",
        ),
    ],
)
def test_response_page_with_the_real_extractor(
    corpus: Path, name: str, url: str, fetched_at: datetime, title: str, text: str
) -> None:
    """The one page of each file: WARC-Target-URI as URL, WARC-Date as fetched_at, its text."""
    items, _ = _read((corpus / WARC / name).read_bytes(), parse_html=extract_html)
    [article] = items
    assert isinstance(article, ParsedArticle)
    assert article.metadata.url == url
    assert article.fetched_at == fetched_at
    assert article.metadata.title == title
    assert text in article.body


def test_chunked_body_is_dechunked(corpus: Path) -> None:
    """The chunked iana.org response reaches the parser without chunk-size lines."""
    items, _ = _read((corpus / WARCIO / "example-iana.org-chunked.warc").read_bytes())
    [page] = items
    assert isinstance(page, ParsedArticle)
    assert page.body.lstrip().startswith("<!doctype html>")
    assert page.body.rstrip().endswith("</html>")
    assert not re.search(r"^[0-9a-f]{1,8}\r?$", page.body, re.MULTILINE)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("example-bad-non-chunked.warc.gz", "warcio recompress"),
        ("example-bad.warc.gz.bad", "warcio recompress"),
        ("example-wrong-chunks.warc.gz", "cut short"),
        ("example-trunc.warc", "Content-Length"),
        ("bad.arc", "Content-Length: not a valid length: '-1'"),
    ],
)
def test_broken_file_reject_says_what_is_wrong(corpus: Path, name: str, words: str) -> None:
    """Each broken warcio sample's first reject names the damage, and the fix if there is one."""
    items, _ = _read((corpus / WARCIO / name).read_bytes())
    rejects = [item for item in items if isinstance(item, Reject)]
    assert words in rejects[0].detail


def _resiliparse(corpus: Path) -> bytes:
    return (corpus / RESILIPARSE).read_bytes()


def test_corrupt_gzip_member_is_rejected_and_reading_carries_on(corpus: Path) -> None:
    """Bytes flipped deep in one response's member: that record rejected, the other 15 read."""
    data = bytearray(_resiliparse(corpus))
    data[30000:30100] = bytes(b ^ 0x55 for b in data[30000:30100])  # inside the member at 12685
    items, skipped = _read(bytes(data))
    [reject] = [item for item in items if isinstance(item, Reject)]
    assert (_offset(reject), reject.reason) == (12685, RejectReason.UNREADABLE)
    articles = [_offset(i) for i in items if isinstance(i, ParsedArticle)]
    assert articles == [o for o in RESILIPARSE_RESPONSES if o != 12685]
    assert skipped == {"warcinfo": 1, "request": 17, "metadata": 16}


def test_member_with_a_corrupt_start_is_skipped_to_the_next_record(corpus: Path) -> None:
    """A member that does not decompress at all: one reject at its offset, then the next record."""
    data = bytearray(_resiliparse(corpus))
    data[12700:12800] = bytes(100)  # the start of the member at 12685
    items, _ = _read(bytes(data))
    [reject] = [item for item in items if isinstance(item, Reject)]
    assert (_offset(reject), reject.reason) == (12685, RejectReason.UNREADABLE)
    assert "skipped to the next record at offset 31493" in reject.detail
    assert len(items) == 16


def test_garbage_between_records_is_one_reject(corpus: Path) -> None:
    """Foreign bytes between two members: one PARSE_ERROR at their offset, all pages still read."""
    data = _resiliparse(corpus)
    garbage = (corpus / EVAL_PAGE).read_bytes()[:5000]
    damaged = data[:11845] + garbage + data[11845:]
    items, _ = _read(damaged)
    [reject] = [item for item in items if isinstance(item, Reject)]
    assert (_offset(reject), reject.reason) == (11845, RejectReason.PARSE_ERROR)
    assert f"next record at offset {11845 + len(garbage)}" in reject.detail
    assert len(items) == 17


def test_truncated_file_rejects_the_cut_record(corpus: Path) -> None:
    """A download cut mid-record: the records before it are read, the cut one rejected."""
    items, _ = _read(_resiliparse(corpus)[:60000])
    assert [_offset(i) for i in items if isinstance(i, ParsedArticle)] == [
        940, 12685, 32353, 38503, 42891
    ]  # fmt: skip
    [reject] = [item for item in items if isinstance(item, Reject)]
    assert (_offset(reject), reject.reason) == (48321, RejectReason.UNREADABLE)


def test_unseekable_stream_cannot_resynchronise(corpus: Path) -> None:
    """Without seeking, damage ends the file: one reject for the rest, the pages before kept."""
    data = _resiliparse(corpus)
    damaged = data[:11845] + b"not a record\r\n" * 10 + data[11845:]
    items, _ = _read(io.BufferedReader(_Unseekable(damaged)))
    assert [_offset(i) for i in items if isinstance(i, ParsedArticle)] == [940]
    [reject] = [item for item in items if isinstance(item, Reject)]
    assert _offset(reject) == 11845
    assert "the rest of the file cannot be read" in reject.detail


class _Unseekable(io.RawIOBase):
    """A pipe-like stream: reads, no seeking (an HTTP body, stdin)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_reading_from_a_record_offset_resumes_with_the_same_locators(corpus: Path) -> None:
    """A stream positioned at a record's offset gives the same absolute offsets as a full read."""
    data = _resiliparse(corpus)
    full, _ = _read(data)
    stream = io.BytesIO(data)
    stream.seek(70222)
    tail, _ = _read(stream)
    assert tail == full[-len(tail) :]
    assert _offset(tail[0]) == 70222


def test_payload_over_the_cap_is_too_large(corpus: Path) -> None:
    """A page over the size cap (after content decoding) becomes TOO_LARGE, not an article."""
    items, _ = _read((corpus / WARCIO / "example.warc.gz").read_bytes(), max_payload_bytes=1000)
    [reject] = items
    assert isinstance(reject, Reject)
    assert (_offset(reject), reject.reason) == (784, RejectReason.TOO_LARGE)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=ISO-8859-15", "\u00c3\u0153\u00c3\u20ac\u00c3\u0161"),
        ('text/html;charset="iso-8859-15"', "\u00c3\u0153\u00c3\u20ac\u00c3\u0161"),
        ("text/html", "\u00fd\u00e4\u00e8"),  # valid UTF-8, read as such
    ],
)
def test_http_charset_decides_the_decoding(corpus: Path, content_type: str, expected: str) -> None:
    """The W3C "HTTP charset" page declares its encoding only in the HTTP header."""
    page = (corpus / W3C_HTTP_CHARSET).read_bytes()
    data = _build(_response("http://w3c.example/", page, [("Content-Type", content_type)]))
    [item] = _read(data)[0]
    assert isinstance(item, ParsedArticle)
    assert f"id='box' class='{expected}'" in item.body


def test_response_kinds_that_are_not_documents_are_counted(corpus: Path) -> None:
    """Error statuses, non-HTML types, binary payloads without a type and dns: are skipped."""
    page = (corpus / EVAL_PAGE).read_bytes()
    binary = (corpus / BINARY).read_bytes()  # zstd bytes: no HTML pattern at the start
    data = _build(
        _response("http://a.example/gone", page, [("Content-Type", "text/html")], status="404 X"),
        _response("http://a.example/moved", b"", [("Location", "/")], status="301 Moved"),
        _response("http://a.example/logo.png", binary, []),
        _response("http://a.example/doc.pdf", b"%PDF-1.4", [("Content-Type", "application/pdf")]),
        _response("http://a.example/untyped", page, []),
        _response("http://a.example/xhtml", page, [("Content-Type", "application/xhtml+xml")]),
        _response("dns:a.example", b"a.example. 300 IN A 192.0.2.1", []),
    )
    items, skipped = _read(data)
    assert [i.metadata.url for i in items if isinstance(i, ParsedArticle)] == [
        "http://a.example/untyped",
        "http://a.example/xhtml",
    ]
    assert len(items) == 2
    assert skipped == {
        "response:status-404": 1,
        "response:status-301": 1,
        "response:non-html": 2,
        "response:non-http": 1,
    }


def test_empty_html_response_and_bad_status_line_are_rejected() -> None:
    """An HTML response with no body is EMPTY_BODY; a garbled status line is PARSE_ERROR."""
    data = _build(
        _response("http://a.example/empty", b"", [("Content-Type", "text/html")]),
        _response("http://a.example/odd", b"<html></html>", [], status="OK fine"),
    )
    items, _ = _read(data)
    assert [(type(i), getattr(i, "reason", None)) for i in items] == [
        (Reject, RejectReason.EMPTY_BODY),
        (Reject, RejectReason.PARSE_ERROR),
    ]


def test_parser_failure_costs_one_record(corpus: Path) -> None:
    """An exception in parse_html rejects that page only; the next page is still read."""
    page = (corpus / EVAL_PAGE).read_bytes()
    data = _build(
        _response("http://a.example/boom", page, [("Content-Type", "text/html")]),
        _response("http://a.example/fine", page, [("Content-Type", "text/html")]),
    )

    def flaky(html: str, *, locator: str, hints: Metadata) -> ParsedArticle:
        if hints.url == "http://a.example/boom":
            raise RuntimeError("parser bug")
        return echo_parser(html, locator=locator, hints=hints)

    first, second = _read(data, parse_html=flaky)[0]
    assert isinstance(first, Reject) and first.reason == RejectReason.PARSE_ERROR
    assert isinstance(second, ParsedArticle) and second.metadata.url == "http://a.example/fine"


def test_page_url_is_the_target_uri_not_the_pages_claim(corpus: Path) -> None:
    """extract_html finds og:url/canonical in the page; `url` stays where the crawler fetched it."""
    page = (corpus / EVAL_PAGE).read_bytes()
    data = _build(_response("http://mirror.example/x", page, [("Content-Type", "text/html")]))
    [article] = _read(data, parse_html=extract_html)[0]
    assert isinstance(article, ParsedArticle)
    assert article.metadata.url == "http://mirror.example/x"
    assert article.fetched_at == datetime(2024, 3, 1, 12, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    """Any byte string is read to the end; every item is a reject or article with an offset."""
    items, _ = _read(data)
    for item in items:
        assert 0 <= _offset(item) <= len(data)
        assert getattr(item, "reason", None) != RejectReason.PROCESSING_ERROR  # damage, not a bug


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_real_warc_never_raises(corpus: Path, data: st.DataObject) -> None:
    """Real per-record-gzip and plain WARCs with bytes overwritten, cut or spliced never raise."""
    name = data.draw(st.sampled_from(sorted(EXPECTED)))
    original = (corpus / WARC / name).read_bytes()[:20000]
    start = data.draw(st.integers(0, len(original)))
    end = data.draw(st.integers(start, min(len(original), start + 200)))
    patch = data.draw(st.binary(max_size=200))
    damaged = original[:start] + patch + original[end:]
    items, skipped = _read(damaged)
    assert all(0 <= _offset(item) <= len(damaged) for item in items)
    assert all(count > 0 for count in skipped.values())
    assert RejectReason.PROCESSING_ERROR not in {getattr(i, "reason", None) for i in items}


def _read_ranges(
    data: bytes, cuts: Iterable[int]
) -> tuple[list[ParsedArticle | Reject], Counter[str]]:
    """The items of the ranges [0, c1), [c1, c2), ... [cn, end), each read on its own stream."""
    bounds = sorted({0, *(c for c in cuts if 0 < c < len(data))})
    items: list[ParsedArticle | Reject] = []
    skipped: Counter[str] = Counter()
    for start, end in zip(bounds, [*bounds[1:], None], strict=True):
        items += iter_warc(
            io.BytesIO(data),
            start=start,
            end=end,
            locator="in.warc",
            hints=Metadata(source="archive"),
            parse_html=echo_parser,
            skipped=skipped,
        )
    return items, skipped


def _damaged_variants(corpus: Path) -> dict[str, bytes]:
    """The Common Crawl sample, whole and with the damage the tests above make."""
    data = _resiliparse(corpus)
    corrupt = bytearray(data)
    corrupt[30000:30100] = bytes(b ^ 0x55 for b in corrupt[30000:30100])
    dead_start = bytearray(data)
    dead_start[12700:12800] = bytes(100)
    garbage = (corpus / EVAL_PAGE).read_bytes()[:5000]
    return {
        "whole": data,
        "corrupt member": bytes(corrupt),
        "member with a corrupt start": bytes(dead_start),
        "garbage between records": data[:11845] + garbage + data[11845:],
        "truncated": data[:60000],
    }


GZIPPED = sorted(name for name in EXPECTED if name.endswith(".gz"))


@pytest.mark.parametrize("name", GZIPPED)
@pytest.mark.parametrize("step", [97, 1000, 20000])
def test_ranges_tiling_a_gzipped_archive_read_it_exactly_once(
    corpus: Path, name: str, step: int
) -> None:
    """Byte ranges of any size give the whole-file items, in order, and the same skipped counts."""
    data = (corpus / WARC / name).read_bytes()
    whole, skipped_whole = _read(data)
    ranged, skipped_ranged = _read_ranges(data, range(step, len(data), step))
    assert ranged == whole
    assert skipped_ranged == skipped_whole


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_ranges_of_damaged_archives_read_each_record_once(
    corpus: Path, data: st.DataObject
) -> None:
    """Cut anywhere, a damaged real archive still gives the whole-file items and counts."""
    variants = _damaged_variants(corpus)
    archive = variants[data.draw(st.sampled_from(sorted(variants)))]
    cuts = data.draw(st.lists(st.integers(1, len(archive) - 1), max_size=6))
    whole, skipped_whole = _read(archive)
    ranged, skipped_ranged = _read_ranges(archive, cuts)
    assert ranged == whole
    assert skipped_ranged == skipped_whole


def test_range_past_the_last_record_start_is_empty(corpus: Path) -> None:
    """A range holding no record start (the middle of the last member) yields nothing."""
    data = _resiliparse(corpus)
    items = list(
        iter_warc(
            io.BytesIO(data),
            start=RESILIPARSE_RESPONSES[-1] + 10,
            end=len(data) - 10,
            locator="in.warc",
            hints=Metadata(),
            parse_html=echo_parser,
        )
    )
    assert items == []


def test_raw_payload_is_handed_over_before_decoding(corpus: Path) -> None:
    """`on_raw` gets each document record's body as stored, with its URL, status and date."""
    pages: list[FetchedPage] = []
    data = _resiliparse(corpus)
    items = list(
        iter_warc(
            io.BytesIO(data),
            locator="in.warc",
            hints=Metadata(),
            parse_html=echo_parser,
            on_raw=pages.append,
        )
    )
    assert len(pages) == len(items) == len(RESILIPARSE_RESPONSES)
    for page, item in zip(pages, items, strict=True):
        assert isinstance(item, ParsedArticle)
        assert page.url == item.metadata.url
        assert page.status == 200
        assert page.fetched_at == item.fetched_at
        assert b"<" in page.body
        assert page.body.decode(page.charset or "utf-8", "replace")[:200].strip()


# Record headers: a missing or malformed one is a reject naming it, never a bug's
# traceback text, and costs its own record only. Built from a real record: the
# response of warcio's example.warc.gz (a gzip-encoded example.com page).
REAL_RESPONSE = WARCIO / "example.warc.gz"
REAL_RESPONSE_OFFSET = 784
MIDDLE_URI = "http://example.com/middle"
# What a response missing each of its WARC headers becomes (None: still a document).
DROPPED: dict[str, str | None] = {
    "WARC-Target-URI": "WARC-Target-URI: missing",
    "WARC-Date": "WARC-Date: missing",
    "WARC-Type": "WARC-Type: missing",
    "Content-Length": "Content-Length: missing; skipped to the next record at offset {last}",
    "WARC-Record-ID": None,  # the headers below are not read
    "WARC-IP-Address": None,
    "WARC-Block-Digest": None,
    "WARC-Payload-Digest": None,
    "Content-Type": None,
}
EXCEPTION_NAME = re.compile(r"\w(?:Error|Exception)\b")


@dataclass(frozen=True)
class RealRecord:
    """A real WARC record as its header lines and block, to be edited and written back."""

    version: bytes
    headers: tuple[tuple[str, bytes], ...]  # (name, whole line)
    block: bytes  # after the blank line, up to the two CRLFs that end the record

    @classmethod
    def from_member(cls, data: bytes, offset: int) -> RealRecord:
        """The record in the gzip member at `offset` of a per-record-gzip WARC."""
        record = zlib.decompressobj(wbits=31).decompress(data[offset:])
        head, _, block = record.partition(b"\r\n\r\n")
        version, *lines = head.split(b"\r\n")
        headers = tuple((line.split(b":", 1)[0].decode(), line) for line in lines)
        return cls(version, headers, block.removesuffix(b"\r\n\r\n"))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.headers]

    @property
    def original(self) -> bytes:
        """The record written back as it was."""
        return self._written([line for _, line in self.headers])

    def edited(self, name: str, value: bytes | None) -> bytes:
        """The record written back with header `name` dropped (None) or set to `value`."""
        lines = [
            line if header != name else b"%s: %s" % (name.encode(), value)
            for header, line in self.headers
            if header != name or value is not None
        ]
        return self._written(lines)

    def _written(self, lines: list[bytes]) -> bytes:
        return b"\r\n".join([self.version, *lines]) + b"\r\n\r\n" + self.block + b"\r\n\r\n"


@pytest.fixture(scope="module")
def real_record(corpus: Path) -> RealRecord:
    """The response record of warcio's example.warc.gz; its headers are those of DROPPED."""
    record = RealRecord.from_member((corpus / REAL_RESPONSE).read_bytes(), REAL_RESPONSE_OFFSET)
    assert sorted(record.names) == sorted(DROPPED)
    return record


def _three(real: RealRecord, middle: bytes, *, gzipped: bool) -> tuple[bytes, list[int]]:
    """An archive of the real record, `middle`, the real record; and their offsets."""
    records = [real.original, middle, real.original]
    if gzipped:
        records = [gzip.compress(record) for record in records]
    offsets = [sum(len(r) for r in records[:i]) for i in range(3)]
    return b"".join(records), offsets


def _articles(items: list[ParsedArticle | Reject]) -> list[int]:
    return [_offset(item) for item in items if isinstance(item, ParsedArticle)]


def _rejects(items: list[ParsedArticle | Reject]) -> list[tuple[int, RejectReason, str]]:
    return [(_offset(i), i.reason, i.detail) for i in items if isinstance(i, Reject)]


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("name", sorted(DROPPED))
def test_response_missing_a_header(real_record: RealRecord, name: str, gzipped: bool) -> None:
    """A header we read, dropped, is an INVALID_FIELD reject naming it; one we don't is harmless."""
    data, (first, middle, last) = _three(
        real_record, real_record.edited(name, None), gzipped=gzipped
    )
    items, skipped = _read(data)
    expected = DROPPED[name]
    if expected is None:
        assert _articles(items) == [first, middle, last]
    else:
        assert _articles(items) == [first, last]
        detail = expected.format(last=last)
        assert _rejects(items) == [(middle, RejectReason.INVALID_FIELD, detail)]
    assert not skipped


SKIPPED_TO_LAST = "; skipped to the next record at offset {last}"
# A malformed value of each header we read, and what its reject says after the name.
MALFORMED = [
    ("WARC-Type", b"resp onse", "not a valid record type: 'resp onse'"),
    ("WARC-Type", b" ", "empty"),
    ("WARC-Target-URI", b"example.com/", "not a valid absolute URI: 'example.com/'"),
    ("WARC-Target-URI", b"http:///x", "not a valid http(s) URL, no host: 'http:///x'"),
    ("WARC-Target-URI", b"http://a\x00b/", "not a valid absolute URI: 'http://a\\x00b/'"),
    ("WARC-Date", b"06/03/2017 04:02", "not a valid ISO 8601 date: '06/03/2017 04:02'"),
    ("WARC-Date", b"2017-02-30T04:02:06Z", "not a valid ISO 8601 date: '2017-02-30T04:02:06Z'"),
    ("Content-Length", b"-975", "not a valid length: '-975'" + SKIPPED_TO_LAST),
    ("Content-Length", b"975 bytes", "not a valid length: '975 bytes'" + SKIPPED_TO_LAST),
    ("Content-Length", b"+975", "not a valid length: '+975'" + SKIPPED_TO_LAST),
    (
        "Content-Length",
        b"9" * 20,
        "not a valid length, too large: '99999999999999999999'" + SKIPPED_TO_LAST,
    ),
]


@pytest.mark.parametrize(("name", "value", "problem"), MALFORMED)
def test_malformed_header_is_an_invalid_field_reject_naming_it(
    real_record: RealRecord, name: str, value: bytes, problem: str
) -> None:
    """Each malformed header we read gives the detail analysts group by; the next record is read."""
    data, (first, middle, last) = _three(real_record, real_record.edited(name, value), gzipped=True)
    items, _ = _read(data)
    assert _articles(items) == [first, last]
    detail = f"{name}: {problem.format(last=last)}"
    assert _rejects(items) == [(middle, RejectReason.INVALID_FIELD, detail)]


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("length", [b"0", b"10", b"974", b"1500", b"99999"])
def test_wrong_content_length_costs_its_record_only(
    real_record: RealRecord, length: bytes, gzipped: bool
) -> None:
    """A wrong length is one reject; reading resumes at the next record start, not mid-record."""
    middle = real_record.edited("Content-Length", length)
    data, (first, middle_offset, last) = _three(real_record, middle, gzipped=gzipped)
    items, _ = _read(data)
    assert _articles(items) == [first, last]
    [(offset, reason, detail)] = _rejects(items)
    assert offset == middle_offset
    assert reason in {RejectReason.PARSE_ERROR, RejectReason.UNREADABLE}
    assert "Content-Length" in detail


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("WARC-Target-URI", "WARC-Target-URI: missing"),
        ("Content-Length", "Content-Length: missing; no record start found after it"),
    ],
)
def test_header_problem_in_the_last_record_does_not_claim_the_rest_is_lost(
    real_record: RealRecord, name: str, detail: str, gzipped: bool
) -> None:
    """The issue's case: a last record without a header says what is wrong, and nothing more."""
    records = [real_record.original] * 2 + [real_record.edited(name, None)]
    if gzipped:
        records = [gzip.compress(record) for record in records]
    items, _ = _read(b"".join(records))
    assert _articles(items) == [0, len(records[0])]
    assert _rejects(items) == [(2 * len(records[0]), RejectReason.INVALID_FIELD, detail)]


@pytest.mark.parametrize(
    ("name", "articles", "words"),
    [
        ("WARC-Target-URI", 2, "WARC-Target-URI: missing"),  # its end is known: read on
        ("Content-Length", 1, "the rest of the file cannot be read"),  # its end is not
    ],
)
def test_header_problem_on_a_stream_that_cannot_seek(
    real_record: RealRecord, name: str, articles: int, words: str
) -> None:
    """Without seeking, only a record whose end is unknown ends the reading, and says so."""
    data, _ = _three(real_record, real_record.edited(name, None), gzipped=True)
    items, _ = _read(io.BufferedReader(_Unseekable(data)))
    assert len(_articles(items)) == articles
    [(_, reason, detail)] = _rejects(items)
    assert reason == RejectReason.INVALID_FIELD
    assert words in detail


@pytest.mark.parametrize(
    ("module", "function", "then"),
    [
        (warc_record, "_skip_kind", "; skipped to the next record at offset {last}"),  # mid-record
        (warc_page, "_article", ""),  # after the record was read to its end
    ],
)
def test_a_bug_of_ours_is_a_processing_error_for_its_record_only(
    real_record: RealRecord,
    monkeypatch: pytest.MonkeyPatch,
    module: ModuleType,
    function: str,
    then: str,
) -> None:
    """An exception from our own code is PROCESSING_ERROR saying so, not a PARSE_ERROR."""
    original = getattr(module, function)

    def buggy(record: Any, *args: Any) -> Any:
        uri = getattr(record, "url", None) or record.rec_headers.get_header("WARC-Target-URI")
        if uri == MIDDLE_URI:
            raise AttributeError("'NoneType' object has no attribute 'startswith'")
        return original(record, *args)

    monkeypatch.setattr(module, function, buggy)
    middle = real_record.edited("WARC-Target-URI", MIDDLE_URI.encode())
    data, (first, middle_offset, last) = _three(real_record, middle, gzipped=True)
    items, _ = _read(data)
    assert _articles(items) == [first, last]
    detail = (
        "bug in the WARC reader, please report it: "
        "AttributeError: 'NoneType' object has no attribute 'startswith'" + then.format(last=last)
    )
    assert _rejects(items) == [(middle_offset, RejectReason.PROCESSING_ERROR, detail)]


def test_raw_payload_callback_errors_are_let_out(real_record: RealRecord) -> None:
    """`on_raw` is the caller's code: what it raises (a full disk) is not made a record's reject."""

    def full_disk(page: FetchedPage) -> None:
        raise OSError(28, "No space left on device")

    data, _ = _three(real_record, real_record.original, gzipped=True)
    with pytest.raises(OSError, match="No space left"):
        _read(data, on_raw=full_disk)


# What a header's value is replaced by: nothing (dropped), empty, any text or bytes
# on one line (a CR or LF would split the header rather than garble it), lengths
# warcio reads as 0, and dates no calendar has.
ONE_LINE = st.characters(exclude_categories=["Cs"], exclude_characters="\r\n")  # Cs: no UTF-8
GARBLED = st.one_of(
    st.none(),
    st.just(b""),
    st.text(ONE_LINE, max_size=40).map(str.encode),
    st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
    st.integers(max_value=-1).map(lambda n: str(n).encode()),
    st.sampled_from([b"2017-02-30T04:02:06Z", b"2017-03-06T25:02:06Z", b"0975", b"9" * 30]),
)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_one_garbled_header_costs_at_most_its_own_record(
    real_record: RealRecord, data: st.DataObject
) -> None:
    """Any WARC header of a middle record garbled: neighbours read; it is read, skipped or named."""
    name = data.draw(st.sampled_from(real_record.names), label="header")
    value = data.draw(GARBLED, label="value")
    archive, (first, middle, last) = _three(
        real_record, real_record.edited(name, value), gzipped=data.draw(st.booleans())
    )
    items, skipped = _read(archive)
    outcomes = {_offset(item): item for item in items}
    assert len(outcomes) == len(items)
    assert isinstance(outcomes.pop(first), ParsedArticle)
    assert isinstance(outcomes.pop(last), ParsedArticle)
    assert set(outcomes) <= {middle}  # no reject from inside the middle record's bytes
    outcome = outcomes.get(middle)
    if outcome is None:  # a well-formed type we do not read, or a non-http URI
        assert name in {"WARC-Type", "WARC-Target-URI"}
        assert skipped.total() == 1
    elif isinstance(outcome, ParsedArticle):
        assert not skipped
    else:
        assert name in outcome.detail
        assert not EXCEPTION_NAME.search(outcome.detail)
        assert outcome.reason in {RejectReason.INVALID_FIELD, RejectReason.PARSE_ERROR} or (
            # a length beyond the data looks like a truncated file, and says it may be either
            name == "Content-Length" and outcome.reason == RejectReason.UNREADABLE
        )
