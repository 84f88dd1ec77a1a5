"""Site-learned boilerplate as warehouse state: counts per source, learned at commit.

One small Delta table, `state/site_boilerplate` (schema
`SITE_BOILERPLATE`), one row per source: how many of its articles were
counted and the paragraphs tracked with their counts
(`transforms.boilerplate.site`). A run uses it in two calls:

1. at its start, `with_learned_boilerplate(store, settings)`: the snapshot
   of learned patterns goes into the `CleanSettings` every task cleans with,
   and stays fixed for the whole run;
2. after its articles are written, `learn_from_run(store, run_id)`: the rows
   the run wrote are read back and counted, and the table is replaced in
   one commit. Counting what was committed, not what was built, means a
   duplicate skipped by the writer is never counted twice, and the call is
   the same whatever runs the cleaning (threads, processes, Dask workers).

The table also records which runs it has counted: one Delta application
transaction (`txn`, app id `COUNTED_RUN_PREFIX` + run id) per run, in the
same commit as the counts, so learning is exactly once per run and
recoverable: `learn_pending` counts every ingest run of the runs table not
yet counted. Runs call it at their end, so a run killed between its last
article file and this file has its counts taken by the next run, and the
same inputs teach every warehouse the same patterns (issue 12). Not at their
start: the usual next run is a rerun of the killed one's input, and it must
clean the rest of that input with the snapshot the killed run had, as one
uninterrupted run would have (counting first made a rerun of 1,200 repeated
records reject 578 of them as all-boilerplate). Two runs counting at once
conflict in the log; the loser reads the counts again and recounts only the
runs still pending. `reprocess` rebuilds
articles already counted, so it applies the snapshot and does not learn.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds

from transforms.article import CleanSettings
from transforms.boilerplate import Removal
from transforms.boilerplate.site import (
    ERROR_SHARE,
    PatternCount,
    SiteCounts,
    count_articles,
    learn,
    observed_paragraphs,
)
from warehouse.delta import app_ids_recorded, read, replace_all
from warehouse.layout import ARTICLES_TABLE, RUNS_TABLE, SITE_BOILERPLATE_TABLE, Warehouse
from warehouse.schema import SITE_BOILERPLATE, with_version

__all__ = [
    "COUNTED_RUN_PREFIX",
    "learn_from_run",
    "learn_pending",
    "read_site_counts",
    "reset_site_counts",
    "with_learned_boilerplate",
]

logger = logging.getLogger(__name__)

COUNTED_RUN_PREFIX = "news_etl.site_boilerplate.counted:"  # + run id: a Delta app id
LEARNING_FLOWS = frozenset({"ingest_files", "ingest_sources"})  # reprocess rebuilds, never new
_COLUMNS = ("source", "body", "boilerplate_removed", "run_id")


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


def with_learned_boilerplate(warehouse: Warehouse, settings: CleanSettings) -> CleanSettings:
    """`settings` carrying the snapshot of what the warehouse has learned, by its thresholds.

    Call once at the start of a run; the result is immutable and picklable.
    """
    learned = learn(
        read_site_counts(warehouse).values(),
        share=settings.site_share,
        min_articles=settings.site_min_articles,
    )
    return replace(settings, site_boilerplate=learned)


def learn_from_run(
    warehouse: Warehouse,
    run_id: str,
    *,
    now: datetime | None = None,
    error_share: float = ERROR_SHARE,
) -> dict[str, int]:
    """Count the articles `run_id` wrote into the state, unless already counted;
    returns articles counted per source.

    Only rows that are an article's first version are counted (a changed body
    stored again on `--refresh` is the same article). Call under the writer lock.
    """
    return _learn(warehouse, {run_id}, now=now, error_share=error_share)


def learn_pending(
    warehouse: Warehouse,
    *,
    skip: Iterable[str] = (),
    now: datetime | None = None,
    error_share: float = ERROR_SHARE,
) -> dict[str, int]:
    """Count every ingest run of the runs table not counted yet (but those in `skip`,
    such as a run that is starting); returns articles counted per source."""
    runs = _ingest_runs(warehouse) - set(skip)
    return _learn(warehouse, runs, now=now, error_share=error_share) if runs else {}


def _learn(
    warehouse: Warehouse, run_ids: set[str], *, now: datetime | None, error_share: float
) -> dict[str, int]:
    added: dict[str, int] = {}

    def build() -> tuple[pa.Table, list[str]]:  # again on each try: counts read afresh
        previous = _read_with_stamps(warehouse)
        pending = run_ids - _counted(warehouse, run_ids)
        observed: dict[str, list[dict[str, str]]] = defaultdict(list)
        for source, body, removed in _run_rows(warehouse, pending):
            observed[source].append(observed_paragraphs(body, removed))
        counts = {source: c for source, (c, _) in previous.items()}
        stamps = {source: at for source, (_, at) in previous.items()}
        for source, articles in observed.items():
            counts[source] = count_articles(
                counts.get(source), source, articles, error_share=error_share
            )
            stamps[source] = now or datetime.now(UTC)
        added.clear()
        added.update({source: len(articles) for source, articles in sorted(observed.items())})
        return _site_table(counts, stamps), [COUNTED_RUN_PREFIX + r for r in sorted(pending)]

    if not run_ids - _counted(warehouse, run_ids):
        return {}
    replace_all(warehouse, SITE_BOILERPLATE_TABLE, build)
    logger.info("site boilerplate: counted %s from runs %s", added, sorted(run_ids))
    return added


def reset_site_counts(warehouse: Warehouse, sources: Iterable[str] = ()) -> list[str]:
    """Forget the counts of `sources` (all when empty); returns the sources forgotten.

    The runs counted stay recorded: they are not counted again.
    """
    wanted = set(sources)
    dropped = sorted(s for s in read_site_counts(warehouse) if not wanted or s in wanted)
    if not dropped:
        return []

    def build() -> tuple[pa.Table, list[str]]:
        kept = {s: e for s, e in _read_with_stamps(warehouse).items() if s not in dropped}
        counts = {s: c for s, (c, _) in kept.items()}
        return _site_table(counts, {s: at for s, (_, at) in kept.items()}), []

    replace_all(warehouse, SITE_BOILERPLATE_TABLE, build)
    return dropped


def _counted(warehouse: Warehouse, run_ids: Iterable[str]) -> set[str]:
    """Those of `run_ids` whose articles the counts already hold."""
    recorded = app_ids_recorded(
        warehouse, SITE_BOILERPLATE_TABLE, (COUNTED_RUN_PREFIX + r for r in run_ids)
    )
    return {app_id.removeprefix(COUNTED_RUN_PREFIX) for app_id in recorded}


def _ingest_runs(warehouse: Warehouse) -> set[str]:
    """Ids of the runs table's ingest runs (whatever their status: a killed run has articles)."""
    table = read(warehouse, RUNS_TABLE, ["run_id", "flow"])
    return {row["run_id"] for row in table.to_pylist() if row["flow"] in LEARNING_FLOWS}


def _read_with_stamps(warehouse: Warehouse) -> dict[str, tuple[SiteCounts, datetime]]:
    counts = read_site_counts(warehouse)
    if not counts:
        return {}
    table = read(warehouse, SITE_BOILERPLATE_TABLE, ["source", "updated_at"])
    stamps = dict(zip(table["source"].to_pylist(), table["updated_at"].to_pylist(), strict=True))
    return {source: (c, stamps[source]) for source, c in counts.items()}


def _run_rows(
    warehouse: Warehouse, run_ids: set[str]
) -> Iterator[tuple[str, str, tuple[Removal, ...]]]:
    """(source, body, removals) of each first-version article row the runs wrote."""
    if not run_ids:
        return
    wanted = ds.field("run_id").isin(pa.array(sorted(run_ids), pa.string())) & (
        ds.field("version") <= 1
    )
    for row in read(warehouse, ARTICLES_TABLE, _COLUMNS, wanted).to_pylist():
        yield row["source"], row["body"], _removals(row["boilerplate_removed"])


def _removals(values: list[dict[str, Any]] | None) -> tuple[Removal, ...]:
    return tuple(Removal(v["rule"], v["kind"], v["text"]) for v in values or ())
