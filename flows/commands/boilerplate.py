"""`news-etl boilerplate list|reset`: the site-learned boilerplate of each source.

`list` prints, per source, the paragraphs learned as its boilerplate (share
of its articles at or above `--share`, once it has `--min-articles`), with
`--all` also the paragraphs tracked below the threshold. `reset` forgets what
was counted for the named sources (all without `--source`), under the writer
lock, so the next runs learn them afresh. Both read the Parquet state only:
no Prefect server is started.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from flows.commands.common import EXIT_OK, add_warehouse, fail, positive

if TYPE_CHECKING:
    from rich.console import Console

    from warehouse import Warehouse

NAME = "boilerplate"
ORDER = 40
HELP = "list or reset the boilerplate learned per source (no Prefect needed)"

_SAMPLE = 90  # characters of a paragraph shown in the table


def share(text: str) -> float:
    """An argparse type: a share above 0 and at most 1."""
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from flows.defaults import CLEANING

    actions = parser.add_subparsers(dest="action", required=True)
    show = actions.add_parser("list", help="learned paragraphs per source")
    add_warehouse(show)
    show.add_argument("--source", action="append", default=[], help="only this source (repeat)")
    show.add_argument(
        "--share",
        type=share,
        default=CLEANING.site_share,
        help="share that makes boilerplate (%(default)s)",
    )
    show.add_argument(
        "--min-articles",
        type=positive,
        default=CLEANING.site_min_articles,
        help="articles a source needs before anything is learned (%(default)s)",
    )
    show.add_argument("--all", action="store_true", help="also paragraphs below the share")
    forget = actions.add_parser("reset", help="forget what was counted, so it is learned afresh")
    add_warehouse(forget)
    forget.add_argument(
        "--source", action="append", default=[], help="only this source (repeat; default all)"
    )


def run(args: argparse.Namespace, console: Console | None = None) -> int:
    from rich.console import Console

    from flows.object_store import open_warehouse
    from warehouse import WarehouseError, read_site_counts, reset_site_counts

    out = console or Console()
    try:
        store = open_warehouse(args.warehouse)
        if args.action == "reset":
            if not read_site_counts(store):
                out.print("nothing was counted: no state to reset")
                return EXIT_OK
            dropped = reset_site_counts(store, args.source)
            out.print(f"forgot the counts of {len(dropped)} source(s): {', '.join(dropped) or '-'}")
            return EXIT_OK
        print_learned(store, args, out)
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot use the warehouse: {exc}")
    return EXIT_OK


def print_learned(store: Warehouse, args: argparse.Namespace, out: Console) -> None:
    """One table: source, rule, share, articles, learned or not, a sample of the text."""
    from rich.table import Table

    from transforms.boilerplate.site import RULE_PREFIX
    from warehouse import read_site_counts

    table = Table(title=f"site-learned boilerplate · {store.root}", title_justify="left")
    for column in ("source", "rule", "share", "articles", "of", "learned", "text"):
        table.add_column(
            column, justify="right" if column in ("share", "articles", "of") else "left"
        )
    wanted = set(args.source)
    for source, counts in sorted(read_site_counts(store).items()):
        if wanted and source not in wanted:
            continue
        learned = {
            p.fingerprint for p in counts.learned(share=args.share, min_articles=args.min_articles)
        }
        shown = [p for p in counts.patterns if p.fingerprint in learned or args.all]
        shown.sort(key=lambda p: (-p.articles, p.fingerprint))
        if not shown:
            table.add_row(
                source, "-", "-", "-", str(counts.articles_seen), "-", "(nothing learned)"
            )
        for p in shown:
            text = p.text if len(p.text) <= _SAMPLE else f"{p.text[: _SAMPLE - 1]}…"
            table.add_row(
                source,
                f"{RULE_PREFIX}{p.fingerprint[:8]}",
                f"{counts.share(p):.0%}",
                str(p.articles),
                str(counts.articles_seen),
                "yes" if p.fingerprint in learned else "no",
                text,
            )
    out.print(table)
