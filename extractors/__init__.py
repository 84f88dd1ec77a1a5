"""Sources -> parsed articles or rejects: decoding, file readers, HTML extraction."""

from extractors.files import list_inputs, read_file
from extractors.html import extract_html
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason

__all__ = [
    "ExtractionMethod",
    "Metadata",
    "ParsedArticle",
    "Reject",
    "RejectReason",
    "extract_html",
    "list_inputs",
    "read_file",
]
