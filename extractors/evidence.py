"""Whether a second opinion's body shows evidence that trafilatura missed the article.

Issue 14, "No bet that can lose a page": on an unseen benchmark set, the
jusText fallback replaced two short but right trafilatura bodies (page F1
0.94 and 1.00) with five times the words of page furniture (0.13 and 0.29),
because it found more words. Length is no evidence. A replacement is taken
only when what it adds to trafilatura's body is also found by an independent
witness: the publisher's JSON-LD `articleBody`, or another extractor that
works differently (readability scores content blocks, jusText classifies
paragraphs by stop words and link density, resiliparse applies its own
main-content rules). Page furniture is where extractors disagree most.

Overlap is measured on 4-word shingles of lower-cased `\\w+` tokens, the
grain of the quality metric (`pipeline.quality`), so "supported" means
the witness holds the same runs of words, not merely the same vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = ["MIN_SUPPORT", "Shingles", "Support", "added_support", "shingles"]

_WORD: Final = re.compile(r"\w+")
# At least this share of what a replacement adds must be in a witness
# (bench/precision_fallback.py, tune half; see extractors.fallback).
MIN_SUPPORT: Final = 0.5

Shingles = frozenset[tuple[str, ...]]


def shingles(text: str) -> Shingles:
    """The set of 4-word shingles of `text` (lower-cased)."""
    tokens = _WORD.findall(text.lower())
    return frozenset(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


@dataclass(frozen=True, slots=True)
class Support:
    """How much of a replacement's addition a witness holds."""

    added: int  # shingles the replacement has and trafilatura's body has not
    share: float  # of those, the share the best witness has


def added_support(candidate: str, current: str, witnesses: Iterable[str]) -> Support:
    """The best witness's share of the shingles `candidate` adds to `current`."""
    added = shingles(candidate) - shingles(current)
    if not added:
        return Support(0, 0.0)
    best = max((len(added & shingles(w)) for w in witnesses if w), default=0)
    return Support(len(added), best / len(added))
