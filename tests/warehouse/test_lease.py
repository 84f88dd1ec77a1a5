"""The object-store writer lease, against moto's S3 server on 127.0.0.1.

Every test takes its own lock key in one bucket of a module-wide server.
Concurrency is asserted through the order of events recorded under a lock
(who entered, who left, who logged that it was waiting), never through
timings.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from typing import Any

import pytest

from tests.support.s3_server import running_s3_server, s3_env
from warehouse.errors import WarehouseError
from warehouse.lease import (
    LeaseLostError,
    LeaseUnavailableError,
    held_lease,
    s3_client,
)

BUCKET = "leases"
FAST = {"poll": 0.05}  # waiters poll often, so the tests spend little time asleep


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with running_s3_server() as url:
        yield url


@pytest.fixture
def client(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client built by `s3_client()` from the test variables, with the bucket created."""
    for name, value in s3_env(endpoint).items():
        monkeypatch.setenv(name, value)
    made = s3_client()
    with suppress(made.exceptions.BucketAlreadyOwnedByYou):
        made.create_bucket(Bucket=BUCKET)
    return made


@pytest.fixture
def key() -> str:
    return f"warehouse-{uuid.uuid4().hex[:8]}/.lock"


def _body(client: Any, key: str) -> dict[str, Any] | None:
    try:
        response = client.get_object(Bucket=BUCKET, Key=key)
    except client.exceptions.NoSuchKey:
        return None
    body: dict[str, Any] = json.loads(response["Body"].read())
    return body


def _put(client: Any, key: str, **fields: Any) -> None:
    """Write a lock object directly, as another (perhaps dead) writer would have."""
    client.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(fields).encode())


class Events:
    """A thread-safe log of what happened, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.items: list[str] = []

    def add(self, item: str) -> None:
        with self._lock:
            self.items.append(item)


class WaitingLog(logging.Handler):
    """Sets `seen` and records an event when a waiter logs that it is waiting."""

    def __init__(self, events: Events) -> None:
        super().__init__(logging.WARNING)
        self.events = events
        self.seen = threading.Event()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.endswith("; waiting"):
            self.messages.append(message)
            self.events.add("waiting")
            self.seen.set()


@pytest.fixture
def waiting_log() -> Iterator[WaitingLog]:
    handler = WaitingLog(Events())
    logger = logging.getLogger("warehouse.lease")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _run(target: Callable[..., None], *args: Any) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def _finish(*threads: threading.Thread) -> None:
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a lease holder never finished"


def test_s3_client_reads_the_standard_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """AWS_REGION (which boto3 ignores) and the endpoint are used; path-style with an endpoint."""
    for name, value in s3_env("http://127.0.0.1:9").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    made = s3_client()
    assert made.meta.region_name == "eu-west-3"
    assert made.meta.endpoint_url == "http://127.0.0.1:9"
    assert made.meta.config.s3 == {"addressing_style": "path"}

    monkeypatch.delenv("AWS_REGION")
    assert s3_client().meta.region_name == "us-west-2"


@pytest.mark.parametrize("raises", [False, True], ids=["returns", "raises"])
def test_lease_is_written_while_held_and_deleted_on_exit(
    client: Any, key: str, raises: bool
) -> None:
    """The lock object names its owner while held, and is gone after exit, even on an error."""

    class BodyError(Exception):
        pass

    try:
        with held_lease(BUCKET, key, owner="writer A", ttl=30, client=client) as lease:
            body = _body(client, key)
            assert body is not None
            assert body["owner"] == "writer A"
            assert body["ttl"] == 30
            assert time.time() < body["expires_at"] <= time.time() + 30
            assert lease.uri == f"s3://{BUCKET}/{key}"
            lease.check()
            if raises:
                raise BodyError
    except BodyError:
        assert raises
    assert _body(client, key) is None
    with pytest.raises(LeaseLostError, match="released"):
        lease.check()


def test_lease_uses_the_environment_when_no_client_is_given(client: Any, key: str) -> None:
    """`client=None` builds one from the AWS_* variables (set by the fixture)."""
    with held_lease(BUCKET, key, owner="env writer"):
        assert (_body(client, key) or {}).get("owner") == "env writer"
    assert _body(client, key) is None


def test_second_writer_waits_for_the_first_and_then_gets_in(
    client: Any, key: str, waiting_log: WaitingLog
) -> None:
    """B logs that A is writing, enters only after A has left, and A never sees B inside."""
    events = waiting_log.events
    a_inside = threading.Event()

    def writer_a() -> None:
        with held_lease(BUCKET, key, owner="writer A", ttl=30, client=client, **FAST):
            events.add("A in")
            a_inside.set()
            assert waiting_log.seen.wait(timeout=20), "B never waited"
            events.add("A out")

    def writer_b() -> None:
        assert a_inside.wait(timeout=20)
        with held_lease(BUCKET, key, owner="writer B", ttl=30, client=client, **FAST):
            events.add("B in")
        events.add("B out")

    _finish(_run(writer_a), _run(writer_b))
    assert events.items == ["A in", "waiting", "A out", "B in", "B out"]
    assert waiting_log.messages == [
        f"warehouse s3://{BUCKET}/{key.removesuffix('/.lock')} is being written by writer A; "
        "waiting"
    ]
    assert _body(client, key) is None


@pytest.mark.parametrize("readable", [True, False], ids=["expired", "unreadable-expiry"])
def test_expired_lease_is_taken_over(
    client: Any, key: str, readable: bool, waiting_log: WaitingLog
) -> None:
    """A killed holder's lease is taken over: at once if expired, after a ttl if unreadable."""
    expires_at: float | str = time.time() - 5 if readable else "soon"
    _put(client, key, owner="killed writer", token="t", expires_at=expires_at, ttl=60)
    ttl = 30 if readable else 0.3  # an unreadable lease is judged by the waiter's own ttl
    with held_lease(BUCKET, key, owner="next writer", ttl=ttl, client=client, **FAST) as lease:
        assert (_body(client, key) or {}).get("owner") == "next writer"
        lease.check()
    assert _body(client, key) is None
    assert waiting_log.seen.is_set() == (not readable)


def test_lease_unchanged_for_longer_than_its_ttl_is_taken_over(
    client: Any, key: str, waiting_log: WaitingLog
) -> None:
    """A dead holder whose clock ran ahead (expiry far in the future) is taken over by age."""
    _put(client, key, owner="fast clock", token="t", expires_at=time.time() + 3600, ttl=0.3)
    with held_lease(BUCKET, key, owner="next writer", ttl=30, client=client, **FAST):
        assert (_body(client, key) or {}).get("owner") == "next writer"
    assert waiting_log.seen.is_set()


@pytest.mark.parametrize("waiters", [2, 4])
def test_waiters_racing_for_an_expired_lease_hold_it_one_at_a_time(
    client: Any, key: str, waiters: int
) -> None:
    """Of several waiters taking over one expired lease, one wins; the rest follow in turn."""
    _put(client, key, owner="killed writer", token="t", expires_at=time.time() - 5, ttl=60)
    events = Events()
    start = threading.Barrier(waiters)

    def waiter(name: str) -> None:
        start.wait(timeout=20)
        with held_lease(BUCKET, key, owner=name, ttl=30, client=client, **FAST) as lease:
            events.add(f"in {name}")
            assert (_body(client, key) or {}).get("owner") == name
            time.sleep(0.1)  # give the others every chance to barge in
            lease.check()
            events.add(f"out {name}")

    names = [f"waiter {n}" for n in range(waiters)]
    _finish(*[_run(waiter, name) for name in names])
    items = events.items
    assert len(items) == 2 * waiters
    entered = items[0::2]
    assert items[1::2] == [item.replace("in ", "out ") for item in entered]  # no overlap
    assert sorted(entered) == sorted(f"in {name}" for name in names)
    assert _body(client, key) is None


def test_renewal_keeps_a_long_holder_in_past_its_ttl(
    client: Any, key: str, waiting_log: WaitingLog
) -> None:
    """Held for two ttls, the lease is renewed: check() passes and a waiter stays out."""
    ttl = 1.5  # renewed every 0.5 s; check() tolerates a renewal up to 0.5 s late
    events = waiting_log.events
    holding = threading.Event()
    expiries: list[float] = []

    def holder() -> None:
        with held_lease(BUCKET, key, owner="long writer", ttl=ttl, client=client, **FAST) as lease:
            events.add("holder in")
            holding.set()
            assert waiting_log.seen.wait(timeout=20)
            until = time.monotonic() + 2 * ttl
            while time.monotonic() < until:
                lease.check()
                expiries.append((_body(client, key) or {})["expires_at"])
                time.sleep(ttl / 10)
            lease.check()
            events.add("holder out")

    def waiter() -> None:
        assert holding.wait(timeout=20)
        with held_lease(BUCKET, key, owner="waiter", ttl=ttl, client=client, **FAST):
            events.add("waiter in")

    _finish(_run(holder), _run(waiter))
    assert events.items == ["holder in", "waiting", "holder out", "waiter in"]
    assert len(set(expiries)) >= 4  # renewed every ttl/3 over 2 ttls
    assert expiries == sorted(expiries)


@pytest.mark.parametrize("takeover", ["overwritten", "deleted"])
def test_check_raises_once_the_lease_was_taken(client: Any, key: str, takeover: str) -> None:
    """Once another writer replaces or removes the lock object, check() fails; exit leaves it."""
    with held_lease(BUCKET, key, owner="paused writer", ttl=1.5, client=client) as lease:
        lease.check()
        if takeover == "overwritten":
            _put(client, key, owner="usurper", token="u", expires_at=time.time() + 60, ttl=60)
        else:
            client.delete_object(Bucket=BUCKET, Key=key)
        with pytest.raises(LeaseLostError) as caught:
            for _ in range(100):  # the next renewal, ttl/3 from the last, notices
                lease.check()
                time.sleep(0.05)
        assert "replaced or deleted by another writer" in str(caught.value)
        assert isinstance(caught.value, WarehouseError)
    expected = {"overwritten": "usurper", "deleted": None}[takeover]
    assert (_body(client, key) or {}).get("owner") == expected


def test_release_does_not_delete_another_writers_lease(client: Any, key: str) -> None:
    """A takeover not yet noticed by the renewal thread still survives the old holder's exit."""
    with held_lease(BUCKET, key, owner="old writer", ttl=60, client=client):
        _put(client, key, owner="new writer", token="n", expires_at=time.time() + 60, ttl=60)
    assert (_body(client, key) or {}).get("owner") == "new writer"


def test_check_raises_when_the_store_stops_answering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Renewals failing for longer than ttl minus the margin make check() fail; exit is quiet."""
    with ExitStack() as server:
        endpoint = server.enter_context(running_s3_server())  # a server of its own, to stop
        for name, value in s3_env(endpoint).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # fail fast once the server is gone
        own = s3_client()
        own.create_bucket(Bucket=BUCKET)
        with held_lease(BUCKET, ".lock", owner="cut-off writer", ttl=0.6, client=own) as lease:
            lease.check()
            server.close()  # renewals now fail with connection errors
            with pytest.raises(LeaseLostError, match="not renewed for") as caught:
                for _ in range(100):
                    lease.check()
                    time.sleep(0.05)
    assert "the object store may be unreachable" in str(caught.value)


def test_missing_bucket_is_a_warehouse_error(client: Any, key: str) -> None:
    """A lease in a bucket that does not exist fails with a message naming the fix."""
    with (
        pytest.raises(LeaseUnavailableError, match="check that the bucket exists") as caught,
        held_lease("no-such-bucket", key, owner="w", client=client),
    ):
        pass
    assert isinstance(caught.value, WarehouseError)
    assert caught.value.uri == caught.value.path == f"s3://no-such-bucket/{key}"
    assert "NoSuchBucket" in str(caught.value)


class _IgnoresConditions:
    """A real client to the real server, but dropping If-None-Match/If-Match the way some
    S3-compatible stores silently do (no such store can run here)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def put_object(self, **kwargs: Any) -> Any:
        kwargs.pop("IfNoneMatch", None)
        kwargs.pop("IfMatch", None)
        return self._client.put_object(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def test_a_store_that_ignores_conditional_writes_is_refused(client: Any, key: str) -> None:
    """Without compare-and-swap every writer would get the lease: refuse to write at all."""
    with (
        pytest.raises(LeaseUnavailableError, match="ignores conditional writes"),
        held_lease(BUCKET, key, owner="w", client=_IgnoresConditions(client), **FAST),
    ):
        pass
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=key.split("/")[0])
    assert listed.get("KeyCount", 0) == 0  # neither a lease nor the probe is left behind
