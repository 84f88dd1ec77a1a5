"""Saved web page -> main text and metadata.

The main text comes from trafilatura, the measured leader for article-body
extraction (body F1 about 0.93-0.96 on public benchmarks); we do not write a
readability clone. When it finds too little, the publisher's JSON-LD
`articleBody`, readability-lxml and jusText get a second look, and one of
them replaces trafilatura's body only on evidence that trafilatura missed
the article (`extractors.fallback`); `extraction_method` says which one
produced it. trafilatura's own body ends before a closing section the page
heads "Read This Next", "More from ..." and fills with its links
(`extractors.furniture`, issue 14), and loses the lines that a long JSON-LD
`articleBody` holding nearly all of it does not hold (`extractors.declared`).
Metadata is read from the markup in
order of trust: JSON-LD (`NewsArticle`/`Article`), then OpenGraph and
`<meta>` tags, then `<link rel=canonical>`, then trafilatura's own guesses,
each computed only for a field the markup left empty. JSON-LD and meta tags keep the
timestamp's UTC offset, which trafilatura's date (a bare day) drops.

Issue 13 ("a per-page cost close to trafilatura's"): the page is decoded and
parsed once; trafilatura, its metadata heuristics and the fallbacks all read
that tree (the fallbacks a copy). `bench/per_page_cost.py` prints the cost
against bare trafilatura.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document, set_date_params

from extractors.declared import trim_to_declared
from extractors.decoding import decode
from extractors.errors import ExtractError
from extractors.fallback import Witnesses, second_opinion, worth_a_second_opinion
from extractors.furniture import closing_candidates, page_marks, trim_closing_section
from extractors.htmlparse import lxml_section, nests_deeper_than, parse_html
from extractors.jsonld import article_body_from_jsonld, article_metadata_from_jsonld
from extractors.metatags import metadata_from_meta_tags
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason
from extractors.resili import MAX_NESTING, MAX_UNCLOSED, resiliparse_text, unclosed_formatting
from extractors.skipped import MIN_GAP_WORDS, find_gaps, gap_words, restore

__all__ = ["extract_html"]

logger = logging.getLogger(__name__)

# trafilatura emits one paragraph, heading or list item per line.
_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "output_format": "python",
    "with_metadata": False,  # run separately, only when the markup leaves gaps
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
}

# Metadata fields trafilatura's metadata can fill (it never sets a language).
_GUESSED = (
    "url", "title", "authors", "published", "description", "section", "tags", "image_url",
    "site_name",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Options:
    fallbacks: bool
    restore_skipped: bool


def extract_html(
    html: str | bytes,
    *,
    locator: str,
    hints: Metadata,
    fallbacks: bool = True,
    restore_skipped: bool = True,
) -> ParsedArticle | Reject:
    """Main text and metadata of one page, or a reject saying why there is none.

    `hints` (from a sidecar, a JSONL record or later a feed entry) fill only
    the fields the page itself does not state; callers that want hints to win
    apply `Metadata.overridden_by` themselves. `fallbacks=False` keeps
    trafilatura's answer however short and as it is, closing section included
    (the evaluation measures what the fallbacks add that way);
    `restore_skipped=False` leaves out only the lines put back from inside the
    article (`extractors.skipped`; `bench/precision_skipped.py` measures them).
    """
    try:
        text = decode(html) if isinstance(html, bytes) else html
    except ExtractError as exc:
        return Reject(locator, exc.reason, exc.detail, hints.source)
    if not text.strip():
        return Reject(locator, RejectReason.EMPTY_BODY, "empty page", hints.source)
    with lxml_section():  # one thread at a time in lxml: see extractors.htmlparse
        options = _Options(fallbacks=fallbacks, restore_skipped=restore_skipped)
        return _extract_text(text, locator=locator, hints=hints, options=options)


def _extract_text(
    text: str, *, locator: str, hints: Metadata, options: _Options
) -> ParsedArticle | Reject:
    try:
        # Parsed once, with this thread's parser and trafilatura's options
        # (extraction is tuned to its trees), then handed to trafilatura and,
        # as copies, to the fallbacks.
        tree = parse_html(text)
    except (ValueError, TypeError, etree.LxmlError) as exc:
        return Reject(locator, RejectReason.PARSE_ERROR, f"HTML parse failed: {exc}", hints.source)
    if tree is None:
        return Reject(locator, RejectReason.PARSE_ERROR, "not an HTML document", hints.source)
    page_meta = _fill(article_metadata_from_jsonld(tree), metadata_from_meta_tags(tree))
    url = hints.url or page_meta.url
    try:
        language = _fill(page_meta, hints).language
        body, method = _main_text(tree, text, url, language, options)
        if not body:
            return Reject(
                locator, RejectReason.NOT_AN_ARTICLE, "extractors found no main text", hints.source
            )
        # After the body: a page without one costs no metadata heuristics. The
        # order changes nothing else, as neither modifies the tree.
        page_meta = _fill(page_meta, _trafilatura_guesses(tree, url, page_meta))
    except Exception as exc:  # trafilatura raises assorted lxml/regex errors on hostile markup
        logger.warning("trafilatura failed on %s: %s", locator, exc)
        return Reject(locator, RejectReason.PARSE_ERROR, f"extractor failed: {exc}", hints.source)
    metadata = _fill(page_meta, hints)
    return ParsedArticle(locator=locator, body=body, metadata=metadata, extraction_method=method)


def _main_text(
    tree: HtmlElement, text: str, url: str | None, language: str | None, options: _Options
) -> tuple[str, ExtractionMethod]:
    """trafilatura's body (empty when it finds none), or a second opinion's on evidence.

    trafilatura's body loses a closing "Read This Next"-like section and the
    lines a long declared `articleBody` disowns, and gets back the lines it
    skipped inside the article that two other extractors hold (issue 14).
    """
    body = _paragraphs(_trafilatura_text(tree, url))
    if not options.fallbacks:  # trafilatura's own lines, as the evaluation and bench/ compare them
        return body, ExtractionMethod.TRAFILATURA
    declared = article_body_from_jsonld(tree) or ""
    resiliparse = None
    if worth_a_second_opinion(body, declared):
        # resiliparse (about 2 ms): the fallbacks' witness, then the skipped lines' source
        witnesses = Witnesses(declared=declared, resiliparse=_resiliparse(text, tree))
        found = second_opinion(tree, body, language=language, witnesses=witnesses)
        if found:
            return found
        resiliparse = witnesses.resiliparse
    lines = _trimmed(tree, body, declared)
    if options.restore_skipped and lines:
        other = _resiliparse(text, tree) if resiliparse is None else resiliparse
        lines = _restored(tree, url, lines, other)
    return "\n\n".join(lines), ExtractionMethod.TRAFILATURA


def _resiliparse(text: str, tree: HtmlElement) -> str:
    """resiliparse's main content, or "" for a page it would take minutes or gigabytes on:
    one nested too deep or leaving too many formatting tags open (`extractors.resili`)."""
    if nests_deeper_than(tree, MAX_NESTING) or unclosed_formatting(text) > MAX_UNCLOSED:
        return ""
    return resiliparse_text(text)


def _trimmed(tree: HtmlElement, body: str, declared: str) -> list[str]:
    """trafilatura's body cut before a "Read This Next"-like section, less disowned lines.

    Applied after the fallback decision, which still sees the whole body. The
    cut (`extractors.furniture`) reads the page's headings and links only when
    a line names such a section; then the lines a long JSON-LD `articleBody`
    disowns go (`extractors.declared`).
    """
    lines = body.split("\n\n") if body else []
    if closing_candidates(lines):
        lines = trim_closing_section(lines, page_marks(tree))
    return trim_to_declared(lines, declared)


def _restored(tree: HtmlElement, url: str | None, lines: list[str], resiliparse: str) -> list[str]:
    """`lines` with the lines trafilatura skipped inside the article, on two witnesses.

    resiliparse's lines between two of the body's are the candidates; the
    witness, a second trafilatura run with `favor_recall` on the same tree
    (which trafilatura copies before cleaning), runs only when they hold
    enough words (`extractors.skipped`).
    """
    gaps = find_gaps(lines, resiliparse)
    if gap_words(gaps) < MIN_GAP_WORDS:
        return lines
    witness = _trafilatura_text(tree, url, favor_recall=True)
    return restore(lines, gaps, witness) if witness else lines


def _trafilatura_text(tree: HtmlElement, url: str | None, *, favor_recall: bool = False) -> str:
    """trafilatura's main text of the tree, one block a line ("" when it finds none);
    it cleans a copy, so the tree serves every later reader unchanged."""
    doc = trafilatura.bare_extraction(
        tree, url=url, favor_recall=favor_recall, **_TRAFILATURA_OPTIONS
    )
    return doc.text if isinstance(doc, Document) and doc.text else ""


def _fill(primary: Metadata, fallback: Metadata) -> Metadata:
    """`primary` wins; its empty fields are filled from `fallback`."""
    return fallback.overridden_by(primary)


def _paragraphs(text: str) -> str:
    """One line per block from trafilatura -> paragraphs separated by a blank line."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _trafilatura_guesses(tree: HtmlElement, url: str | None, known: Metadata) -> Metadata:
    """trafilatura's metadata for the fields `known` leaves empty, and only those.

    It runs when the markup lacks a title, a date or an author, as a full
    `extract_metadata` did before; the values are those `extract_metadata`
    gives (the same functions, in its order, on the same tree, which none of
    them modifies), but each heuristic runs only for a field still empty.
    On the 454 of the corpus's 828 pages that lack one, the full run cost
    17.4 ms of CPU a page: htmldate 7.8, the author heuristic 7.2, categories
    and tags 2.4, the licence (never used) 0.6, trafilatura's reading of meta
    tags and JSON-LD 0.3. Most of those pages lack both date and author, so
    this saves only 7% there (16.2 ms); the rest is what the date and author
    match rates are made of (without htmldate, 18 of 29 dates instead of 26).
    """
    if known.title and known.published and known.authors:
        return Metadata()
    gaps = frozenset(name for name in _GUESSED if not getattr(known, name))
    doc = _declared_metadata(tree)
    if "title" in gaps and not doc.title:
        doc.title = extract_title(tree)
    if "authors" in gaps and not doc.author:
        doc.author = extract_author(tree)
    if gaps & {"url", "published", "site_name"} and not doc.url:
        doc.url = extract_url(tree, url)  # htmldate and the site name read it
    if "published" in gaps:
        # dateparser, which htmldate imports when a string needs it, loads its
        # locales once per process: about 2 s (bench/per_page_cost.py --cold).
        doc.date = find_date(tree, url=doc.url, **set_date_params(extensive=True))
    if "site_name" in gaps:
        doc.sitename = _site_name(tree, doc)
    if "section" in gaps and not doc.categories:
        doc.categories = extract_catstags("category", tree)
    if "tags" in gaps and not doc.tags:
        doc.tags = extract_catstags("tag", tree)
    doc.clean_and_trim()
    return _trafilatura_metadata(doc)


def _declared_metadata(tree: HtmlElement) -> Document:
    """trafilatura's reading of meta tags and JSON-LD: the start of `extract_metadata`."""
    doc = examine_meta(tree)
    if doc.author and " " not in doc.author:
        doc.author = None  # a single word is no byline (extract_metadata's rule)
    try:
        return extract_meta_json(tree, doc)
    except Exception as exc:  # extract_metadata guards its JSON-LD reader the same way
        logger.warning("trafilatura's JSON-LD reader failed: %s", exc)
        return doc


def _site_name(tree: HtmlElement, doc: Document) -> str | None:
    """The site name as `extract_metadata` settles it: tags, the <title>, else the host."""
    name = doc.sitename or extract_sitename(tree)
    if name:
        name = name.lstrip("@")  # a Twitter handle
        if name and "." not in name and not name[0].isupper():
            name = name.title()
        return name
    match = META_URL.match(doc.url) if doc.url else None
    return match[1] if match else None


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
