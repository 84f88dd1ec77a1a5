"""A block of the body printed twice: keep its first copy (issue 14, hypothesis 3).

Reads `bench/precision_data.py`'s cache. Some pages hold the article twice
(a desktop and a mobile copy, a tab and its print version), or repeat a
block of it (an FAQ printed again, a placeholder paragraph in every card),
and trafilatura keeps both copies; the labels hold the text once, so the
second copy is all false positives. The variant removes each run of
consecutive lines that repeats, line for line (case and punctuation
aside), an earlier run of the body, when the run holds at least
`min_words` words and `min_lines` lines. Short repeats are often real: spec
lists, table headers, a workout's "Warm up" line that the labels repeat too.

    .venv/bin/python bench/precision_repeats.py [--cache FILE] [--validation]

Tune half: the grid over `min_lines` x `min_words`, against today's pipeline
and trafilatura. `--validation`: the configuration chosen on tune
(`CHOSEN`), once, with the 95% page-bootstrap interval of the change.

Printed on 2026-12-07 (F1 change against today's pipeline, P, R, pages
changed, pages more than 0.10 below trafilatura):

    tune, 20 words, 1 line     +0.0015  P +0.0044  R -0.0015  32 pages (18 worse)  0
    tune, 100 words, any lines +0.0018  P +0.0036  R -0.0001   5 pages (1 worse)   0
    validation, CHOSEN         -0.00002 P -0.0000  R -0.0000   1 page  (worse)     0
                               95% interval [-0.0001, +0.0000]

Not shipped. On tune four pages print a long block twice (glossgenius.com
its whole article, loona-construction.com a long section, gardenwith.me a
news story, easy-lms.com its FAQ: +0.08 to +0.48 page F1 each), and one
page's labels hold a repeated table twice (keebsforall.com, -0.024). On
validation the one page with a repeated 100-word run is of the second kind
(wcxb-dev-4615, -0.009): the pattern is real but rare, and its sign is the
labels' choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from precision_common import (
    arguments,
    baseline,
    cleaned,
    compare,
    halves,
    page_changes,
)
from precision_data import PageData, load_cache

from pipeline.quality import PageScore, score_page

_WORD = re.compile(r"\w+")
GRID = [(lines, words) for lines in (1, 2, 3, 6) for words in (20, 50, 100)]
CHOSEN = (1, 100)  # the same figures as every min_lines at 100 words on tune; the simplest


def _key(line: str) -> str:
    return " ".join(_WORD.findall(line.lower()))


def _repeat_at(keys: Sequence[str], at: int, earlier: Sequence[int]) -> int:
    """The longest run from `at` that repeats a run starting at one of `earlier` (no overlap)."""
    best = 0
    for start in earlier:
        size = 0
        while (
            at + size < len(keys)
            and start + size < at
            and keys[at + size]
            and keys[start + size] == keys[at + size]
        ):
            size += 1
        best = max(best, size)
    return best


def without_repeats(lines: Sequence[str], min_lines: int, min_words: int) -> list[str]:
    """`lines` without each later copy of a run of at least `min_lines` lines and `min_words`."""
    keys = [_key(line) for line in lines]
    seen: dict[str, list[int]] = {}
    out: list[str] = []
    at = 0
    while at < len(lines):
        size = _repeat_at(keys, at, seen.get(keys[at], []))
        words = sum(len(keys[at + i].split()) for i in range(size))
        if size >= min_lines and words >= min_words:
            at += size
            continue
        seen.setdefault(keys[at], []).append(at)
        out.append(lines[at])
        at += 1
    return out


def _today(page: PageData) -> str:
    return page.body_now


def _variant(page: PageData, min_lines: int, min_words: int) -> str:
    lines = page.body_now.split("\n\n")
    return "\n\n".join(without_repeats(lines, min_lines, min_words))


def _scores(pages: Sequence[PageData], bodies: dict[str, str]) -> dict[str, PageScore]:
    return {p.name: score_page(cleaned(p, bodies[p.name]), p.truth) for p in pages}


def main() -> None:
    args = arguments(__doc__).parse_args()
    half = "validation" if args.validation else "tune"
    pages = halves(load_cache(args.cache))[half]
    today = _scores(pages, {p.name: _today(p) for p in pages})
    theirs = baseline(pages)
    print(f"{half} half: today's pipeline against trafilatura")
    print(compare("today", today, today, theirs))
    for min_lines, min_words in [CHOSEN] if args.validation else GRID:
        bodies = {p.name: _variant(p, min_lines, min_words) for p in pages}
        ours = _scores(pages, bodies)
        label = f"repeats lines>={min_lines} words>={min_words}"
        print(compare(label, ours, today, theirs, interval=args.validation))
        print(page_changes(ours, today))


if __name__ == "__main__":
    main()
