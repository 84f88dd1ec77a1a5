"""The `ingest` flow: one web source, as its deployment `ingest/<source>` runs it.

Prefect names a deployment `<flow name>/<deployment name>`, so the flow
that `news-etl serve` and `prefect.yaml` deploy once per source is called
`ingest`. It is a thin parent: the work is the `ingest_sources` flow, run
as its subflow for the one source, so the runs table says `ingest_sources`
(what ran), with that subflow's run id, and the Prefect UI shows the
deployment's run with the real run, its tasks and its artifact, nested
inside.

Politeness across runs: inside one run, the fetcher's host gate keeps one
connection per host and the per-host delay. Two runs in different
processes (two sources on one host, or one source served into two
warehouses) do not share
that gate, so each run first takes one slot of a Prefect global
concurrency limit `news-etl-host:<host>` for every host its config lists
(feeds, sitemaps, URLs), created with limit 1 when missing. Runs on a
common host therefore run one after another, runs on distinct hosts side
by side. The slots are taken together (all or none: no deadlock) before the
run starts, and held by a lease Prefect renews, so a killed run frees
them when its lease expires (`HOST_LEASE_SECONDS`). An operator may raise
a limit (`prefect gcl update news-etl-host:HOST --limit 2`); it is never
reset.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from extractors.sources import Source, load_config
from flows.defaults import WAREHOUSE
from flows.ingest_web import ingest_sources
from flows.ledger import RunSummary

__all__ = ["FLOW_NAME", "HOST_LIMIT_PREFIX", "host_limit_names", "host_slots", "ingest"]

FLOW_NAME = "ingest"
HOST_LIMIT_PREFIX = "news-etl-host:"
# A run killed without cleanup (SIGKILL, OOM) holds its host slots until its lease
# runs out. Prefect renews a lease at 75% of it (prefect/concurrency/_leases.py),
# so 120 s leaves 30 s of slack on a loaded server; Prefect's default is 300 s.
HOST_LEASE_SECONDS = 120.0


def host_limit_names(source: Source) -> list[str]:
    """The concurrency limits a run of `source` holds: one per host its config lists."""
    hosts = {
        (urlsplit(url).hostname or "").lower()
        for url in (*source.feeds, *source.sitemaps, *source.urls)
    }
    return [HOST_LIMIT_PREFIX + host for host in sorted(hosts) if host]


@contextmanager
def host_slots(names: Sequence[str]) -> Iterator[None]:
    """Hold one slot of each named limit (created with limit 1 when missing)."""
    with get_client(sync_client=True) as client:
        for name in names:
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                with suppress(ObjectAlreadyExists):  # another run created it first
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=name, limit=1)
                    )
    with concurrency(
        list(names),
        occupy=1,
        lease_duration=HOST_LEASE_SECONDS,
        strict=True,  # a limit that vanished is an error, not a silent free pass
        raise_on_lease_renewal_failure=False,  # a hiccup of the API must not kill the run
    ):
        yield


@flow(name=FLOW_NAME)
def ingest(
    config: str,
    source: str,
    warehouse: str = WAREHOUSE,
    since: str | None = None,
    max_articles: int | None = None,
    refresh: bool = False,
) -> RunSummary:
    """Scrape one source of a sources file into the warehouse.

    `since` (e.g. 2026-11-01) leaves URLs listed with an older date unfetched;
    `max_articles` replaces the source's cap for this run; `refresh` fetches
    pages again even if they are stored.
    """
    [selected] = load_config(Path(config)).select([source])
    names = host_limit_names(selected)
    get_run_logger().info("taking host slots %s", ", ".join(names))
    with host_slots(names):
        summary: RunSummary = ingest_sources(
            config=config,
            sources=[source],
            warehouse=warehouse,
            refresh=refresh,
            since=since,
            max_articles=max_articles,
        )
    return summary
