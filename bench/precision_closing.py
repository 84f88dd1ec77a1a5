"""The closing-section cut (`extractors.furniture`) on each half, against no cut (issue 14).

Reads `bench/precision_data.py`'s cache (trafilatura's lines, the fallback
decision) and parses each page once more for its heading and link texts;
prints the pipeline's figures without and with the cut and the pages it
changed. Tune on the tune half; `--validation` adds the validation half
(report only).

    .venv/bin/python bench/precision_closing.py [--corpus DIR] [--cache FILE] [--validation]

Printed on 2026-12-07: tune F1 0.9404 -> 0.9415 (P 0.9345 -> 0.9366, R 0.9464
unchanged, 5 pages better, none worse); validation 0.9360 -> 0.9366 (P 0.9307
-> 0.9318, R 0.9415 unchanged, 4 pages better, none worse). Figures run a
little below `news-etl eval`'s (see `precision_common`); differences are exact.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from precision_common import baseline, cleaned, halves, report
from precision_data import PageData, default_cache, load_cache
from precision_fallback import guarded

from extractors.decoding import decode
from extractors.furniture import PageMarks, closing_candidates, page_marks, trim_closing_section
from extractors.htmlparse import lxml_section, parse_html
from pipeline.evaluate import labelled_folder, load_pages
from pipeline.quality import PageScore, score_page


def marks_of(corpus: Path, names: set[str]) -> dict[str, PageMarks]:
    out = {}
    for page in load_pages(labelled_folder(corpus)):
        key = page.name.removesuffix(".html.gz").removesuffix(".html")
        if key in names:
            with lxml_section():
                tree = parse_html(decode(page.html))
                out[key] = (
                    page_marks(tree) if tree is not None else PageMarks(frozenset(), frozenset())
                )
    return out


def body(page: PageData, marks: PageMarks | None) -> str:
    found = guarded(page)
    if found:
        return found[0]
    if page.parsed is None:
        return ""
    if marks is None or not closing_candidates(page.lines):
        return page.parsed.body
    return "\n\n".join(trim_closing_section(page.lines, marks))


def show(pages: list[PageData], marks: dict[str, PageMarks]) -> None:
    base = baseline(pages)
    runs: list[dict[str, PageScore]] = []
    for label, cut in (("no cut", False), ("closing-section cut", True)):
        scores = {
            p.name: score_page(cleaned(p, body(p, marks[p.name] if cut else None)), p.truth)
            for p in pages
        }
        print(report(label, scores, base))
        runs.append(scores)
    changed = sorted((runs[1][n].f1 - runs[0][n].f1, n) for n in runs[0])
    print("  pages changed:", [(n, round(d, 4)) for d, n in changed if abs(d) > 1e-9])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("NEWS_ETL_CORPUS", "")))
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--validation", action="store_true")
    args = parser.parse_args()
    split = halves(load_cache(args.cache))
    wanted = ["tune", "validation"] if args.validation else ["tune"]
    marks = marks_of(args.corpus, {p.name for half in wanted for p in split[half]})
    for half in wanted:
        print(f"{half} half:")
        show(split[half], marks)


if __name__ == "__main__":
    main()
