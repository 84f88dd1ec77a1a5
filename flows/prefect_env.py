"""Quiet, offline-friendly Prefect defaults, applied before Prefect is imported.

Only defaults: a variable the user set (for example `PREFECT_API_URL` to use
a running Prefect server) always wins.
"""

from __future__ import annotations

import os

# Measured here: an ephemeral server takes 10-19 s to start on a loaded
# 2-core machine, more than Prefect's default start-up timeout allows.
DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
}


def apply_defaults() -> None:
    """Set each default unless the environment already sets it."""
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
