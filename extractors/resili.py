"""resiliparse's main-content text: the fallbacks' cheap witness, and skipped lines' source.

Issue 14: a vote of several extractors beat each of them (Bevendorff et al.,
"An Empirical Comparison of Web Content Extraction Algorithms", SIGIR 2023).
resiliparse (lexbor's parser and its own main-content rules, in C++) costs
about 4 ms a page on extraction-dev, against about 90 ms for readability and
60 ms for jusText, so it is the one asked first; its lines between two of
trafilatura's are the candidates `extractors.skipped` may put back. It parses the page text
itself and never touches lxml, so it needs no `lxml_section()`. Imported on
first use.

Its main-content rules take time quadratic in how deeply block elements
nest: a page of 16,000 nested `<div>`s costs 3.3 s, one of 100,000 (1.2 MB)
136 s, a hostile server's way to pin a worker. Real pages nest far less (at
most 46 levels on extraction-dev), so `extract_html` does not ask
resiliparse about a page its lxml tree shows nested `MAX_NESTING` deep.
"""

from __future__ import annotations

import logging
from typing import Final

__all__ = ["MAX_NESTING", "resiliparse_text"]

logger = logging.getLogger(__name__)

MAX_NESTING: Final = 200  # levels; 1,000 nested <div>s cost resiliparse 19 ms, 4,000 cost 160


def resiliparse_text(html: str) -> str:
    """The page's main content as resiliparse sees it ("" when it fails)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    try:
        return str(extract_plain_text(HTMLTree.parse(html), main_content=True))
    except Exception as exc:  # a C++ extension: any failure means no opinion
        logger.debug("resiliparse failed: %s", exc)
        return ""
