"""Lines trafilatura skipped inside the article, put back on a witness (issue 14).

Reads `bench/precision_data.py`'s cache (built after `extractors.skipped`
shipped: it needs `body_unrestored` and `favor_recall`). The candidates are
resiliparse's lines of at least `MIN_LINE_WORDS` words that the body lacks
and that lie between two of the body's lines (`extractors.skipped.find_gaps`);
a witness decides which come back (`restore`). Tune half: the witnesses
(none, readability, jusText, trafilatura with `favor_recall`, and the
last two with readability), and the gate that runs the witness only when
the gaps hold at least N words (with how many pages pay for it), against
the pipeline without restoring. Then the shipped pipeline (`body_now`), the
same comparison, which the tune-half grid must reproduce for the shipped
choice. `--validation`: the shipped pipeline against the one without
restoring, once, with the 95% page-bootstrap interval and the pages changed.

    .venv/bin/python bench/precision_skipped.py [--cache FILE] [--validation]

Printed on 2026-12-07 (F1 change against the pipeline without restoring;
tune half, gate 40 unless said): every candidate put back +0.0001
(precision -0.016, 139 pages changed, 6 more than 0.10 below trafilatura;
at a gate of 5, -0.0028); witnessed by readability +0.0057 (precision
-0.0018, 69 pages), by jusText +0.0035 (precision -0.0045, one page more
than 0.10 below), by `favor_recall` +0.0042 (precision +0.0004, recall
+0.0080, 34 pages, the worst -0.012, interval [+0.0019, +0.0067]), by both
`favor_recall` and readability +0.0040; the gate runs the witness on 238
pages at 5 words, 184 at 20, 140 at 40 (+0.0042 at each) and 105 at 80
(+0.0041). Validation, the shipped choice: +0.0042 (precision +0.0003,
recall +0.0082), 17 pages changed, 13 better, the worst -0.040, interval
[+0.0012, +0.0079].
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from precision_common import arguments, baseline, compare, halves, page_changes, score
from precision_data import PageData, load_cache

from extractors.evidence import shingles
from extractors.skipped import MIN_GAP_WORDS, find_gaps, gap_words, restore

Witness = Callable[[PageData], str]

WITNESSES: dict[str, Witness] = {
    "none (every candidate)": lambda page: page.resiliparse,
    "readability": lambda page: page.readability,
    "jusText": lambda page: page.justext,
    "favor_recall": lambda page: page.favor_recall,
    "favor_recall and readability": lambda page: _both(page.favor_recall, page.readability),
}
GATES = (5, 20, MIN_GAP_WORDS, 80)


def _both(first: str, second: str) -> str:
    """A text holding the shingles both texts hold (and a few made by joining them)."""
    common = shingles(first) & shingles(second)
    return "\n".join(" ".join(shingle) for shingle in sorted(common))


def restored(witness: Witness, gate: int = MIN_GAP_WORDS) -> Callable[[PageData], str | None]:
    """The pipeline without restoring, then the gaps put back on `witness` above `gate` words."""

    def run(page: PageData) -> str | None:
        body = page.body_unrestored
        if not body or page.method_now != "trafilatura":
            return page.body_now or None
        lines = body.split("\n\n")
        gaps = find_gaps(lines, page.resiliparse)
        if gap_words(gaps) < gate:
            return body
        return "\n\n".join(restore(lines, gaps, witness(page)))

    return run


def gated_pages(pages: list[PageData], gate: int) -> int:
    """How many pages would run the witness at `gate` words."""
    return sum(
        1
        for p in pages
        if p.body_unrestored and p.method_now == "trafilatura"
        and gap_words(find_gaps(p.body_unrestored.split("\n\n"), p.resiliparse)) >= gate
    )  # fmt: skip


def main() -> None:
    args = arguments(__doc__).parse_args()
    pages = load_cache(args.cache)
    if not any(p.favor_recall for p in pages):
        sys.exit("the cache predates extractors.skipped: run bench/precision_data.py again")
    half = halves(pages)["validation" if args.validation else "tune"]
    theirs = baseline(half)
    before = score(half, lambda p: p.body_unrestored or None)
    now = score(half, lambda p: p.body_now or None)
    if not args.validation:
        for name, witness in WITNESSES.items():
            print(compare(f"witness: {name}", score(half, restored(witness)), before, theirs, True))
        for gate in GATES:
            label = f"favor_recall, gate {gate} ({gated_pages(half, gate)} pages)"
            ours = score(half, restored(WITNESSES["favor_recall"], gate))
            print(compare(label, ours, before, theirs, True))
    print(compare("shipped (extract_html)", now, before, theirs, True))
    print(page_changes(now, before))


if __name__ == "__main__":
    main()
