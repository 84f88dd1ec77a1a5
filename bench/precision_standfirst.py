"""A leading body line that repeats the page's description (issue 14, hypothesis 2).

Reads `bench/precision_data.py`'s cache. Pages print their og/meta
description as a standfirst under the headline, and trafilatura often keeps
it. Whether the labels keep it decides whether dropping it can pay. For each
page with a description of at least 5 words, the first of the body's first
`HEAD` lines whose 4-word shingles match the description (shared shingles
over the larger of the two sets, at least `similar`) is the candidate; the
script counts how often the labels keep it, then scores dropping it, always
or only when the page prints the line outside the container that holds most
of the body or as a heading (`bench/precision_lines.py` features).

    .venv/bin/python bench/precision_standfirst.py [--cache FILE] [--validation]

Tune half: the counts and the variants, against today's pipeline and
trafilatura. `--validation`: `CHOSEN`, once, with the 95% page-bootstrap
interval of the change.

Printed on 2026-12-07. Tune: 382 of 407 pages have a description; a head
line matches it on 63 pages at similarity 0.5 (the labels keep it on 55) and
on 27 at 0.9 (19 kept). Dropping it always loses F1 0.0042 (0.5) and 0.0012
(0.9), recall -0.0078 and -0.0024, with 3 and 1 pages more than 0.10 below
trafilatura; only where the page prints it outside its main container, still
-0.0008 and -0.0004; only where it is printed as a heading, -0.00003 (0.5,
6 pages) and -0.00001 (0.9, 3 pages). Validation, CHOSEN (heading, 0.9): 32
pages have a candidate, the labels keep 23; F1 -0.00001 (P +0.0001, R
-0.0002), 13 pages changed, none more than 0.10 below trafilatura, 95%
interval [-0.0001, +0.0001]. Not shipped: the labels keep the standfirst.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from precision_common import arguments, baseline, cleaned, compare, halves, page_changes
from precision_data import PageData, load_cache
from precision_lines import _COLUMN, agreement

from extractors.evidence import shingles
from pipeline.quality import PageScore, score_page

HEAD = 5
_WORD = re.compile(r"\w+")
Where = Callable[[PageData, int], bool]  # whether the candidate line at this index may go


def similarity(line: str, description: str) -> float:
    a, b = shingles(line), shingles(description)
    if not a or not b:
        same = _WORD.findall(line.lower()) == _WORD.findall(description.lower())
        return 1.0 if same and a == b else 0.0
    return len(a & b) / max(len(a), len(b))


def candidate(page: PageData, similar: float) -> int | None:
    """The index of the first head line that repeats the description, or None."""
    if page.method_now != "trafilatura" or len(page.description.split()) < 5:
        return None
    lines = page.body_now.split("\n\n")[:HEAD]
    return next(
        (i for i, line in enumerate(lines) if similarity(line, page.description) >= similar),
        None,
    )


def _feature(name: str) -> Where:
    def where(page: PageData, index: int) -> bool:
        row = page.features[index] if index < len(page.features) else None
        return bool(row and row[_COLUMN[name]])

    return where


VARIANTS: dict[str, Where] = {
    "always": lambda page, index: True,
    "outside main container": lambda page, index: not _feature("in_main")(page, index),
    "printed as a heading": _feature("tag_heading"),
}
SIMILAR = (0.5, 0.9)
CHOSEN = ("printed as a heading", 0.9)  # the only one that does not lose on tune


def dropped(page: PageData, similar: float, where: Where) -> str:
    index = candidate(page, similar)
    if index is None or not where(page, index):
        return page.body_now
    lines = page.body_now.split("\n\n")
    return "\n\n".join(lines[:index] + lines[index + 1 :])


def _dropping(similar: float, where: Where) -> Callable[[PageData], str]:
    return lambda page: dropped(page, similar, where)


def counts(pages: Sequence[PageData], similar: float) -> str:
    """Pages with a candidate line, and in how many the labels keep it."""
    found = [(p, i) for p in pages if (i := candidate(p, similar)) is not None]
    kept = sum(1 for p, i in found if agreement([p.body_now.split("\n\n")[i]], p.truth)[0] >= 0.5)
    return f"similarity >= {similar}: {len(found)} pages have a candidate, the labels keep {kept}"


def _scores(pages: Sequence[PageData], body: Callable[[PageData], str]) -> dict[str, PageScore]:
    return {p.name: score_page(cleaned(p, body(p)), p.truth) for p in pages}


def main() -> None:
    args = arguments(__doc__).parse_args()
    half = "validation" if args.validation else "tune"
    pages = halves(load_cache(args.cache))[half]
    described = sum(1 for p in pages if len(p.description.split()) >= 5)
    print(f"{half} half: {len(pages)} pages, {described} with a description of 5+ words")
    today, theirs = _scores(pages, lambda p: p.body_now), baseline(pages)
    print(compare("today", today, today, theirs))
    runs = [CHOSEN] if args.validation else [(v, s) for s in SIMILAR for v in VARIANTS]
    for similar in sorted({s for _, s in runs}):
        print(counts(pages, similar))
    for name, similar in runs:
        ours = _scores(pages, _dropping(similar, VARIANTS[name]))
        print(compare(f"{name} >= {similar}", ours, today, theirs, interval=args.validation))
        print(page_changes(ours, today))


if __name__ == "__main__":
    main()
