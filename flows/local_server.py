"""A temporary Prefect API server that dies with the process that started it.

Without `PREFECT_API_URL`, Prefect starts a temporary server (uvicorn, about
230 MB) in a subprocess and stops it at exit. When the CLI's process dies
without running its exit handlers (a native abort, `kill -9` by a scheduler
or the OOM killer) that server lived on with parent PID 1, holding its memory
and a port, until killed by hand (issue 12: three stayed up 6-10 minutes).

So the commands that run flows start the server themselves
(`temporary_api`), as `python -m flows.local_server PARENT_PID PORT`: the
server process watches its parent and shuts down within about a second of
the parent's death, whatever killed it. It is the same app Prefect's own
temporary server runs (`prefect.server.api.server:create_app`, UI off); a
user-set `PREFECT_API_URL` (a long-lived server) still wins, and nothing is
started then.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from flows.parent_watch import watch_parent

__all__ = ["ServerStartError", "temporary_api"]

_EPHEMERAL = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1"}
_ATTEMPTS = 3  # a port taken between choosing it and binding it: try another


class ServerStartError(RuntimeError):
    """The temporary server did not answer in time; the message says what to do."""


@contextmanager
def temporary_api() -> Iterator[str]:
    """Prefect's API for this block: the configured one, or a temporary server's URL.

    The temporary server is stopped when the block ends and, if this process
    dies first, stops itself. Its start-up may take as long as Prefect's own
    setting `PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS` allows.
    """
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        temporary_settings,
    )

    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    process, url = _start(float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))
    previous = os.environ.get("PREFECT_API_URL")
    try:
        _set_api_url(url)
        with temporary_settings({PREFECT_API_URL: url}):
            yield url
    finally:
        _drain_prefect()
        _set_api_url(previous)
        _stop(process)


def _drain_prefect() -> None:
    """Send the logs and events Prefect still holds while the server is up (otherwise
    they are sent at exit, to a stopped server: "Error logging to API")."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=5)


def _set_api_url(url: str | None) -> None:
    """Point this process, its later threads and its subprocesses at `url`.

    Prefect's background threads (log and event forwarding of a process pool)
    start with an empty context and read the process-wide settings, built at
    import: without the refresh they see no API and start a temporary server
    of their own (seen here: a second server, 70 s lost at exit).
    """
    from prefect.context import refresh_global_settings_context

    if url is None:
        os.environ.pop("PREFECT_API_URL", None)
    else:
        os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()


def _start(timeout: float) -> tuple[subprocess.Popen[bytes], str]:
    for _ in range(_ATTEMPTS):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "flows.local_server", str(os.getpid()), str(port)],
            env={**os.environ, **_EPHEMERAL},
            stdin=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/api"
        if _wait_healthy(url, process, timeout):
            return process, url
        _stop(process)
    raise ServerStartError(
        f"the temporary Prefect server did not start within {timeout:.0f} s; raise "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS or set PREFECT_API_URL"
    )


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float) -> bool:
    """True once `/health` answers; False if the process exited or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _shut_down() -> None:
    """Stop this server: uvicorn's graceful shutdown, then leave anyway if it hangs."""
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)
    os._exit(1)


def _serve(parent: int, port: int) -> None:
    watch_parent(parent, _shut_down)
    import uvicorn

    uvicorn.run(
        "prefect.server.api.server:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="error",
        lifespan="on",
    )


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]))
