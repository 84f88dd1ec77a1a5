"""`news-etl eval`: score the pipeline's article bodies against labelled pages (no Prefect)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from flows.commands.common import EXIT_OK, EXIT_USAGE, fail, positive, quiet_libraries

NAME = "eval"
ORDER = 60
HELP = "score article bodies against the labelled dev set, beside bare trafilatura"

# The shared corpus beside the checkout, as the tests find it.
_CHECKOUT = Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("NEWS_ETL_CORPUS") or str(_CHECKOUT.parent / "shared" / "corpus")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(default),
        help="the shared corpus, or its extraction-dev folder (default: %(default)s,"
        " or NEWS_ETL_CORPUS)",
    )
    parser.add_argument("--limit", type=positive, default=None, help="first N pages by file name")
    parser.add_argument("--worst", type=int, default=10, help="worst pages to list (%(default)s)")
    parser.add_argument(
        "--no-contributions", action="store_true", help="skip the per-rule ablation"
    )


def run(args: argparse.Namespace) -> int:
    quiet_libraries(True)
    import trafilatura

    from transforms.evaluate import evaluate, format_report, labelled_folder, load_pages

    try:
        folder = labelled_folder(args.corpus)
    except FileNotFoundError as exc:
        return fail(str(exc), EXIT_USAGE)
    result = evaluate(load_pages(folder, args.limit), contributions=not args.no_contributions)
    print(
        f"{len(result.runs[0].scores)} labelled pages of {folder} (file-name order),"
        f" trafilatura {trafilatura.__version__}, single process, {result.seconds:.0f} s in all"
    )
    print(format_report(result, worst=args.worst))
    return EXIT_OK
