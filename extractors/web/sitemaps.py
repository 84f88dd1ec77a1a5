"""Sitemap bytes -> the article URLs and child sitemaps they list.

Reads what sites actually publish, per sitemaps.org and Google's News
sitemap extension: a `urlset` (each `<url>`'s `<loc>` and `<lastmod>`, plus
`news:publication_date`, `news:title`, `news:publication/news:language`,
`news:publication/news:name` and `news:keywords` as hints), a
`sitemapindex` (its child sitemaps, for the caller to fetch within its
depth and count limits), a plain-text sitemap (one URL per line, BOM
tolerated), any of them gzipped.

Decisions, each for what real sitemaps do:
- Gzip is recognised by its magic bytes, not the name: `.xml.gz` files are
  often served plain (advertools' `regular_sitemap.xml.gz`).
- Namespaces are matched by local name only: sitemaps with no namespace, a
  prefix (`sit:urlset`) or the wrong one (Google's old
  `schemas/sitemap/0.9`) are read alike, as crawler-commons does. A
  `<sitemap>` or `<url>` holding its URL as bare text, without `<loc>`, is
  read too (crawler-commons' `sitemap.index.xml`).
- Broken XML is parsed again in lxml's recover mode, and what it recovers is
  kept (a truncated download or one stray `&` should not cost the whole
  file); only if nothing at all is recovered is it a PARSE_ERROR.
- URLs must be absolute http(s), as the protocol requires; relative or
  invalid ones are skipped and counted in the log. Each URL is kept once.
- At most `max_urls` (50,000, the protocol's limit) URLs and as many child
  sitemaps per file: past it, the rest is dropped with a logged warning, since
  the first 50,000 are still good. Over `max_bytes` (50 MB, the protocol's
  limit) after decompression is TOO_LARGE: nothing is parsed.
- Every XML document passes `safexml.check_xml` first (-> UNSAFE_XML).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from extractors.decoding import decode
from extractors.errors import ExtractError, UnsafeXmlError
from extractors.records import DiscoveredUrl, Metadata, Reject
from extractors.web.feeds import absolute_http_url, utc_datetime
from extractors.web.safexml import MAX_XML_BYTES, gunzip_bounded, parse_xml

__all__ = ["MAX_SITEMAP_URLS", "SitemapResult", "parse_sitemap"]

logger = logging.getLogger(__name__)

MAX_SITEMAP_URLS = 50_000  # sitemaps.org: "no more than 50,000 URLs"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class SitemapResult:
    """What one sitemap file lists: article URLs, and sitemaps to fetch next."""

    urls: tuple[DiscoveredUrl, ...]
    sitemaps: tuple[str, ...]


def parse_sitemap(
    data: bytes,
    *,
    url: str,
    source: str,
    max_urls: int = MAX_SITEMAP_URLS,
    max_bytes: int = MAX_XML_BYTES,
) -> SitemapResult | Reject:
    """The URLs and child sitemaps in the sitemap at `url`, or a reject saying why not."""
    try:
        data = gunzip_bounded(data, max_bytes=max_bytes)
        if _looks_like_xml(data):
            return _from_xml(data, url=url, source=source, max_urls=max_urls)
        return _from_text(data, url=url, source=source, max_urls=max_urls)
    except ExtractError as exc:
        return Reject(url, exc.reason, exc.detail, source)


def _looks_like_xml(data: bytes) -> bool:
    for bom in _BOMS:
        if data.startswith(bom):
            rest = data[len(bom) :]
            return rest.lstrip().startswith(b"<") or rest.replace(b"\x00", b"").lstrip()[:1] == b"<"
    return data.lstrip()[:1] == b"<"


def _from_text(data: bytes, *, url: str, source: str, max_urls: int) -> SitemapResult:
    """A text sitemap: one absolute URL per line (sitemaps.org, "Text file")."""
    text = decode(data)  # drops a BOM; UndecodableError for binary junk
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise ExtractError("not a sitemap: the document is empty")
    found = _Collector(url=url, source=source, max_urls=max_urls)
    for line in lines:
        found.add_url(line, Metadata(), None)
    if not found.urls:
        raise ExtractError(
            f"not a sitemap: neither XML nor a list of URLs "
            f"({len(lines)} lines, none an http(s) URL)"
        )
    return found.result()


def _from_xml(data: bytes, *, url: str, source: str, max_urls: int) -> SitemapResult:
    try:
        root = parse_xml(data)
        recovered = False
    except UnsafeXmlError:
        raise  # never hand a refused document to the lenient parser
    except ExtractError as exc:
        root = _recover(data, exc)
        recovered = True
    kind = _local(root)
    if kind not in ("urlset", "sitemapindex"):
        hint = "; list it under `feeds`" if kind in ("rss", "feed", "RDF") else ""
        raise ExtractError(f"not a sitemap: root element <{kind}>{hint}")
    found = _Collector(url=url, source=source, max_urls=max_urls)
    for entry in _children(root):
        name = _local(entry)
        if name == "url":
            found.add_url(
                _loc(entry), _news_hints(entry), utc_datetime(_child_text(entry, "lastmod"))
            )
        elif name == "sitemap":
            found.add_sitemap(_loc(entry))
    if recovered:
        if not (found.urls or found.sitemaps):
            raise ExtractError(
                "not a sitemap: broken XML, and recovery found no <url> or <sitemap>"
            )
        logger.warning("%s: broken XML, kept %d URLs recovered from it", url, len(found.urls))
    return found.result()


def _recover(data: bytes, strict_error: ExtractError) -> Any:
    try:
        return parse_xml(data, recover=True)
    except ExtractError:
        raise ExtractError(f"not a sitemap: {strict_error.detail}") from strict_error


class _Collector:
    """Valid, distinct URLs in document order, up to the cap; counts what it skips."""

    def __init__(self, *, url: str, source: str, max_urls: int) -> None:
        self.url = url
        self.source = source
        self.max_urls = max_urls
        self.urls: dict[str, DiscoveredUrl] = {}
        self.sitemaps: dict[str, None] = {}
        self.skipped = 0
        self.dropped = 0

    def add_url(self, loc: str | None, hints: Metadata, lastmod: Any) -> None:
        absolute = absolute_http_url(loc, base="")
        if absolute is None:
            self.skipped += 1
        elif len(self.urls) >= self.max_urls:
            self.dropped += 1
        else:
            self.urls.setdefault(
                absolute,
                DiscoveredUrl(absolute, self.source, self.url, hints=hints, lastmod=lastmod),
            )

    def add_sitemap(self, loc: str | None) -> None:
        absolute = absolute_http_url(loc, base="")
        if absolute is None:
            self.skipped += 1
        elif len(self.sitemaps) >= self.max_urls:
            self.dropped += 1
        else:
            self.sitemaps.setdefault(absolute, None)

    def result(self) -> SitemapResult:
        if self.skipped:
            logger.warning("%s: skipped %d relative or invalid URLs", self.url, self.skipped)
        if self.dropped:
            logger.warning(
                "%s: over %d entries; dropped the last %d", self.url, self.max_urls, self.dropped
            )
        return SitemapResult(urls=tuple(self.urls.values()), sitemaps=tuple(self.sitemaps))


def _news_hints(entry: Any) -> Metadata:
    """Google News sitemap fields (developers.google.com/search/docs/.../news-sitemap)."""
    news = _child(entry, "news")
    if news is None:
        return Metadata()
    publication = _child(news, "publication")
    keywords = _child_text(news, "keywords") or ""
    return Metadata(
        title=_child_text(news, "title"),
        published=_child_text(news, "publication_date"),
        language=_child_text(publication, "language") if publication is not None else None,
        site_name=_child_text(publication, "name") if publication is not None else None,
        tags=tuple(dict.fromkeys(k.strip() for k in keywords.split(",") if k.strip())),
    )


def _loc(entry: Any) -> str | None:
    """`<loc>`'s text, else the entry's own text (a `<sitemap>` with a bare URL)."""
    loc = _child(entry, "loc")
    if loc is not None:
        return _text_of(loc)
    return entry.text.strip() if isinstance(entry.text, str) else None


def _children(element: Any) -> Iterator[Any]:
    """Child elements only: comments and processing instructions have no local name."""
    return (child for child in element if isinstance(child.tag, str))


def _child(element: Any, name: str) -> Any:
    return next((child for child in _children(element) if _local(child) == name), None)


def _child_text(element: Any, name: str) -> str | None:
    child = _child(element, name)
    return _text_of(child) if child is not None else None


def _text_of(element: Any) -> str | None:
    text = " ".join("".join(element.itertext()).split())
    return text or None


def _local(element: Any) -> str:
    try:
        return str(etree.QName(element).localname)
    except ValueError:
        return str(element.tag)
