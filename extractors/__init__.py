"""Sources -> parsed articles or rejects: decoding, file and web readers, HTML extraction.

The public names below are imported on first use (PEP 562), not with the
package: `warehouse` needs only `extractors.records`, and importing a
submodule runs this file first, which would otherwise load trafilatura,
warcio, fsspec and protego too (about 0.28 s measured with `-X importtime`),
and `news-etl status` would pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.errors import ConfigError
    from extractors.files import list_inputs, read_file
    from extractors.html import extract_html
    from extractors.records import (
        DiscoveredUrl,
        ExtractionMethod,
        FetchedPage,
        Metadata,
        NotModified,
        ParsedArticle,
        Reject,
        RejectReason,
        Validators,
    )
    from extractors.sources import HttpSettings, Source, SourcesConfig, load_config
    from extractors.warc import is_warc_name, iter_warc
    from extractors.web.discovery import Discovery, discover, page_to_article
    from extractors.web.http import Fetcher, is_transient

__all__ = [
    "ConfigError",
    "DiscoveredUrl",
    "Discovery",
    "ExtractionMethod",
    "FetchedPage",
    "Fetcher",
    "HttpSettings",
    "Metadata",
    "NotModified",
    "ParsedArticle",
    "Reject",
    "RejectReason",
    "Source",
    "SourcesConfig",
    "Validators",
    "discover",
    "extract_html",
    "is_transient",
    "is_warc_name",
    "iter_warc",
    "list_inputs",
    "load_config",
    "page_to_article",
    "read_file",
]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "extractors.errors": ("ConfigError",),
    "extractors.files": ("list_inputs", "read_file"),
    "extractors.html": ("extract_html",),
    "extractors.web.http": ("Fetcher", "is_transient"),
    "extractors.records": (
        "DiscoveredUrl",
        "ExtractionMethod",
        "FetchedPage",
        "Metadata",
        "NotModified",
        "ParsedArticle",
        "Reject",
        "RejectReason",
        "Validators",
    ),
    "extractors.sources": ("HttpSettings", "Source", "SourcesConfig", "load_config"),
    "extractors.warc": ("is_warc_name", "iter_warc"),
    "extractors.web.discovery": ("Discovery", "discover", "page_to_article"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error

    def __getattr__(name: str) -> object:
        """Import a public name's module the first time the name is used, then keep it."""
        if name not in _HOME_OF:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(_HOME_OF[name]), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        """The loaded names and the public ones not loaded yet, for `dir()` and completion."""
        return sorted(set(globals()) | set(__all__))
