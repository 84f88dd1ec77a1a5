"""Site-learned boilerplate, composed: the warehouse's counts in, cleaning settings out.

A run uses it in two calls:

1. at its start, `with_learned_boilerplate(store, settings)`: the snapshot
   of learned patterns goes into the `CleanSettings` every task cleans with,
   and stays fixed for the whole run;
2. after its articles are written, `learn_pending(store)`: the rows the
   runs wrote are read back and counted (`transforms.boilerplate.site`), and
   the counts are replaced in one commit (`warehouse.site_counts`). Counting
   what was committed, not what was built, means a duplicate skipped by the
   writer is never counted twice, and the call is the same whatever runs
   the cleaning (threads, processes, Dask workers).

`learn_pending` counts every ingest run of the runs table not yet counted,
so a run killed between its last article file and the counts has them
taken by the next run, and the same inputs teach every warehouse the same
patterns (issue 12). Runs call it at their end, not at their start: the
usual next run is a rerun of the killed one's input, and it must clean the
rest of that input with the snapshot the killed run had, as one
uninterrupted run would have (counting first made a rerun of 1,200 repeated
records reject 578 of them as all-boilerplate). `reprocess` rebuilds
articles already counted, so it applies the snapshot and does not learn.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime

from transforms.article import CleanSettings
from transforms.boilerplate.site import (
    ERROR_SHARE,
    SiteCounts,
    count_articles,
    learn,
    observed_paragraphs,
)
from warehouse import Warehouse
from warehouse.runs import run_ids_of
from warehouse.site_counts import (
    counted_runs,
    first_version_rows,
    read_counts_with_stamps,
    read_site_counts,
    store_site_counts,
)

__all__ = ["LEARNING_FLOWS", "learn_from_run", "learn_pending", "with_learned_boilerplate"]

logger = logging.getLogger(__name__)

LEARNING_FLOWS = frozenset({"ingest_files", "ingest_sources"})  # reprocess rebuilds, never new


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
    returns articles counted per source."""
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
    runs = run_ids_of(warehouse, LEARNING_FLOWS) - set(skip)
    return _learn(warehouse, runs, now=now, error_share=error_share) if runs else {}


def _learn(
    warehouse: Warehouse, run_ids: set[str], *, now: datetime | None, error_share: float
) -> dict[str, int]:
    """Count the articles of those `run_ids` not counted yet, in one commit of the counts."""
    added: dict[str, int] = {}

    def build() -> tuple[dict[str, SiteCounts], dict[str, datetime], list[str]]:
        previous = read_counts_with_stamps(warehouse)  # afresh on each try
        pending = run_ids - counted_runs(warehouse, run_ids)
        observed: dict[str, list[dict[str, str]]] = defaultdict(list)
        for source, body, removed in first_version_rows(warehouse, pending):
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
        return counts, stamps, sorted(pending)

    if not run_ids - counted_runs(warehouse, run_ids):
        return {}
    store_site_counts(warehouse, build)
    logger.info("site boilerplate: counted %s from runs %s", added, sorted(run_ids))
    return added
