"""Crash-freedom under load: repeated `news-etl ingest` runs of a real-page WARC.

Issue "Crash-free under load": 3 of 61 ingests of a 600-record WARC died in
native code (exit 134, `free(): invalid pointer` / `double free or corruption`;
exit 135, `Fatal Python error: Bus error` with two task threads inside lxml),
once on a plain rerun, more often right after a killed run. This script
repeats that experiment, so that a fix can be shown to hold:

- builds a per-record-gzip WARC of N `response` records from the real corpus
  pages with `warc_throughput.build_warc`, each copy with its own URL and its
  own HTML comment, so that no two records are byte-identical;
- runs the real CLI, `news-etl ingest WARC --warehouse DIR --quiet [EXTRA]`,
  R times, one at a time, with PYTHONFAULTHANDLER=1, cycling through three
  scenarios: `fresh` (an empty warehouse), `rerun` (into the warehouse the
  fresh run before it completed) and `resume` (into a warehouse whose previous
  run was SIGKILLed a few seconds after it committed its runs row, i.e. while
  extracting; that killed run is preparation, not one of the R);
- per run: exit code (death by signal N shown as 128+N, as a shell does) and
  wall time; keeps the stderr of every run that did not exit 0 in --out and,
  for a death by signal, prints the head of the fault handler's trace and the
  top frames of each thread;
- after each run, kills the Prefect temporary servers (`uvicorn ...
  prefect.server.api.server:create_app`) and other processes that this bench's
  runs started and that outlived them (reparented to PID 1), and counts them.
  Only processes seen as descendants of this bench's runs are touched, never
  another user's. A SIGKILLed run always leaves its server behind; as after a
  real kill, it stays up during the resume run and is killed after it
  (--reap-before-resume kills it first).

Prints a summary (runs, deaths in native code and their exit codes, Python
errors (exit 1), orphaned servers, median wall time), also written to
`<out>/summary.json`. Exit status 1 if any run died by a signal or hung.

The code under test is the `flows.cli` that the venv's interpreter imports in
this environment, printed first: set PYTHONPATH to another checkout (a
`git worktree`) to test that one instead of the editable install.

Usage: python bench/crash_stress.py [--records 600] [--runs 60] [--out DIR]
           [--corpus PATH] [--kill-after 5] [--timeout 900] [--extra-args="--workers 2"]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from warc_throughput import _default_corpus, _pages, build_warc  # a sibling script module

SCENARIOS = ("fresh", "rerun", "resume")
PREP = "to-kill"  # the run a `resume` follows, SIGKILLed while extracting
RUN_ENVIRONMENT = {
    "PYTHONFAULTHANDLER": "1",  # a dying interpreter prints every thread's stack
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
SERVER_MARK = "prefect.server.api.server:create_app"
NATIVE_SIGNALS = frozenset(
    {signal.SIGABRT, signal.SIGBUS, signal.SIGSEGV, signal.SIGILL, signal.SIGFPE}
)
POLL_SECONDS = 0.5
ABORT_GRACE_SECONDS = 10.0  # for faulthandler to dump a hung run's threads
TERM_GRACE_SECONDS = 5.0
TRACE_LINES = 12
TOP_FRAMES = 3
# glibc's heap checks print one of these before abort(); faulthandler then
# prints "Fatal Python error: Aborted" (or "Bus error", "Segmentation fault").
CRASH_MARKERS = (
    "Fatal Python error",
    "free(): ",
    "double free",
    "corrupted ",
    "malloc",
    "munmap_chunk",
)
FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+) in (?P<name>.+)')


class Outcome(StrEnum):
    OK = "ok"
    PYTHON_ERROR = "python error"  # exit 1: the CLI caught an exception
    NATIVE = "native crash"  # SIGABRT, SIGBUS, SIGSEGV, SIGILL, SIGFPE
    SIGNAL = "other signal"
    OTHER_EXIT = "other exit"
    HUNG = "hung"  # past --timeout; SIGABRTed so that faulthandler shows where
    KILLED = "killed"  # by this bench, on purpose (the run a `resume` follows)


DIED = frozenset({Outcome.NATIVE, Outcome.SIGNAL, Outcome.HUNG})


@dataclass(frozen=True, slots=True)
class RunResult:
    number: int
    scenario: str
    outcome: Outcome
    exit_code: int  # 128+N for a death by signal N
    seconds: float
    log: str | None  # the kept stderr


# --- processes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proc:
    pid: int
    ppid: int
    started: int  # clock ticks after boot: with the pid, names a process for good


def _stat(pid: int | str) -> Proc | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name may hold spaces
    if fields[0] == "Z":  # exited, waiting for its parent to reap it
        return None
    return Proc(int(pid), int(fields[1]), int(fields[19]))


def _processes() -> dict[int, Proc]:
    found = (_stat(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit())
    return {proc.pid: proc for proc in found if proc is not None}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, UnicodeDecodeError):
        return ""


def _descendants(table: dict[int, Proc], root: int) -> list[Proc]:
    children: dict[int, list[Proc]] = {}
    for proc in table.values():
        children.setdefault(proc.ppid, []).append(proc)
    found: list[Proc] = []
    stack = [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child.pid)
    return found


def _stop(proc: Proc) -> None:
    """SIGTERM, then SIGKILL; not our child, so wait by watching /proc."""
    for sig, grace in ((signal.SIGTERM, TERM_GRACE_SECONDS), (signal.SIGKILL, 1.0)):
        try:
            os.kill(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            now = _stat(proc.pid)
            if now is None or now.started != proc.started:
                return
            time.sleep(0.1)


@dataclass
class Orphans:
    """The processes this bench's runs started, to find those that outlive their run."""

    seen: dict[Proc, str] = field(default_factory=dict)  # as first seen -> its run's label

    def scan(self, root: int, label: str) -> None:
        for proc in _descendants(_processes(), root):
            self.seen.setdefault(proc, label)

    def reap(self) -> list[tuple[str, int, bool]]:
        """Stop every process seen that its parent left behind: (run label, pid, a server?)."""
        stopped = []
        for proc, label in list(self.seen.items()):
            now = _stat(proc.pid)
            if now is None or now.started != proc.started:
                del self.seen[proc]  # gone, as it should be
            elif now.ppid != proc.ppid:  # reparented (to PID 1): its parent died first
                is_server = SERVER_MARK in _cmdline(proc.pid)
                _stop(proc)
                del self.seen[proc]
                stopped.append((label, proc.pid, is_server))
        return stopped


def stray_servers(since: int, ours: set[int]) -> int:
    """Orphaned Prefect servers started during the bench, not by it (left alone)."""
    return sum(
        1
        for proc in _processes().values()
        if proc.ppid == 1
        and proc.started >= since
        and proc.pid not in ours
        and SERVER_MARK in _cmdline(proc.pid)
    )


# --- one run ----------------------------------------------------------------------------


def _runs_commits(warehouse: Path) -> int:
    """Commits of the runs table: a run's first commit is its `running` row."""
    return len(list((warehouse / "runs" / "_delta_log").glob("*.json")))


def _shell_code(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def classify(code: int, *, killed: bool, hung: bool) -> Outcome:
    if hung:
        return Outcome.HUNG
    if killed and code == 128 + signal.SIGKILL:
        return Outcome.KILLED
    if code in (0, 1):
        return Outcome.OK if code == 0 else Outcome.PYTHON_ERROR
    if code > 128 and code - 128 in NATIVE_SIGNALS:
        return Outcome.NATIVE
    return Outcome.SIGNAL if code >= 128 else Outcome.OTHER_EXIT


def _abort(proc: subprocess.Popen[bytes]) -> None:
    """SIGABRT a hung run, so that faulthandler prints where its threads are."""
    proc.send_signal(signal.SIGABRT)
    try:
        proc.wait(ABORT_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_ingest(
    command: list[str],
    warehouse: Path,
    log: Path,
    *,
    label: str,
    orphans: Orphans,
    timeout: float,
    kill_after: float | None = None,
) -> tuple[Outcome, int, float]:
    """One ingest; with `kill_after`, SIGKILLed that many seconds after it records its run."""
    env = {**os.environ, **RUN_ENVIRONMENT}
    started = time.monotonic()
    kill_at: float | None = None
    killed = hung = False
    runs_before = _runs_commits(warehouse)
    with log.open("wb") as stderr:  # a file, not a pipe: an orphan may hold it open
        proc = subprocess.Popen(
            [*command, "--warehouse", str(warehouse)],
            env=env,
            cwd=warehouse.parent,  # the bench's temporary folder: nothing lands in the repo
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # a Ctrl-C of the bench is not the run's
        )
    try:
        while proc.poll() is None:
            orphans.scan(proc.pid, label)
            now = time.monotonic()
            started_run = _runs_commits(warehouse) > runs_before
            if kill_after is not None and kill_at is None and started_run:
                kill_at = now + kill_after
            if kill_at is not None and now >= kill_at:
                killed = True
                proc.kill()
            elif now - started > timeout:
                hung = True
                _abort(proc)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(POLL_SECONDS)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    code = _shell_code(proc.returncode)
    return classify(code, killed=killed, hung=hung), code, time.monotonic() - started


# --- fault handler output -------------------------------------------------------------


def _frame(line: str) -> str:
    match = FRAME.search(line)
    if not match:
        return line.strip()
    path = match["path"]
    short = path.split("site-packages/")[-1] if "site-packages/" in path else path
    return f"{match['name']} ({'/'.join(short.split('/')[-3:])}:{match['line']})"


def trace_head(text: str) -> list[str]:
    """The lines from the first crash message on."""
    lines = text.splitlines()
    first = next(
        (i for i, line in enumerate(lines) if any(m in line for m in CRASH_MARKERS)),
        max(0, len(lines) - TRACE_LINES),
    )
    return lines[first : first + TRACE_LINES]


def thread_tops(text: str) -> list[str]:
    """Each thread faulthandler dumped, with its innermost frames."""
    out: list[str] = []
    depth = TOP_FRAMES
    for line in text.splitlines():
        if line.startswith(("Thread 0x", "Current thread 0x")):
            out.append(line.replace(" (most recent call first)", "").rstrip(":"))
            depth = 0
        elif line.startswith("  ") and depth < TOP_FRAMES:
            out.append(f"    {_frame(line)}")
            depth += 1
        elif not line.startswith("  "):
            depth = TOP_FRAMES
    return out


def print_last_line(result: RunResult) -> None:
    """The CLI's own message (a failed run's last stderr line)."""
    if result.log is None:
        return
    lines = [line for line in Path(result.log).read_text(errors="replace").splitlines() if line]
    print(f"    stderr kept: {result.log}")
    if lines:
        print(f"    | {lines[-1]}")


def print_crash(result: RunResult) -> None:
    if result.log is None:
        return
    text = Path(result.log).read_text(errors="replace")
    print(f"    stderr kept: {result.log}")
    for line in trace_head(text):
        print(f"    | {line}")
    tops = thread_tops(text)
    if tops:
        print("    threads (innermost frames first):")
        for line in tops:
            print(f"      {line}")


# --- the bench ----------------------------------------------------------------------------


def build_distinct_warc(pages: list[Path], n: int, target: Path, scratch: Path) -> None:
    """`build_warc` over n copies of the pages in order, copy i with its own comment."""
    copies = []
    for number in range(n):
        page = pages[number % len(pages)]
        copy = scratch / f"{number:05d}-{page.name}"
        copy.write_bytes(page.read_bytes() + f"\n<!-- crash_stress copy {number} -->\n".encode())
        copies.append(copy)
    build_warc(copies, n, target)
    for copy in copies:
        copy.unlink()


def describe_code(python: Path) -> str:
    """Which flows.cli (and lxml, trafilatura, prefect) the runs import, and its git state."""
    probe = (
        "import json, flows.cli, lxml.etree, trafilatura, prefect; print(json.dumps(["
        "flows.cli.__file__, lxml.etree.__version__, trafilatura.__version__, "
        "prefect.__version__]))"
    )
    # from "/": `python -c` puts its working folder first on sys.path, the console script does not
    out = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    )
    cli, lxml, trafilatura, prefect = json.loads(out.stdout.strip().splitlines()[-1])
    root = Path(cli).resolve().parents[1]
    git = ["git", "--no-optional-locks", "-C", str(root)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    state = "no git" if head.returncode else head.stdout.strip()
    if not head.returncode:
        state += ", uncommitted changes" if dirty.stdout.strip() else ", clean"
    return f"{cli} ({state}); lxml {lxml}, trafilatura {trafilatura}, prefect {prefect}"


@dataclass
class Bench:
    command: list[str]
    work: Path
    out: Path
    timeout: float
    kill_after: float
    reap_before_resume: bool
    rng: random.Random
    orphans: Orphans = field(default_factory=Orphans)
    results: list[RunResult] = field(default_factory=list)
    died_in: set[Path] = field(default_factory=set)  # warehouses kept as evidence
    outcome_of: dict[str, Outcome] = field(default_factory=dict)  # by run label
    orphaned: Counter[tuple[bool, Outcome]] = field(default_factory=Counter)  # (server?, left by)

    def one(self, number: int, scenario: str, warehouse: Path, kill: bool = False) -> RunResult:
        name = f"run-{number:03d}-{scenario}"
        log = self.out / f"{name}.stderr"
        delay = self.rng.uniform(0.5, 1.5) * self.kill_after if kill else None
        label = f"run {number} {scenario}"
        outcome, code, seconds = run_ingest(
            self.command,
            warehouse,
            log,
            label=label,
            orphans=self.orphans,
            timeout=self.timeout,
            kill_after=delay,
        )
        kept = outcome not in (Outcome.OK, Outcome.KILLED)
        if not kept:
            log.unlink()
        result = RunResult(number, scenario, outcome, code, seconds, str(log) if kept else None)
        self.results.append(result)
        self.outcome_of[label] = outcome
        if outcome in DIED:
            self.died_in.add(warehouse)
        note = ""
        if delay is not None:
            killed = outcome is Outcome.KILLED
            note = f" (SIGKILL {delay:.1f} s after its runs row)" if killed else " (ended first)"
        print(
            f"run {number:3d} {scenario:7s} exit {code:3d}  {outcome:13s} {seconds:6.1f} s{note}",
            flush=True,
        )
        if outcome in DIED:
            print_crash(result)
        elif kept:
            print_last_line(result)
        if not kill or self.reap_before_resume:
            self.reap()
        return result

    def reap(self) -> None:
        for label, pid, is_server in self.orphans.reap():
            left_by = self.outcome_of.get(label, Outcome.KILLED)  # else interrupted mid-run
            self.orphaned[is_server, left_by] += 1
            kind = "Prefect server" if is_server else "process"
            print(f"    orphaned {kind} pid {pid} of {label} ({left_by}) stopped", flush=True)

    def cycle(self, number: int, scenario: str, fresh: Path | None) -> Path | None:
        """Run number `number`; returns the warehouse a later `rerun` goes into."""
        if scenario == "rerun" and fresh is not None:
            self.one(number, scenario, fresh)
            self.done_with(fresh)
            return None
        warehouse = self.work / f"warehouse-{number:03d}"
        if scenario == "resume":
            self.one(number, PREP, warehouse, kill=True)
        self.one(number, scenario, warehouse)
        if scenario == "resume":
            self.done_with(warehouse)
            return None
        return warehouse

    def done_with(self, warehouse: Path) -> None:
        """Keep a warehouse a run died in (as evidence); delete the others."""
        if warehouse in self.died_in:
            shutil.move(warehouse, self.out / warehouse.name)
        else:
            shutil.rmtree(warehouse, ignore_errors=True)


def _exit_codes(results: list[RunResult]) -> str:
    counts = Counter(r.exit_code for r in results)
    return ", ".join(
        f"{code} ({signal.Signals(code - 128).name}) x{n}" if code > 128 else f"{code} x{n}"
        for code, n in sorted(counts.items())
    )


def _left_by(orphaned: Counter[tuple[bool, Outcome]], *, servers: bool) -> dict[str, int]:
    return {str(left_by): n for (server, left_by), n in orphaned.items() if server == servers}


def _counts(left_by: dict[str, int]) -> str:
    detail = ", ".join(f"{outcome}: {n}" for outcome, n in sorted(left_by.items()))
    return f"{sum(left_by.values())} ({detail})" if detail else "0"


def summarise(bench: Bench, stray: int) -> dict[str, object]:
    measured = [r for r in bench.results if r.scenario != PREP]
    prep = [r for r in bench.results if r.scenario == PREP]
    by = Counter(r.outcome for r in bench.results)
    native = [r for r in bench.results if r.outcome is Outcome.NATIVE]
    seconds = {s: [r.seconds for r in measured if r.scenario == s] for s in SCENARIOS}
    per = ", ".join(f"{s} {statistics.median(v):.1f}" for s, v in seconds.items() if v)
    median = statistics.median([r.seconds for r in measured]) if measured else 0.0
    servers = _left_by(bench.orphaned, servers=True)
    others = _left_by(bench.orphaned, servers=False)
    print("\nsummary")
    print(f"  runs                       : {len(measured)} + {len(prep)} killed on purpose")
    print(f"  died in native code        : {len(native)}  {_exit_codes(native)}".rstrip())
    for r in native:
        print(f"    run {r.number} {r.scenario}: exit {r.exit_code}, {r.log}")
    print(f"  died by another signal     : {by[Outcome.SIGNAL]}")
    print(f"  hung (past --timeout)      : {by[Outcome.HUNG]}")
    print(f"  failed with a Python error : {by[Outcome.PYTHON_ERROR]} (exit 1)")
    print(f"  other exit codes           : {by[Outcome.OTHER_EXIT]}")
    print(f"  orphaned servers found     : {_counts(servers)}, all stopped")
    print(f"  other orphaned processes   : {_counts(others)}, all stopped")
    print(f"  stray servers, not ours    : {stray} (left alone)")
    print(f"  median wall time           : {median:.1f} s ({per})")
    print(f"  logs, summary.json         : {bench.out}")
    return {
        "runs": len(measured),
        "killed_on_purpose": len(prep),
        "outcomes": {str(k): v for k, v in by.items()},
        "native_exit_codes": [r.exit_code for r in native],
        "orphaned_servers_left_by": servers,
        "orphaned_other_processes_left_by": others,
        "median_seconds": median,
        "results": [asdict(r) for r in bench.results],
    }


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=600, help="WARC records (%(default)s)")
    parser.add_argument("--runs", type=int, default=60, help="measured ingests (%(default)s)")
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    parser.add_argument("--out", type=Path, default=None, help="logs (default: a temp folder)")
    parser.add_argument(
        "--extra-args",
        default="",
        help='passed on to `news-etl ingest`, e.g. --extra-args="--workers 2"',
    )
    parser.add_argument(
        "--kill-after",
        type=float,
        default=5.0,
        help="a killed run gets SIGKILL 0.5-1.5 times this many seconds after "
        "it commits its runs row (%(default)s)",
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="per run (%(default)s s)")
    parser.add_argument("--seed", type=int, default=0, help="of the kill delays (%(default)s)")
    parser.add_argument(
        "--reap-before-resume",
        action="store_true",
        help="stop a killed run's orphaned server before the resume run, not after it",
    )
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    since = _stat(os.getpid())
    assert since is not None
    out = args.out or Path(tempfile.mkdtemp(prefix="crash-stress-"))
    out.mkdir(parents=True, exist_ok=True)
    python = Path(sys.executable)  # not resolved: the venv's bin folder
    command = [str(python.parent / "news-etl"), "ingest"]
    print(f"bench: {shlex.join([sys.executable, *sys.argv])}")
    print(f"code under test: {describe_code(python)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="crash-stress-") as tmp:
        work = Path(tmp)
        warc = work / f"stress-{args.records}.warc.gz"
        build_distinct_warc(_pages(args.corpus), args.records, warc, work)
        command += [str(warc), "--quiet", *shlex.split(args.extra_args)]
        print(f"WARC: {args.records} records, {warc.stat().st_size / 2**20:.0f} MiB")
        print(f"each run: {shlex.join(command)} --warehouse DIR\n", flush=True)
        bench = Bench(
            command,
            work,
            out,
            args.timeout,
            args.kill_after,
            args.reap_before_resume,
            random.Random(args.seed),
        )
        fresh: Path | None = None
        try:
            for number in range(1, args.runs + 1):
                fresh = bench.cycle(number, SCENARIOS[(number - 1) % len(SCENARIOS)], fresh)
            if fresh is not None:  # --runs not a multiple of 3: no rerun into it
                bench.done_with(fresh)
        except KeyboardInterrupt:
            print("interrupted: the summary covers the runs so far")
        finally:
            bench.reap()
    ours = {proc.pid for proc in bench.orphans.seen}
    summary = summarise(bench, stray_servers(since.started, ours))
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if any(r.outcome in DIED for r in bench.results) else 0


if __name__ == "__main__":
    sys.exit(main())
