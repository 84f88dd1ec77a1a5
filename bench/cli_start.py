"""How long the `news-etl` command takes to start, against a bare interpreter.

Issue 13 part 5 asks `news-etl --help` and `news-etl status` to answer in
under 0.5 s. Each command runs in a fresh process (imports are the cost being
measured, so nothing may be cached in this one), `--runs` times; the median
wall time is printed beside `python -c pass` measured in the same run, so a
slow or loaded machine shows up in the baseline too. The median CPU time
(user + system) of the same processes is printed too, and the load average:
on a machine other jobs keep busy, wall time grows while CPU time hardly does.

`status` needs a warehouse: the bundled samples are ingested once into a
temporary folder (not timed), or `--warehouse DIR` reuses an existing one.

    .venv/bin/python bench/cli_start.py [--runs 5] [--warehouse DIR]

`PYTHONPATH=DIR` measures the checkout in DIR instead (it comes before the
editable install): how a before/after pair is taken from one venv.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The venv's console script, beside the interpreter running this file.
NEWS_ETL = str(Path(sys.executable).parent / "news-etl")
TARGET_SECONDS = 0.5  # issue 13, part 5
QUIET = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


def start_seconds(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU time of `runs` fresh processes of `command`; a failure stops all."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def sample_warehouse(folder: Path) -> Path:
    """A small warehouse: the bundled samples ingested once (not part of any figure)."""
    root = folder / "warehouse"
    subprocess.run(
        [NEWS_ETL, "ingest", str(REPO / "samples"), "--warehouse", str(root), "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, **QUIET},
    )
    return root


def main() -> None:
    """Print one line per command: median wall time, and the target where one applies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command (5)")
    parser.add_argument("--warehouse", type=Path, default=None, help="reuse this warehouse")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="news-etl-cli-start-"))
    try:
        warehouse = args.warehouse or sample_warehouse(scratch)
        commands = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "news-etl --help": ([NEWS_ETL, "--help"], TARGET_SECONDS),
            "news-etl ingest --help": ([NEWS_ETL, "ingest", "--help"], None),
            "news-etl status --warehouse W": (
                [NEWS_ETL, "status", "--warehouse", str(warehouse)],
                TARGET_SECONDS,
            ),
        }
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"median of {args.runs} fresh processes each ({sys.executable})")
        print(f"load average {load} on {os.cpu_count()} cores")
        print(f"  {'command':<32} {'wall':>8} {'cpu':>8}")
        for label, (command, target) in commands.items():
            wall, cpu = start_seconds(command, args.runs)
            verdict = ""
            if target is not None:
                verdict = f"  target < {target} s: {'met' if wall < target else 'missed'}"
            print(f"  {label:<32} {wall:6.3f} s {cpu:6.3f} s{verdict}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
