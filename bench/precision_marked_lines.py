"""Two cheap line checks from the furniture table that lost or did nothing on tune (issue 14).

Reads `bench/precision_data.py`'s cache; tune half only, as neither was
good enough on tune to be scored on validation:

- `furniture link lines`: drop a line of trafilatura's body that sits under
  a `<nav>`, `<aside>`, `<footer>` (and, in the widest variant, `<header>`)
  and that the page prints as a link or whose block is mostly link text
  (`bench/precision_lines.py` features);
- `date-only lines`: the existing head-only `dateline.date` pattern
  (`transforms.boilerplate.leftovers`) applied anywhere in the body or in
  its trailing run: a line that is only a date ("Jan 13, 2025").

    .venv/bin/python bench/precision_marked_lines.py [--cache FILE]

Printed on 2026-12-07 (tune; F1 change against today's pipeline): link lines
under nav -0.0001 (7 pages, all worse), under nav, aside, footer the same,
adding header +0.00003 (precision +0.0002, recall -0.0002; 15 pages, 10
worse); date-only lines anywhere +0.00002 (8 pages better), in the trailing
run +0.00001 (3 pages). Neither was scored on validation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from precision_common import arguments, baseline, cleaned, compare, halves, page_changes
from precision_data import PageData, load_cache
from precision_lines import _COLUMN

import transforms.boilerplate.leftovers as leftovers
from pipeline.quality import PageScore, score_page
from transforms.article import CleanSettings
from transforms.boilerplate import DEFAULT_RULES, BoilerplateKind, Position, Rule

Row = list[float]
ANCESTORS = {
    "nav": ("nav",),
    "nav, aside, footer": ("nav", "aside", "footer"),
    "nav, aside, footer, header": ("nav", "aside", "footer", "header"),
}


def _linked(row: Row) -> bool:
    return row[_COLUMN["link_text"]] > 0 or row[_COLUMN["link_density"]] > 0.5


def without_furniture_links(tags: Sequence[str]) -> Callable[[PageData], str]:
    def body(page: PageData) -> str:
        lines = page.body_now.split("\n\n")
        if page.method_now != "trafilatura" or len(page.features) < len(lines):
            return page.body_now
        kept = [
            line
            for line, row in zip(lines, page.features, strict=False)
            if not (_linked(row) and any(row[_COLUMN[f"under_{tag}"]] for tag in tags))
        ]
        return "\n\n".join(kept) or page.body_now

    return body


def date_rule(where: Position) -> CleanSettings:
    """Today's rules plus the head-only date pattern at another position."""
    rule = Rule.of(
        f"dateline.date_{where.value}",
        BoilerplateKind.DATELINE,
        leftovers._DATE + leftovers._TIME,
        where,
        max_words=10,
    )
    return CleanSettings(rules=DEFAULT_RULES.extended([rule]))


def _scores(
    pages: Sequence[PageData], body: Callable[[PageData], str], settings: CleanSettings | None
) -> dict[str, PageScore]:
    return {p.name: score_page(cleaned(p, body(p), settings), p.truth) for p in pages}


def main() -> None:
    args = arguments(__doc__, validation=False).parse_args()
    pages = halves(load_cache(args.cache))["tune"]

    def today_body(page: PageData) -> str:
        return page.body_now

    today, theirs = _scores(pages, today_body, None), baseline(pages)
    print("tune half:")
    print(compare("today", today, today, theirs))
    for label, tags in ANCESTORS.items():
        ours = _scores(pages, without_furniture_links(tags), None)
        print(compare(f"link lines under {label}", ours, today, theirs))
        print(page_changes(ours, today))
    for where in (Position.ANY, Position.TAIL):
        ours = _scores(pages, today_body, date_rule(where))
        print(compare(f"date-only lines, {where.value}", ours, today, theirs))
        print(page_changes(ours, today))


if __name__ == "__main__":
    main()
