"""The CLI's temporary Prefect server dies with the CLI, even when the CLI is SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

PAGES = Path("html/adbar__trafilatura/eval")
GONE_WITHIN = 10.0  # seconds, the bound
CLI = (sys.executable, "-m", "flows.cli")


def _children(pid: int) -> dict[int, str]:
    """Live child processes of `pid`: their PIDs and command lines."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _state(int(entry.name)) not in (None, "Z", "X"):
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found[int(entry.name)] = command
    return found


def _workers(pid: int) -> int:
    return sum("spawn_main" in command for command in _children(pid).values())


def _state(pid: int) -> str | None:
    """The process state letter, or None when there is no such process."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _wait_for_run(cli: subprocess.Popen[bytes], warehouse: Path, spawned: int) -> dict[int, str]:
    """The CLI's children once its flow has written the running runs row and started
    `spawned` pool workers."""
    deadline = time.monotonic() + 120
    while not list((warehouse / "runs").glob("*.parquet")) or _workers(cli.pid) < spawned:
        assert cli.poll() is None, "the CLI ended before its flow started"
        assert time.monotonic() < deadline, "the flow did not start in time"
        time.sleep(0.02)
    os.kill(cli.pid, signal.SIGSTOP)  # frozen mid-run: it cannot finish before the kill
    return _children(cli.pid)


@pytest.mark.slow
@pytest.mark.parametrize(("workers", "spawned"), [(1, 0), (2, 2)], ids=["threads", "pool"])
def test_server_dies_with_a_killed_cli(
    corpus: Path, tmp_path: Path, workers: int, spawned: int
) -> None:
    """SIGKILL the CLI mid-run: within 10 s no process it started (the temporary server,
    the pool's workers) is left."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    warehouse = tmp_path / "warehouse"
    cli = subprocess.Popen(
        [
            *CLI,
            "ingest",
            str(corpus / PAGES),
            "--warehouse",
            str(warehouse),
            "--quiet",
            "--workers",
            str(workers),
        ],
        cwd=REPO_ROOT,
        env=env,
    )
    try:
        children = _wait_for_run(cli, warehouse, spawned)
    finally:
        cli.kill()
        cli.wait()
    servers = [pid for pid, command in children.items() if "flows.local_server" in command]
    assert len(servers) == 1, children
    assert sum("spawn_main" in command for command in children.values()) >= spawned
    assert not [c for c in children.values() if "uvicorn" in c], "Prefect started a second one"
    deadline = time.monotonic() + GONE_WITHIN
    while alive := [pid for pid in children if _state(pid) not in (None, "Z", "X")]:
        assert time.monotonic() < deadline, f"{[children[p] for p in alive]} outlived the CLI"
        time.sleep(0.1)
