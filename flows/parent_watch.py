"""Helper processes that stop when the process that started them is gone.

A CLI killed with SIGKILL (by a scheduler, the OOM killer, or a native abort)
runs no exit handler, so the processes it started, the temporary Prefect
server and the process pool's workers, used to live on under PID 1, holding
memory and ports (issue 12). Each of them runs `watch_parent` in a daemon
thread: once its parent is gone (it is then re-parented), it leaves.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

__all__ = ["INTERVAL", "die_with_parent", "watch_parent"]

INTERVAL = 0.5  # seconds between two looks at the parent


def watch_parent(parent: int, leave: Callable[[], None]) -> threading.Thread:
    """Start a daemon thread that calls `leave` once `parent` is no longer our parent."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(INTERVAL)
        leave()

    thread = threading.Thread(target=watch, name="watch-parent", daemon=True)
    thread.start()
    return thread


def die_with_parent(parent: int) -> None:
    """A process pool's initializer: the worker exits at once when `parent` dies
    (its task's result could not be delivered anyway)."""
    watch_parent(parent, lambda: os._exit(1))
