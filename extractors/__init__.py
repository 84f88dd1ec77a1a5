"""Sources -> parsed articles or rejects: decoding, file and web readers, HTML extraction."""

from extractors.errors import ConfigError
from extractors.files import list_inputs, read_file
from extractors.html import extract_html
from extractors.http import Fetcher, is_transient
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
from extractors.web import Discovery, discover, page_to_article

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
