"""`news-etl serve`: the config's sources as scheduled Prefect deployments, served here."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from flows.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_warehouse,
    fail,
    positive,
    quiet_libraries,
)
from flows.prefect_env import apply_defaults

NAME = "serve"
ORDER = 15
HELP = (
    "register one Prefect deployment per source of --config (ingest/<source>, on its "
    "schedule) and a nightly compact/nightly, and run them until stopped"
)
DEFAULT_LIMIT = 2  # flow runs at once; runs on one warehouse queue on its lock anyway


def add_arguments(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--config", type=Path, required=True, help="the sources.toml to serve")
    add_warehouse(serve)
    serve.add_argument(
        "--limit",
        type=positive,
        default=DEFAULT_LIMIT,
        help="flow runs executed at once by this process (%(default)s)",
    )
    serve.add_argument(
        "--compact-schedule",
        default="0 3 * * *",
        help="cron (UTC) of the compact/nightly deployment (%(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    from extractors.cron import cron_problem
    from extractors.sources import ConfigError, load_config

    try:  # a malformed config or cron fails here, before anything is registered
        config = load_config(args.config)
    except ConfigError as exc:
        return fail(str(exc), EXIT_USAGE)
    if problem := cron_problem(args.compact_schedule):
        return fail(f"--compact-schedule {args.compact_schedule!r}: {problem}", EXIT_USAGE)
    if not config.sources:
        return fail(f"{args.config}: no [[sources]] to serve", EXIT_USAGE)

    apply_defaults()
    from prefect.settings import PREFECT_API_URL

    # Without a server, Prefect would start a temporary one inside this process:
    # the schedules would die with it and nobody could trigger a run.
    if not (os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()):
        return fail(
            "serve needs a Prefect server: start one with `prefect server start --host "
            "127.0.0.1 --port 4200` and export PREFECT_API_URL=http://127.0.0.1:4200/api",
            EXIT_USAGE,
        )
    from flows.serve import serve

    quiet_libraries(False)
    serve(
        config,
        args.config,
        args.warehouse,
        limit=args.limit,
        compact_schedule=args.compact_schedule,
    )
    return EXIT_OK
