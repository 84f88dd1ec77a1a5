"""Sources -> parsed articles or rejects: decoding, file and web readers, HTML extraction.

The public names below are imported on first use (PEP 562), not with the
package: `warehouse` needs only `extractors.records`, and importing a
submodule runs this file first, which would otherwise load trafilatura,
warcio, fsspec and protego too (about 0.28 s measured with `-X importtime`),
and `news-etl status` would pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

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
    from extractors.warc.reader import is_warc_name, iter_warc
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
    "extractors.warc.reader": ("is_warc_name", "iter_warc"),
    "extractors.web.discovery": ("Discovery", "discover", "page_to_article"),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
