"""Field normalisers: text, URLs, authors, timestamps.

Each is a pure function that is idempotent and never raises on arbitrary
input (pinned by hypothesis tests), so a strange field degrades to `None` or
an empty value instead of crashing a batch.
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import courlan
from dateutil import parser as date_parser

__all__ = [
    "Timestamp",
    "canonical_url",
    "clean_title",
    "domain_of",
    "normalise_authors",
    "normalise_body",
    "normalise_line",
    "parse_timestamp",
    "word_count",
]

# Unicode white space other than the line breaks that carry structure.
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Lone surrogates (JSON allows "\\ud800") cannot be stored as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def normalise_line(text: str) -> str:
    """NFC, no zero-width characters or lone surrogates, single spaces, stripped."""
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text)))
    return _INLINE_SPACE.sub(" ", text.replace("\n", " ")).strip()


def normalise_body(text: str) -> str:
    """Paragraphs separated by exactly one blank line; each paragraph one line.

    A single line break inside a paragraph is a hard wrap, not structure, so
    it becomes a space.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (normalise_line(p) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer,
# Myanmar. Each character counts as a word there, the convention word
# processors use for East Asian text; elsewhere a word is a run of letters
# or digits.
_UNSPACED = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
)
_WORD = re.compile(f"[{_UNSPACED}]|[^\\W{_UNSPACED}]+")


def word_count(text: str) -> int:
    """Words in `text`, counting each character of unspaced scripts as a word."""
    return len(_WORD.findall(text))


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no fragment, no tracking parameters.

    courlan (a trafilatura dependency) drops `utm_*`, `fbclid`, `gclid` and
    friends and normalises the rest; its strict mode would also drop ordinary
    query parameters that identify a story, so we use the lenient one and
    remove the fragment ourselves. Anything but http(s) is not a web URL and
    gives `None`.
    """
    if not url or not url.strip():
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        normalised = courlan.normalize_url(url, strict=False)
        parts = urlsplit(normalised)
        result = urlunsplit(
            (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
        )
    except (ValueError, UnicodeError):
        return None
    return result


def domain_of(url: str | None) -> str | None:
    """Host of a URL without a leading `www.`, lower-case."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


_BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|por|par|di|door|av)\s*[:\-]?\s+", re.IGNORECASE)
# Not split on Spanish "y" or French "et": they join double surnames
# ("José Ortega y Gasset") as often as two authors.
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||&|\band\b|\bund\b)\s*", re.IGNORECASE)
_MAX_AUTHOR_LENGTH = 100
# CMS placeholders that are not anybody's name (seen in the corpus: "No Author").
NOT_AUTHORS = frozenset({"no author", "unknown", "anonymous", "admin", "administrator", "n/a"})
# A host name is no author either (newspaper4k's metadata has "www.facebook.com").
_HOSTNAME = re.compile(r"^(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:/\S*)?$", re.IGNORECASE)


def normalise_authors(values: tuple[str, ...] | list[str] | str | None) -> tuple[str, ...]:
    """A clean, de-duplicated list of names: no "By", split on "and" and commas."""
    if values is None:
        return ()
    raw = [values] if isinstance(values, str) else list(values)
    names: list[str] = []
    seen: set[str] = set()
    for value in raw:
        if not isinstance(value, str):
            continue
        for part in _AUTHOR_SPLIT.split(_BYLINE_PREFIX.sub("", normalise_line(value))):
            name = _BYLINE_PREFIX.sub("", part).strip(" .,;:-–—")
            key = name.casefold()
            if (
                name
                and len(name) <= _MAX_AUTHOR_LENGTH
                and key not in seen
                and key not in NOT_AUTHORS
                and not _HOSTNAME.match(name)
            ):
                seen.add(key)
                names.append(name)
    return tuple(names)


@dataclass(frozen=True, slots=True)
class Timestamp:
    """A moment in UTC and the UTC offset it was written with (minutes east).

    `utc_offset_minutes` is `None` when the source gave no offset; such a
    time is read as UTC, which is the convention of feeds and sitemaps.
    """

    utc: datetime
    utc_offset_minutes: int | None


_EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)

# Zone abbreviations with one meaning in news metadata. Ambiguous ones (CST:
# US Central or China; IST: India, Ireland or Israel) are deliberately absent:
# a timestamp naming an unknown zone is refused rather than read as UTC.
ZONE_ABBREVIATIONS: dict[str, int] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -5 * 3600, "EDT": -4 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
    "MST": -7 * 3600, "MDT": -6 * 3600, "CDT": -5 * 3600,
    "BST": 3600, "CET": 3600, "CEST": 2 * 3600, "EET": 2 * 3600, "EEST": 3 * 3600,
    "MSK": 3 * 3600, "JST": 9 * 3600, "KST": 9 * 3600, "HKT": 8 * 3600,
    "AEST": 10 * 3600, "AEDT": 11 * 3600,
}  # fmt: skip
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
# Two different defaults: a field dateutil filled in differs between them.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


def parse_timestamp(value: str | datetime | None) -> Timestamp | None:
    """An ISO 8601, RFC 2822 or similar timestamp -> UTC plus its original offset.

    A value missing its year, month or day ("June 2019", "Friday") or naming
    an unknown time zone gives None: dateutil would otherwise fill the gap
    from today's date or silently read the zone as UTC.
    """
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else _parse_text(value)
    if moment is None:
        return None
    try:
        offset = moment.utcoffset()
        if offset is None:
            utc, minutes = moment.replace(tzinfo=UTC), None
        else:
            utc, minutes = moment.astimezone(UTC), int(offset.total_seconds() // 60)
    except (OverflowError, ValueError):  # offsets of a day or more, dates near year 1
        return None
    if not _EARLIEST <= utc < _LATEST:
        return None
    return Timestamp(utc=utc, utc_offset_minutes=minutes)


def _parse_text(value: str) -> datetime | None:
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        return datetime.fromisoformat(text)  # the common case, and exact
    except ValueError:
        pass
    if _RFC2822.match(text):  # as in RSS; email.utils misreads looser forms
        try:
            return email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", date_parser.UnknownTimezoneWarning)
            first, second = (
                date_parser.parse(text, default=d, tzinfos=ZONE_ABBREVIATIONS) for d in _DEFAULTS
            )
    except (ValueError, OverflowError, TypeError, date_parser.UnknownTimezoneWarning):
        return None
    if first.date() != second.date():
        return None
    return first


_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·•-]\s+|\s*\|\s*|\s+::\s+")


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def clean_title(title: str | None, *, site_name: str | None, domain: str | None) -> str | None:
    """The headline without the site's name glued to it ("Story | The Japan Times").

    Only a leading or trailing segment that names the site (its `site_name`
    or its domain) is dropped, so a headline with a colon or dash keeps them.
    """
    if not title:
        return None
    title = normalise_line(title)
    names = {_alnum(site_name or "")}
    if domain:
        names |= {_alnum(domain), _alnum(domain.rsplit(".", 1)[0])}
    names.discard("")
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2 or not names:
        return title or None

    def names_site(part: str) -> bool:
        key = _alnum(part)
        return not key or key in names or any(n.startswith(key) and len(key) >= 2 for n in names)

    start, end = 0, len(parts)
    while end - start > 1 and names_site(parts[end - 1]):
        end -= 1
    while end - start > 1 and names_site(parts[start]):
        start += 1
    if (start, end) == (0, len(parts)):
        return title
    # Re-cut the original string so separators inside the kept part survive.
    kept = [m for m in _TITLE_SEPARATORS.finditer(title)]
    begin = kept[start - 1].end() if start > 0 else 0
    finish = kept[end - 1].start() if end < len(parts) else len(title)
    return title[begin:finish].strip() or title
