"""The default `news-etl ingest` of a WARC against bare trafilatura: CPU, wall clock, memory.

Prints the file-run figures of issue 13's "Benchmarks". Builds a per-record-gzip
WARC of N real corpus pages, each copy with its own URL and HTML comment
(`crash_stress.build_distinct_warc` over `warc_throughput.build_warc`), then:
baselines in fresh interpreters over its payloads, (a) `trafilatura.extract(html,
include_comments=False)` and (b) `bare_extraction(html, with_metadata=True)`;
the real CLI with default options into a fresh warehouse; a rerun into the same
warehouse; unless --no-scale, a 4N WARC into a fresh one; with --dask, the same
ingest on a local `dask scheduler` + `dask worker --nworkers 2 --nthreads 1`.

CPU is user+sys of each command and every descendant, from RUSAGE_CHILDREN
deltas: the temporary Prefect server and pool workers are waited for, and this
process is a child subreaper so that orphans are reaped (and counted) here.
Peak RSS is sampled from /proc every 50 ms over the CLI's process tree, summed
(shared pages once per process: an upper bound) and per process.

One invocation, so that the ratios share the machine's conditions (load, CPU
frequency, page cache); the load average is printed at start and end. Nothing
reaches the internet.

Usage: python bench/default_run.py [--records 3000] [--corpus PATH] [--no-scale]
           [--dask] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from crash_stress import _stat, build_distinct_warc  # sibling script modules
from warc_throughput import _default_corpus, _pages

BIN = Path(sys.executable).parent  # the venv's bin: news-etl, dask
RUN_ENVIRONMENT = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
SAMPLE_SECONDS = 0.05
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MIB = 2**20
STOP_GRACE_SECONDS = 30.0
REAP_SECONDS = 15.0  # the temporary server stops within about a second of its parent
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
SCHEDULER_OPTIONS = ("--host", "127.0.0.1", "--port", "0", "--no-dashboard")
WORKER_OPTIONS = ("--nworkers", "2", "--nthreads", "1", "--no-dashboard")


@dataclass(frozen=True, slots=True)
class Cost:
    """One command: CPU (user+sys, its waited-for children included) and wall seconds."""

    cpu: float
    wall: float
    peak_tree_mib: float = 0.0  # max over samples of the RSS summed over the process tree
    peak_one_mib: float = 0.0  # max RSS of any single process of the tree
    processes: int = 0  # most processes seen in the tree at once
    orphans: int = 0  # descendants that outlived the command (reaped here: CPU counted)
    missed: int = 0  # of those, still running REAP_SECONDS later: CPU not counted


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree(root: int) -> list[int]:
    """`root` and its descendants, from /proc/PID/task/TID/children."""
    found: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        for children in Path(f"/proc/{pid}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                stack.extend(int(child) for child in children.read_text().split())
    return found


def _rss_mib(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES / MIB
    except (OSError, IndexError, ValueError):
        return 0.0


def _started(pid: int) -> int | None:
    proc = _stat(pid)
    return None if proc is None else proc.started


def _watch(proc: subprocess.Popen[bytes]) -> tuple[float, float, int, dict[int, int | None]]:
    """Sample the tree's RSS until `proc` ends: (peak sum, peak single, processes, seen)."""
    tree = single = 0.0
    most = 0
    seen: dict[int, int | None] = {}  # descendant pid -> its start time
    while proc.poll() is None:
        pids = _tree(proc.pid)
        rss = [_rss_mib(pid) for pid in pids]
        tree, single, most = max(tree, sum(rss)), max(single, *rss, 0.0), max(most, len(pids))
        for pid in pids[1:]:
            seen.setdefault(pid, _started(pid))
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(SAMPLE_SECONDS)
    return tree, single, most, seen


def _reap(seen: dict[int, int | None]) -> tuple[int, int]:
    """Wait for the descendants that outlived the command: as a child subreaper this process
    inherits them, and once reaped their CPU is in RUSAGE_CHILDREN too. (orphans, missed)"""
    left, orphans = {pid for pid, at in seen.items() if at is not None}, 0
    deadline = time.monotonic() + REAP_SECONDS
    while left and time.monotonic() < deadline:
        for pid in list(left):
            with contextlib.suppress(ChildProcessError):  # not (yet) re-parented to us
                if os.waitpid(pid, os.WNOHANG)[0]:
                    left.discard(pid)
                    orphans += 1
                    continue
            if _started(pid) != seen[pid]:  # gone, or a zombie that its own parent reaps
                left.discard(pid)
        time.sleep(SAMPLE_SECONDS if left else 0)
    return orphans + len(left), len(left)


def _reap_any() -> None:
    """Reap whatever orphans have ended (the Dask workers' processes, once stopped)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _become_subreaper() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _environment() -> dict[str, str]:
    env = {**os.environ, **RUN_ENVIRONMENT}
    env.pop("PREFECT_API_URL", None)  # default options: the CLI's own temporary server
    return env


def run_cli(arguments: list[str], work: Path, log: Path) -> Cost:
    """`news-etl ingest ARGUMENTS --quiet`, its tree's RSS sampled while it runs."""
    command = [str(BIN / "news-etl"), "ingest", *arguments, "--quiet"]
    print(f"  $ {shlex.join(command)}", flush=True)
    before, started = _children_cpu(), time.perf_counter()
    with log.open("wb") as stderr:  # a file, not a pipe: nobody reads it while it runs
        proc = subprocess.Popen(
            command, cwd=work, env=_environment(), stdout=subprocess.DEVNULL, stderr=stderr
        )
        tree, single, most, seen = _watch(proc)
    wall = time.perf_counter() - started
    orphans, missed = _reap(seen)
    cpu = _children_cpu() - before
    if proc.returncode:
        sys.exit(f"exit {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
    return Cost(cpu, wall, tree, single, most, orphans, missed)


def run_baseline(mode: str, warc: Path) -> tuple[Cost, dict[str, float]]:
    """One baseline loop in a fresh interpreter: the whole process's cost, and the loop's."""
    command = [sys.executable, __file__, "--worker", mode, str(warc)]
    print(f"  $ {shlex.join(command)}", flush=True)
    before, started = _children_cpu(), time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, text=True)
    cost = Cost(_children_cpu() - before, time.perf_counter() - started)
    loop: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return cost, loop


def baseline_worker(mode: str, warc: Path) -> dict[str, float]:
    """The loop itself: payloads read from the WARC as it goes (as the CLI must read them)."""
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    documents = 0
    cpu, wall = time.process_time(), time.perf_counter()
    with warc.open("rb") as stream:
        for record in filter(lambda r: r.rec_type == "response", ArchiveIterator(stream)):
            html = record.content_stream().read()
            if mode == "extract":
                trafilatura.extract(html, include_comments=False)
            else:
                trafilatura.bare_extraction(html, with_metadata=True)
            documents += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"documents": documents, "cpu": cpu, "wall": wall}


def run_summary(warehouse: Path) -> str:
    """What each run recorded in the `runs` table (read by the CLI, outside the timings)."""
    sql = (
        "select status, documents_seen, articles_written, duplicates_skipped, rejects,"
        " already_stored from runs order by started_at"
    )
    command = [str(BIN / "news-etl"), "query", "--warehouse", str(warehouse), "--format", "csv"]
    out = subprocess.run([*command, sql], capture_output=True, text=True, env=_environment())
    return out.stdout.strip() or out.stderr.strip()[-500:]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    print(f"  $ {shlex.join(command)} &", flush=True)
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=log.parent, env=_environment(), stdout=out, stderr=out)


def _wait_for_cluster(scheduler_file: Path, workers: int) -> str:
    from distributed import Client

    deadline = time.monotonic() + 120
    while not scheduler_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    with Client(scheduler_file=str(scheduler_file), timeout=60) as client:  # type: ignore[no-untyped-call]
        client.wait_for_workers(workers, timeout=120)
        return str(client.scheduler.address)


def run_dask(warc: Path, work: Path) -> tuple[Cost, float]:
    """The default ingest on a 2-worker local cluster: (the CLI's cost, the cluster's CPU)."""
    dask, file = str(BIN / "dask"), work / "scheduler.json"
    where = ["--scheduler-file", str(file)]
    before = _children_cpu()
    scheduler = _start([dask, "scheduler", *SCHEDULER_OPTIONS, *where], work / "scheduler.log")
    workers = _start(
        [dask, "worker", *WORKER_OPTIONS, *where, "--local-directory", str(work / "dask")],
        work / "workers.log",
    )
    try:
        address = _wait_for_cluster(file, 2)
        warehouse = ["--warehouse", str(work / "wh-dask"), "--dask-address", address]
        cost = run_cli([str(warc), *warehouse], work, work / "dask-run.log")
    finally:
        _stop(workers)
        _stop(scheduler)
        _reap_any()
    return cost, _children_cpu() - before - cost.cpu


def show(label: str, value: str, target: str = "") -> None:
    print(f"  {label:48s} {value:>22s}  {target}", flush=True)


def _cost(cost: Cost, documents: int) -> str:
    return f"{cost.cpu:7.1f} CPU-s {cost.wall:6.1f} s {documents / cost.cpu:6.1f}/CPU-s"


def build(pages: list[Path], records: int, work: Path) -> Path:
    warc = work / f"bench-{records}.warc.gz"
    started = time.perf_counter()
    build_distinct_warc(pages, records, warc, work)
    seconds, size = time.perf_counter() - started, warc.stat().st_size / MIB
    print(f"\nWARC of {records} records, {size:.0f} MiB, built in {seconds:.1f} s")
    return warc


def show_run(name: str, cost: Cost, documents: int) -> None:
    show(f"{name}: CPU, wall, documents", _cost(cost, documents))
    rss = f"{cost.peak_tree_mib:6.0f} / {cost.peak_one_mib:4.0f} MiB"
    show(f"{name}: peak RSS, tree sum / one process", rss)
    orphans = f"{cost.processes}; {cost.orphans}, {cost.missed}"
    show(f"{name}: processes; orphans, uncounted", orphans)


def bench(args: argparse.Namespace, work: Path) -> None:
    n = args.records
    pages = _pages(args.corpus)
    warc = build(pages, n, work)
    print("baselines (fresh interpreters; loop = the extract calls and warcio's reading):")
    base_a, loop_a = run_baseline("extract", warc)
    base_b, loop_b = run_baseline("bare", warc)
    show("(a) extract: process", _cost(base_a, n), f"loop {loop_a['cpu']:.1f} CPU-s")
    show("(b) bare_extraction: process", _cost(base_b, n), f"loop {loop_b['cpu']:.1f} CPU-s")
    print("default run into a fresh warehouse:")
    warehouse = work / "wh-1x"
    first = run_cli([str(warc), "--warehouse", str(warehouse)], work, work / "run-1x.log")
    show_run("first run", first, n)
    for name, base, loop, target in (("a", base_a, loop_a, 0.8), ("b", base_b, loop_b, 1.0)):
        ratio = f"{base.cpu / first.cpu:.2f}x (loop {loop['cpu'] / first.cpu:.2f}x)"
        show(f"docs/CPU-s vs ({name}) process (loop only)", ratio, f"target >= {target}x")
    show("wall speed-up vs loop (a)", f"{base_a.wall / first.wall:.2f}x", "target >= 1.25x")
    show("wall / CPU", f"{first.wall / first.cpu:.2f}", "target <= 0.65")
    print("rerun of the unchanged WARC into the same warehouse:")
    rerun = run_cli([str(warc), "--warehouse", str(warehouse)], work, work / "rerun.log")
    show_run("rerun", rerun, n)
    show("rerun CPU / first run CPU", f"{100 * rerun.cpu / first.cpu:.1f}%", "target <= 5%")
    print(f"  runs table:\n    {run_summary(warehouse).replace(chr(10), chr(10) + '    ')}")
    if not args.no_scale:
        scale(pages, n, work, first)
    if args.dask:
        dask(warc, n, work, first)


def scale(pages: list[Path], n: int, work: Path, first: Cost) -> None:
    big = build(pages, 4 * n, work)
    print("default run of the 4x WARC into a fresh warehouse:")
    cost = run_cli([str(big), "--warehouse", str(work / "wh-4x")], work, work / "run-4x.log")
    big.unlink()
    show_run("4x run", cost, 4 * n)
    ratio = cost.peak_tree_mib / first.peak_tree_mib
    show("peak RSS (tree sum) 4x / 1x", f"{ratio:.2f}x", "target <= 1.2x")
    show("peak RSS (tree sum) 4x", f"{cost.peak_tree_mib:.0f} MiB", "target < 1024 MiB")


def dask(warc: Path, n: int, work: Path, pool: Cost) -> None:
    print("the same ingest on a local Dask cluster (2 workers x 1 thread):")
    cost, cluster = run_dask(warc, work)
    show_run("dask run", cost, n)
    show("dask cluster CPU (start-up to stop)", f"{cluster:7.1f} CPU-s")
    total = cost.cpu + cluster
    show("dask CLI + cluster: CPU, docs/CPU-s", f"{total:7.1f} CPU-s {n / total:6.1f}/CPU-s")
    show("dask vs process pool: wall", f"{cost.wall / pool.wall:.2f}x")
    show("dask vs process pool: CPU", f"{total / pool.cpu:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--no-scale", action="store_true", help="skip the 4x memory run")
    parser.add_argument("--dask", action="store_true", help="also run on a local Dask cluster")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(baseline_worker(args.worker[0], Path(args.worker[1]))))
        return
    print(f"load average at start: {_load()}; {os.cpu_count()} CPUs; corpus {args.corpus}")
    _become_subreaper()
    work = Path(tempfile.mkdtemp(prefix="news-etl-default-run-"))
    try:
        bench(args, work)
    finally:
        if args.keep:
            print(f"\nkept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        print(f"load average at end: {_load()}")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
