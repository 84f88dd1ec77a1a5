"""Web sources: discovery from feeds and sitemaps, and the polite, guarded HTTP fetcher.

- `discovery`: feeds and sitemaps -> article URLs, then pages -> parsed articles.
- `feeds`, `sitemaps`, `safexml`: what a feed or sitemap lists; the XML safety check.
- `http`, `http_body`: the fetcher; bodies decompressed under a cap, content types.
- `robots`, `politeness`, `netguard`: robots.txt, per-host spacing, the address guard.
- `fetch_many`: hosts in parallel, each host's URLs in order.
- `transience`: which fetch failures may pass on a later try.

The public names below are imported on first use (PEP 562), as in `extractors`:
`extractors.web.transience` is light, and importing it runs this file first,
which would otherwise load requests, protego and trafilatura.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.web.discovery import Discovery, discover, page_to_article
    from extractors.web.http import Fetcher, is_transient

__all__ = ["Discovery", "Fetcher", "discover", "is_transient", "page_to_article"]

# The module that defines each public name (the imports above, for the type checker).
_HOMES = {
    "extractors.web.discovery": ("Discovery", "discover", "page_to_article"),
    "extractors.web.http": ("Fetcher", "is_transient"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

if not TYPE_CHECKING:  # hidden from mypy, so a misspelt import is still an error

    def __getattr__(name: str) -> object:
        """Import a public name's module the first time the name is used, then keep it."""
        if name not in _HOME_OF:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(_HOME_OF[name]), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        """The loaded names and the public ones not loaded yet, for `dir()` and completion."""
        return sorted(set(globals()) | set(__all__))
