"""Article metadata from schema.org JSON-LD, the most trusted source on a page.

Publishers fill JSON-LD for search engines, so it is usually the most exact
metadata a page has: full timestamps with their UTC offset, every author,
the canonical URL. Pages nest it in `@graph`, in lists, and sometimes write
invalid JSON; a block that does not parse is skipped, never fatal.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from extractors.htmlparse import html_parser
from extractors.records import Metadata

__all__ = ["article_body_from_jsonld", "article_metadata_from_jsonld"]

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
    }
)


def article_metadata_from_jsonld(tree: HtmlElement) -> Metadata:
    """Metadata of the first article-typed JSON-LD object on the page, else empty."""
    nodes = list(_nodes(tree))
    # Yoast and others link authors and publishers by `@id` within `@graph`.
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    for node in nodes:
        if _types(node) & ARTICLE_TYPES:
            return _to_metadata(node, by_id)
    return Metadata()


def article_body_from_jsonld(tree: HtmlElement) -> str | None:
    """The `articleBody` the publisher declared, as paragraphs separated by blank lines.

    Some publishers put the whole story there, and some a teaser or a few
    words; the caller decides whether it beats the extracted body. HTML inside
    the value (some CMSs store the rendered body) is reduced to its text.
    """
    for node in _nodes(tree):
        value = node.get("articleBody")
        if isinstance(value, str) and value.strip():
            return _plain_body(value)
    return None


def _plain_body(value: str) -> str | None:
    if "<" in value:
        try:
            root = lxml.html.fromstring(value, parser=html_parser())  # see extractors.htmlparse
        except (etree.LxmlError, ValueError):
            return None
        blocks = [" ".join(e.text_content().split()) for e in root.iter(*_BLOCKS)]
        value = "\n".join(blocks) if any(blocks) else root.text_content()
    lines = (" ".join(line.split()) for line in html.unescape(value).splitlines())
    body = "\n\n".join(line for line in lines if line)
    return body or None


_BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote")


def _nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):  # invalid, or nested deeper than json can go
            continue
        yield from _walk(data)


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Objects in document order, `@graph` members included; iterative, so depth is no risk."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            graph = item.get("@graph")
            if isinstance(graph, list | dict):
                stack.append(graph)


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type")
    values = value if isinstance(value, list) else [value]
    return {v.rsplit("/", 1)[-1] for v in values if isinstance(v, str)}


def _text(value: Any) -> str | None:
    """A string field, tolerating the list and object shapes publishers use."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list) and value:
        return _text(value[0])
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("url") or value.get("@id"))
    return None


def _name(value: Any, by_id: dict[str, dict[str, Any]]) -> str | None:
    """A person's or organisation's name; a bare reference or URL is no name."""
    if isinstance(value, dict):
        ref = value.get("@id")
        if "name" not in value and isinstance(ref, str) and ref in by_id:
            value = by_id[ref]
        value = value.get("name")
    name = _text(value)
    if name is None or name.startswith(("http://", "https://", "#")):
        return None
    return name


def _names(value: Any, by_id: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    names = (_name(item, by_id) for item in items)
    return tuple(name for name in names if name)


def _keywords(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(k.strip() for k in value.split(",") if k.strip())
    items = value if isinstance(value, list) else [value]
    return tuple(k for k in (_text(item) for item in items) if k)


def _to_metadata(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> Metadata:
    main = node.get("mainEntityOfPage")
    return Metadata(
        url=_text(node.get("url")) or _text(main),
        canonical_url=_text(main) if isinstance(main, (str, dict)) else None,
        title=_text(node.get("headline")) or _text(node.get("name")),
        authors=_names(node.get("author"), by_id),
        published=_text(node.get("datePublished")) or _text(node.get("dateCreated")),
        modified=_text(node.get("dateModified")),
        language=_text(node.get("inLanguage")),
        description=_text(node.get("description")),
        section=_text(node.get("articleSection")),
        tags=_keywords(node.get("keywords")),
        image_url=_text(node.get("image")),
        site_name=_name(node.get("publisher"), by_id),
    )
