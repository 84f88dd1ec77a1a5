"""A closing "Read This Next"-like section is cut from trafilatura's body (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.furniture import PageMarks, closing_candidates, trim_closing_section
from tests.support.labelled import plain_and_full


def _bodies(corpus: Path, key: str) -> tuple[list[str], list[str]]:
    """The page's body lines without and with the pipeline's fallbacks and cut."""
    plain, full = plain_and_full(corpus, key)
    return plain.body.split("\n\n"), full.body.split("\n\n")


@pytest.mark.parametrize(
    ("key", "heading"),
    [
        ("wcxb-dev-0331", "Read This Next"),  # globaltravelerusa.com: teasers to other stories
        ("wcxb-dev-4526", "Explore more"),  # logitech.com: links to other guides
        ("wcxb-dev-4605", "You’ll Also Love..."),  # paigebrunton.com: other posts
    ],
)
def test_a_closing_section_the_page_heads_and_links_is_cut(
    corpus: Path, key: str, heading: str
) -> None:
    """The body ends before a named closing heading followed by the page's links."""
    plain, full = _bodies(corpus, key)
    at = plain.index(heading)
    assert full == plain[:at]


def test_a_closing_heading_followed_by_paragraphs_stays(corpus: Path) -> None:
    """councilforrelationships.org: "More from CFR" is followed by prose, not links: no cut."""
    plain, full = _bodies(corpus, "wcxb-dev-0156")
    assert "More from CFR" in plain
    assert full == plain


def test_only_a_whole_heading_names_a_closing_section() -> None:
    """A sentence that opens with a section word, and the first line, are never candidates."""
    assert not closing_candidates(["Related research shows the effect is small."] * 2)
    assert not closing_candidates(["Related stories", "The article."])
    assert closing_candidates(["The article.", "Related stories:"])


def test_a_closing_heading_the_page_does_not_print_as_a_heading_stays() -> None:
    """The heading must be one of the page's `<h1>`-`<h6>` texts."""
    lines = ["The article.", "More news", "Other story"]
    links = frozenset({"other story"})
    assert trim_closing_section(lines, PageMarks(frozenset(), links)) == lines
    assert trim_closing_section(lines, PageMarks(frozenset({"more news"}), links)) == lines[:1]
