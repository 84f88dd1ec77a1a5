"""Lines a long declared `articleBody` disowns leave trafilatura's body (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.declared import HEADING_WORDS, MIN_DECLARED_WORDS, trim_to_declared
from extractors.records import ExtractionMethod, ParsedArticle
from tests.support.labelled import plain_and_full

STORY = " ".join(f"word{i}" for i in range(3 * MIN_DECLARED_WORDS))  # the promo: under 0.1
TEASER = " ".join(f"lead{i}" for i in range(MIN_DECLARED_WORDS - 10))
PITCH = "Sign up now for our weekly quiz newsletter"  # over HEADING_WORDS words
PROMO = "Take our quick quiz to discover the perfect learning plan for your child today."


def _bodies(corpus: Path, key: str) -> tuple[list[str], ParsedArticle]:
    """trafilatura's own lines for the page, and what `extract_html` hands on."""
    plain, full = plain_and_full(corpus, key)
    return plain.body.split("\n\n"), full


@pytest.mark.parametrize(
    ("key", "opening"),
    [
        ("wcxb-dev-0050", "Rebecca Norris is a full-time freelance writer"),  # veranda.com bio
        ("wcxb-dev-1821", "Amanda Furrer, Editor, Running Reviews"),  # runnersworld.com bio
        ("wcxb-dev-0475", "Listen to this article in summarized format"),  # indiatimes.com
    ],
)
def test_a_line_the_declared_body_disowns_leaves(corpus: Path, key: str, opening: str) -> None:
    """A line trafilatura keeps but the page's long articleBody lacks is not in the body."""
    plain, full = _bodies(corpus, key)
    assert any(line.startswith(opening) for line in plain)
    assert full.extraction_method is ExtractionMethod.TRAFILATURA
    assert not any(line.startswith(opening) for line in full.body.split("\n\n"))


@pytest.mark.parametrize(
    ("key", "kept"),
    [
        ("wcxb-dev-0475", "2. Heart health benefits"),  # a subheading the publisher left out
        ("wcxb-dev-1789", "FAQ"),  # epam.com: articleBody stops before the FAQ (coverage 0.86)
        ("wcxb-dev-1789", "- How does big data improve operational efficiency in retail?"),
    ],
)
def test_headings_and_text_past_a_truncated_declared_body_stay(
    corpus: Path, key: str, kept: str
) -> None:
    """Short lines always stay, and a declared body that stops early judges nothing."""
    plain, full = _bodies(corpus, key)
    assert kept in plain
    assert kept in full.body.split("\n\n")


@pytest.mark.parametrize(
    ("lines", "declared", "expected"),
    [
        ([STORY, PROMO], STORY, [STORY]),  # the promo shares nothing with the declared story
        ([STORY, "Heading the story left out"], STORY, [STORY, "Heading the story left out"]),
        ([TEASER, PITCH], TEASER, [TEASER, PITCH]),  # under MIN_DECLARED_WORDS: judges nothing
        ([TEASER + " " + STORY, PITCH], TEASER + " " + STORY, [TEASER + " " + STORY]),
        ([STORY, PROMO], "", [STORY, PROMO]),  # no declared body
        ([PROMO, PROMO], STORY, [PROMO, PROMO]),  # holds nothing of the body: not trusted
        ([], STORY, []),
    ],
)
def test_trim_to_declared(lines: list[str], declared: str, expected: list[str]) -> None:
    """Only a long declared body holding most of the body removes the lines it lacks."""
    assert trim_to_declared(lines, declared) == expected


def test_a_heading_is_at_most_heading_words_long() -> None:
    """The heading guard is by word count: one word more and the line is judged."""
    heading = " ".join(["Subheading"] * HEADING_WORDS)
    longer = " ".join(["Promotional"] * (HEADING_WORDS + 1))
    assert trim_to_declared([STORY, heading, longer], STORY) == [STORY, heading]
