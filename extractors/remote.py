"""Inputs named by URL: `https://.../CC-NEWS-....warc.gz`, `s3://bucket/key`.

A remote input is copied, streaming, to a local file first and then read
like any local file. That keeps everything a local archive has: byte-range
splitting across workers, resynchronisation past a damaged record, flat
memory, and resumption, since the rows' locators name the URL (not the
local copy), so a rerun skips the records an earlier run wrote. The copy is
written under a temporary name and renamed when complete, so a killed
download is never mistaken for a whole file.

HTTP(S) goes through requests with connect and read timeouts; any other
scheme through pyarrow's file systems (`s3://` with the standard AWS
variables: `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
`AWS_REGION`, so the same command reads AWS, MinIO or any S3-compatible
store). The operator names these inputs, so no SSRF guard applies (as for
local paths); scraped URLs go through `extractors.web.http` instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import BinaryIO, Final
from urllib.parse import unquote, urlsplit

import requests

from extractors.errors import UnreadableError

__all__ = ["download", "is_remote"]

_HTTP: Final = ("http", "https")
_CONNECT_TIMEOUT, _READ_TIMEOUT = 10.0, 60.0
_CHUNK: Final = 1 << 20


def is_remote(spec: str) -> bool:
    """True for `scheme://...` inputs other than `file://`."""
    scheme = urlsplit(spec).scheme.lower()
    return "://" in spec and len(scheme) > 1 and scheme != "file"


def download(spec: str, folder: Path, *, user_agent: str = "news-etl") -> Path:
    """Copy the input named by `spec` into `folder`; the local path.

    The file keeps the URL's base name (its suffixes say how to read it),
    prefixed by a hash of the whole URL so two URLs never share a copy.
    A complete copy from an earlier, interrupted run is reused. Raises
    `UnreadableError` when the input cannot be fetched.
    """
    name = Path(unquote(urlsplit(spec).path)).name or "input"
    target = folder / f"{hashlib.sha256(spec.encode()).hexdigest()[:16]}-{name}"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with partial.open("wb") as out:
            if urlsplit(spec).scheme.lower() in _HTTP:
                _copy_http(spec, out, user_agent)
            else:
                _copy_filesystem(spec, out)
        partial.replace(target)
    except (OSError, requests.RequestException) as exc:
        raise UnreadableError(f"cannot fetch {spec}: {type(exc).__name__}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return target


def _copy_http(url: str, out: BinaryIO, user_agent: str) -> None:
    headers = {"User-Agent": user_agent, "Accept-Encoding": "identity"}
    with requests.get(
        url, headers=headers, stream=True, timeout=(_CONNECT_TIMEOUT, _READ_TIMEOUT)
    ) as response:
        response.raise_for_status()
        for chunk in response.iter_content(_CHUNK):
            out.write(chunk)


def _copy_filesystem(uri: str, out: BinaryIO) -> None:
    import pyarrow.fs as pafs  # only for object-store inputs

    try:
        filesystem, path = pafs.FileSystem.from_uri(uri)
        # compression=None: the bytes as stored (pyarrow would otherwise gunzip
        # a `.gz` name, and record offsets would no longer be the file's)
        with filesystem.open_input_stream(path, compression=None) as source:
            shutil.copyfileobj(source, out, _CHUNK)
    except Exception as exc:  # pyarrow raises ArrowInvalid etc. for bad URIs and schemes
        if isinstance(exc, OSError):
            raise
        raise OSError(str(exc)) from exc
