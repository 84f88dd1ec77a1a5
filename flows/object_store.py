"""The warehouse a flow or command opens: the root, plus the object store's options.

The core reads no environment (STYLE.md); this edge turns the standard
`AWS_*` variables into delta-rs storage options for an `s3://` root, so one
command works against AWS, MinIO or any S3-compatible store. delta-rs 1.x
commits to S3 with conditional writes (no lock service):
`conditional_put = "etag"` asks for them, and an `http://` endpoint (a local
test server) needs `AWS_ALLOW_HTTP`.
"""

from __future__ import annotations

import os
from typing import Final
from urllib.parse import urlsplit

from warehouse import Warehouse

__all__ = ["open_warehouse", "storage_options"]

_PASSED: Final = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
)


def storage_options(root: str) -> dict[str, str]:
    """delta-rs options for the warehouse at `root` (none for a local folder)."""
    if urlsplit(root).scheme.lower() not in ("s3", "s3a"):
        return {}
    options = {name: value for name in _PASSED if (value := os.environ.get(name))}
    if "AWS_REGION" not in options and (region := os.environ.get("AWS_DEFAULT_REGION")):
        options["AWS_REGION"] = region
    options["conditional_put"] = "etag"
    if options.get("AWS_ENDPOINT_URL", "").startswith("http://"):
        options["AWS_ALLOW_HTTP"] = "true"
    return options


def open_warehouse(root: str) -> Warehouse:
    """The warehouse at `root` with its storage options."""
    return Warehouse.at(root, storage_options(str(root)))
