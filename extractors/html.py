"""Saved web page -> main text and metadata.

The main text comes from trafilatura, the measured leader for article-body
extraction (body F1 about 0.93-0.96 on public benchmarks); we do not write a
readability clone. Metadata is read from the markup in order of trust:
JSON-LD (`NewsArticle`/`Article`), then OpenGraph and `<meta>` tags, then
`<link rel=canonical>`, then trafilatura's own guesses. JSON-LD and meta tags
keep the timestamp's UTC offset, which trafilatura's date (a bare day) drops.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import trafilatura
from lxml import etree
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document
from trafilatura.utils import load_html

from extractors.decoding import decode
from extractors.errors import ExtractError
from extractors.jsonld import article_metadata_from_jsonld
from extractors.metatags import metadata_from_meta_tags
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason

__all__ = ["extract_html"]

logger = logging.getLogger(__name__)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# trafilatura emits one paragraph, heading or list item per line.
_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "python",
    "with_metadata": False,  # run separately, only when the markup leaves gaps
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}


def extract_html(html: str | bytes, *, locator: str, hints: Metadata) -> ParsedArticle | Reject:
    """Main text and metadata of one page, or a reject saying why there is none.

    `hints` (from a sidecar, a JSONL record or later a feed entry) fill only
    the fields the page itself does not state; callers that want hints to win
    apply `Metadata.overridden_by` themselves.
    """
    try:
        text = decode(html) if isinstance(html, bytes) else html
    except ExtractError as exc:
        return Reject(locator, exc.reason, exc.detail, hints.source)
    if not text.strip():
        return Reject(locator, RejectReason.EMPTY_BODY, "empty page", hints.source)
    try:
        # trafilatura's own loader: its parser drops comments and processing
        # instructions, and extraction is tuned to its trees. A tree from plain
        # `lxml.html.document_fromstring` lost whole paragraphs on some pages
        # (extraction-dev F1 0.933 -> 0.934 with this loader; four pages from
        # 0.82-0.96 back to above 0.99). The XML declaration is stripped first,
        # as lxml refuses it on str input.
        tree = load_html(_XML_DECLARATION.sub("", text, count=1))
    except (ValueError, TypeError, etree.LxmlError) as exc:
        return Reject(locator, RejectReason.PARSE_ERROR, f"HTML parse failed: {exc}", hints.source)
    if tree is None:
        return Reject(locator, RejectReason.PARSE_ERROR, "not an HTML document", hints.source)
    page_meta = _fill(article_metadata_from_jsonld(tree), metadata_from_meta_tags(tree))
    url = hints.url or page_meta.url
    try:
        if not (page_meta.title and page_meta.published and page_meta.authors):
            # trafilatura's metadata (htmldate, byline heuristics) costs about a
            # fifth of extraction time (4.5 of 21 ms a page, measured on
            # samples/html), so it runs only to fill what the markup lacks.
            page_meta = _fill(page_meta, _trafilatura_metadata(extract_metadata(tree, url)))
        doc = trafilatura.bare_extraction(tree, url=url, **_TRAFILATURA_OPTIONS)
    except Exception as exc:  # trafilatura raises assorted lxml/regex errors on hostile markup
        logger.warning("trafilatura failed on %s: %s", locator, exc)
        return Reject(locator, RejectReason.PARSE_ERROR, f"extractor failed: {exc}", hints.source)
    if not isinstance(doc, Document) or not doc.text or not doc.text.strip():
        return Reject(
            locator, RejectReason.NOT_AN_ARTICLE, "extractor found no main text", hints.source
        )

    metadata = _fill(page_meta, hints)
    return ParsedArticle(
        locator=locator,
        body=_paragraphs(doc.text),
        metadata=metadata,
        extraction_method=ExtractionMethod.TRAFILATURA,
    )


def _fill(primary: Metadata, fallback: Metadata) -> Metadata:
    """`primary` wins; its empty fields are filled from `fallback`."""
    return fallback.overridden_by(primary)


def _paragraphs(text: str) -> str:
    """One line per block from trafilatura -> paragraphs separated by a blank line."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _trafilatura_metadata(doc: Document) -> Metadata:
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    categories = tuple(doc.categories or ())
    return Metadata(
        url=doc.url,
        title=doc.title,
        authors=authors,
        published=doc.date,
        language=doc.language,
        description=doc.description,
        section=categories[0] if categories else None,
        tags=tuple(doc.tags or ()),
        image_url=doc.image,
        site_name=doc.sitename,
    )
