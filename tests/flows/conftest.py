"""One Prefect test harness for the whole session: only tests/flows starts Prefect."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flows.prefect_env import apply_defaults

apply_defaults()

from prefect.testing.utilities import prefect_test_harness  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def prefect_harness() -> Iterator[None]:
    """A temporary Prefect server and database shared by every flow test."""
    with prefect_test_harness(server_startup_timeout=90):
        yield
