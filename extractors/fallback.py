"""A second opinion on the main text when trafilatura finds nothing or too little.

Issue 5, "Fallback": before a page that clearly holds an article is rejected
or kept with a stub, two other maintained extractors are tried in turn,
readability-lxml (Arc90's scoring of content blocks) and jusText (paragraph
classification by stop-word and link density). A fallback body is taken only
when it is clearly longer than trafilatura's: `MIN_RATIO` times the words and
at least `MIN_WORDS`. Both run only below `SHORT_BODY_WORDS`, because they
are slow (90 and 60 ms a page on `extraction-dev`, measured, against about
35 ms for the whole pipeline) and a long trafilatura body is rarely a miss:
25 of the corpus's 828 pages (1.4 ms a page on average).

Both read a deep copy of the tree `extract_html` parsed (both modify the tree
they are given), so a page is decoded and parsed once: on the shared corpus's
854 HTML pages, with the fallbacks forced, each gives exactly the text it gave
from the page's text, for 3-4% less CPU (issue 13).

Thresholds from the 791-page `extraction-dev` set (see the README's
"Extraction quality"): below 200 words, readability at 3 times the words
lifted recall on four pages without costing precision; lower ratios
also replaced good short bodies with longer navigation text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from copy import deepcopy
from functools import cache
from typing import Any, Final

import justext  # type: ignore[import-untyped]  # no stubs published
import lxml.html
from justext.core import (  # type: ignore[import-untyped]
    LENGTH_HIGH_DEFAULT,
    LENGTH_LOW_DEFAULT,
    MAX_HEADING_DISTANCE_DEFAULT,
    MAX_LINK_DENSITY_DEFAULT,
    NO_HEADINGS_DEFAULT,
    STOPWORDS_HIGH_DEFAULT,
    STOPWORDS_LOW_DEFAULT,
    ParagraphMaker,
    classify_paragraphs,
    preprocessor,
    revise_paragraph_classification,
)
from lxml.html import HtmlElement
from readability import Document  # type: ignore[import-untyped]  # no stubs published

from extractors.htmlparse import html_parser
from extractors.records import ExtractionMethod

__all__ = ["MIN_RATIO", "MIN_WORDS", "SHORT_BODY_WORDS", "fallback_body"]

logger = logging.getLogger(__name__)

SHORT_BODY_WORDS: Final = 200  # below this, trafilatura's answer gets a second opinion
MIN_RATIO: Final = 5.0  # a fallback must find this many times trafilatura's words
MIN_WORDS: Final = 50  # and at least this many words

_BLOCKS: Final = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "td")
# ISO 639-1 codes to jusText's stop-list names, for the languages of our sources;
# any other language uses the union of all its lists.
_STOPLISTS: Final = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "sv": "Swedish",
    "da": "Danish", "fi": "Finnish", "cs": "Czech", "tr": "Turkish", "id": "Indonesian",
    "uk": "Ukrainian", "ro": "Romanian", "hu": "Hungarian", "el": "Greek", "hi": "Hindi",
}  # fmt: skip


def fallback_body(
    tree: HtmlElement, *, found_words: int, language: str | None
) -> tuple[str, ExtractionMethod] | None:
    """A longer body from readability or jusText, or None to keep trafilatura's answer.

    `tree` is the page as `extractors.htmlparse.parse_html` gave it; it is
    left unchanged. `found_words` is how many words trafilatura's body has
    (0 for none); paragraphs in the result are separated by blank lines, like
    `extract_html`'s.
    """
    if found_words >= SHORT_BODY_WORDS:
        return None
    need = max(MIN_WORDS, MIN_RATIO * found_words)
    tries: tuple[tuple[ExtractionMethod, Callable[[], str]], ...] = (
        (ExtractionMethod.READABILITY, lambda: _readability(tree)),
        (ExtractionMethod.JUSTEXT, lambda: _justext(tree, language)),
    )
    for method, run in tries:
        try:
            body = run()
        except Exception as exc:  # both raise assorted lxml and parser errors on odd markup
            logger.debug("%s failed: %s", method, exc)
            continue
        if len(body.split()) >= need:
            return body, method
    return None


class _TreeDocument(Document):  # type: ignore[misc]  # readability is untyped
    """readability's Document over a parsed tree, given a fresh copy for each of its passes.

    Given a tree, readability edits that tree and, when its strict pass finds
    too little, starts its second pass on what the first left; given text, it
    parses again for each pass. A copy per pass keeps the text's behaviour.
    """

    def _parse(self, page: Any) -> Any:
        return super()._parse(deepcopy(page))


def _readability(tree: HtmlElement) -> str:
    summary = _TreeDocument(tree).summary(html_partial=True)
    root = lxml.html.fromstring(summary, parser=html_parser())
    paragraphs = (" ".join(block.text_content().split()) for block in root.iter(*_BLOCKS))
    return "\n\n".join(_outermost(p for p in paragraphs if p))


def _outermost(paragraphs: Iterable[str]) -> list[str]:
    """Paragraphs in order without consecutive repeats (a `li` holding a `p` yields both)."""
    out: list[str] = []
    for paragraph in paragraphs:
        if not out or paragraph not in out[-1]:
            out.append(paragraph)
    return out


def _justext(tree: HtmlElement, language: str | None) -> str:
    """`justext.justext` with its defaults, on a copy of the tree instead of the page's bytes."""
    code = (language or "").split("-")[0].lower()
    stoplist = justext.get_stoplist(_STOPLISTS[code]) if code in _STOPLISTS else _all_stopwords()
    paragraphs = ParagraphMaker.make_paragraphs(preprocessor(deepcopy(tree)))
    classify_paragraphs(
        paragraphs,
        stoplist,
        LENGTH_LOW_DEFAULT,
        LENGTH_HIGH_DEFAULT,
        STOPWORDS_LOW_DEFAULT,
        STOPWORDS_HIGH_DEFAULT,
        MAX_LINK_DENSITY_DEFAULT,
        NO_HEADINGS_DEFAULT,
    )
    revise_paragraph_classification(paragraphs, MAX_HEADING_DISTANCE_DEFAULT)
    kept = (p.text.strip() for p in paragraphs if not p.is_boilerplate)
    return "\n\n".join(text for text in kept if text)


@cache
def _all_stopwords() -> frozenset[str]:
    return frozenset(
        word for name in justext.get_stoplists() for word in justext.get_stoplist(name)
    )
