"""Feed bytes -> the article URLs they list, with what the feed says of each.

RSS 0.9x/1.0/2.0 and Atom go through feedparser, which copes with the
ill-formed feeds the web is full of (a strict parse first, then its SGML
fallback) and with their encodings. feedparser 6 does not read JSON Feed, a
small documented format (jsonfeed.org/version/1.1), so `_jsonfeed` reads it.

What a feed says of an entry (title, published, authors, summary, language,
tags) becomes `DiscoveredUrl.hints`: fallbacks for what the page lacks.
Dates stay the strings the feed wrote, so "+0100" survives until
`transforms.normalise`; `lastmod` is feedparser's parsed date in UTC.

Decisions:
- Every document passes `safexml.check_xml` first (-> UNSAFE_XML); a gzip
  file is inflated here, by magic bytes and capped (`safexml.gunzip_bounded`),
  because a `.xml.gz` feed arrives as a gzip *file*, which HTTP decoding
  does not undo. Other containers (bz2, zip, tar) are not feeds here.
- feedparser is given a `BytesIO`, never the bytes: its `parse()` treats a
  bare string or bytes as a file name or URL first, so a body reading
  `/etc/passwd` would be opened from disk.
- feedparser's `bozo` flag alone does not reject: a feed with entries is
  used, however ill-formed. A document with neither a feed version nor
  entries is not a feed (-> PARSE_ERROR, with what it looks like).
- Entries without an http(s) link are skipped and counted in the log; a
  feed whose entries all lack one is rejected, so the problem reaches the
  rejects table.
"""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from dateutil.parser import isoparse
from lxml import etree
from lxml import html as lxml_html

from extractors.decoding import decode
from extractors.errors import ExtractError, UnsafeXmlError
from extractors.htmlparse import lxml_section
from extractors.records import DiscoveredUrl, Metadata, Reject
from extractors.web.safexml import MAX_XML_BYTES, check_xml, gunzip_bounded

__all__ = ["absolute_http_url", "parse_feed", "utc_datetime"]

logger = logging.getLogger(__name__)

_JSONFEED_VERSION = "https://jsonfeed.org/version/"
_ARCHIVES = (
    (b"BZh", "bzip2"),
    (b"PK\x03\x04", "zip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
    (b"ustar", "tar"),
)
_NOT_MARKUP = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.S)
_FIRST_TAG = re.compile(rb"<(!doctype\s+html|[A-Za-z][\w:.-]*)", re.I)
_HTML_TAGS = frozenset({b"!doctype html", b"html", b"head", b"body", b"meta", b"title", b"script"})
_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = frozenset(
    {"p", "br", "div", "li", "tr", "td", "th", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def parse_feed(
    data: bytes, *, url: str, source: str, content_type: str | None = None
) -> list[DiscoveredUrl] | Reject:
    """The entries of an RSS, Atom or JSON feed at `url`, or a reject saying why not."""
    try:
        return _parse(data, url=url, source=source, content_type=content_type)
    except ExtractError as exc:
        return Reject(url, exc.reason, exc.detail, source)


def _parse(data: bytes, *, url: str, source: str, content_type: str | None) -> list[DiscoveredUrl]:
    data = gunzip_bounded(data, max_bytes=MAX_XML_BYTES)
    head = _lstrip(data)
    if not head:
        raise ExtractError("not a feed: the document is empty")
    if head.startswith(b"{"):
        return _jsonfeed(data, url=url, source=source, content_type=content_type)
    problem = check_xml(data)
    if problem is not None:
        raise UnsafeXmlError(problem)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # feedparser's SGML fallback raises assorted errors on junk
        raise ExtractError(f"not a feed: feedparser failed ({type(exc).__name__}: {exc})") from exc
    entries = parsed.get("entries") or []
    if not entries and not parsed.get("version"):
        raise ExtractError(_not_a_feed(head, parsed.get("bozo_exception")))
    feed = parsed.get("feed") or {}
    language = _text(feed.get("language")) or _text(
        parsed.get("headers", {}).get("content-language")
    )
    found = [_from_entry(entry, url=url, source=source, language=language) for entry in entries]
    return _usable(found, len(entries), url=url)


def _from_entry(entry: Any, *, url: str, source: str, language: str | None) -> DiscoveredUrl | None:
    link = _entry_link(entry, base=url)
    if link is None:
        return None
    published = _text(_field(entry, "published"))
    updated = _text(_field(entry, "updated"))
    hints = Metadata(
        title=_detail_text(entry, "title"),
        published=published,
        modified=updated if updated != published else None,
        authors=_unique(_text(author.get("name")) for author in _field(entry, "authors") or ())
        or _unique([_text(_field(entry, "author"))]),
        description=_detail_text(entry, "summary"),
        language=_text(_field(entry, "language")) or language,
        tags=_unique(_text(tag.get("term")) for tag in _field(entry, "tags") or ()),
    )
    when = _field(entry, "updated_parsed") or _field(entry, "published_parsed")
    return DiscoveredUrl(url=link, source=source, found_in=url, hints=hints, lastmod=_utc(when))


def _entry_link(entry: Any, *, base: str) -> str | None:
    """The entry's page: `link`, else its first alternate link, absolute and http(s)."""
    candidates = [_field(entry, "link")]
    candidates += [
        link.get("href")
        for link in _field(entry, "links") or ()
        if link.get("rel", "alternate") == "alternate"
    ]
    for candidate in candidates:
        if (absolute := absolute_http_url(candidate, base=base)) is not None:
            return absolute
    return None


def absolute_http_url(value: Any, *, base: str) -> str | None:
    """`value` resolved against `base`, if that gives an http(s) URL with a host."""
    if not isinstance(value, str) or not (value := value.strip()):
        return None
    try:
        resolved = urljoin(base, value) if base else value
        parts = urlsplit(resolved)
    except ValueError:  # e.g. "http://[::1" has an unclosed IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme + resolved[len(scheme) :]  # "HTTP://" is valid; keep one spelling


def _usable(found: list[DiscoveredUrl | None], total: int, *, url: str) -> list[DiscoveredUrl]:
    """Entries with a link, each URL once; rejects a feed whose entries all lack one."""
    by_url: dict[str, DiscoveredUrl] = {}
    for item in found:
        if item is not None:
            by_url.setdefault(item.url, item)
    skipped = sum(1 for item in found if item is None)
    if total and not by_url:
        raise ExtractError(f"feed has {total} entries but none with an http(s) link")
    if skipped:
        logger.warning("%s: skipped %d of %d entries without an http(s) link", url, skipped, total)
    return list(by_url.values())


def _not_a_feed(head: bytes, bozo: object) -> str:
    """What the document looks like instead: an archive, HTML, or another XML root."""
    for magic, kind in _ARCHIVES:
        if head.startswith(magic) or (kind == "tar" and head[257:262] == magic):
            return f"not a feed: a {kind} archive (only gzip is inflated)"
    first = _FIRST_TAG.search(_NOT_MARKUP.sub(b"", head[:8192]))
    tag = _SPACE.sub(" ", first.group(1).decode("ascii").lower()) if first else None
    if tag is not None and tag.encode() in _HTML_TAGS:
        return "not a feed: looks like HTML (a web page or a redirect page)"
    if tag is not None:
        return f"not a feed: root element <{tag}> is not RSS, RDF or Atom"
    why = f" ({str(bozo).strip()[:120]})" if bozo else ""
    return f"not a feed: no root element found{why}"


def _jsonfeed(
    data: bytes, *, url: str, source: str, content_type: str | None
) -> list[DiscoveredUrl]:
    """JSON Feed 1.0/1.1 items; https://www.jsonfeed.org/version/1.1/."""
    try:
        document = json.loads(decode(data, declared=_charset(content_type)))
    except (ValueError, RecursionError) as exc:
        raise ExtractError(f"not a feed: invalid JSON ({exc})") from exc
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(_JSONFEED_VERSION):
        raise ExtractError("not a feed: JSON without a jsonfeed.org version")
    items = document.get("items")
    items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    base = _text(document.get("feed_url")) or url
    language = _text(document.get("language"))
    found = [
        _from_item(item, base=base, url=url, source=source, language=language) for item in items
    ]
    return _usable(found, len(items), url=url)


def _from_item(
    item: dict[str, Any], *, base: str, url: str, source: str, language: str | None
) -> DiscoveredUrl | None:
    link = absolute_http_url(item.get("url"), base=base) or absolute_http_url(
        item.get("external_url"), base=base
    )
    if link is None:
        return None
    authors = item.get("authors")
    if not isinstance(authors, list):
        authors = [item.get("author")]  # JSON Feed 1.0: a single object
    summary = _text(item.get("summary")) or _text(item.get("content_text"))
    tags = item.get("tags")
    hints = Metadata(
        title=_text(item.get("title")),
        published=_text(item.get("date_published")),
        modified=_text(item.get("date_modified")),
        authors=_unique(_text(a.get("name")) for a in authors if isinstance(a, dict)),
        description=summary or _plain_text(item.get("content_html")),
        language=_text(item.get("language")) or language,
        tags=_unique(_text(tag) for tag in tags) if isinstance(tags, list) else (),
    )
    when = utc_datetime(hints.modified) or utc_datetime(hints.published)
    return DiscoveredUrl(url=link, source=source, found_in=url, hints=hints, lastmod=when)


def utc_datetime(value: Any) -> datetime | None:
    """An ISO 8601 / W3C datetime string (RFC 3339, or a bare date) as aware UTC.

    A value without an offset is taken as UTC, the sitemap protocol's own
    reading of a bare date; unparseable values give None.
    """
    text = _text(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = isoparse(text)  # W3C's reduced forms: "2005-01", "2005"
        except (ValueError, OverflowError):
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # year 1 minus an offset
        return None


def _field(entry: Any, key: str) -> Any:
    """A key as feedparser stored it: its own `get` maps a missing `updated` to
    `published` (feedparser issue 310, with a DeprecationWarning), which would
    make every RSS date look like a modification date."""
    return dict.get(entry, key) if isinstance(entry, dict) else None


def _detail_text(entry: Any, key: str) -> str | None:
    """An entry's title or summary as plain text (feedparser keeps HTML as HTML)."""
    value = _field(entry, key)
    detail = _field(entry, f"{key}_detail") or {}
    if detail.get("type") == "text/plain":
        return _text(value)
    return _plain_text(value)


def _plain_text(markup: Any) -> str | None:
    """The text of an HTML fragment, blocks separated by spaces, whitespace collapsed."""
    if not isinstance(markup, str) or not markup.strip():
        return None
    if "<" not in markup and "&" not in markup:
        return _text(markup)
    try:
        with lxml_section():  # lxml.html's shared parser: see extractors.htmlparse
            root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.LxmlError, ValueError):
        return _text(markup)
    for element in list(root.iter(etree.Element)):  # elements only: no comments or PIs
        if element.tag in ("script", "style"):
            element.drop_tree()
        elif element.tag in _BLOCK_TAGS:
            element.tail = " " + (element.tail or "")
    return _text(root.text_content())


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    collapsed = _SPACE.sub(" ", value).strip()
    return collapsed or None


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _utc(when: Any) -> datetime | None:
    """feedparser's parsed date (a UTC `struct_time`) as an aware datetime."""
    if not isinstance(when, struct_time):
        return None
    try:
        return datetime(*when[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _charset(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _lstrip(data: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if data.startswith(bom):
            return data[len(bom) :].lstrip()
    return data.lstrip()
