"""`news-etl serve`: one Prefect deployment per source, plus nightly compaction.

Every source of the config becomes the deployment `ingest/<source>` (the
`ingest` flow of `flows/scheduled.py`) with the source's cron `schedule` in
its `schedule_timezone` (UTC when unset; no schedule: manual runs only) and
the config path, warehouse and source as parameters; `compact/nightly`
compacts the same warehouse. One long-lived process serves them all
(`prefect.serve`), running at most `limit` flow runs at once, each in its
own subprocess.

Pausing: on SIGINT or SIGTERM Prefect's runner pauses every deployment it
served (`Runner.__aexit__` -> `_pause_schedules`, Prefect 3.9), and the
server deletes their not-yet-started scheduled runs, so nothing piles up
while nobody serves. Each deployment is registered here with
`paused=False`, so starting `serve` again resumes them all. A serve that
was killed (SIGKILL, OOM, power loss) could not pause: its schedules went
on creating runs that nobody started, which the server keeps as "Late" and
a new runner would start all at once (measured: both late runs of a
one-minute schedule ran at the restart). So before serving, the
auto-scheduled runs that were due more than `MISSED_AFTER` ago are
deleted, as a pause would have done; runs triggered by hand are kept and
run when serve comes back.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import Flow
from prefect import serve as prefect_serve
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectNotFound
from prefect.logging import get_logger
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from extractors.sources import SourcesConfig
from flows.defaults import COMPACTION

__all__ = [
    "COMPACT_DEPLOYMENT",
    "MISSED_AFTER",
    "deployments",
    "drop_missed_runs",
    "serve",
]

logger = get_logger("news_etl.serve")
MISSED_AFTER = timedelta(minutes=1)  # a run due longer ago than this was missed

COMPACT_DEPLOYMENT = "nightly"
TAGS = ["news-etl"]


def deployments(
    config: SourcesConfig,
    config_path: Path,
    warehouse: str,
    compact_schedule: str = COMPACTION.schedule,
) -> list[RunnerDeployment]:
    """The deployments `serve` registers: `ingest/<source>` each, and `compact/nightly`.

    Paths are made absolute: the runs execute in subprocesses and may be
    triggered from anywhere.
    """
    from flows.scheduled import ingest

    config_file = str(config_path.resolve())
    root = warehouse if "://" in warehouse else str(Path(warehouse).resolve())
    out: list[RunnerDeployment] = []
    for source in config.sources:
        schedules = []
        if source.schedule:
            schedules.append(Cron(source.schedule, timezone=source.schedule_timezone or "UTC"))
        out.append(
            _sync(
                ingest.to_deployment(
                    name=source.name,
                    schedules=schedules,
                    parameters={"config": config_file, "source": source.name, "warehouse": root},
                    paused=False,  # resume what a previous serve paused on exit
                    tags=TAGS,
                    description=f"Scrape {source.name} from {config_file} into {root}.",
                    entrypoint_type=EntrypointType.MODULE_PATH,
                )
            )
        )
    compact = _compact_flow()
    if compact is not None:
        out.append(
            _sync(
                compact.to_deployment(
                    name=COMPACT_DEPLOYMENT,
                    schedules=[Cron(compact_schedule, timezone="UTC")],
                    parameters={"warehouse": root},
                    paused=False,
                    tags=TAGS,
                    description=f"Compact the small files of {root}.",
                    entrypoint_type=EntrypointType.MODULE_PATH,
                )
            )
        )
    return out


def serve(
    config: SourcesConfig,
    config_path: Path,
    warehouse: str,
    *,
    limit: int,
    compact_schedule: str = COMPACTION.schedule,
) -> None:
    """Register the deployments and run their flow runs until SIGINT or SIGTERM."""
    served = deployments(config, config_path, warehouse, compact_schedule)
    drop_missed_runs(served)
    prefect_serve(*served, limit=limit)


def drop_missed_runs(served: list[RunnerDeployment], older_than: timedelta = MISSED_AFTER) -> int:
    """Delete the auto-scheduled runs of `served` that were due while nothing served them."""
    cutoff = datetime.now(UTC) - older_than
    dropped = 0
    with get_client(sync_client=True) as client:
        ids = []
        for deployment in served:
            try:
                ids.append(client.read_deployment_by_name(deployment.full_name).id)
            except ObjectNotFound:  # first start: nothing was missed
                continue
        if not ids:
            return 0
        due = FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
            expected_start_time=FlowRunFilterExpectedStartTime.model_validate({"before_": cutoff}),
        )
        while True:
            runs = client.read_flow_runs(
                deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=ids)),
                flow_run_filter=due,
                limit=200,
            )
            missed = [run for run in runs if run.auto_scheduled]
            for run in missed:
                client.delete_flow_run(run.id)
            dropped += len(missed)
            if not missed or len(runs) < 200:
                break
    if dropped:
        logger.warning("dropped %d scheduled runs missed while nothing served them", dropped)
    return dropped


def _sync(deployment: Any) -> RunnerDeployment:
    """`to_deployment` is typed sync-or-async (`async_dispatch`); called here, it is sync."""
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def _compact_flow() -> Flow[..., Any] | None:
    """The `compact` flow, imported late: it lives in its own module."""
    try:
        module = importlib.import_module("flows.compact")
    except ModuleNotFoundError as exc:
        if exc.name != "flows.compact":
            raise
        logger.warning("flows.compact is not available: no compact deployment is served")
        return None
    compact: Flow[..., Any] = module.compact
    return compact
