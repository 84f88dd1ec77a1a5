"""Dropping the lines of trafilatura's body that two cheaper witnesses both lack (issue 14 part 3).

Not shipped: it gains nothing on the tune half. Kept so the figures can be
printed again. `bench/precision_furniture.py` found that the lines which
trafilatura's own `favor_precision` answer, resiliparse and readability all
lack are mostly furniture; readability costs about 90 ms a page, so this
asks the two others only: a line of today's body goes when under `cut` of
its shingles are in resiliparse's main content and in trafilatura's
`favor_precision` answer alike (a line of 1-3 words: when they lack it
whole). Reads `bench/precision_data.py`'s cache and computes the
`favor_precision` answers for the tune half.

    .venv/bin/python bench/precision_witness_lines.py --cache FILE [--corpus DIR]

Printed on 2026-12-07 (tune half; the pipeline's F1 against today's 0.9415,
P 0.9366, R 0.9464; pages more than 0.10 F1 below trafilatura):

    favor_precision                     about 23 ms a page (141 of 407 pages
                                        have a line resiliparse lacks)
    both lack, cut 0.5                  F1 0.9417 (+0.0002) P +0.0032 R -0.0028   1
    both lack, cut 0.2                  F1 0.9416 (+0.0001) P +0.0030 R -0.0028   1
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import trafilatura
from line_classifier import current_lines
from precision_common import arguments, baseline, cleaned, halves, report
from precision_data import PageData, load_cache
from precision_lines import agreement

from pipeline.evaluate import labelled_folder, load_pages
from pipeline.quality import score_page


def favor_precision(corpus: Path, names: set[str]) -> dict[str, str]:
    """trafilatura's `favor_precision` answer (no comments) for the named pages."""
    out = {}
    for page in load_pages(labelled_folder(corpus), None):
        key = page.name.removesuffix(".html.gz").removesuffix(".html")
        if key in names:
            out[key] = (
                trafilatura.extract(
                    page.html, url=page.url, include_comments=False, favor_precision=True
                )
                or ""
            )
    return out


def body(page: PageData, precise: str, cut: float) -> str | None:
    lines = current_lines(page)
    if lines is None:
        return page.body_now or None
    pairs = zip(agreement(lines, page.resiliparse), agreement(lines, precise), strict=True)
    kept = [line for line, (a, b) in zip(lines, pairs, strict=True) if a >= cut or b >= cut]
    return "\n\n".join(kept) or page.body_now


def main() -> None:
    parser = arguments(__doc__, validation=False)  # nothing gained on tune to report
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("NEWS_ETL_CORPUS", "")))
    args = parser.parse_args()
    tune = halves(load_cache(args.cache))["tune"]
    started = time.process_time()
    precise = favor_precision(args.corpus, {page.name for page in tune})
    print(f"favor_precision {1000 * (time.process_time() - started) / len(precise):.1f} ms a page")
    base = baseline(tune)
    for cut in (0.5, 0.2):
        scores = {p.name: score_page(cleaned(p, body(p, precise[p.name], cut)), p.truth)
                  for p in tune}  # fmt: skip
        print(report(f"both lack, cut {cut}", scores, base))


if __name__ == "__main__":
    main()
