"""Local files -> articles and rejects: the `files` source.

Each input file yields at least one item, and nothing one file does (a bad
byte, a truncated gzip, a broken sidecar) stops the run: every failure
becomes a `Reject` for that file or record.

Supported: `.txt`, `.html`/`.htm`, `.jsonl`, `.csv`, each optionally
gzipped (`.gz`, or gzip bytes under a plain name), and web archives
(`extractors.warc`). JSONL and CSV are read as streams; single documents are
capped at `MAX_DOCUMENT_BYTES` after decompression, so a gzip bomb becomes a
reject rather than an OOM kill. A document's sidecar (`extractors.files.sidecar`)
gives its metadata and charset; a `.json` that is no sidecar is an input of
its own, one reject (UNREADABLE if it cannot be opened, else UNSUPPORTED_TYPE
with a detail saying why it is no sidecar).

A `FilePart` (`extractors.parts`) is a whole file or a byte range of one;
`read_part` reads either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterator
from contextlib import ExitStack
from dataclasses import replace
from itertools import chain, repeat
from pathlib import Path

from extractors.decoding import decode
from extractors.errors import ExtractError, UnreadableError
from extractors.files.sidecar import json_object, read_sidecar
from extractors.files.streams import (
    READ_ERRORS,
    SUFFIXES,
    Stream,
    describe,
    kind_of,
    open_content,
)
from extractors.parts import FilePart, RangeStream
from extractors.records import Metadata, ParsedArticle, Reject, RejectReason
from extractors.tabular import MAX_RECORD_BYTES, HtmlParser, call_parser, iter_csv, iter_jsonl
from extractors.text import parse_text
from extractors.warc.context import RawPayload
from extractors.warc.reader import is_warc_name, iter_warc

__all__ = ["MAX_DOCUMENT_BYTES", "read_file", "read_part"]

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def read_file(
    path: Path,
    *,
    source: str | None,
    parse_html: HtmlParser,
    done: Container[str] = (),
    skipped: Counter[str] | None = None,
) -> Iterator[ParsedArticle | Reject]:
    """The articles in one file, and a reject for each part that is not one.

    For web archives, records whose locator is in `done` (written by an
    earlier, interrupted run) are passed over without being parsed, and
    records that are not documents (requests, metadata, images) are counted
    in `skipped` by kind.
    """
    return read_part(
        FilePart(path), source=source, parse_html=parse_html, done=done, skipped=skipped
    )


def read_part(
    part: FilePart,
    *,
    source: str | None,
    parse_html: HtmlParser,
    done: Container[str] = (),
    skipped: Counter[str] | None = None,
    on_raw: RawPayload | None = None,
) -> Iterator[ParsedArticle | Reject]:
    """`read_file` for a file or a range of one (see `plan_parts`).

    `on_raw` receives the payload of each web-archive document record.
    """
    path = part.path
    locator = part.name
    if is_warc_name(path.name):
        yield from _read_warc(part, locator, source, parse_html, done, skipped, on_raw)
        return
    kind = kind_of(path)
    if kind is None:
        yield _unsupported(path, locator, source)
        return
    yielded = False
    try:
        sidecar, charset = read_sidecar(path)
        hints = Metadata(source=source).overridden_by(sidecar)
        with ExitStack() as stack:
            stream = open_content(path, stack) if part.whole else RangeStream(stack, path, part)
            if kind in ("jsonl", "csv"):
                records = _read_records(
                    stream, kind, locator, hints, charset, parse_html, part.first_line
                )
                for item in records:
                    yielded = True
                    yield item
            else:
                data = stream.read(MAX_DOCUMENT_BYTES + 1)
                yielded = True
                yield _document(data, kind, locator, hints, charset, parse_html)
    except ExtractError as exc:
        yielded = True
        yield Reject(locator, exc.reason, exc.detail, source)
    except READ_ERRORS as exc:
        yielded = True
        yield Reject(locator, RejectReason.UNREADABLE, describe(exc), source)
    if not yielded and part.whole:
        yield Reject(locator, RejectReason.EMPTY_BODY, "file holds no records", source)


def _read_warc(
    part: FilePart,
    locator: str,
    source: str | None,
    parse_html: HtmlParser,
    done: Container[str],
    skipped: Counter[str] | None,
    on_raw: RawPayload | None,
) -> Iterator[ParsedArticle | Reject]:
    """A web archive (or a range of one), opened as stored: offsets are the file's."""
    counts: Counter[str] = skipped if skipped is not None else Counter()
    before = sum(counts.values())
    yielded = False
    try:
        with part.path.open("rb") as stream:
            for item in iter_warc(
                stream,
                start=part.start,
                end=part.end,
                locator=locator,
                hints=Metadata(source=source),
                parse_html=parse_html,
                skipped=counts,
                skip_offsets=_DoneOffsets(locator, done),
                on_raw=on_raw,
            ):
                yielded = True
                yield item
    except OSError as exc:
        yielded = True
        yield Reject(locator, RejectReason.UNREADABLE, describe(exc), source)
    if not yielded and sum(counts.values()) == before and part.whole:
        yield Reject(locator, RejectReason.EMPTY_BODY, "archive holds no records", source)


def _unsupported(path: Path, locator: str, source: str | None) -> Reject:
    """The reject for a file of no supported type; for a `.json`, why it is no sidecar.

    A `.json` reaches here only when `list_inputs` did not pair it, so the
    detail tells the user what to fix to have it used as metadata.
    """
    detail = (
        f"unsupported file type {''.join(path.suffixes) or '(no suffix)'!r}; "
        f"expected one of {', '.join(SUFFIXES)}, optionally gzipped (.gz)"
    )
    if path.suffix.lower() != ".json":
        return Reject(locator, RejectReason.UNSUPPORTED_TYPE, detail, source)
    try:
        json_object(path)
    except UnreadableError as exc:
        return Reject(locator, exc.reason, exc.detail, source)
    except ExtractError as exc:
        detail += f"; not a metadata sidecar: {exc.detail}"
    else:
        detail += "; a JSON object is read only as the sidecar of a file of the same name"
    return Reject(locator, RejectReason.UNSUPPORTED_TYPE, detail, source)


class _DoneOffsets:
    """Offsets of a WARC's records that an earlier run already wrote, by locator."""

    def __init__(self, locator: str, done: Container[str]) -> None:
        self._prefix = f"{locator}#offset="
        self._done = done

    def __contains__(self, offset: object) -> bool:
        return f"{self._prefix}{offset}" in self._done


def _document(
    data: bytes,
    kind: str,
    locator: str,
    hints: Metadata,
    charset: str | None,
    parse_html: HtmlParser,
) -> ParsedArticle | Reject:
    """One .txt or .html document; the sidecar's fields win over what is found."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnreadableError(
            f"larger than {MAX_DOCUMENT_BYTES // 2**20} MB (after decompression); not read"
        )
    if not data.strip():
        return Reject(locator, RejectReason.EMPTY_BODY, "file is empty", hints.source)
    text = decode(data, declared=charset)
    if not text.strip():
        return Reject(locator, RejectReason.EMPTY_BODY, "file holds only whitespace", hints.source)
    if kind == "text":
        return parse_text(text, locator=locator, hints=hints)
    result = call_parser(parse_html, text, locator, hints)
    if isinstance(result, Reject):
        return result
    # extract_html treats hints as fallbacks; here the user's sidecar must win.
    return replace(result, metadata=result.metadata.overridden_by(hints))


def _read_records(
    stream: Stream,
    kind: str,
    locator: str,
    hints: Metadata,
    charset: str | None,
    parse_html: HtmlParser,
    first_line: int = 1,
) -> Iterator[ParsedArticle | Reject]:
    lines: Iterator[bytes] = _bounded_lines(stream, MAX_RECORD_BYTES)
    if first_line > 1:
        # iter_jsonl numbers the lines it is given from 1 and passes over blank
        # ones, so empty stand-ins for the lines before the range keep the
        # locators of a whole-file read (about 20 ns a line).
        lines = chain(repeat(b"", first_line - 1), lines)
    if kind == "jsonl":
        return iter_jsonl(
            lines,
            locator=locator,
            hints=hints,
            parse_html=parse_html,
            max_record_bytes=MAX_RECORD_BYTES,
        )
    return iter_csv(lines, locator=locator, hints=hints, parse_html=parse_html, declared=charset)


def _bounded_lines(stream: Stream, limit: int) -> Iterator[bytes]:
    """Lines of `stream`; one longer than `limit` is cut to `limit + 1` bytes.

    The cut line still counts as one line, so the reader can reject it by
    its length without holding it all in memory.
    """
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                pass  # skip the remainder of the over-long line
        yield line
