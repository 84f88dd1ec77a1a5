"""Saved web page -> main text and metadata.

The main text comes from trafilatura, the measured leader for article-body
extraction (body F1 about 0.93-0.96 on public benchmarks); we do not write a
readability clone. When it finds too little, the publisher's JSON-LD
`articleBody` is used if it is clearly longer, and when the body is still
short, readability-lxml and then jusText get a second look
(`extractors.fallback`); `extraction_method` says which one produced it. Metadata is read
from the markup in order of trust: JSON-LD (`NewsArticle`/`Article`), then
OpenGraph and `<meta>` tags, then `<link rel=canonical>`, then trafilatura's
own guesses. JSON-LD and meta tags keep the timestamp's UTC offset, which
trafilatura's date (a bare day) drops.
"""

from __future__ import annotations

import logging
from typing import Any

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document

from extractors.decoding import decode
from extractors.errors import ExtractError
from extractors.fallback import MIN_WORDS, fallback_body
from extractors.htmlparse import lxml_section, parse_html
from extractors.jsonld import article_body_from_jsonld, article_metadata_from_jsonld
from extractors.metatags import metadata_from_meta_tags
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason

__all__ = ["extract_html"]

logger = logging.getLogger(__name__)

# The publisher's JSON-LD `articleBody` replaces trafilatura's body when it is
# this many times longer: on extraction-dev, 25 pages declare a body; at 1.5
# it replaces two bodies where trafilatura kept a fifth of the story (recall
# 0.21 -> 0.97 and 0.28 -> 0.92) and none where trafilatura did better
# (a declared body of 1.34 times the words was a worse one).
_DECLARED_RATIO = 1.5

# trafilatura emits one paragraph, heading or list item per line.
_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "python",
    "with_metadata": False,  # run separately, only when the markup leaves gaps
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}


def extract_html(
    html: str | bytes, *, locator: str, hints: Metadata, fallbacks: bool = True
) -> ParsedArticle | Reject:
    """Main text and metadata of one page, or a reject saying why there is none.

    `hints` (from a sidecar, a JSONL record or later a feed entry) fill only
    the fields the page itself does not state; callers that want hints to win
    apply `Metadata.overridden_by` themselves. `fallbacks=False` keeps
    trafilatura's answer however short (the evaluation measures what the
    fallbacks add that way).
    """
    try:
        text = decode(html) if isinstance(html, bytes) else html
    except ExtractError as exc:
        return Reject(locator, exc.reason, exc.detail, hints.source)
    if not text.strip():
        return Reject(locator, RejectReason.EMPTY_BODY, "empty page", hints.source)
    with lxml_section():  # one thread at a time in lxml: see extractors.htmlparse
        return _extract_text(text, locator=locator, hints=hints, fallbacks=fallbacks)


def _extract_text(
    text: str, *, locator: str, hints: Metadata, fallbacks: bool
) -> ParsedArticle | Reject:
    try:
        # Parsed once, with this thread's parser and trafilatura's options
        # (extraction is tuned to its trees), then handed to trafilatura.
        tree = parse_html(text)
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
    body = _paragraphs(doc.text) if isinstance(doc, Document) and doc.text else ""
    method = ExtractionMethod.TRAFILATURA
    metadata = _fill(page_meta, hints)
    if fallbacks:
        body, method = _second_opinion(text, tree, body, metadata.language) or (body, method)
    if not body:
        return Reject(
            locator, RejectReason.NOT_AN_ARTICLE, "extractors found no main text", hints.source
        )
    return ParsedArticle(locator=locator, body=body, metadata=metadata, extraction_method=method)


def _second_opinion(
    text: str, tree: HtmlElement, body: str, language: str | None
) -> tuple[str, ExtractionMethod] | None:
    """The JSON-LD body or a fallback extractor's, when trafilatura's is clearly too short."""
    found: tuple[str, ExtractionMethod] | None = None
    declared = article_body_from_jsonld(tree)
    if declared and len(declared.split()) >= max(MIN_WORDS, _DECLARED_RATIO * len(body.split())):
        found = (declared, ExtractionMethod.JSONLD)
        body = declared
    return fallback_body(text, found_words=len(body.split()), language=language) or found


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
