"""Prefect flows, tasks and the command line: the only code that imports prefect.

Importing this package does not import Prefect (so `news-etl --help` is
instant); `flows.ingest` does, after `flows.prefect_env` set its defaults.
"""

from flows.prefect_env import apply_defaults

apply_defaults()
