"""Article-body quality of the pipeline against bare trafilatura, on labelled pages.

A thin wrapper over `pipeline.evaluate` (the same code as `news-etl eval`):
the pipeline, trafilatura with default settings and trafilatura without
comments on the same pages in the same run, with F1, P, R, snippet rates,
pages/s, per-rule contribution (ablation) and the worst pages. Data:
`extraction-dev/` of the shared corpus (791 pages), in file-name order.

Usage: python bench/eval_extraction.py [--limit N] [--worst 10] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from pipeline.evaluate import evaluate, format_report, labelled_folder, load_pages  # noqa: E402


def main() -> None:
    default = Path(os.environ.get("NEWS_ETL_CORPUS", REPO.parent / "shared" / "corpus"))
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N pages by file name")
    parser.add_argument("--worst", type=int, default=10, help="pages to list where we lose most")
    parser.add_argument("--corpus", type=Path, default=default, help="shared corpus folder")
    args = parser.parse_args()
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    import trafilatura

    folder = labelled_folder(args.corpus)
    result = evaluate(load_pages(folder, args.limit))
    print(
        f"{len(result.runs[0].scores)} labelled pages of {folder} (file-name order),"
        f" trafilatura {trafilatura.__version__}, single process, {result.seconds:.0f} s in all"
    )
    print(format_report(result, worst=args.worst))


if __name__ == "__main__":
    main()
