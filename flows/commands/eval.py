"""`news-etl eval`: score the pipeline's article bodies against labelled pages (no Prefect).

Both halves of the labelled set by default (issue 14): the tune half with the
per-rule ablation, the validation half with the pages the pipeline loses most
on against trafilatura. `--update-floors` measures the CI gate's pages and
rewrites `pipeline/eval_floors.json`, refusing to loosen a limit unless
`--allow-lower` is given.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from flows.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, fail, positive, quiet_libraries

if TYPE_CHECKING:
    from pipeline.evaluate import Evaluation

NAME = "eval"
ORDER = 60
HELP = (
    "score article bodies on the tune and validation halves of the labelled set, beside trafilatura"
)

# The shared corpus beside the checkout, as the tests find it.
_CHECKOUT = Path(__file__).resolve().parents[2]
_HALVES = {"tune": ("tune",), "validation": ("validation",), "both": ("tune", "validation")}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    default = os.environ.get("NEWS_ETL_CORPUS") or str(_CHECKOUT.parent / "shared" / "corpus")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(default),
        help="the shared corpus, or its extraction-dev folder (default: %(default)s,"
        " or NEWS_ETL_CORPUS)",
    )
    parser.add_argument(
        "--half",
        choices=sorted(_HALVES),
        default="both",
        help="which half of pipeline/eval_split.tsv to score (default: %(default)s)",
    )
    parser.add_argument(
        "--limit", type=positive, default=None, help="first N pages of each half by file name"
    )
    parser.add_argument("--worst", type=int, default=10, help="worst pages to list (%(default)s)")
    parser.add_argument(
        "--no-contributions", action="store_true", help="skip the per-rule ablation (tune half)"
    )
    parser.add_argument(
        "--update-floors",
        action="store_true",
        help="measure the CI gate's pages (the whole validation half) and rewrite"
        " pipeline/eval_floors.json just under the figures",
    )
    parser.add_argument(
        "--allow-lower",
        action="store_true",
        help="with --update-floors: also write limits that loosen (lower a floor, raise a ceiling)",
    )


def run(args: argparse.Namespace) -> int:
    quiet_libraries(True)
    from pipeline.evaluate import labelled_folder

    try:
        folder = labelled_folder(args.corpus)
    except FileNotFoundError as exc:
        return fail(str(exc), EXIT_USAGE)
    if args.update_floors:
        if args.limit is not None:
            return fail("--update-floors measures every gate page; drop --limit", EXIT_USAGE)
        return _update_floors(folder, allow_lower=args.allow_lower, worst=args.worst)
    if args.allow_lower:
        return fail("--allow-lower only goes with --update-floors", EXIT_USAGE)
    return _report(folder, args)


def _report(folder: Path, args: argparse.Namespace) -> int:
    import trafilatura

    from pipeline.evaluate import Half, evaluate, format_halves, format_report, load_pages

    halves: dict[str, Evaluation] = {}
    for half in _HALVES[args.half]:
        ablate = half == Half.TUNE and not args.no_contributions
        result = evaluate(load_pages(folder, args.limit, half=Half(half)), contributions=ablate)
        halves[half] = result
        print(
            f"== {half} half: {len(result.runs[0].scores)} labelled pages of {folder}"
            f" ({len(set(result.sites.values()))} sites, file-name order), trafilatura"
            f" {trafilatura.__version__}, single process, {result.seconds:.0f} s"
            + (", per-rule ablation on this half" if ablate else "")
            + " =="
        )
        print(format_report(result, worst=args.worst), end="\n\n")
    print("== pipeline against trafilatura without comments, by half ==")
    print(format_halves(halves))
    return EXIT_OK


def _update_floors(folder: Path, *, allow_lower: bool, worst: int) -> int:
    import trafilatura

    from pipeline.evaluate import (
        FLOORS_FILE,
        LoosenedFloorsError,
        figures,
        format_report,
        gate_evaluation,
        read_floors,
        update_floors,
        write_floors,
    )

    result = gate_evaluation(folder)
    pages = len(result.runs[0].scores)
    print(
        f"== CI gate pages: the validation half, {pages} pages, trafilatura"
        f" {trafilatura.__version__}, single process, {result.seconds:.0f} s =="
    )
    print(format_report(result, worst=worst), end="\n\n")
    current = read_floors(FLOORS_FILE) if FLOORS_FILE.is_file() else None
    measured = figures(result)
    try:
        floors, loosened = update_floors(current, measured, pages, allow_lower=allow_lower)
    except LoosenedFloorsError as exc:
        return fail(f"{FLOORS_FILE.name} not written: {exc}", EXIT_FAILED)
    for name, limit in floors.limits.items():
        old = current.limits.get(name) if current else None
        before = "new" if old is None else f"{old.limit:g}"
        print(
            f"  {name:<28} {limit.bound:<8} {before:>8} -> {limit.limit:<8g}"
            f" (measured {measured[name]:.4f})"
        )
    write_floors(floors, trafilatura.__version__, FLOORS_FILE)
    if loosened:
        print(f"loosened with --allow-lower: {'; '.join(loosened)}")
    print(f"wrote {FLOORS_FILE.name}")
    return EXIT_OK
