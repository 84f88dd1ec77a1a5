"""Lines trafilatura skipped inside the article, put back when two other extractors hold them.

Issue 14, "more precision without losing recall". On the labelled pages, the
pipeline's body lacks about 5% of the labelled text's 4-word shingles, and
two thirds of that is in resiliparse's main content. Where it sits there
matters: a line resiliparse puts *between* two lines of trafilatura's body
is a paragraph, list or quote trafilatura passed over in the middle of the
article, not the navigation around it. Being there is not enough on its own
(adding every such line of five words or more lost F1 0.0028 on the tune
half: captions, "Advertisement", teasers in the flow of the text), so a line
comes back only when trafilatura itself, asked again with `favor_recall`,
holds it too: two extractors that work differently, agreeing, are the
witness (`extractors.evidence`). The pair is what works: resiliparse's
interior lines backed by readability or jusText instead, or trafilatura's
`favor_recall` lines without resiliparse's, lost precision or F1 on the tune
half.

Measured with `bench/precision_skipped.py` on extraction-dev (thresholds
chosen on the tune half): tune F1 +0.004 (precision +0.0005, recall
+0.008), 30 of 407 pages changed, the worst by -0.010; validation likewise
(figures in docs/quality.md). The second trafilatura run costs about as much
as the first (10-18 ms a page), so it runs only when resiliparse (about 2
ms) shows at least `MIN_GAP_WORDS` words in such gaps: on about a third of
the pages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Final

from extractors.evidence import Shingles, shingles

__all__ = [
    "MIN_GAP_WORDS", "MIN_HELD", "MIN_LINE_WORDS", "Gaps", "find_gaps", "gap_words", "restore",
]  # fmt: skip

MIN_LINE_WORDS: Final = 5  # a shorter line ("Advertisement", "Share") is never put back
# A line belongs to a text when the text holds this share of its 4-word shingles.
MIN_HELD: Final = 0.5
# The witness runs only when the gaps hold this many words (tune half: from 5 to
# 40 words the gain is the same, F1 +0.0042; the witness runs on 238 of 407 pages
# at 5, 184 at 20, 140 at 40; at 80, 105 pages and +0.0041).
MIN_GAP_WORDS: Final = 40

_BULLET: Final = "\u2022"  # resiliparse's list-item mark
Gaps = dict[int, list[str]]  # the body line a run of missing lines follows -> those lines


def find_gaps(lines: Sequence[str], other: str) -> Gaps:
    """`other`'s lines missing from `lines` but lying between two of them, by where they go.

    `lines` are the body's paragraphs; `other` is another extractor's text, one
    paragraph a line. A line of `other` is the body's when the body holds
    `MIN_HELD` of its shingles; the body's line it matches best is its
    anchor. Missing lines of at least `MIN_LINE_WORDS` words after the first
    anchor and before the last are returned under the index of the body line
    anchored just before them.
    """
    where = _shingle_lines(lines)
    same = {line: index for index, line in reversed(list(enumerate(lines)))}
    gaps: Gaps = {}
    pending: list[str] = []
    anchor: int | None = None
    for line in (_as_body_line(text) for text in other.split("\n")):
        if len(line.split()) < 4:
            continue  # no shingle: neither an anchor nor a candidate (most menu lines)
        found = same.get(line)
        if found is None:
            found = _anchor(shingles(line), where)
        if found is not None:
            if anchor is not None and pending:
                gaps.setdefault(anchor, []).extend(pending)
            anchor, pending = found, []
        elif anchor is not None and len(line.split()) >= MIN_LINE_WORDS:
            pending.append(line)
    return gaps


def gap_words(gaps: Gaps) -> int:
    """How many words the gaps hold."""
    return sum(len(line.split()) for run in gaps.values() for line in run)


def restore(lines: Sequence[str], gaps: Gaps, witness: str) -> list[str]:
    """`lines` with the gap lines `witness` holds put back after their anchors, in order."""
    held = shingles(witness)
    out: list[str] = []
    for index, line in enumerate(lines):
        out.append(line)
        out.extend(gap for gap in gaps.get(index, ()) if _held(shingles(gap), held))
    return out


def _as_body_line(line: str) -> str:
    """A line of resiliparse's text written as trafilatura writes it: list items open with "- "."""
    line = line.strip()
    return "- " + line.removeprefix(_BULLET).lstrip() if line.startswith(_BULLET) else line


def _shingle_lines(lines: Sequence[str]) -> dict[tuple[str, ...], int]:
    """Each shingle of the body -> the first body line holding it."""
    where: dict[tuple[str, ...], int] = {}
    for index, line in enumerate(lines):
        for shingle in shingles(line):
            where.setdefault(shingle, index)
    return where


def _anchor(own: Shingles, where: dict[tuple[str, ...], int]) -> int | None:
    """The body line holding most of a line's shingles, if the body holds enough of them."""
    found = [where[s] for s in own if s in where]
    if not own or len(found) < MIN_HELD * len(own):
        return None
    counts = Counter(found)
    most = max(counts.values())
    return min(index for index, count in counts.items() if count == most)  # ties: the first


def _held(own: Shingles, held: Shingles) -> bool:
    return bool(own) and len(own & held) >= MIN_HELD * len(own)
