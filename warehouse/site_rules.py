"""Site-learned boilerplate as warehouse state: counts per source, learned at commit.

One small Parquet file, `state/site_boilerplate.parquet` (schema
`SITE_BOILERPLATE`), one row per source: how many of its articles were
counted and the paragraphs tracked with their counts
(`transforms.site_boilerplate`). A run uses it in two calls:

1. at its start, `with_learned_boilerplate(store, settings)`: the snapshot
   of learned patterns goes into the `CleanSettings` every task cleans with,
   and stays fixed for the whole run;
2. after its articles are written, `learn_from_run(store, run_id)`: the rows
   the run wrote are read back and counted, and the file is replaced
   atomically. Counting what was committed, not what was built, means a
   duplicate skipped by the writer is never counted twice, and the call is
   the same whatever runs the cleaning (threads, processes, Dask workers).

Both run under the writer lock. The file also records which runs it has
counted (`COUNTED_RUNS_KEY` in its Parquet metadata, replaced in the same
atomic write as the counts), so learning is exactly once per run and
recoverable: `learn_pending` counts every ingest run of the runs table not
yet counted. Runs call it at their end, so a run killed between its last
article file and this file has its counts taken by the next run, and the
same inputs teach every warehouse the same patterns (issue 12). Not at their
start: the usual next run is a rerun of the killed one's input, and it must
clean the rest of that input with the snapshot the killed run had, as one
uninterrupted run would have (counting first made a rerun of 1,200 repeated
records reject 578 of them as all-boilerplate). A state file written before the key existed
is taken to have counted every run then recorded. `reprocess` rebuilds
articles already counted, so it applies the snapshot and does not learn.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.article import CleanSettings
from transforms.boilerplate import Removal
from transforms.site_boilerplate import (
    ERROR_SHARE,
    PatternCount,
    SiteCounts,
    count_articles,
    learn,
    observed_paragraphs,
)
from warehouse.atomic import write_parquet_atomic
from warehouse.compact import read_committed
from warehouse.errors import WarehouseReadError
from warehouse.layout import Warehouse
from warehouse.schema import SITE_BOILERPLATE, with_version
from warehouse.state_files import read_rows
from warehouse.storage import StorePath, read_schema, read_table

__all__ = [
    "COUNTED_RUNS_KEY",
    "STATE_FILE",
    "learn_from_run",
    "learn_pending",
    "read_site_counts",
    "reset_site_counts",
    "state_path",
    "with_learned_boilerplate",
    "write_site_counts",
]

logger = logging.getLogger(__name__)

STATE_FILE = "site_boilerplate.parquet"
COUNTED_RUNS_KEY = b"news_etl.counted_runs"  # JSON list of the run ids counted
LEARNING_FLOWS = frozenset({"ingest_files", "ingest_sources"})  # reprocess rebuilds, never new
_COLUMNS = ("source", "body", "boilerplate_removed", "run_id")


def state_path(warehouse: Warehouse) -> StorePath:
    """Where the counts live."""
    return warehouse.state / STATE_FILE


def read_site_counts(warehouse: Warehouse) -> dict[str, SiteCounts]:
    """Source -> its counts; empty when nothing was ever counted."""
    rows = read_rows(state_path(warehouse))
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


def write_site_counts(
    warehouse: Warehouse,
    counts: Mapping[str, SiteCounts],
    *,
    updated_at: Mapping[str, datetime],
    counted_runs: Iterable[str] = (),
) -> None:
    """Replace the state file atomically with `counts` (sorted by source) and the runs counted."""
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
    schema = with_version(SITE_BOILERPLATE)
    runs = json.dumps(sorted(set(counted_runs))).encode()
    table = pa.Table.from_pylist(
        rows, schema=schema.with_metadata({**(schema.metadata or {}), COUNTED_RUNS_KEY: runs})
    )
    write_parquet_atomic(table, state_path(warehouse))


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
    previous, counted = _read_state(warehouse)
    pending = run_ids - counted
    if not pending:
        return {}
    observed: dict[str, list[dict[str, str]]] = defaultdict(list)
    for source, body, removed in _run_rows(warehouse, pending):
        observed[source].append(observed_paragraphs(body, removed))
    counts = {source: c for source, (c, _) in previous.items()}
    stamps = {source: at for source, (_, at) in previous.items()}
    stamp = now or datetime.now(UTC)
    for source, articles in observed.items():
        counts[source] = count_articles(
            counts.get(source), source, articles, error_share=error_share
        )
        stamps[source] = stamp
    write_site_counts(warehouse, counts, updated_at=stamps, counted_runs=counted | pending)
    added = {source: len(articles) for source, articles in sorted(observed.items())}
    logger.info("site boilerplate: counted %s from runs %s", added, sorted(pending))
    return added


def reset_site_counts(warehouse: Warehouse, sources: Iterable[str] = ()) -> list[str]:
    """Forget the counts of `sources` (all when empty); returns the sources forgotten.

    Call under the writer lock, so no run is counting meanwhile.
    """
    previous, counted = _read_state(warehouse)
    wanted = set(sources)
    dropped = sorted(s for s in previous if not wanted or s in wanted)
    if not dropped:
        return []
    kept = {s: entry for s, entry in previous.items() if s not in dropped}
    write_site_counts(
        warehouse,
        {s: c for s, (c, _) in kept.items()},
        updated_at={s: at for s, (_, at) in kept.items()},
        counted_runs=counted,  # forgotten, not to be counted again
    )
    return dropped


def _read_state(
    warehouse: Warehouse,
) -> tuple[dict[str, tuple[SiteCounts, datetime]], set[str]]:
    """(source -> (counts, updated_at), the run ids counted)."""
    path = state_path(warehouse)
    if not path.is_file():
        return {}, set()
    try:
        runs = (read_schema(path).metadata or {}).get(COUNTED_RUNS_KEY)
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(path, exc) from exc
    counted = set(json.loads(runs)) if runs else _ingest_runs(warehouse)  # written before the key
    return _read_with_stamps(warehouse), counted


def _ingest_runs(warehouse: Warehouse) -> set[str]:
    """Ids of the runs table's ingest runs (whatever their status: a killed run has articles)."""
    if not warehouse.runs.is_dir():
        return set()
    table = read_committed(warehouse, warehouse.runs, ["run_id", "flow"])
    if table is None:
        return set()
    return {row["run_id"] for row in table.to_pylist() if row["flow"] in LEARNING_FLOWS}


def _read_with_stamps(warehouse: Warehouse) -> dict[str, tuple[SiteCounts, datetime]]:
    counts = read_site_counts(warehouse)
    if not counts:
        return {}
    path = state_path(warehouse)
    try:
        table = read_table(path, columns=["source", "updated_at"])
    except (OSError, pa.ArrowException) as exc:
        raise WarehouseReadError(path, exc) from exc
    stamps = dict(zip(table["source"].to_pylist(), table["updated_at"].to_pylist(), strict=True))
    return {source: (c, stamps[source]) for source, c in counts.items()}


def _run_rows(
    warehouse: Warehouse, run_ids: set[str]
) -> Iterator[tuple[str, str, tuple[Removal, ...]]]:
    """(source, body, removals) of each first-version article row the runs wrote.

    The writer names its files `part-<run_id>-...`, so only those are read.
    """
    markers = [f"-{run_id}-" for run_id in run_ids]
    for path in warehouse.parquet_files(warehouse.articles):
        if not any(marker in path.name for marker in markers):
            continue
        try:
            names = set(read_schema(path).names)
            columns = [*_COLUMNS, *(["version"] if "version" in names else [])]
            table = read_table(path, columns=columns, partitioning=None)
        except (OSError, pa.ArrowException) as exc:
            raise WarehouseReadError(path, exc) from exc
        mask = pc.is_in(table["run_id"], pa.array(sorted(run_ids), pa.string()))
        if "version" in names:
            first = pc.fill_null(pc.less_equal(table["version"], 1), True)
            mask = pc.and_(mask, first)
        for row in table.filter(mask).to_pylist():
            yield row["source"], row["body"], _removals(row["boilerplate_removed"])


def _removals(values: list[dict[str, Any]] | None) -> tuple[Removal, ...]:
    return tuple(Removal(v["rule"], v["kind"], v["text"]) for v in values or ())
