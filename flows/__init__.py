"""Prefect flows, tasks and the command line: the only code that imports prefect."""

from flows.prefect_env import apply_defaults

apply_defaults()

from flows.ingest import ingest_files  # noqa: E402  (defaults must precede prefect's import)

__all__ = ["ingest_files"]
