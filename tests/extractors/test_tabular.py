"""extractors.tabular: JSONL and CSV records, one article or one reject each."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.html import extract_html
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason
from extractors.tabular import HtmlParser, iter_csv, iter_jsonl, metadata_from_record

JSON_SUITE = Path("json/nst__JSONTestSuite/test_parsing")
EVAL_PAGE = Path("html/adbar__trafilatura/eval/bbc.com.52241221.html")


def fake_parse_html(html: str, *, locator: str, hints: Metadata) -> ParsedArticle:
    """Stands in for extract_html: finds a page title and author, keeps hints as fallbacks."""
    found = Metadata(title="Title from page", authors=("Page Author",), section="From page")
    return ParsedArticle(locator, html, hints.overridden_by(found), ExtractionMethod.TRAFILATURA)


def _lines(*records: object) -> list[bytes]:
    return [(r if isinstance(r, str) else json.dumps(r)).encode() + b"\n" for r in records]


def _jsonl(lines: list[bytes], source: str | None = None) -> list[ParsedArticle | Reject]:
    return list(
        iter_jsonl(
            lines, locator="in.jsonl", hints=Metadata(source=source), parse_html=fake_parse_html
        )
    )


def _csv(data: bytes, declared: str | None = None) -> list[ParsedArticle | Reject]:
    stream = io.BytesIO(data)
    return list(
        iter_csv(
            stream,
            locator="in.csv",
            hints=Metadata(source="feed"),
            parse_html=fake_parse_html,
            declared=declared,
        )
    )


def test_extract_html_is_an_html_parser() -> None:
    """The real extractor satisfies the injected parser's protocol (checked by mypy)."""
    parser: HtmlParser = extract_html
    assert callable(parser)


def test_every_json_test_suite_line_is_accounted_for(corpus: Path) -> None:
    """Each JSONTestSuite file as one JSONL line gives one article or reject, never an exception."""
    files = sorted((corpus / JSON_SUITE).iterdir())
    lines = [path.read_bytes() for path in files]
    items = _jsonl(lines)
    expected = [f"in.jsonl#line={n}" for n, line in enumerate(lines, 1) if line.strip()]
    assert [item.locator for item in items] == expected
    assert len(files) - len(items) == 2  # n_single_space and n_structure_no_data are blank
    for item in items:
        if isinstance(item, Reject):
            assert item.reason in RejectReason
            assert item.detail
    by_name = {files[int(i.locator.split("=")[1]) - 1].name: i for i in items}
    deep = by_name["n_structure_100000_opening_arrays.json"]  # RecursionError in json
    assert isinstance(deep, Reject) and deep.reason == RejectReason.PARSE_ERROR
    no_body = by_name["y_object_basic.json"]
    assert isinstance(no_body, Reject) and no_body.reason == RejectReason.INVALID_FIELD


def test_mixed_jsonl_rejects_only_the_bad_records() -> None:
    """Good records become articles; each bad one is rejected alone; blank lines are skipped."""
    items = _jsonl(
        _lines(
            {"URL": "https://a.example/1", "Headline": "One", "text": "Body one.\n\nMore."},
            "{not json",
            "",
            ["an", "array"],
            {"body": "Two", "authors": 7},
            {"title": "No body"},
            {"body": "   "},
            {"html": "<p>page</p>", "title": "Record title", "source": "wire"},
            {"body": "Three", "author": "A. One; B. Two", "keywords": "x, y,,z", "lang": "en"},
            '{"body": "bad \\ud800 surrogate"}',
        ),
        source="run",
    )
    by_line = {int(item.locator.rsplit("=", 1)[1]): item for item in items}
    assert sorted(by_line) == [1, 2, 4, 5, 6, 7, 8, 9, 10]
    first = by_line[1]
    assert isinstance(first, ParsedArticle)
    assert (first.metadata.url, first.metadata.title, first.body) == (
        "https://a.example/1",
        "One",
        "Body one.\n\nMore.",
    )
    assert first.metadata.source == "run"
    assert first.extraction_method is ExtractionMethod.PLAIN_TEXT
    expected = {
        2: RejectReason.PARSE_ERROR,
        4: RejectReason.PARSE_ERROR,
        5: RejectReason.INVALID_FIELD,
        6: RejectReason.INVALID_FIELD,
        7: RejectReason.EMPTY_BODY,
        10: RejectReason.INVALID_FIELD,
    }
    for line, reason in expected.items():
        reject = by_line[line]
        assert isinstance(reject, Reject)
        assert (reject.reason, reject.source) == (reason, "run")
    assert isinstance(by_line[5], Reject)
    assert "'authors' must be a string or a list of strings" in by_line[5].detail


def test_html_record_fields_override_the_page() -> None:
    """A record's own fields beat what the HTML parser finds; the page fills the rest."""
    (item,) = _jsonl(_lines({"html": "<p>x</p>", "title": "Record title", "source": "wire"}))
    assert isinstance(item, ParsedArticle)
    assert item.metadata.title == "Record title"
    assert item.metadata.source == "wire"
    assert item.metadata.authors == ("Page Author",)
    assert item.locator == "in.jsonl#line=1"


def test_lists_split_and_name_beats_alias() -> None:
    """authors split on ';', tags on ','; 'title' wins over 'headline' whatever the order."""
    meta = metadata_from_record(
        {"headline": "Alias", "Title": "Name", "author": "Smith, Jane; Doe, J.", "tags": "a, b,,c"}
    )
    assert (meta.title, meta.authors, meta.tags) == (
        "Name",
        ("Smith, Jane", "Doe, J."),
        ("a", "b", "c"),
    )


def test_parser_exception_rejects_that_record_only() -> None:
    """An HTML parser that raises costs one record, not the rest of the file."""

    def broken(html: str, *, locator: str, hints: Metadata) -> ParsedArticle:
        raise RuntimeError("boom")

    items = list(
        iter_jsonl(
            _lines({"html": "<p>x</p>"}, {"body": "fine"}),
            locator="in.jsonl",
            hints=Metadata(),
            parse_html=broken,
        )
    )
    assert [type(i) for i in items] == [Reject, ParsedArticle]
    assert isinstance(items[0], Reject)
    assert "RuntimeError: boom" in items[0].detail


def test_over_long_line_is_rejected() -> None:
    """A line over the record cap is rejected by length, not parsed."""
    (item,) = iter_jsonl(
        _lines({"body": "x" * 100}),
        locator="in.jsonl",
        hints=Metadata(),
        parse_html=fake_parse_html,
        max_record_bytes=50,
    )
    assert isinstance(item, Reject)
    assert "longer than 50 bytes" in item.detail


def test_real_page_in_a_record(corpus: Path) -> None:
    """A JSONL record holding a real page goes through extract_html to an article."""
    page = (corpus / EVAL_PAGE).read_text(encoding="utf-8")
    (item,) = iter_jsonl(
        _lines({"html": page, "url": "https://www.bbc.com/news/52241221"}),
        locator="in.jsonl",
        hints=Metadata(),
        parse_html=extract_html,
    )
    assert isinstance(item, ParsedArticle)
    assert item.extraction_method is ExtractionMethod.TRAFILATURA
    assert item.metadata.url == "https://www.bbc.com/news/52241221"
    assert len(item.body) > 500


CSV = (
    b"url,Title,body,authors\r\n"
    b'https://a.example/1,One,"Para one, with comma.\r\n\r\nPara two.","A; B"\r\n'
    b"\r\n"
    b"https://a.example/2,Two\r\n"
    b'https://a.example/3,Three,"bad "quote" here",x\r\n'
    b"https://a.example/4,Four,Body four.,\r\n"
)


def test_csv_rows_numbered_like_a_spreadsheet() -> None:
    """Header is row 1; blank rows are skipped; ragged and malformed rows reject alone."""
    items = _csv(CSV)
    assert [(i.locator, type(i).__name__) for i in items] == [
        ("in.csv#row=2", "ParsedArticle"),
        ("in.csv#row=4", "Reject"),
        ("in.csv#row=5", "Reject"),
        ("in.csv#row=6", "ParsedArticle"),
    ]
    first = items[0]
    assert isinstance(first, ParsedArticle)
    assert first.body == "Para one, with comma.\r\n\r\nPara two."
    assert first.metadata.authors == ("A", "B")
    assert first.metadata.source == "feed"
    ragged = items[1]
    assert isinstance(ragged, Reject)
    assert ragged.detail == "row has 2 fields but the header has 4"


def test_csv_huge_field_is_read() -> None:
    """A field far above the csv module's default 128 KB limit is read, not rejected."""
    body = "word " * 100_000
    (item,) = _csv(f"title,body\nBig,{body}\n".encode())
    assert isinstance(item, ParsedArticle)
    assert item.body == body


def test_csv_without_body_column_is_one_reject() -> None:
    """A header with neither body nor html rejects the file once, naming its columns."""
    (item,) = _csv(b"url,title\nhttps://a.example,One\n")
    assert isinstance(item, Reject)
    assert (item.locator, item.reason) == ("in.csv#row=1", RejectReason.INVALID_FIELD)
    assert "url, title" in item.detail


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [("utf-8", None), ("utf-8-sig", None), ("utf-16", None), ("cp1250", "windows-1250")],
)
def test_csv_encodings(encoding: str, declared: str | None) -> None:
    """CSV bytes decode by BOM, declaration or UTF-8, even when lines split characters."""
    text = "title,body\r\nZażółć gęślą,Jaźń jest\r\nŁódź,Źdźbło\r\n"
    items = _csv(text.encode(encoding), declared)
    titles = [i.metadata.title for i in items if isinstance(i, ParsedArticle)]
    assert titles == ["Zażółć gęślą", "Łódź"]


def test_csv_undecodable_start_is_one_reject() -> None:
    """Binary bytes in a .csv give one UNDECODABLE reject for the file."""
    (item,) = _csv(b"title,body\n\x00\x01\x02\n")
    assert isinstance(item, Reject)
    assert (item.locator, item.reason) == ("in.csv", RejectReason.UNDECODABLE)


def test_csv_streams_lines() -> None:
    """iter_csv pulls its input lazily: the first article comes before the input ends."""
    pulled: list[int] = []

    def lines() -> Iterator[bytes]:
        yield b"title,body\n"
        for n in range(10_000):
            pulled.append(n)
            yield f"T{n},Body {n} ".encode() + b"x" * 100 + b"\n"

    first = next(iter_csv(lines(), locator="in.csv", hints=Metadata(), parse_html=fake_parse_html))
    assert isinstance(first, ParsedArticle)
    assert len(pulled) < 10_000


def test_csv_stray_byte_costs_no_rows() -> None:
    """A latin-1 byte past the sniffed start of a UTF-8 CSV marks its own row; no row is lost."""
    body = "Un café au comptoir, une phrase assez longue pour un article. " * 3
    rows = [b"url,title,body\n"] + [
        f'https://e.org/{n},T{n},"{body}"\n'.encode() for n in range(600)
    ]
    rows[501] = rows[501].replace(b"T500", b"T\xe9500")  # well past the 64 KB sniff
    items = list(iter_csv(rows, locator="x.csv", hints=Metadata(), parse_html=fake_parse_html))
    assert len(items) == 600
    assert all(isinstance(item, ParsedArticle) for item in items)
    titles = [item.metadata.title for item in items if isinstance(item, ParsedArticle)]
    assert titles[500] == "T\ufffd500"
    assert "café" in items[0].body if isinstance(items[0], ParsedArticle) else False
