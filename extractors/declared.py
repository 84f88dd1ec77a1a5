"""Lines of trafilatura's body that the publisher's declared article disowns.

Issue 14, hypothesis 1 ("publisher-declared body trims trafilatura's
lines"). A page's JSON-LD `articleBody` is the text its publisher declares
as the article. When it is substantial and holds nearly all of trafilatura's
body, the few lines of that body it shares almost nothing with are what the
page put around the article: an author bio, a quiz promo, "Listen to this
article", a teaser for another story. Those lines go.

The conditions are there because a declared body is often not the whole
story: some publishers declare a teaser, the first paragraph, or a body cut
at the paywall. Only a body that holds at least `MIN_COVER` of trafilatura's
4-word shingles (`extractors.evidence`) is trusted, so a truncated one never
gets to judge; and a line of at most `HEADING_WORDS` words always stays,
since publishers leave their subheadings out of `articleBody` (on the tune
half, dropping them lost "2. Heart health benefits" and its like).

Measured with `bench/precision_declared.py` on extraction-dev: only 11 of
the 407 tune pages and 9 of the 384 validation pages declare a body of
`MIN_DECLARED_WORDS` words or more on a page where trafilatura's body is
kept. Tune: F1 +0.0001 (precision +0.0002, recall unchanged), 4 pages
better, none worse. Validation: F1 +0.00003 (precision +0.00006, recall
unchanged), 2 pages better, none worse, 95% page-bootstrap interval [0,
+0.0001]. Every line removed on either half is absent from the labels. A
small, safe gain: the cost is two shingle sets on the pages that declare a
long body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from extractors.evidence import Shingles, shingles

__all__ = ["HEADING_WORDS", "MIN_COVER", "MIN_DECLARED_WORDS", "MIN_HELD", "trim_to_declared"]

MIN_DECLARED_WORDS: Final = 100  # a shorter declared body is a teaser, not the article
# The declared body must hold this share of the body's shingles to judge its lines
# (tune half: 0.7 and 0.8 also removed real text, at pages whose articleBody stops early).
MIN_COVER: Final = 0.9
# A line sharing less than this share of its shingles with the declared body goes
# (tune half: 0.2 and 0.5 remove the same lines once headings are kept).
MIN_HELD: Final = 0.2
HEADING_WORDS: Final = 6  # a line this short always stays: subheadings are rarely declared


def trim_to_declared(lines: Sequence[str], declared: str) -> list[str]:
    """`lines` without those the declared body disowns, when it can be trusted to judge.

    `lines` are the body's paragraphs; `declared` is the JSON-LD
    `articleBody` ("" when the page has none). The lines come back unchanged
    unless the declared body has `MIN_DECLARED_WORDS` words and holds
    `MIN_COVER` of the body's shingles.
    """
    if len(declared.split()) < MIN_DECLARED_WORDS:
        return list(lines)
    body = shingles("\n".join(lines))
    held = shingles(declared)
    if not body or len(body & held) / len(body) < MIN_COVER:
        return list(lines)
    kept = [line for line in lines if not _disowned(line, held)]
    return kept or list(lines)


def _disowned(line: str, declared: Shingles) -> bool:
    """Whether a line longer than a heading shares under `MIN_HELD` of its shingles."""
    if len(line.split()) <= HEADING_WORDS:
        return False
    own = shingles(line)
    return bool(own) and len(own & declared) / len(own) < MIN_HELD
