"""JSONL and CSV files -> one article, or one reject, per record.

Accepted field names, case-insensitive, aliases in brackets; other fields
are ignored (exports often carry ids and scores):

    url [link]                    canonical_url
    title [headline]              body [text, content]
    html [raw_html]               published [published_at, date, datepublished]
    modified [modified_at, datemodified]
    authors [author]              language [lang]
    source                        site_name
    description                   section
    tags [keywords]               image_url

Scalar fields must be strings. `authors` and `tags` may be a list of
strings or one string: authors split on ";" (a comma is ambiguous in
"Smith, Jane"), tags on ",". When a name and its alias are both set, the
name wins. A record needs `body` (plain text, used as is) or `html`
(handed to the injected `parse_html`); `body` wins when both are present,
being text someone already extracted. A record's own fields override the
hints it is read with (a sidecar's or the run's `source`), and override
what `parse_html` finds in its page.

One bad record yields a `Reject` for that record only; its locator is
`<file>#line=N` (JSONL, 1-based line) or `<file>#row=N` (CSV, 1-based, the
header being row 1 as a spreadsheet shows it).
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any, Protocol

from extractors.decoding import decode, detect_encoding
from extractors.errors import ExtractError, InvalidFieldError
from extractors.records import (
    ExtractionMethod,
    Metadata,
    ParsedArticle,
    Reject,
    RejectReason,
)
from extractors.text import trim_blank_lines

__all__ = [
    "FIELD_ALIASES",
    "MAX_RECORD_BYTES",
    "HtmlParser",
    "article_from_record",
    "call_parser",
    "iter_csv",
    "iter_jsonl",
    "json_type",
    "metadata_from_record",
]

MAX_RECORD_BYTES = 50 * 1024 * 1024  # same cap as a single-document file
_SNIFF_BYTES = 64 * 1024  # enough text for charset detection to be reliable

FIELD_ALIASES: Mapping[str, str] = {
    **{name: name for name in Metadata.__dataclass_fields__},
    "body": "body",
    "html": "html",
    "link": "url",
    "headline": "title",
    "text": "body",
    "content": "body",
    "raw_html": "html",
    "published_at": "published",
    "date": "published",
    "datepublished": "published",
    "modified_at": "modified",
    "datemodified": "modified",
    "author": "authors",
    "lang": "language",
    "keywords": "tags",
}
_LIST_SEPARATORS = {"authors": ";", "tags": ","}
_CONTENT_FIELDS = frozenset({"body", "html"})
logger = logging.getLogger(__name__)

_SURROGATE = re.compile(r"[\ud800-\udfff]")


class HtmlParser(Protocol):
    """What `extractors.html.extract_html` looks like, injected to keep this module apart."""

    def __call__(self, html: str, *, locator: str, hints: Metadata) -> ParsedArticle | Reject: ...


def iter_jsonl(
    lines: Iterable[bytes],
    *,
    locator: str,
    hints: Metadata,
    parse_html: HtmlParser,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[ParsedArticle | Reject]:
    """One item per non-blank line; blank lines are not documents and are skipped."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield _jsonl_record(
                line, f"{locator}#line={number}", hints, parse_html, max_record_bytes
            )


def iter_csv(
    lines: Iterable[bytes],
    *,
    locator: str,
    hints: Metadata,
    parse_html: HtmlParser,
    declared: str | None = None,
) -> Iterator[ParsedArticle | Reject]:
    """One item per data row of a CSV file with a header row, read as a stream.

    Raises the process-wide `csv.field_size_limit` to `MAX_RECORD_BYTES`:
    the default 128 KB is smaller than a long article's HTML.
    """
    csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))
    reader = csv.reader(_decoded_lines(lines, declared), strict=True)
    row_number = 0
    names: list[str] | None = None
    while True:
        row_number += 1
        where = f"{locator}#row={row_number}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except ExtractError as exc:  # the stream stops being decodable: nothing more to read
            yield Reject(where if names else locator, exc.reason, exc.detail, hints.source)
            return
        except csv.Error as exc:
            yield Reject(where, RejectReason.PARSE_ERROR, f"malformed CSV: {exc}", hints.source)
            if names is None:
                return
            continue
        if names is None:
            names = [name.strip() for name in row]
            if not _CONTENT_FIELDS & {FIELD_ALIASES.get(name.lower()) for name in names}:
                detail = f"CSV header has no body or html column (columns: {', '.join(names)})"
                yield Reject(where, RejectReason.INVALID_FIELD, detail[:300], hints.source)
                return
        elif not row:
            continue  # a blank line between rows is not a document
        elif len(row) != len(names):
            detail = f"row has {len(row)} fields but the header has {len(names)}"
            yield Reject(where, RejectReason.PARSE_ERROR, detail, hints.source)
        else:
            record = dict(zip(names, row, strict=True))
            yield article_from_record(record, locator=where, hints=hints, parse_html=parse_html)


def article_from_record(
    record: Mapping[str, object], *, locator: str, hints: Metadata, parse_html: HtmlParser
) -> ParsedArticle | Reject:
    """The article one record describes, or a reject naming the bad field."""
    try:
        fields = _known_fields(record)
        metadata = hints.overridden_by(_metadata(fields))
        if (body := fields.get("body")) is not None:
            text = trim_blank_lines(_string("body", body))
            return ParsedArticle(locator, text, metadata, ExtractionMethod.PLAIN_TEXT)
        if (html := fields.get("html")) is not None:
            result = call_parser(parse_html, _string("html", html), locator, metadata)
            if isinstance(result, Reject):
                return result
            return replace(result, metadata=result.metadata.overridden_by(metadata))
    except ExtractError as exc:
        return Reject(locator, exc.reason, exc.detail, hints.source)
    if any(FIELD_ALIASES.get(str(key).strip().lower()) in _CONTENT_FIELDS for key in record):
        return Reject(locator, RejectReason.EMPTY_BODY, "body/html field is empty", metadata.source)
    return Reject(
        locator,
        RejectReason.INVALID_FIELD,
        "record has neither a body nor an html field (also accepted: text, content, raw_html)",
        metadata.source,
    )


def call_parser(
    parse_html: HtmlParser, html: str, locator: str, hints: Metadata
) -> ParsedArticle | Reject:
    """`parse_html`'s result; an exception it lets out rejects this document only.

    The parser should return a `Reject` itself; this guard keeps one page
    that trips a bug in it (or in lxml/trafilatura) from ending a whole run.
    """
    try:
        return parse_html(html, locator=locator, hints=hints)
    except Exception as exc:
        logger.exception("HTML parser failed on %s", locator)
        detail = f"HTML parser raised {type(exc).__name__}: {exc}"[:300]
        return Reject(locator, RejectReason.PARSE_ERROR, detail, hints.source)


def metadata_from_record(record: Mapping[str, object]) -> Metadata:
    """The metadata fields of a record or sidecar; raises `InvalidFieldError`."""
    return _metadata(_known_fields(record))


def _jsonl_record(
    line: bytes, locator: str, hints: Metadata, parse_html: HtmlParser, max_bytes: int
) -> ParsedArticle | Reject:
    if len(line) > max_bytes:
        detail = f"line is longer than {max_bytes} bytes; not read"
        return Reject(locator, RejectReason.PARSE_ERROR, detail, hints.source)
    try:
        text = decode(line, declared="utf-8")  # RFC 8259: JSON text is UTF-8
    except ExtractError as exc:
        return Reject(locator, exc.reason, exc.detail, hints.source)
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        detail = f"invalid JSON: {exc}"[:300]
        return Reject(locator, RejectReason.PARSE_ERROR, detail, hints.source)
    if not isinstance(record, dict):
        detail = f"expected a JSON object, got {json_type(record)}"
        return Reject(locator, RejectReason.PARSE_ERROR, detail, hints.source)
    return article_from_record(record, locator=locator, hints=hints, parse_html=parse_html)


def _decoded_lines(lines: Iterable[bytes], declared: str | None) -> Iterator[str]:
    """Text lines (ending in "\\n") of a byte stream, its codec sniffed from the start.

    Raises `UndecodableError` only when the start itself is binary.
    """
    chunks = iter(lines)
    head: list[bytes] = []
    size = 0
    for chunk in chunks:
        head.append(chunk)
        size += len(chunk)
        if size >= _SNIFF_BYTES:
            complete = False
            break
    else:
        complete = True
    sample = b"".join(head)
    codec = detect_encoding(sample, declared=declared, complete=complete)
    # A stray byte further on becomes U+FFFD in its own row: the alternative,
    # stopping there, would silently drop every row after it.
    decoder = codecs.getincrementaldecoder(codec)("replace")
    pending = ""
    for chunk in itertools.chain([sample], chunks):
        *full, pending = (pending + decoder.decode(chunk)).split("\n")
        yield from (line + "\n" for line in full)
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _known_fields(record: Mapping[str, object]) -> dict[str, object]:
    """Non-empty recognised fields by canonical name; a name beats its alias."""
    found: dict[str, tuple[bool, object]] = {}
    for key, value in record.items():
        name = str(key).strip().lower()
        field = FIELD_ALIASES.get(name)
        if field is None or value is None or value in ("", []):
            continue
        if isinstance(value, str) and not value.strip():
            continue
        if field not in found or (name == field and not found[field][0]):
            found[field] = (name == field, value)
    return {field: value for field, (_, value) in found.items()}


def _metadata(fields: Mapping[str, object]) -> Metadata:
    values: dict[str, Any] = {}  # str or tuple[str, ...], checked below
    for field, value in fields.items():
        if field in _CONTENT_FIELDS:
            continue
        if field in _LIST_SEPARATORS:
            values[field] = _names(field, value, _LIST_SEPARATORS[field])
        else:
            values[field] = _string(field, value)
    return Metadata(**values)


def _string(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidFieldError(f"field {field!r} must be a string, got {json_type(value)}")
    if _SURROGATE.search(value):
        raise InvalidFieldError(f"field {field!r} holds an unpaired UTF-16 surrogate")
    return value


def _names(field: str, value: object, separator: str) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[object] = list(value.split(separator))
    elif isinstance(value, list):
        items = value
    else:
        raise InvalidFieldError(
            f"field {field!r} must be a string or a list of strings, got {json_type(value)}"
        )
    names = tuple(_string(field, item).strip() for item in items)
    return tuple(name for name in names if name)


def json_type(value: object) -> str:
    """A JSON value's kind in words ("an object", "null"), for messages naming what was found."""
    kinds = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return kinds.get(type(value), type(value).__name__)
