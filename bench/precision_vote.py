"""The weighted vote on trafilatura's lines (issue 14 part 3), and each of its conditions alone.

Reads `bench/precision_data.py`'s cache; prints the pipeline's figures on
the tune half with no line filter, with the vote (`bench/precision_lines.py`),
and with its three conditions (resiliparse silent, outside the main
container, a furniture mark in the DOM) one or two at a time. `--validation`
prints no filter and the vote on the validation half (report only; it lost
there, so the pipeline does not use it).

    .venv/bin/python bench/precision_vote.py [--cache FILE] [--validation]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import precision_lines as vote
from precision_common import baseline, cleaned, halves, report
from precision_data import PageData, default_cache, load_cache
from precision_fallback import guarded
from precision_lines import agreement

from pipeline.quality import score_page

Rule = Callable[[Sequence[float]], bool]
C = vote._COLUMN


def _silent(row: Sequence[float]) -> bool:
    return row[C["agree_other"]] < vote.MAX_AGREEMENT


def _outside(row: Sequence[float]) -> bool:
    return not row[C["in_main"]]


def _marked(row: Sequence[float]) -> bool:
    return row[C["link_density"]] > vote.MIN_LINK_DENSITY or any(row[i] for i in vote._FURNITURE)


RULES: dict[str, Rule | None] = {
    "no line filter": None,
    "vote (all three)": vote.is_furniture,
    "resiliparse silent only": _silent,
    "outside main only": _outside,
    "DOM mark only": _marked,
    "silent + outside": lambda r: _silent(r) and _outside(r),
    "silent + mark": lambda r: _silent(r) and _marked(r),
    "outside + mark": lambda r: _outside(r) and _marked(r),
}


def body(page: PageData, rule: Rule | None) -> str:
    found = guarded(page)
    if found:
        return found[0]
    if page.parsed is None:
        return ""
    if rule is None or not page.lines:
        return page.parsed.body
    agreed = agreement(page.lines, page.resiliparse)
    rows = [[*row, share] for row, share in zip(page.features, agreed, strict=True)]
    return "\n\n".join(line for line, row in zip(page.lines, rows, strict=True) if not rule(row))


def show(pages: list[PageData], names: Sequence[str]) -> None:
    base = baseline(pages)
    for name in names:
        rule = RULES[name]
        scores = {p.name: score_page(cleaned(p, body(p, rule)), p.truth) for p in pages}
        print(report(name, scores, base))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--validation", action="store_true")
    args = parser.parse_args()
    split = halves(load_cache(args.cache))
    print("tune half:")
    show(split["tune"], list(RULES))
    if args.validation:
        print("validation half:")
        show(split["validation"], ["no line filter", "vote (all three)"])


if __name__ == "__main__":
    main()
