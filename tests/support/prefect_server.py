"""A real, long-lived Prefect server on 127.0.0.1 for tests, started from a migrated template.

`prefect server start` on an empty SQLite file spends most of its start-up
migrating the schema: measured here, 7.8 s to a healthy `/api/health` from
an empty file against 3.7 s from a copy of a migrated one (the migration
itself, `prefect server database reset -y`, 6.2 s). So the database is
migrated once per session (`migrated_database`) and each server starts from
a copy, with its own PREFECT_HOME, port and log file.

    with PrefectServer(tmp_path, template) as server:
        subprocess.run([...], env=server.env())

`env()` is the environment for subprocesses (CLI, `news-etl serve`) that
must talk to this server rather than to the session's test harness.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

__all__ = ["PrefectServer", "free_port", "migrate_database", "prefect_env", "stop_process"]

PREFECT = str(Path(sys.executable).with_name("prefect"))
START_TIMEOUT = 90.0  # seconds; a loaded 2-core machine is slow


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prefect_env(home: Path, database: Path, api_url: str | None = None) -> dict[str, str]:
    """os.environ without the caller's Prefect settings, plus quiet offline ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def migrate_database(folder: Path) -> Path:
    """A SQLite database with Prefect's schema, to copy for each server."""
    database = folder / "template.db"
    subprocess.run(
        [PREFECT, "server", "database", "reset", "-y"],
        env=prefect_env(folder / "home", database),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return database


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    """Signal `process` and wait for it; kill it if it does not end in 20 s."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    return int(process.returncode)


class PrefectServer:
    """`prefect server start` in a subprocess, from a copy of a migrated database."""

    def __init__(
        self, folder: Path, template: Path, extra_env: Mapping[str, str] | None = None
    ) -> None:
        self.folder = folder
        self.extra_env = dict(extra_env or {})
        self.database = folder / "prefect.db"
        shutil.copyfile(template, self.database)
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.log = folder / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a subprocess that uses this server."""
        return {**prefect_env(self.folder / "home", self.database, self.api_url), **(extra or {})}

    def start(self) -> PrefectServer:
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env(self.extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Prefect server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Prefect server not healthy in {START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self._process is not None:
            stop_process(self._process)
            self._process = None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def __enter__(self) -> PrefectServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
