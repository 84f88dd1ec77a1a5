"""A trailing run of link lines ends the body (issue 14, hypothesis 3).

Reads `bench/precision_data.py`'s cache (trafilatura's lines with their
structural features, `bench/precision_lines.py`). The closing-section cut
(`extractors.furniture`) needs a heading that names the section; many pages
end trafilatura's body with a list of links to other pages under no such
heading, or under none at all (city pages, other posts, a product menu).
The variant walks back from the end of the pipeline's body over the lines
the page prints as a link or a heading, or whose block is mostly link text
(`mode`), and drops that run when it has at least `min_lines` lines and at
least `min_links` of them are links (link text, or a block with link
density over 0.5). The first line always stays.

    .venv/bin/python bench/precision_trailing_links.py [--cache FILE] [--validation]

Tune half: the grid, against today's pipeline and trafilatura.
`--validation`: `CHOSEN`, once, with the 95% page-bootstrap interval.

Printed on 2026-12-07 (F1 change against today's pipeline):

    tune, link text, 2+ lines                     +0.0004  P +0.0008  R +0.0000   3 pages
    tune, link or heading text or dense, 2+, 0.8  +0.0006  P +0.0013  R +0.0000   7 pages
    tune, the same at 0.5                         +0.0006  P +0.0014  R -0.0001  10 pages
    validation, CHOSEN                            -0.0002  P +0.0001  R -0.0004  10 pages
                                                  95% interval [-0.0004, -0.0000]

Not shipped. On tune one page carries most of it (cleaningservicesseattle.me,
a list of 66 city links, +0.19); on validation the labels keep the run on
7 of the 10 pages (linked sources, a list of cookbooks, cited articles, even
a related-reading list: losses up to 0.031), none more than 0.10 below
trafilatura.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from precision_common import arguments, baseline, cleaned, compare, halves, page_changes
from precision_data import PageData, load_cache
from precision_lines import _COLUMN

from pipeline.quality import PageScore, score_page

Row = list[float]


def _link(row: Row) -> bool:
    return row[_COLUMN["link_text"]] > 0 or row[_COLUMN["link_density"]] > 0.5


MODES: dict[str, Callable[[Row], bool]] = {
    "link text": lambda row: row[_COLUMN["link_text"]] > 0,
    "link or heading text": lambda row: (
        row[_COLUMN["link_text"]] > 0 or row[_COLUMN["heading_text"]] > 0
    ),
    "link/heading text or dense": lambda row: _link(row) or row[_COLUMN["heading_text"]] > 0,
}


@dataclass(frozen=True)
class Run:
    mode: str
    min_lines: int
    min_links: float

    def __str__(self) -> str:
        return f"{self.mode} lines>={self.min_lines} links>={self.min_links}"


GRID = [Run(mode, lines, links) for mode in MODES for lines in (2, 3) for links in (0.5, 0.8)]
# The most pages changed without a loss on tune (+0.0006, 7 pages, recall unchanged).
CHOSEN = Run("link/heading text or dense", 2, 0.8)


def trimmed(page: PageData, run: Run) -> str:
    """The pipeline's body without its trailing link run, when the run qualifies."""
    lines = page.body_now.split("\n\n")
    if page.method_now != "trafilatura" or len(page.features) < len(lines):
        return page.body_now
    marked = MODES[run.mode]
    start = len(lines)
    while start > 1 and marked(page.features[start - 1]):
        start -= 1
    tail = page.features[start : len(lines)]
    links = sum(1 for row in tail if _link(row))
    if len(tail) < run.min_lines or links < run.min_links * len(tail):
        return page.body_now
    return "\n\n".join(lines[:start])


def _scores(pages: Sequence[PageData], run: Run | None) -> dict[str, PageScore]:
    return {
        p.name: score_page(cleaned(p, trimmed(p, run) if run else p.body_now), p.truth)
        for p in pages
    }


def main() -> None:
    args = arguments(__doc__).parse_args()
    half = "validation" if args.validation else "tune"
    pages = halves(load_cache(args.cache))[half]
    today, theirs = _scores(pages, None), baseline(pages)
    print(f"{half} half:")
    print(compare("today", today, today, theirs))
    for run in [CHOSEN] if args.validation else GRID:
        ours = _scores(pages, run)
        print(compare(str(run), ours, today, theirs, interval=args.validation))
        print(page_changes(ours, today))


if __name__ == "__main__":
    main()
