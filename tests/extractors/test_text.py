"""extractors.text: plain-text articles, and never inventing a title."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.records import ExtractionMethod, Metadata
from extractors.text import headline, parse_text, trim_blank_lines

HEADLINE = "Japan and China hold talks on North Korea"


def test_seed_has_no_title_and_keeps_every_line(seed_path: Path) -> None:
    """The seed opens with a long sentence ending in '.', so it gets no title and loses no line."""
    text = seed_path.read_text(encoding="utf-8")
    article = parse_text(text, locator=str(seed_path), hints=Metadata(source="seed"))
    assert article.metadata.title is None
    assert article.body == text.strip("\n")
    assert article.body.splitlines() == text.strip("\n").splitlines()
    assert article.extraction_method is ExtractionMethod.PLAIN_TEXT
    assert article.locator == str(seed_path)
    assert article.metadata.source == "seed"


def test_headline_line_becomes_title_and_leaves_body(seed_path: Path) -> None:
    """A short unpunctuated first line followed by paragraphs is the title, not body."""
    story = seed_path.read_text(encoding="utf-8").strip("\n")
    article = parse_text(f"\n{HEADLINE}\n\n{story}\n", locator="a.txt", hints=Metadata())
    assert article.metadata.title == HEADLINE
    assert article.body == story


def test_hint_title_wins_and_is_not_repeated_in_body() -> None:
    """A title from hints is used; a first paragraph equal to it is dropped from the body."""
    text = f"{HEADLINE}\n\nFirst paragraph.\n\nSecond paragraph."
    article = parse_text(text, locator="a.txt", hints=Metadata(title=HEADLINE))
    assert article.metadata.title == HEADLINE
    assert article.body == "First paragraph.\n\nSecond paragraph."


def test_hint_title_leaves_a_different_first_line_in_body() -> None:
    """With a hint title, the file's own first line stays in the body."""
    text = "Some other first line\n\nBody paragraph."
    article = parse_text(text, locator="a.txt", hints=Metadata(title="Given title"))
    assert article.metadata.title == "Given title"
    assert article.body == text


@pytest.mark.parametrize(
    "first",
    [
        pytest.param("The talks ended.", id="full-stop"),
        pytest.param("Will the talks go ahead?", id="question"),
        pytest.param("What was agreed:", id="colon"),
        pytest.param("Officials said;", id="semicolon"),
        pytest.param("\u201cWe are ready to talk\u201d", id="closing-quote"),
        pytest.param("By Jane Doe", id="byline"),
        pytest.param("Politics", id="one-word"),
        pytest.param(" ".join(["word"] * 21), id="21-words"),
        pytest.param("Two line\nfirst paragraph", id="two-lines"),
    ],
)
def test_non_headline_first_paragraph_stays_body(first: str) -> None:
    """Sentences, quotations, bylines, single words and long lines are not titles."""
    text = f"{first}\n\nThe body of the story follows here."
    article = parse_text(text, locator="a.txt", hints=Metadata())
    assert article.metadata.title is None
    assert article.body == text


def test_single_paragraph_has_no_title() -> None:
    """A headline-like line with nothing after it is the whole article, not a title."""
    article = parse_text(HEADLINE, locator="a.txt", hints=Metadata())
    assert (article.metadata.title, article.body) == (None, HEADLINE)


def test_whitespace_kept_except_blank_edge_lines() -> None:
    """CRLF, indentation and inner blank lines stay; only blank lines at the edges go."""
    text = "\r\n  \n  Indented line.\r\nNext line.\r\n\r\n\r\nLast   line.  \r\n \n"
    assert parse_text(text, locator="a.txt", hints=Metadata()).body == (
        "  Indented line.\r\nNext line.\r\n\r\n\r\nLast   line.  "
    )


@pytest.mark.parametrize("text", ["", "\n\n", "  \n\t\n"])
def test_blank_text_trims_to_empty(text: str) -> None:
    """Blank input gives an empty body (the file reader rejects it as EMPTY_BODY)."""
    assert trim_blank_lines(text) == ""


_LINES = st.lists(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
    | st.sampled_from(["", HEADLINE, "A sentence.", "By Jane Doe"]),
    max_size=8,
)


@given(_LINES.map("\n".join))
def test_title_is_none_or_a_line_of_the_input(text: str) -> None:
    """parse_text never raises and its title is None or one of the input's lines, stripped."""
    article = parse_text(text, locator="a.txt", hints=Metadata())
    title = article.metadata.title
    assert title is None or title in [line.strip() for line in text.splitlines()]
    assert title == headline(text)


@given(_LINES.map("\n".join))
def test_no_text_is_lost_but_the_title(text: str) -> None:
    """Every non-blank line of the input is in the body, or is the title."""
    article = parse_text(text, locator="a.txt", hints=Metadata())
    kept = [*article.body.splitlines(), article.metadata.title or ""]
    for line in text.splitlines():
        if line.strip():
            assert line in kept or line.strip() == article.metadata.title
