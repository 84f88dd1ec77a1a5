"""A second opinion on the main text when trafilatura finds too little, taken only on evidence.

Issue 5, "Fallback": before a page that clearly holds an article is rejected
or kept with a stub, the publisher's JSON-LD `articleBody` and two other
maintained extractors, readability-lxml (Arc90's scoring of content blocks)
and jusText (paragraph classification by stop-word and link density), are
asked. Issue 14, "No bet that can lose a page": a longer body is no evidence
that trafilatura missed the article (on an unseen set, jusText replaced two
right bodies with five times the words of page furniture, page F1 1.00 ->
0.29). A replacement is taken only when at least `MIN_SUPPORT` of what it
adds to trafilatura's body is also found by an independent witness
(`extractors.evidence`):

- the JSON-LD body needs resiliparse's main content to show what it adds
  (the publisher's own text, and it is on the page);
- readability's body needs jusText's or the JSON-LD body, and jusText's
  needs readability's or the JSON-LD body. resiliparse is no witness here:
  on the tune half it backed the page furniture jusText took on two pages
  (page F1 0.68 -> 0.22 and 1.00 -> 0.54), and a right body on one.

Both extractors run only below `SHORT_BODY_WORDS` and only when resiliparse
(about 4 ms a page) finds `MIN_RATIO` times trafilatura's words, because they
are slow (90 and 60 ms a page, against about 35 ms for the whole pipeline):
10 of the tune half's 407 pages. Both read a deep copy of the tree
`extract_html` parsed (both modify the tree they are given), so a page is
decoded and parsed once (issue 13).

Thresholds from the tune half of `extraction-dev` (`bench/precision_fallback.py`):
below 500 words at twice the words, with half the addition backed, the
guarded fallbacks take 3 pages and gain F1 +0.0043 there, as much as the
length-only rule (below 200 words at 5 times) did, without its bet; below
200 at 5 times they gained +0.0034, and at 3 times +0.0034. On the
validation half they take 2 pages, gain as much as the length-only rule and
leave no page more than 0.10 F1 worse than trafilatura's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
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

from extractors.evidence import MIN_SUPPORT, added_support
from extractors.htmlparse import html_parser
from extractors.records import ExtractionMethod

__all__ = [
    "DECLARED_RATIO",
    "MAX_JUSTEXT_PARAGRAPHS",
    "MIN_RATIO",
    "MIN_WORDS",
    "SHORT_BODY_WORDS",
    "Witnesses",
    "second_opinion",
    "supported_replacement",
    "worth_a_second_opinion",
]

logger = logging.getLogger(__name__)

SHORT_BODY_WORDS: Final = 500  # below this, trafilatura's answer gets a second opinion
MIN_RATIO: Final = 2.0  # a fallback must find this many times trafilatura's words
MIN_WORDS: Final = 50  # and at least this many words
# The JSON-LD body is asked at any length: on extraction-dev, 25 pages declare a
# body; at 1.5 times trafilatura's words it replaces two bodies where
# trafilatura kept a fifth of the story (recall 0.21 -> 0.97 and 0.28 -> 0.92).
DECLARED_RATIO: Final = 1.5
# jusText's revision of short paragraphs looks for neighbours one by one: a page
# of 7,000 short paragraphs cost 5 s. Real pages have at most about 1,500.
MAX_JUSTEXT_PARAGRAPHS: Final = 3000

_BLOCKS: Final = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "td")
# ISO 639-1 codes to jusText's stop-list names, for the languages of our sources;
# any other language uses the union of all its lists.
_STOPLISTS: Final = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "sv": "Swedish",
    "da": "Danish", "fi": "Finnish", "cs": "Czech", "tr": "Turkish", "id": "Indonesian",
    "uk": "Ukrainian", "ro": "Romanian", "hu": "Hungarian", "el": "Greek", "hi": "Hindi",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Witnesses:
    """What the page says besides trafilatura, known before any fallback runs."""

    declared: str = ""  # the JSON-LD articleBody
    resiliparse: str = ""  # resiliparse's main content


def second_opinion(
    tree: HtmlElement, body: str, *, language: str | None, witnesses: Witnesses
) -> tuple[str, ExtractionMethod] | None:
    """A replacement for trafilatura's `body` backed by evidence, or None to keep it.

    `tree` is the page as `extractors.htmlparse.parse_html` gave it; it is
    left unchanged. Paragraphs in the result are separated by blank lines,
    like `extract_html`'s.
    """
    found = _declared(body, witnesses)
    current = found[0] if found else body
    return _extractors(tree, current, language, witnesses) or found


def worth_a_second_opinion(body: str, declared: str) -> bool:
    """Whether trafilatura's `body` is short, or the JSON-LD body long enough to be asked."""
    words = len(body.split())
    return words < SHORT_BODY_WORDS or _long_enough(declared, body)


def _long_enough(declared: str, body: str) -> bool:
    return len(declared.split()) >= max(MIN_WORDS, DECLARED_RATIO * len(body.split()))


def supported_replacement(
    body: str, candidates: Mapping[ExtractionMethod, str], declared: str = ""
) -> tuple[str, ExtractionMethod] | None:
    """The first candidate long enough whose addition another candidate or `declared` backs."""
    need = max(MIN_WORDS, MIN_RATIO * len(body.split()))
    for method, candidate in candidates.items():
        if len(candidate.split()) < need:
            continue
        others = [text for other, text in candidates.items() if other is not method]
        if added_support(candidate, body, [*others, declared]).share >= MIN_SUPPORT:
            return candidate, method
    return None


def _declared(body: str, witnesses: Witnesses) -> tuple[str, ExtractionMethod] | None:
    declared = witnesses.declared
    if not _long_enough(declared, body):
        return None
    support = added_support(declared, body, [witnesses.resiliparse])
    return (declared, ExtractionMethod.JSONLD) if support.share >= MIN_SUPPORT else None


def _extractors(
    tree: HtmlElement, body: str, language: str | None, witnesses: Witnesses
) -> tuple[str, ExtractionMethod] | None:
    words = len(body.split())
    if words >= SHORT_BODY_WORDS:
        return None
    if len(witnesses.resiliparse.split()) < max(MIN_WORDS, MIN_RATIO * words):
        return None  # the cheap extractor sees no more text either
    runs: tuple[tuple[ExtractionMethod, Callable[[], str]], ...] = (
        (ExtractionMethod.READABILITY, lambda: _readability(tree)),
        (ExtractionMethod.JUSTEXT, lambda: _justext(tree, language)),
    )
    candidates = {method: _run(method, run) for method, run in runs}
    return supported_replacement(body, candidates, witnesses.declared)


def _run(method: ExtractionMethod, run: Callable[[], str]) -> str:
    try:
        return run()
    except Exception as exc:  # both raise assorted lxml and parser errors on odd markup
        logger.debug("%s failed: %s", method, exc)
        return ""


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
    if len(paragraphs) > MAX_JUSTEXT_PARAGRAPHS:
        return ""  # no opinion: its revision pass is quadratic in runs of short paragraphs
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
