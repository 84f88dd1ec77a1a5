"""Article metadata from OpenGraph, `article:*` and classic `<meta>` tags.

Second in trust after JSON-LD: tags are set by the same CMS but with fewer
fields. Names are data, tried in order, so a new publisher convention is
one more entry, not more code.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from extractors.records import Metadata

__all__ = ["metadata_from_meta_tags"]

# Field -> meta names/properties, most trusted first (lower-cased).
FIELD_TAGS: dict[str, tuple[str, ...]] = {
    "url": ("og:url", "twitter:url"),
    "title": ("og:title", "twitter:title", "dc.title", "title"),
    "published": (
        "article:published_time",
        "og:article:published_time",
        "datepublished",
        "date",
        "dc.date.issued",
        "dc.date",
        "pubdate",
        "publish-date",
        "sailthru.date",
        "parsely-pub-date",
    ),
    "modified": ("article:modified_time", "og:updated_time", "datemodified", "last-modified"),
    "description": ("og:description", "description", "twitter:description", "dc.description"),
    "section": ("article:section", "section", "parsely-section"),
    "image_url": ("og:image", "og:image:url", "twitter:image", "twitter:image:src"),
    "site_name": ("og:site_name", "application-name"),
    "language": ("og:locale", "content-language", "dc.language", "language"),
}
MULTI_TAGS: dict[str, tuple[str, ...]] = {
    "authors": ("article:author", "author", "dc.creator", "parsely-author", "sailthru.author"),
    "tags": ("article:tag", "news_keywords", "keywords"),
}


def metadata_from_meta_tags(tree: HtmlElement) -> Metadata:
    """Metadata from the head's meta tags, `<html lang>` and `<link rel=canonical>`."""
    found: dict[str, list[str]] = {}
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        key = key or (meta.get("http-equiv") or "").lower()
        content = (meta.get("content") or "").strip()
        if key and content:
            found.setdefault(key.strip(), []).append(content)

    fields: dict[str, str] = {}
    for name, keys in FIELD_TAGS.items():
        value = next((found[k][0] for k in keys if k in found), None)
        if value:
            fields[name] = value
    lang = tree.get("lang") or tree.get("xml:lang")
    if lang and "language" not in fields:
        fields["language"] = lang

    authors = _split_list(next((found[k] for k in MULTI_TAGS["authors"] if k in found), []))
    # Meta authors are sometimes profile URLs (Facebook's article:author); a URL is no name.
    authors = tuple(a for a in authors if not a.startswith(("http://", "https://")))
    tags = _split_list(next((found[k] for k in MULTI_TAGS["tags"] if k in found), []))
    return Metadata(
        canonical_url=_canonical_link(tree),
        authors=authors,
        tags=tags,
        **fields,
    )


def _split_list(values: list[str]) -> tuple[str, ...]:
    """Several tags, or one comma-separated tag, -> a flat tuple."""
    if len(values) == 1 and "," in values[0]:
        values = values[0].split(",")
    return tuple(v.strip() for v in values if v.strip())


def _canonical_link(tree: HtmlElement) -> str | None:
    for link in tree.iterfind(".//link[@rel]"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = (link.get("href") or "").strip()
            if href:
                return href
    return None
