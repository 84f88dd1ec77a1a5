"""The task runner a flow run spreads its batches over: processes, threads, or Dask.

- default (`workers=None`): every core of the machine, in Prefect's own
  `ProcessPoolTaskRunner`, when the input is large enough to win back the
  pool's start-up (`POOL_MIN_BYTES`); smaller inputs run on threads in the
  flow's process. Extraction is CPU-bound Python: threads share one core (the
  GIL) and processes use them all, with no cluster to run;
- `workers=1`: threads in the flow's process, whatever the input;
- `workers=N` (N > 1): a pool of N processes, whatever the input;
- `dask_address="tcp://HOST:8786"`: an existing Dask cluster, whose workers
  must import this package (the same checkout or install) and read the input
  paths under the same names.

Task runs on pool processes and Dask workers report to the Prefect API
themselves. For a pool, Prefect passes the flow's settings and environment on
(the CLI's temporary server sets `PREFECT_API_URL`, see `flows.local_server`).
The serialised Prefect settings travel with each Dask task, so when the flow
talks to a temporary local server its address is put into those settings for
the submission; otherwise each Dask worker would start a temporary server of
its own (measured here: 15 s more for a 4-task run).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from prefect import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from flows.parent_watch import die_with_parent

__all__ = ["POOL_MIN_BYTES", "THREADS", "Runner", "RunnerKind", "choose_runner", "task_runner"]

THREADS = 2  # in-process: extraction holds the GIL, a second thread only overlaps reading
# Below this much input the pool's start-up (a Python per core importing the
# pipeline, about 1.5 s of CPU each here) costs more than the cores win back.
POOL_MIN_BYTES = 4 * 1024 * 1024
logger = logging.getLogger(__name__)


class RunnerKind(StrEnum):
    THREADS = "threads"
    PROCESSES = "processes"
    DASK = "dask"


@dataclass(frozen=True, slots=True)
class Runner:
    """Which runner a run uses, and with how many workers."""

    kind: RunnerKind
    workers: int
    address: str | None = None

    def __str__(self) -> str:
        if self.kind is RunnerKind.DASK:
            return f"the Dask cluster at {self.address}"
        unit = "threads" if self.kind is RunnerKind.THREADS else "worker processes"
        return f"{self.workers} {unit}"


def choose_runner(
    workers: int | None, dask_address: str | None, input_bytes: int, cpus: int | None = None
) -> Runner:
    """The runner for a run of `input_bytes` of input (see the module docstring)."""
    if dask_address:
        return Runner(RunnerKind.DASK, 0, dask_address)
    if workers is None:
        cores = cpus or os.cpu_count() or 1
        workers = cores if input_bytes >= POOL_MIN_BYTES else 1
    if workers <= 1:
        return Runner(RunnerKind.THREADS, THREADS)
    return Runner(RunnerKind.PROCESSES, workers)


@contextmanager
def task_runner(choice: Runner) -> Iterator[tuple[TaskRunner[Any], int]]:
    """(a started task runner, how many tasks it runs at once)."""
    if choice.kind is RunnerKind.DASK:
        with _dask(str(choice.address)) as started:
            yield started
        return
    runner: TaskRunner[Any]
    if choice.kind is RunnerKind.PROCESSES:
        # workers leave when the flow's process dies, SIGKILL included (issue 12)
        runner = ProcessPoolTaskRunner(
            max_workers=choice.workers, initializer=die_with_parent, initargs=(os.getpid(),)
        )
    else:
        runner = ThreadPoolTaskRunner(max_workers=choice.workers)
    with runner:
        yield runner, choice.workers


@contextmanager
def _dask(address: str) -> Iterator[tuple[TaskRunner[Any], int]]:
    from prefect_dask.task_runners import DaskTaskRunner  # imported when asked: dask is heavy

    logging.getLogger("distributed").setLevel(logging.WARNING)  # a line per worker event
    runner = DaskTaskRunner(address=address)
    with ExitStack() as stack:
        if PREFECT_API_URL.value() is None:
            with get_client(sync_client=True) as client:
                api_url = str(client.api_url)
            logger.warning(
                "the Prefect API is a temporary server at %s: workers on other machines "
                "cannot reach it; set PREFECT_API_URL to a server they can reach",
                api_url,
            )
            stack.enter_context(temporary_settings({PREFECT_API_URL: api_url}))
        stack.enter_context(runner)
        threads_per_worker: dict[str, int] = runner.client.nthreads()  # type: ignore[no-untyped-call]
        yield runner, sum(threads_per_worker.values()) or 1
