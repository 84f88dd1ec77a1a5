"""Metadata sidecars: `story.html.json` (or `story.json`) beside `story.html`.

A sidecar is a JSON object of metadata for the file, with the field names of
`extractors.tabular`, plus `charset` (or `encoding`) to say how the file's
bytes are encoded. Its fields override what extraction finds: the user said
so explicitly. For JSONL/CSV the sidecar gives defaults and each record's own
fields win. A sidecar whose fields cannot be used rejects its document
(INVALID_FIELD) rather than being ignored, since silently dropping user
metadata is worse.

Only a JSON object is a sidecar, so pairing reads the `.json` (it is small)
rather than trusting its name. Any other `.json` beside a document (an array
of test strings, a bare string, broken JSON, an unreadable or over-large
file) would otherwise poison its neighbour and vanish from the counts: the
document is read without it, and the `.json` is an input of its own.
"""

from __future__ import annotations

import glob
import json
from pathlib import Path

from extractors.decoding import decode
from extractors.errors import ExtractError, InvalidFieldError, UnreadableError
from extractors.files.streams import describe
from extractors.records import Metadata
from extractors.tabular import json_type, metadata_from_record

__all__ = ["MAX_SIDECAR_BYTES", "is_sidecar", "json_object", "read_sidecar"]

MAX_SIDECAR_BYTES = 1024 * 1024


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
            return candidate, json_object(candidate)
        except ExtractError:
            continue
    return None


def is_sidecar(path: Path) -> bool:
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


def json_object(path: Path) -> dict[str, object]:
    """The JSON object in a would-be sidecar; raises an `ExtractError` saying why there is none.

    Read whole, up to `MAX_SIDECAR_BYTES`: a sidecar is small, and whether a
    `.json` is one depends on its content, not only its name.
    """
    try:
        with path.open("rb") as file:
            data = file.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        raise UnreadableError(describe(exc)) from exc
    if len(data) > MAX_SIDECAR_BYTES:
        raise InvalidFieldError(f"larger than {MAX_SIDECAR_BYTES} bytes")
    try:
        record = json.loads(decode(data, declared="utf-8"))  # RFC 8259: JSON text is UTF-8
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise InvalidFieldError(f"not valid JSON: {exc}"[:300]) from exc
    if not isinstance(record, dict):
        raise InvalidFieldError(f"holds {json_type(record)}, not a JSON object")
    return record


def read_sidecar(path: Path) -> tuple[Metadata, str | None]:
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
