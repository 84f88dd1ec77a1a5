"""resiliparse's main-content text: a cheap witness for the fallbacks' evidence.

Issue 14: a vote of several extractors beat each of them (Bevendorff et al.,
"An Empirical Comparison of Web Content Extraction Algorithms", SIGIR 2023).
resiliparse (lexbor's parser and its own main-content rules, in C++) costs
about 4 ms a page on extraction-dev, against about 90 ms for readability and
60 ms for jusText, so it is the one asked first. It parses the page text
itself and never touches lxml, so it needs no `lxml_section()`. Imported on
first use: most pages never need it (`extractors.fallback`).
"""

from __future__ import annotations

import logging

__all__ = ["resiliparse_text"]

logger = logging.getLogger(__name__)


def resiliparse_text(html: str) -> str:
    """The page's main content as resiliparse sees it ("" when it fails)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    try:
        return str(extract_plain_text(HTMLTree.parse(html), main_content=True))
    except Exception as exc:  # a C++ extension: any failure means no opinion
        logger.debug("resiliparse failed: %s", exc)
        return ""
