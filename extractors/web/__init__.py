"""Web sources: discovery from feeds and sitemaps, and the polite, guarded HTTP fetcher.

- `discovery`: feeds and sitemaps -> article URLs, then pages -> parsed articles.
- `feeds`, `sitemaps`, `safexml`: what a feed or sitemap lists; the XML safety check.
- `http`, `response`, `http_body`: the fetcher (redirects, robots, retries); what one
  response means; bodies decompressed under a cap, content types.
- `robots`, `politeness`, `netguard`: robots.txt, per-host spacing, the address guard.
- `fetch_many`: hosts in parallel, each host's URLs in order.
- `transience`: which fetch failures may pass on a later try.

The public names below are imported on first use (PEP 562), as in `extractors`:
`extractors.web.transience` is light, and importing it runs this file first,
which would otherwise load requests, protego and trafilatura.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.lazy import lazy_exports

if TYPE_CHECKING:
    from extractors.web.discovery import Discovery, discover, page_to_article
    from extractors.web.http import Fetcher, is_transient

__all__ = ["Discovery", "Fetcher", "discover", "is_transient", "page_to_article"]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "extractors.web.discovery": ("Discovery", "discover", "page_to_article"),
    "extractors.web.http": ("Fetcher", "is_transient"),
}
if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error
    __getattr__, __dir__ = lazy_exports(globals(), _HOMES)
