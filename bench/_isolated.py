"""Shared by the bench scripts: one measurement per fresh interpreter.

Peak RSS (`ru_maxrss`) only ever grows within a process, so each measurement
runs in its own interpreter and reports its figures as one JSON line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from typing import Any

__all__ = ["peak_rss_mib", "run_worker"]


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(script: str, *arguments: str, timeout: float | None = None) -> dict[str, Any]:
    """Run `script` with `arguments` in a fresh interpreter; its last stdout line as JSON."""
    out = subprocess.run(
        [sys.executable, script, *arguments],
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
