"""Plain-text article -> ParsedArticle.

A `.txt` article is paragraphs separated by blank lines. It carries no
markup saying what its title is, so a title is taken only from the caller's
hints or from a first line that is unmistakably a headline; a wrong title is
worse than none, because downstream dedup and search trust it. Whitespace is
kept as found (normalisation is `transforms`' job) except blank lines at the
edges.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractors.records import ExtractionMethod, Metadata, ParsedArticle

__all__ = ["headline", "parse_text", "trim_blank_lines"]

_MAX_HEADLINE_WORDS = 20
_MAX_HEADLINE_CHARS = 200
# A line ending like a sentence, a clause or a quotation is body text.
_TERMINAL = tuple(".!?:;,\u2026\"'\u201d\u2019\u00bb")
_BYLINE = re.compile(r"(?i)by\s")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t\r\f\v]*\n)+")
_TRAILING_BLANK_LINES = re.compile(r"(?:\r?\n[ \t\r\f\v]*)+\Z")


def parse_text(text: str, *, locator: str, hints: Metadata) -> ParsedArticle:
    """The article in `text`; its title from `hints`, else from a clear headline line."""
    body = trim_blank_lines(text)
    title = hints.title if hints.title and hints.title.strip() else None
    first, rest = _split_first_paragraph(body)
    if title is None:
        title = headline(body)
        if title is not None:
            body = rest
    elif first.strip() == title.strip() and rest:
        body = rest  # the file repeats the title it was given: keep it once
    return ParsedArticle(
        locator=locator,
        body=body,
        metadata=replace(hints, title=title),
        extraction_method=ExtractionMethod.PLAIN_TEXT,
    )


def headline(text: str) -> str | None:
    """The first line of `text` if it is clearly a headline, else None.

    Clearly: a one-line first paragraph followed by more paragraphs, of at
    most 20 words, not ending like a sentence or a quotation, not a byline.
    """
    first, rest = _split_first_paragraph(trim_blank_lines(text))
    line = first.strip()
    if not rest or not line or len(first.splitlines()) != 1:
        return None
    words = line.split()
    if not 2 <= len(words) <= _MAX_HEADLINE_WORDS or len(line) > _MAX_HEADLINE_CHARS:
        return None
    if line.endswith(_TERMINAL) or _BYLINE.match(line):
        return None
    return line


def trim_blank_lines(text: str) -> str:
    """`text` without blank lines before its first or after its last text line."""
    if not text.strip():
        return ""
    text = _LEADING_BLANK_LINES.sub("", text)
    return _TRAILING_BLANK_LINES.sub("", text)


def _split_first_paragraph(text: str) -> tuple[str, str]:
    """(first paragraph, the rest without its leading blank lines)."""
    parts = _PARAGRAPH_BREAK.split(text, maxsplit=1)
    if len(parts) == 1:
        return text, ""
    return parts[0], trim_blank_lines(parts[1])
