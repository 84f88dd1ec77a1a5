"""The pipeline end to end on one half, and each boilerplate rule ablated (issue 14 part 3).

`pipeline.evaluate.evaluate` on the tune pages of extraction-dev: the
pipeline's and trafilatura's (no comments) figures, the pages more than 0.10
F1 worse than trafilatura's, and the
per-rule contributions (F1 with every rule minus F1 without that one, on the
pages it touched), so a rule that loses on tune can be switched off;
`--validation` prints the same table for the validation half (report only).

    .venv/bin/python bench/precision_rules.py [--corpus DIR] [--validation]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from precision_data import read_split

from pipeline.evaluate import evaluate, labelled_folder, load_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("NEWS_ETL_CORPUS", "")))
    parser.add_argument("--validation", action="store_true")
    args = parser.parse_args()
    half = "validation" if args.validation else "tune"
    split = read_split()
    pages = (
        p
        for p in load_pages(labelled_folder(args.corpus))
        if split[p.name.removesuffix(".html.gz")][1] == half
    )
    found = evaluate(pages)
    print(f"{half} half:")
    ours, theirs = found.runs[0], found.runs[-1]
    for run in (ours, theirs):
        score = run.summary
        print(f"  {run.name:<26} F1 {score.f1:.4f} P {score.precision:.4f} R {score.recall:.4f}"
              f" ({run.pages_per_second:.1f} pages/s)")  # fmt: skip
    worse = [n for n in ours.scores if ours.scores[n].f1 < theirs.scores[n].f1 - 0.10]
    print(f"  pages more than 0.10 F1 worse than {theirs.name}: {len(worse)} {sorted(worse)}")
    print(f"  bodies by extractor: {dict(sorted(ours.methods.items()))}")
    for c in sorted(found.contributions, key=lambda c: c.f1):
        if c.pages:
            print(f"  {c.name:<40} pages {c.pages:4d} lines {c.lines:4d} F1 {c.f1:+.5f}"
                  f" P {c.precision:+.5f} R {c.recall:+.5f}")  # fmt: skip


if __name__ == "__main__":
    main()
