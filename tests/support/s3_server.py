"""moto's S3-compatible server on 127.0.0.1 for tests, and the variables that point clients at it.

Object-store code is tested against a real server speaking the S3 protocol
over HTTP (conditional writes included), not against an in-process mock, so
boto3 and pyarrow go through their real request paths:

    with running_s3_server() as endpoint:
        for name, value in s3_env(endpoint).items():
            monkeypatch.setenv(name, value)
        ... boto3 / pyarrow / news-etl against s3://bucket1/... ...

The server keeps its objects in memory and forgets them when it stops.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.prefect_server import free_port, stop_process
from warehouse import Warehouse

__all__ = ["running_s3_server", "s3_env", "s3_options", "s3_warehouse"]

START_TIMEOUT = 30.0  # seconds; measured 0.6 s to accept connections on an idle 2-core machine


@contextmanager
def running_s3_server() -> Iterator[str]:
    """Start `moto.server` on a free port of 127.0.0.1; yields its endpoint URL.

    Raises RuntimeError when the server exits or does not accept connections
    within START_TIMEOUT. The server is terminated on exit.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"moto server exited with status {process.returncode} before listening "
                        f"on 127.0.0.1:{port}"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"moto server did not listen on 127.0.0.1:{port} within "
                        f"{START_TIMEOUT:.0f} s"
                    ) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


def s3_env(endpoint: str) -> dict[str, str]:
    """The AWS_* variables a test sets so boto3 and pyarrow talk to `endpoint` and nothing else.

    Dummy credentials keep both from searching their credential chains, and
    the EC2 instance-metadata lookup (a request to 169.254.169.254) is turned
    off. Both region variables are set: boto3 reads only AWS_DEFAULT_REGION,
    and pyarrow's S3 library looks for both names.
    """
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def s3_options(endpoint: str) -> dict[str, str]:
    """The delta-rs storage options for `endpoint` (what `flows.object_store` builds from the
    variables): moto takes conditional writes by ETag, over plain HTTP."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
        "conditional_put": "etag",
    }


def s3_warehouse(url: str) -> Warehouse:
    """The warehouse at an `s3://` URL on the server the AWS_* variables point at."""
    return Warehouse.at(url, s3_options(os.environ["AWS_ENDPOINT_URL"]))
