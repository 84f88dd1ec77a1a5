"""Local HTTP servers for the fetcher tests, started once per session.

`server` is the main site on 127.0.0.1; `other_server` a second host on
127.0.0.2 (Linux routes all of 127/8 to loopback) for cross-host
concurrency. Both are reset before each test that uses them, so a test
installs the routes it needs and reads a log holding only its own requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.http_server import TestServer


@pytest.fixture(scope="session")
def _main_server() -> Iterator[TestServer]:
    with TestServer("127.0.0.1") as server:
        yield server


@pytest.fixture(scope="session")
def _second_server() -> Iterator[TestServer]:
    with TestServer("127.0.0.2") as server:
        yield server


@pytest.fixture
def server(_main_server: TestServer) -> TestServer:
    """The session's server on 127.0.0.1 with no routes and an empty log."""
    _main_server.reset()
    return _main_server


@pytest.fixture
def other_server(_second_server: TestServer) -> TestServer:
    """A second host (127.0.0.2), reset like `server`."""
    _second_server.reset()
    return _second_server
