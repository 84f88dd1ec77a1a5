"""Scale-out: the ingest flow on threads vs a local 2-worker Dask cluster, same input, one run.

Builds a per-record-gzip WARC of N real corpus pages (as `warc_throughput.py`
does), then, under one temporary Prefect server (its start-up not counted):

- core only: the same batches through `clean_parts` and `BatchWriter` in a
  plain loop, one process, no Prefect: the work itself;
- threads: `ingest_files` with the default thread runner;
- threads: `ingest_files(workers=1)`, the flow's process only;
- dask: `ingest_files(dask_address=...)` on a local cluster of 2 single-threaded
  worker processes started by this script (`bench/default_run.py` compares the
  default process pool with Dask through the CLI)
  (its start-up and shutdown are inside the flow's time, as a user sees them).

Prints documents per second for each, the Dask/threads ratio (target on 2
cores: 1.6 or more), and Prefect's share of the wall time: the flow's time
beyond the core-only time (for Dask: beyond half of it, the ideal on two
workers), and the task runs' summed durations as the API records them.

Usage: python bench/dask_throughput.py [--records 1200] [--split-mb 4] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warc_throughput import _default_corpus, _pages, build_warc  # a sibling script module

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def core_only(warc: Path, warehouse: Path, split_mb: float, batch_size: int) -> dict[str, float]:
    """The flow's batches through the core functions in one process, without Prefect."""
    from extractors.parts import plan_parts
    from flows.batches import plan_batches
    from pipeline.clean import clean_parts
    from transforms.article import CleanSettings
    from warehouse import BatchWriter, KeyIndex, Warehouse

    started = time.perf_counter()
    split = int(split_mb * 2**20)
    batches = plan_batches(plan_parts([warc], split_bytes=split), batch_size, split)
    writer = BatchWriter(
        Warehouse(warehouse), run_id="core", articles_index=KeyIndex(), rejects_index=KeyIndex()
    )
    documents = 0
    for number, parts in enumerate(batches):
        batch = clean_parts(
            parts, settings=CleanSettings(), run_id="core", ingested_at=datetime.now(UTC)
        )
        documents += batch.documents
        writer.write(f"b{number:05d}", batch.articles, batch.rejects, seen_at=datetime.now(UTC))
    return {
        "documents": documents,
        "seconds": time.perf_counter() - started,
        "batches": len(batches),
    }


def _clean_batch(parts: Any) -> Any:
    from pipeline.clean import clean_parts
    from transforms.article import CleanSettings

    return clean_parts(
        parts, settings=CleanSettings(), run_id="pool", ingested_at=datetime.now(UTC)
    )


def process_pool(warc: Path, split_mb: float, batch_size: int) -> dict[str, float]:
    """The same batches on 2 plain worker processes, no Prefect, no Dask, nothing written:
    what two cores give on this machine right now (the ceiling for the Dask run)."""
    from concurrent.futures import ProcessPoolExecutor

    from extractors.parts import plan_parts
    from flows.batches import plan_batches

    split = int(split_mb * 2**20)
    batches = plan_batches(plan_parts([warc], split_bytes=split), batch_size, split)
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        documents = sum(batch.documents for batch in pool.map(_clean_batch, batches))
    return {"documents": documents, "seconds": time.perf_counter() - started}


def prefect_server_cpu() -> float:
    """CPU seconds used so far by the Prefect API server processes (uvicorn) on this machine."""
    import psutil  # type: ignore[import-untyped]  # a dependency of distributed

    total = 0.0
    for process in psutil.process_iter(["cmdline"]):
        if "prefect.server" in " ".join(process.info["cmdline"] or []):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def flow_run(warc: Path, warehouse: Path, split_mb: float, **options: Any) -> dict[str, float]:
    """One `ingest_files` run: its documents, flow time, its task runs' summed durations,
    and the CPU the flow's own process and the API server spent meanwhile."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.ingest import ingest_files

    server_before, flow_before = prefect_server_cpu(), time.process_time()
    summary = ingest_files(
        paths=[str(warc)], warehouse=str(warehouse), split_mb=split_mb, **options
    )
    flow_cpu, server_cpu = time.process_time() - flow_before, prefect_server_cpu() - server_before
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[summary.run_id]))
        )
    task_seconds = sum(run.total_run_time.total_seconds() for run in runs)
    starts = [run.start_time for run in runs if run.start_time is not None]
    ends = [run.end_time for run in runs if run.end_time is not None]
    return {
        "documents": summary.counts.documents_seen,
        "seconds": summary.elapsed_seconds,
        "task_runs": len(runs),
        "task_seconds": task_seconds,
        # first task start to last task end: the run without cluster start-up and shutdown
        "span_seconds": (max(ends) - min(starts)).total_seconds(),
        "articles": summary.counts.articles_written,
        "flow_cpu": flow_cpu,
        "server_cpu": server_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1200)
    parser.add_argument("--split-mb", type=float, default=4.0)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    args = parser.parse_args()

    from distributed import LocalCluster
    from prefect.testing.utilities import prefect_test_harness

    pages = _pages(args.corpus)
    with tempfile.TemporaryDirectory() as tmp, prefect_test_harness(server_startup_timeout=90):
        root = Path(tmp)
        warc = root / "bench.warc.gz"
        build_warc(pages, args.records, warc)
        size_mib = warc.stat().st_size / 2**20
        load_before = os.getloadavg()[0]
        core = core_only(warc, root / "core", args.split_mb, args.batch_size)
        pool = process_pool(warc, args.split_mb, args.batch_size)
        threads = flow_run(
            warc, root / "threads", args.split_mb, batch_size=args.batch_size, workers=1
        )
        with LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            dask = flow_run(
                warc,
                root / "dask",
                args.split_mb,
                batch_size=args.batch_size,
                dask_address=cluster.scheduler_address,
            )
        load_after = os.getloadavg()[0]

    runs = [("core", core), ("pool", pool), ("threads", threads), ("dask", dask)]
    rate = {name: r["documents"] / r["seconds"] for name, r in runs}
    print(
        f"input: WARC of {args.records} records ({size_mib:.0f} MiB) from {len(pages)} corpus "
        f"pages; {core['batches']:.0f} batches of up to {args.split_mb} MiB; "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )
    labels = {
        "core": "core only (1 process)",
        "pool": "2 processes, no Prefect",
        "threads": "threads",
        "dask": "dask, 2 workers",
    }
    for key, result in runs:
        name = labels[key]
        print(
            f"  {name:<24}: {rate[key]:7.1f} documents/s"
            f"  ({result['documents']:.0f} documents in {result['seconds']:.1f} s)"
        )
    print(f"  ratio dask / threads  : {rate['dask'] / rate['threads']:7.2f}   (target >= 1.6)")
    span_ratio = (dask["documents"] / dask["span_seconds"]) / (
        threads["documents"] / threads["span_seconds"]
    )
    print(
        f"  same, first task start to last task end: {span_ratio:5.2f}"
        f"  (threads {threads['span_seconds']:.1f} s, dask {dask['span_seconds']:.1f} s)"
    )
    print(f"  ratio dask / core     : {rate['dask'] / rate['core']:7.2f}")
    ceiling = rate["pool"] / rate["core"]
    print(f"  ratio 2 processes / core (what two cores give right now): {ceiling:5.2f}")
    threads_share = (threads["seconds"] - core["seconds"]) / threads["seconds"]
    dask_share = (dask["seconds"] - core["seconds"] / 2) / dask["seconds"]
    print(
        f"  Prefect's share, threads: {threads_share:6.1%} of the flow's time beyond the "
        f"core-only time; {threads['task_runs']:.0f} task runs summing "
        f"{threads['task_seconds']:.1f} s"
    )
    print(
        f"  CPU beside the workers (dask): flow process {dask['flow_cpu']:.1f} s, Prefect "
        f"server {dask['server_cpu']:.1f} s, in a {dask['seconds']:.1f} s run on 2 cores"
    )
    print(
        f"  Prefect's share, dask   : {dask_share:6.1%} of the flow's time beyond half the "
        f"core-only time (cluster start and stop included); {dask['task_runs']:.0f} task runs "
        f"summing {dask['task_seconds']:.1f} s of {2 * dask['seconds']:.1f} worker-seconds"
    )


if __name__ == "__main__":
    main()
