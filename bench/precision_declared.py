"""The publisher's JSON-LD `articleBody` trims trafilatura's lines (issue 14, hypothesis 1).

Reads `bench/precision_data.py`'s cache. When the page declares a body of
at least `MIN_WORDS` words that holds at least `cover` of the 4-word
shingles of the pipeline's body, the lines of that body that share under
`keep` of their shingles with the declared body are dropped (captions,
promos, related links, author boxes the publisher did not declare as the
article). A line of up to `short` words is kept whatever it shares: headings
are rarely in `articleBody`. With `tail=False`, the lines after the last
one the declared body holds are kept too (a declared body that stops early
must not cut the end of the story).

    .venv/bin/python bench/precision_declared.py [--corpus DIR] [--cache FILE] [--validation]

The body before the trim is rebuilt from the cache, as `extract_html` makes
it without `extractors.declared` (the guarded fallbacks' decision, then the
closing-section cut, for which the pages with a candidate heading are parsed
again), so the figures hold whether the cache was built before or after the
trim shipped. Tune half: how many pages declare a usable body, then the
grid and the shipped `extractors.declared.trim_to_declared`, against the
pipeline without the trim and trafilatura. `--validation`: `CHOSEN` and the
shipped function, once, with the 95% page-bootstrap interval of the change.

Printed on 2026-12-07 (F1 change against the pipeline without the trim):
tune 11 of 407 pages usable (14 declare a body); cover 0.7 or 0.8 with no
heading guard +0.0001 (P +0.0006, R -0.0004; epam.com loses its FAQ, which
its articleBody stops before, -0.07, and indiatimes.com its subheadings),
cover 0.9 with 6-word headings kept +0.0001 (P +0.0002, R +0.0000, 4 pages
better, none worse). Validation, CHOSEN and the shipped function alike: 9
of 384 pages usable (11 declare a body); F1 +0.00003 (P +0.00006, R
+0.0000), 2 pages better (paycom.com +0.008, brighterly.com +0.004), none
worse, 95% interval [+0.0000, +0.0001]. Every line removed on either half
is absent from the labels (author bios, a quiz promo, "Listen to this
article", a teaser). Shipped as `extractors.declared`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from precision_closing import body as closing_body
from precision_closing import marks_of
from precision_common import arguments, baseline, cleaned, compare, halves, page_changes
from precision_data import PageData, load_cache
from precision_fallback import guarded

from extractors.declared import trim_to_declared
from extractors.evidence import shingles
from extractors.furniture import PageMarks, closing_candidates
from pipeline.quality import PageScore, score_page

MIN_WORDS = 100
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Trim:
    cover: float  # share of the body's shingles the declared body must hold
    keep: float  # a line sharing less than this with the declared body goes
    short: int = 0  # lines of at most this many words always stay
    tail: bool = True  # whether lines after the last held one may go

    def __str__(self) -> str:
        return f"cover {self.cover} keep {self.keep} short {self.short} tail {self.tail}"


GRID = [
    Trim(cover, keep, short, tail)
    for cover in (0.7, 0.8, 0.9)
    for keep in (0.2, 0.5)
    for short in (0, 6)
    for tail in (True, False)
]
CHOSEN = Trim(0.9, 0.2, 6, True)  # +0.0001 on tune with no recall lost (0.8: -0.0003)


Body = Callable[[PageData], str]


def usable(page: PageData) -> bool:
    return guarded(page) is None and len(page.declared.split()) >= MIN_WORDS


def before_trim(marks: dict[str, PageMarks]) -> Body:
    """The body `extract_html` hands on without `extractors.declared` (fallbacks, then the cut)."""
    return lambda page: closing_body(page, marks.get(page.name))


def shipped(before: Body) -> Body:
    """The body with `extractors.declared.trim_to_declared` applied, as `extract_html` does."""

    def body(page: PageData) -> str:
        text = before(page)
        if guarded(page) is not None:
            return text
        return "\n\n".join(trim_to_declared(text.split("\n\n"), page.declared))

    return body


def _held(line: str, declared: frozenset[tuple[str, ...]], flat: str) -> float:
    """The share of `line`'s shingles in the declared body (a short line: whether it is in it)."""
    own = shingles(line)
    if not own:
        key = " ".join(_WORD.findall(line.lower()))
        return 1.0 if key and key in flat else 0.0
    return len(own & declared) / len(own)


def trimmed(before: Body, trim: Trim) -> Body:
    return lambda page: _trimmed(page, before(page), trim)


def _trimmed(page: PageData, body: str, trim: Trim) -> str:
    if not usable(page):
        return body
    own, declared = shingles(body), shingles(page.declared)
    if not own or len(own & declared) / len(own) < trim.cover:
        return body
    flat = " ".join(_WORD.findall(page.declared.lower()))
    lines = body.split("\n\n")
    held = [_held(line, declared, flat) >= trim.keep for line in lines]
    last = max((i for i, h in enumerate(held) if h), default=-1)
    kept = [
        line
        for i, line in enumerate(lines)
        if held[i] or len(line.split()) <= trim.short or (not trim.tail and i > last)
    ]
    return "\n\n".join(kept) or body


def _scores(pages: Sequence[PageData], body: Body) -> dict[str, PageScore]:
    return {p.name: score_page(cleaned(p, body(p)), p.truth) for p in pages}


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("NEWS_ETL_CORPUS", "")))
    args = parser.parse_args()
    half = "validation" if args.validation else "tune"
    pages = halves(load_cache(args.cache))[half]
    marks = marks_of(args.corpus, {p.name for p in pages if closing_candidates(p.lines)})
    before = before_trim(marks)
    declaring = sum(1 for p in pages if p.declared)
    print(f"{half} half: {len(pages)} pages, {declaring} declare a body,"
          f" {sum(map(usable, pages))} of {MIN_WORDS}+ words on a trafilatura body")  # fmt: skip
    untrimmed, theirs = _scores(pages, before), baseline(pages)
    print(compare("without the trim", untrimmed, untrimmed, theirs))
    runs = [(str(trim), trimmed(before, trim)) for trim in ([CHOSEN] if args.validation else GRID)]
    for label, body in [*runs, ("shipped: extractors.declared", shipped(before))]:
        ours = _scores(pages, body)
        print(compare(label, ours, untrimmed, theirs, interval=args.validation))
        print(page_changes(ours, untrimmed))


if __name__ == "__main__":
    main()
