"""What one Prefect task run costs on a local 2-worker Dask cluster, apart from its work.

Runs `--tasks` tasks that each burn `--work` seconds of CPU (0: empty
tasks) through `DaskTaskRunner`, under one temporary Prefect server, and
prints the span from first submission to last result against the ideal
(tasks x work / 2 workers), with the CPU each worker spent per task (from
inside the tasks) and what the API server and the flow's process spent.

Usage: python bench/prefect_task_overhead.py [--tasks 60] [--work 0]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from typing import Any

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from dask_throughput import prefect_server_cpu  # a sibling script module
from prefect import flow, get_client, task
from prefect.cache_policies import NO_CACHE
from prefect.settings import PREFECT_API_URL, temporary_settings


@task(cache_policy=NO_CACHE, persist_result=False)
def burn(seconds: float) -> tuple[int, float]:
    """Spin for `seconds` of this thread's CPU; (worker pid, its process CPU time at the end)."""
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        pass
    return os.getpid(), time.process_time()


def run(tasks: int, work: float) -> tuple[float, dict[int, float]]:
    from prefect_dask.task_runners import DaskTaskRunner

    runner = DaskTaskRunner(
        cluster_kwargs={
            "n_workers": 2,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "silence_logs": logging.WARNING,
        }
    )

    @flow(task_runner=runner)  # type: ignore[arg-type]  # prefect-dask types its futures apart
    def spread() -> tuple[float, dict[int, float]]:
        started = time.perf_counter()
        futures = [burn.submit(work) for _ in range(tasks)]
        results = [future.result() for future in futures]
        span = time.perf_counter() - started
        by_worker: dict[int, list[float]] = {}
        for pid, cpu in results:
            by_worker.setdefault(pid, []).append(cpu)
        per_task = {  # CPU between a worker's first and last task, over the tasks between
            pid: (max(cpus) - min(cpus)) / max(len(cpus) - 1, 1) for pid, cpus in by_worker.items()
        }
        return span, per_task

    result: Any = spread()
    return result  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=60)
    parser.add_argument("--work", type=float, default=0.0, help="CPU seconds per task")
    args = parser.parse_args()

    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        with get_client(sync_client=True) as client:
            api_url = str(client.api_url)
        with temporary_settings({PREFECT_API_URL: api_url}):  # workers report to this server
            server_before, flow_before = prefect_server_cpu(), time.process_time()
            span, per_task = run(args.tasks, args.work)
            server_cpu, flow_cpu = (
                prefect_server_cpu() - server_before,
                time.process_time() - flow_before,
            )
    ideal = args.tasks * args.work / 2
    print(f"{args.tasks} tasks of {args.work:g} s CPU on 2 Dask workers")
    print(f"  span {span:.1f} s against {ideal:.1f} s ideal: {(span - ideal) * 2 / args.tasks:.3f} "
          "s of worker time per task beyond its work")  # fmt: skip
    cpu = ", ".join(f"{max(seconds - args.work, 0.0):.3f} s" for seconds in per_task.values())
    print(f"  worker CPU per task beyond its work: {cpu}")
    print(f"  API server CPU {server_cpu / args.tasks:.3f} s a task; flow process "
          f"{flow_cpu / args.tasks:.3f} s a task")  # fmt: skip


if __name__ == "__main__":
    main()
