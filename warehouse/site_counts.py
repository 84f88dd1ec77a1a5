"""Site-learned boilerplate as warehouse state: the counts per source, stored and read.

One small Delta table, `state/site_boilerplate` (schema `SITE_BOILERPLATE`),
one row per source: how many of its articles were counted and the paragraphs
tracked with their counts (`transforms.boilerplate.site` defines them and
the counting). This module only stores: the learning step that reads a
run's committed articles and counts them is composed by the flows
(`flows/site_learning.py`), so the warehouse builds no cleaning settings.

The table also records which runs it has counted: one Delta application
transaction (`txn`, app id `COUNTED_RUN_PREFIX` + run id) per run, in the
same commit as the counts (`store_site_counts`), so counting is exactly once
per run and recoverable after a crash. Two runs storing at once conflict in
the log; the loser's builder is called again on fresh counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from transforms.boilerplate import Removal
from transforms.boilerplate.site import PatternCount, SiteCounts
from warehouse.delta import app_ids_recorded, read, replace_all
from warehouse.layout import ARTICLES_TABLE, SITE_BOILERPLATE_TABLE, Warehouse
from warehouse.schema import SITE_BOILERPLATE, with_version

__all__ = [
    "COUNTED_RUN_PREFIX",
    "CountsBuilder",
    "counted_runs",
    "first_version_rows",
    "read_counts_with_stamps",
    "read_site_counts",
    "reset_site_counts",
    "store_site_counts",
]

logger = logging.getLogger(__name__)

COUNTED_RUN_PREFIX = "news_etl.site_boilerplate.counted:"  # + run id: a Delta app id
_COLUMNS = ("source", "body", "boilerplate_removed", "run_id")

# new counts per source, when each source was last updated, the run ids counted
CountsBuilder = Callable[[], tuple[dict[str, SiteCounts], dict[str, datetime], list[str]]]


def read_site_counts(warehouse: Warehouse) -> dict[str, SiteCounts]:
    """Source -> its counts; empty when nothing was ever counted."""
    rows = read(warehouse, SITE_BOILERPLATE_TABLE).to_pylist()
    return {
        row["source"]: SiteCounts(
            row["source"],
            row["articles_seen"],
            tuple(
                PatternCount(p["fingerprint"], p["articles"], p["max_error"], p["text"])
                for p in row["patterns"]
            ),
        )
        for row in rows
    }


def _site_table(counts: Mapping[str, SiteCounts], updated_at: Mapping[str, datetime]) -> pa.Table:
    """`counts` as rows of the SITE_BOILERPLATE schema, sorted by source."""
    rows = [
        {
            "source": source,
            "articles_seen": c.articles_seen,
            "patterns": [
                {
                    "fingerprint": p.fingerprint,
                    "articles": p.articles,
                    "max_error": p.max_error,
                    "text": p.text,
                }
                for p in c.patterns
            ],
            "updated_at": updated_at[source],
        }
        for source, c in sorted(counts.items())
    ]
    return pa.Table.from_pylist(rows, schema=with_version(SITE_BOILERPLATE))


def store_site_counts(warehouse: Warehouse, build: CountsBuilder) -> None:
    """Replace the counts in one commit with what `build` returns, recording the runs it names.

    `build` is called again on each try after a conflict with another run's
    commit, so it must read what it needs afresh: `read_counts_with_stamps`,
    `counted_runs`, `first_version_rows`. It returns the new counts, when each
    source was last updated, and the run ids it counted (stored as Delta
    application transactions in the same commit, so a run is counted once).
    """

    def table() -> tuple[pa.Table, list[str]]:
        counts, stamps, runs = build()
        return _site_table(counts, stamps), [COUNTED_RUN_PREFIX + r for r in sorted(runs)]

    replace_all(warehouse, SITE_BOILERPLATE_TABLE, table)


def reset_site_counts(warehouse: Warehouse, sources: Iterable[str] = ()) -> list[str]:
    """Forget the counts of `sources` (all when empty); returns the sources forgotten.

    The runs counted stay recorded: they are not counted again.
    """
    wanted = set(sources)
    dropped = sorted(s for s in read_site_counts(warehouse) if not wanted or s in wanted)
    if not dropped:
        return []

    def build() -> tuple[dict[str, SiteCounts], dict[str, datetime], list[str]]:
        kept = {s: e for s, e in read_counts_with_stamps(warehouse).items() if s not in dropped}
        return {s: c for s, (c, _) in kept.items()}, {s: at for s, (_, at) in kept.items()}, []

    store_site_counts(warehouse, build)
    return dropped


def counted_runs(warehouse: Warehouse, run_ids: Iterable[str]) -> set[str]:
    """Those of `run_ids` whose articles the counts already hold."""
    recorded = app_ids_recorded(
        warehouse, SITE_BOILERPLATE_TABLE, (COUNTED_RUN_PREFIX + r for r in run_ids)
    )
    return {app_id.removeprefix(COUNTED_RUN_PREFIX) for app_id in recorded}


def read_counts_with_stamps(warehouse: Warehouse) -> dict[str, tuple[SiteCounts, datetime]]:
    counts = read_site_counts(warehouse)
    if not counts:
        return {}
    table = read(warehouse, SITE_BOILERPLATE_TABLE, ["source", "updated_at"])
    stamps = dict(zip(table["source"].to_pylist(), table["updated_at"].to_pylist(), strict=True))
    return {source: (c, stamps[source]) for source, c in counts.items()}


def first_version_rows(
    warehouse: Warehouse, run_ids: set[str]
) -> Iterator[tuple[str, str, tuple[Removal, ...]]]:
    """(source, body, removals) of each first-version article row the runs wrote.

    Only an article's first version counts: a changed body stored again on
    `--refresh` is the same article.
    """
    if not run_ids:
        return
    wanted = ds.field("run_id").isin(pa.array(sorted(run_ids), pa.string())) & (
        ds.field("version") <= 1
    )
    for row in read(warehouse, ARTICLES_TABLE, _COLUMNS, wanted).to_pylist():
        yield row["source"], row["body"], _removals(row["boilerplate_removed"])


def _removals(values: list[dict[str, Any]] | None) -> tuple[Removal, ...]:
    return tuple(Removal(v["rule"], v["kind"], v["text"]) for v in values or ())
