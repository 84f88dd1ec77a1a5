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
Likewise for formatting tags left open (`<b>`, `<font>`, `<a>`...): an HTML5
parser reopens every one of them in each new paragraph, so 1,000 of them
over 1,000 paragraphs cost 0.7 s and 206 MiB, 3,000 cost 6.4 s and 1.9 GB.
Real pages leave at most 58 open (extraction-dev); a page leaving more than
`MAX_UNCLOSED` is not given to resiliparse either (`unclosed_formatting`,
about 0.5 ms a page). lxml's own tree stays flat on such a page.
"""

from __future__ import annotations

import logging
import re
from typing import Final

__all__ = ["MAX_NESTING", "MAX_UNCLOSED", "resiliparse_text", "unclosed_formatting"]

logger = logging.getLogger(__name__)

MAX_NESTING: Final = 200  # levels; 1,000 nested <div>s cost resiliparse 19 ms, 4,000 cost 160
MAX_UNCLOSED: Final = 200  # formatting tags left open; 250 over 250 paragraphs cost 40 ms
# HTML5's formatting elements, the ones its parser reconstructs
_FORMATTING: Final = "(?:a|b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u)"
_OPENED: Final = re.compile(rf"<{_FORMATTING}[\s>/]", re.IGNORECASE)
_CLOSED: Final = re.compile(rf"</{_FORMATTING}[\s>]", re.IGNORECASE)


def resiliparse_text(html: str) -> str:
    """The page's main content as resiliparse sees it ("" when it fails)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    try:
        return str(extract_plain_text(HTMLTree.parse(html), main_content=True))
    except Exception as exc:  # a C++ extension: any failure means no opinion
        logger.debug("resiliparse failed: %s", exc)
        return ""


def unclosed_formatting(html: str) -> int:
    """How many more formatting tags the page opens than it closes."""
    return len(_OPENED.findall(html)) - len(_CLOSED.findall(html))
