"""The cleaning thresholds a run starts from, in one light module.

`CleanSettings` and the site-learned boilerplate take their defaults from
here, and so do the CLI and the flows (through `flows/defaults.py`), without
importing the rule engine: `news-etl ingest --help` shows these values.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MIN_WORDS", "SITE_MIN_ARTICLES", "SITE_SHARE"]

# A body shorter than this after cleaning is rejected as too short: a teaser,
# a video page's caption or a paywall stub, not an article.
MIN_WORDS: Final = 20
# A paragraph in half of a source's articles is no part of any one story.
SITE_SHARE: Final = 0.5
# Below this many articles a share means little: with 2 articles, everything
# the two have in common would be 100% (two pages of one story, a template's
# section headings).
SITE_MIN_ARTICLES: Final = 10
