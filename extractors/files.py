"""Local files -> articles and rejects: the `files` source.

Each input file yields at least one item, and nothing one file does (a bad
byte, a truncated gzip, a broken sidecar) stops the run: every failure
becomes a `Reject` for that file or record. Only a path that does not
exist is the caller's error, raised by `list_inputs` before any work.

Supported: `.txt`, `.html`/`.htm`, `.jsonl`, `.csv`, each optionally
gzipped (`.gz`, or gzip bytes under a plain name). JSONL and CSV are read
as streams; single documents are capped at `MAX_DOCUMENT_BYTES` after
decompression, so a gzip bomb becomes a reject rather than an OOM kill.

Sidecar: `story.html.json` beside `story.html` (or, when that does not
exist, `story.json`, the name without its type suffix) is a JSON object of
metadata for the file, with the field names of `extractors.tabular`, plus
`charset` (or `encoding`) to say how the file's bytes are encoded. Its
fields override what extraction finds: the user said so explicitly. For
JSONL/CSV the sidecar gives defaults and each record's own fields win. A
sidecar whose fields cannot be used rejects its document (INVALID_FIELD)
rather than being ignored, since silently dropping user metadata is worse.

Only a JSON object is a sidecar, so pairing reads the `.json` (it is small)
rather than trusting its name. Any other `.json` beside a document (an array
of test strings, a bare string, broken JSON, an unreadable or over-large
file) would otherwise poison its neighbour and vanish from the counts: the
document is read without it, and the `.json` is an input of its own, one
reject (UNREADABLE if it cannot be opened, else UNSUPPORTED_TYPE with a
detail saying why it is no sidecar).

A `FilePart` (`extractors.parts`) is a whole file or a byte range of one;
`read_part` reads either.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import zlib
from collections import Counter
from collections.abc import Container, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import replace
from itertools import chain, repeat
from pathlib import Path
from typing import Protocol

from extractors.decoding import decode
from extractors.errors import ExtractError, InvalidFieldError, UnreadableError
from extractors.parts import FilePart, RangeStream
from extractors.records import Metadata, ParsedArticle, Reject, RejectReason
from extractors.tabular import (
    MAX_RECORD_BYTES,
    HtmlParser,
    _json_type,
    call_parser,
    iter_csv,
    iter_jsonl,
    metadata_from_record,
)
from extractors.text import parse_text
from extractors.warc import RawPayload, is_warc_name, iter_warc_range

__all__ = ["MAX_DOCUMENT_BYTES", "SUFFIXES", "list_inputs", "read_file", "read_part"]

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
_MAX_SIDECAR_BYTES = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".csv": "csv",
}


class _Stream(Protocol):
    """What the readers need of a file: a plain one or a `gzip.GzipFile`."""

    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int | None = -1, /) -> bytes: ...


# Python's gzip raises EOFError on truncation and zlib.error on corrupt data.
_READ_ERRORS = (OSError, EOFError, zlib.error)


def list_inputs(paths: Sequence[Path]) -> list[Path]:
    """The files to read under `paths`, sorted; hidden entries and sidecars left out.

    Paths come back in one spelling (relative to the working directory when
    under it, else absolute), so `samples`, `./samples` and its absolute path
    give the same locators, and a rerun recognises its rejects. A broken
    symlink or an unreadable folder is listed too, so that reading it gives an
    UNREADABLE reject instead of silence. A file named explicitly is kept even
    if hidden. Raises `FileNotFoundError` for a path that does not exist: a
    usage error, not a bad document.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_file():
            found.add(_spelled(path))
        elif path.is_dir():
            found.update(_spelled(p) for p in _walk(path))
        else:
            raise FileNotFoundError(
                f"input path {str(path)!r} does not exist; check the spelling or create it"
            )
    return sorted(file for file in found if not _is_sidecar(file))


def _walk(root: Path) -> Iterator[Path]:
    unreadable: list[Path] = []

    def note(error: OSError) -> None:
        unreadable.append(Path(error.filename))

    for folder, dirs, files in os.walk(root, onerror=note):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            path = Path(folder, name)
            if not name.startswith(".") and (path.is_file() or path.is_symlink()):
                yield path
    yield from unreadable


def _spelled(path: Path) -> Path:
    # abspath, not resolve(): a symlink keeps its own name (and a broken one its path)
    absolute = Path(os.path.abspath(path))  # noqa: PTH100
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute


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
    kind = _kind(path)
    if kind is None:
        yield _unsupported(path, locator, source)
        return
    yielded = False
    try:
        sidecar, charset = _read_sidecar(path)
        hints = Metadata(source=source).overridden_by(sidecar)
        with ExitStack() as stack:
            stream = _open(path, stack) if part.whole else RangeStream(stack, path, part)
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
    except _READ_ERRORS as exc:
        yielded = True
        yield Reject(locator, RejectReason.UNREADABLE, _describe(exc), source)
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
            for item in iter_warc_range(
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
        yield Reject(locator, RejectReason.UNREADABLE, _describe(exc), source)
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
        _json_object(path)
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
    stream: _Stream,
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


def _bounded_lines(stream: _Stream, limit: int) -> Iterator[bytes]:
    """Lines of `stream`; one longer than `limit` is cut to `limit + 1` bytes.

    The cut line still counts as one line, so the reader can reject it by
    its length without holding it all in memory.
    """
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                pass  # skip the remainder of the over-long line
        yield line


def _open(path: Path, stack: ExitStack) -> _Stream:
    """A binary stream of the file's content, gunzipped if it is gzip."""
    raw = stack.enter_context(path.open("rb"))
    magic = raw.read(2)
    raw.seek(0)
    if path.suffix.lower() == ".gz" or magic == _GZIP_MAGIC:
        unzipped = gzip.GzipFile(fileobj=raw, mode="rb")
        stack.callback(unzipped.close)
        return unzipped
    return raw


def _kind(path: Path) -> str | None:
    suffixes = [suffix.lower() for suffix in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return SUFFIXES.get(suffixes[-1]) if suffixes else None


def _sidecar_for(path: Path) -> tuple[Path, dict[str, object]] | None:
    """The sidecar of `path` and its JSON object, read once; None when there is none.

    Candidates, in order: `story.html.json` for `story.html` (also for
    `story.html.gz`), then `story.json`. The first that holds a JSON object
    wins; any other is no sidecar (see the module docstring).
    """
    plain = _without_gz(path.name)
    for name in dict.fromkeys((path.name, plain, Path(plain).stem)):
        candidate = path.with_name(name + ".json")
        if candidate == path or not candidate.is_file():
            continue
        try:
            return candidate, _json_object(candidate)
        except ExtractError:
            continue
    return None


def _is_sidecar(path: Path) -> bool:
    """True for a `.json` file that `_sidecar_for` picks for a sibling file."""
    if path.suffix.lower() != ".json":
        return False
    siblings = {path.with_name(path.stem), *path.parent.glob(glob.escape(path.stem) + ".*")}
    for sibling in siblings - {path}:
        found = _sidecar_for(sibling) if sibling.is_file() else None
        if found is not None and found[0] == path:
            return True
    return False


def _without_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


def _json_object(path: Path) -> dict[str, object]:
    """The JSON object in a would-be sidecar; raises an `ExtractError` saying why there is none.

    Read whole, up to `_MAX_SIDECAR_BYTES`: a sidecar is small, and whether a
    `.json` is one depends on its content, not only its name.
    """
    try:
        with path.open("rb") as file:
            data = file.read(_MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        raise UnreadableError(_describe(exc)) from exc
    if len(data) > _MAX_SIDECAR_BYTES:
        raise InvalidFieldError(f"larger than {_MAX_SIDECAR_BYTES} bytes")
    try:
        record = json.loads(decode(data, declared="utf-8"))  # RFC 8259: JSON text is UTF-8
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise InvalidFieldError(f"not valid JSON: {exc}"[:300]) from exc
    if not isinstance(record, dict):
        raise InvalidFieldError(f"holds {_json_type(record)}, not a JSON object")
    return record


def _read_sidecar(path: Path) -> tuple[Metadata, str | None]:
    """(metadata, charset) from the file's sidecar; raises `InvalidFieldError`.

    Only a sidecar that is a JSON object gets here; bad fields in it reject
    the document, since the user asked for that metadata explicitly.
    """
    found = _sidecar_for(path)
    if found is None:
        return Metadata(), None
    sidecar, record = found
    try:
        keys = {str(key).strip().lower(): value for key, value in record.items()}
        charset = keys.get("charset") or keys.get("encoding")
        if charset is not None and not isinstance(charset, str):
            raise InvalidFieldError("'charset' must be a string")
        return metadata_from_record(record), charset
    except ExtractError as exc:
        raise InvalidFieldError(f"sidecar {sidecar.name}: {exc.detail}") from exc


def _describe(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return f"truncated compressed data: {exc}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {exc}"
