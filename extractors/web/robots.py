"""robots.txt, read once per host per run and obeyed (RFC 9309).

Parsing is protego's (Scrapy's maintained, RFC 9309-conformant parser:
longest match, group merging, `*` and `$`). This module adds what a parser
cannot know, the HTTP semantics of RFC 9309 section 2.3.1:

- a 4xx answer (404 included) means there is no robots.txt: allow all;
- a 5xx answer or an unreachable host means the file's content is unknown,
  so "the crawler MUST assume complete disallow" for this run.

The caller supplies `fetch_text(robots_url)`, returning the file's text,
`""` when the server says there is none (4xx), or `None` when it could not
be read (5xx, network error). That keeps HTTP (retries, SSRF checks,
politeness) in the fetcher and makes this module testable on plain files.

Rules are matched on our product token (`news-etl` in
`news-etl/0.1 (+https://example.org/bot)`), as RFC 9309 section 2.2.1 asks:
handing protego the whole User-Agent string would let a group for `bot`
match the `/bot` in our contact URL.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from protego import Protego

from extractors.decoding import decode
from extractors.errors import UndecodableError

__all__ = ["ROBOTS_MAX_BYTES", "RobotsCache", "product_token", "robots_text", "robots_url"]

logger = logging.getLogger(__name__)

# RFC 9309 section 2.5: crawlers must parse at least 500 KiB; what follows is ignored.
ROBOTS_MAX_BYTES = 512 * 1024
_TOKEN = re.compile(r"[A-Za-z_-]+")


class _DisallowAll:
    """Stands for a robots.txt that could not be read (RFC 9309 section 2.3.1.4)."""


_DISALLOW_ALL = _DisallowAll()


def robots_url(url: str) -> str:
    """The robots.txt governing `url`: same scheme, host and port."""
    parts = urlsplit(url)
    authority = parts.netloc.rpartition("@")[2].lower()  # never send userinfo along
    return f"{parts.scheme.lower()}://{authority}/robots.txt"


def product_token(user_agent: str) -> str:
    """The leading product token of a User-Agent (`news-etl` of `news-etl/0.1 (...)`)."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0) if match else user_agent


def robots_text(body: bytes, charset: str | None = None) -> str:
    """A robots.txt body as text, cut to the RFC's parsing limit.

    RFC 9309 says UTF-8, but real files carry UTF-16 BOMs (crawler-commons
    keeps such cases), so decoding goes through the shared decoder. Bytes
    that are not text at all read as an empty file: allow all.
    """
    if len(body) > ROBOTS_MAX_BYTES:
        body = body[: body.rfind(b"\n", 0, ROBOTS_MAX_BYTES) + 1]
    try:
        return decode(body, declared=charset)
    except UndecodableError as exc:
        logger.warning("robots.txt is not text (%s); treating it as empty", exc.detail)
        return ""


class RobotsCache:
    """robots.txt rules per scheme://host:port, fetched at most once per run; thread-safe."""

    def __init__(self, fetch_text: Callable[[str], str | None]) -> None:
        self._fetch_text = fetch_text
        self._guard = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._rules: dict[str, Protego | _DisallowAll] = {}

    def allowed(self, url: str, user_agent: str) -> bool:
        """Whether `user_agent` may fetch `url`; robots.txt itself is always allowed."""
        if urlsplit(url).path == "/robots.txt":
            return True
        rules = self._rules_for(url)
        if isinstance(rules, _DisallowAll):
            return False
        return bool(rules.can_fetch(url, product_token(user_agent)))

    def crawl_delay(self, host_url: str, user_agent: str) -> float | None:
        """Seconds the host asks between requests from `user_agent`, if it says."""
        rules = self._rules_for(host_url)
        if isinstance(rules, _DisallowAll):
            return None
        delay = rules.crawl_delay(product_token(user_agent))
        return None if delay is None else float(delay)

    def sitemaps(self, host_url: str) -> list[str]:
        """The host's `Sitemap:` URLs, absolute and without duplicates, in file order."""
        rules = self._rules_for(host_url)
        if isinstance(rules, _DisallowAll):
            return []
        base = robots_url(host_url)
        return list(dict.fromkeys(urljoin(base, url.strip()) for url in rules.sitemaps))

    def _rules_for(self, url: str) -> Protego | _DisallowAll:
        key = robots_url(url)
        with self._guard:
            if key in self._rules:
                return self._rules[key]
            lock = self._host_locks.setdefault(key, threading.Lock())
        with lock:  # one fetch per host, even when several threads ask at once
            with self._guard:
                if key in self._rules:
                    return self._rules[key]
            rules = self._load(key)
            with self._guard:
                self._rules[key] = rules
            return rules

    def _load(self, key: str) -> Protego | _DisallowAll:
        text = self._fetch_text(key)
        if text is None:
            logger.warning("%s could not be read; disallowing the host for this run", key)
            return _DISALLOW_ALL
        try:
            return Protego.parse(text)
        except Exception as exc:  # protego on hostile input: one host's file, not the run
            # RFC 9309 section 2.2: parse what can be parsed; a parser crash
            # leaves nothing usable, and refusing the host is the safe side.
            logger.warning("%s could not be parsed (%r); disallowing the host", key, exc)
            return _DISALLOW_ALL
