"""Lines trafilatura skipped inside the article come back on two witnesses (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.records import ExtractionMethod
from extractors.skipped import MIN_LINE_WORDS, find_gaps, gap_words, restore
from tests.support.labelled import DEV, plain_and_full

FIRST = "The council met on Tuesday evening to discuss the new budget for the town."
SECOND = "Members voted seven to two in favour of the plan after a long debate."
THIRD = "The mayor said the vote showed the town could agree on hard choices."
SKIPPED = "Three members asked for more money for the library and the swimming pool."
TEASER = "Read our guide to the best places to eat in the town this summer season."


def _other(*lines: str) -> str:
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("other", "gaps"),
    [
        (_other(FIRST, SKIPPED, SECOND), {0: [SKIPPED]}),  # between two of the body's lines
        (_other(TEASER, FIRST, SECOND), {}),  # before the first: page furniture's place
        (_other(FIRST, SECOND, THIRD, TEASER), {}),  # after the last
        (_other(FIRST, "Advertisement", SECOND), {}),  # under MIN_LINE_WORDS words
        (_other(FIRST, SKIPPED, TEASER, THIRD), {0: [SKIPPED, TEASER]}),  # in order, one anchor
        # a list item, written as trafilatura writes one
        (_other(FIRST, "• " + SKIPPED, SECOND), {0: ["- " + SKIPPED]}),
        ("", {}),
    ],
)
def test_find_gaps(other: str, gaps: dict[int, list[str]]) -> None:
    """Only lines missing from the body and lying inside it are candidates."""
    assert find_gaps([FIRST, SECOND, THIRD], other) == gaps


def test_a_candidate_goes_after_the_body_line_it_follows() -> None:
    """The anchor is the body line matching the other extractor's line before the gap."""
    assert find_gaps([FIRST, SECOND, THIRD], _other(FIRST, SECOND, SKIPPED, THIRD)) == {
        1: [SKIPPED]
    }


@pytest.mark.parametrize(
    ("witness", "expected"),
    [
        (_other(FIRST, SKIPPED, TEASER, SECOND), [FIRST, SKIPPED, TEASER, SECOND, THIRD]),
        (_other(FIRST, SKIPPED, SECOND), [FIRST, SKIPPED, SECOND, THIRD]),
        (_other(FIRST, SECOND), [FIRST, SECOND, THIRD]),  # the witness lacks both: they stay out
        (SKIPPED[: len(SKIPPED) // 3], [FIRST, SECOND, THIRD]),  # holds under half of it
    ],
)
def test_restore_puts_back_only_what_the_witness_holds(witness: str, expected: list[str]) -> None:
    gaps = find_gaps([FIRST, SECOND, THIRD], _other(FIRST, SKIPPED, TEASER, SECOND))
    assert gap_words(gaps) == len(SKIPPED.split()) + len(TEASER.split())
    assert restore([FIRST, SECOND, THIRD], gaps, witness) == expected


_LINE = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=MIN_LINE_WORDS + 4).map(" ".join)


@given(body=st.lists(_LINE, max_size=8), other=st.lists(_LINE, max_size=12), witness=_LINE)
def test_restore_only_adds_gap_lines_and_keeps_the_body_in_order(
    body: list[str], other: list[str], witness: str
) -> None:
    """Whatever the texts, the body's lines stay, in order, and only candidates are added."""
    gaps = find_gaps(body, "\n".join(other))
    out = restore(body, gaps, witness)
    remaining = iter(out)
    assert all(any(line == seen for seen in remaining) for line in body)  # a subsequence
    candidates = [line for run in gaps.values() for line in run]
    assert len(out) - len(body) <= len(candidates)
    assert all(line in body or line in candidates for line in out)
    assert all(0 <= anchor < len(body) for anchor in gaps)


@pytest.mark.parametrize(
    ("key", "opening"),
    [
        # lillieeatsandtells.com (tune half): the recipe blurbs between the headings
        ("wcxb-dev-4633", "These cilantro lime air fryer chicken tenderloins"),
        # c2es.org (tune half): a bulleted list of findings
        ("wcxb-dev-4519", "- Support for education and training should supplement"),
        # digitalocean.com (tune half): the key takeaways list
        ("wcxb-dev-2684", "- n8n supports complex logic, branching, error handling"),
    ],
)
def test_a_skipped_line_of_the_article_comes_back(corpus: Path, key: str, opening: str) -> None:
    """trafilatura's own body lacks the line, the pipeline's has it, and so do the labels."""
    plain, full = plain_and_full(corpus, key)
    assert not any(line.startswith(opening) for line in plain.body.split("\n\n"))
    assert full.extraction_method is ExtractionMethod.TRAFILATURA
    restored = [line for line in full.body.split("\n\n") if line.startswith(opening)]
    assert len(restored) == 1
    truth = json.loads((corpus / DEV / "ground-truth.json").read_text("utf-8"))[key]
    assert restored[0].removeprefix("- ")[:60] in truth["articleBody"]
