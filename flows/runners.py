"""The task runner a flow run spreads its batches over: threads, or a Dask cluster.

- default: a `ThreadPoolTaskRunner` in the flow's process (the GIL bounds
  CPU-heavy extraction to about one core);
- `workers=N`: a temporary local Dask cluster of N single-threaded worker
  processes, through prefect-dask, gone when the run ends;
- `dask_address="tcp://HOST:8786"`: an existing Dask cluster, whose workers
  must import this package (the same checkout or install) and read the input
  paths under the same names.

Task runs on Dask workers report to the Prefect API from the worker. The
serialised Prefect settings travel with each task, so when the flow talks to
a temporary local server (no `PREFECT_API_URL` set) its address is put into
those settings for the submission; otherwise each worker would start a
temporary server of its own (measured here: 15 s more for a 4-task run).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from prefect import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

__all__ = ["THREADS", "describe_runner", "task_runner"]

THREADS = 2
logger = logging.getLogger(__name__)


def describe_runner(workers: int | None, dask_address: str | None) -> str:
    if dask_address:
        return f"the Dask cluster at {dask_address}"
    if workers:
        return f"a local Dask cluster of {workers} worker processes"
    return f"{THREADS} threads"


@contextmanager
def task_runner(
    workers: int | None, dask_address: str | None
) -> Iterator[tuple[TaskRunner[Any], int]]:
    """(a started task runner, how many tasks it runs at once)."""
    if not workers and not dask_address:
        threads: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=THREADS)
        with threads:
            yield threads, THREADS
        return

    from prefect_dask.task_runners import DaskTaskRunner  # imported when asked: dask is heavy

    # distributed logs every worker start and stop at INFO.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if dask_address:
        runner = DaskTaskRunner(address=dask_address)
    else:
        runner = DaskTaskRunner(
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,  # extraction holds the GIL: one process per core
                "processes": True,
                "dashboard_address": None,  # no bokeh, no port to pick
                "silence_logs": logging.WARNING,
            }
        )
    with ExitStack() as stack:
        if PREFECT_API_URL.value() is None:
            with get_client(sync_client=True) as client:
                api_url = str(client.api_url)
            if dask_address:
                logger.warning(
                    "the Prefect API is a temporary server at %s: workers on other machines "
                    "cannot reach it; set PREFECT_API_URL to a server they can reach",
                    api_url,
                )
            stack.enter_context(temporary_settings({PREFECT_API_URL: api_url}))
        stack.enter_context(runner)
        threads_per_worker: dict[str, int] = runner.client.nthreads()  # type: ignore[no-untyped-call]
        yield runner, sum(threads_per_worker.values()) or (workers or 1)
