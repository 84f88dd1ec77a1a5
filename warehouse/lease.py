"""One writer at a time on an object store: a lease held by conditional writes.

A local warehouse serialises writers with `flock` (`warehouse/lock.py`); an
object store (`s3://bucket/prefix`) has no locks, and no kernel releases
anything when a writer dies. What S3 does have is compare-and-swap on one
object: a PUT with `If-None-Match: *` creates a key only if it does not
exist, and a PUT or DELETE with `If-Match: <etag>` changes it only if it is
still the version that was read; otherwise the store answers 412
PreconditionFailed (409 ConditionalRequestConflict when two conditional
writes collide, which means try again). AWS S3 has supported conditional
writes since 2024, and MinIO and moto support them too.

The protocol, on one lock object (`<prefix>/.lock`) whose JSON body is
`{"owner", "token", "expires_at", "ttl"}`:

- Acquire: create it with `If-None-Match: *`. If it exists, read it. An
  expired lease (its `expires_at`, wall-clock epoch seconds, is in the past)
  is taken over with `If-Match: <the etag read>`, so of several waiters
  exactly one wins and the others go back to waiting. A live lease is
  waited for, polling.
- Hold: a daemon thread rewrites the body every ttl/3 with `If-Match: <our
  etag>`, pushing `expires_at` forward. A failed precondition means someone
  took the lease over (or deleted it): the lease is lost, and `check()`
  says so.
- Release: `DELETE` with `If-Match: <our etag>`, after reading it back to
  confirm it is still ours (a store that ignored `If-Match` on DELETE would
  otherwise delete a successor's lease), so a writer never removes a lease
  that has passed to someone else.

Failure modes:

- A holder killed with SIGKILL leaves its lease behind; it stops being
  renewed and expires after at most `ttl`, and the next writer takes over.
- Expiry compares the holder's wall clock (which wrote `expires_at`) with
  the waiter's, so clocks are assumed to agree to well within ttl/3 (NTP
  gives milliseconds). A holder whose clock runs far ahead would write
  expiries that never seem to pass, so a waiter also takes over a lease
  whose ETag it has seen unchanged for longer than its ttl, measured on its
  own monotonic clock: a live holder changes the ETag every ttl/3.
- A holder paused (GC, a stopped VM, a network partition) cannot renew and
  may lose the lease to another writer without noticing. So a writer calls
  `Lease.check()` before each commit: it raises `LeaseLostError` once a
  takeover was seen, or once the last successful renewal is older than ttl
  minus a margin of ttl/3 (monotonic clock), that is before any waiter can
  consider the lease expired. Transient errors during renewal are logged
  and retried at the next tick; if they last, `check()` fails the same way.
- The lock object's own writes are made idempotent by a random token per
  lease in the body: when a conditional write's reply is lost and the
  retried request fails its precondition, the object is read back and, if
  it holds exactly the body just sent, the write counts as done.
"""

from __future__ import annotations

import json
import logging
import math
import os
import posixpath
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from warehouse.errors import WarehouseError

__all__ = ["Lease", "LeaseLostError", "LeaseUnavailableError", "held_lease", "s3_client"]

logger = logging.getLogger(__name__)

# The lease's own requests must end well within a ttl: botocore's defaults
# (60 s each) would let one stalled renewal outlast a 60 s lease.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
RETRY_AFTER = 2.0  # seconds before renewing again after a failed renewal

# Error codes meaning "the object is not the version the request assumed".
_CONFLICTS = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"})


class LeaseLostError(WarehouseError):
    """The writer lease passed, or may have passed, to another writer; stop writing.

    `uri` names the lock object, `reason` says what was seen.
    """

    def __init__(self, uri: str, reason: str) -> None:
        # No exception caused this, so the message is not WarehouseError's `path: cause; fix`.
        Exception.__init__(
            self,
            f"{uri}: writer lease lost: {reason}; stop writing: another run may own the "
            "warehouse now (rerun once it has finished; a rerun resumes)",
        )
        self.path = uri
        self.uri = uri
        self.reason = reason


class LeaseUnavailableError(WarehouseError):
    """The lock object could not be read or written (no bucket, no access, store unreachable)."""

    def __init__(self, uri: str, cause: BaseException) -> None:
        super().__init__(
            uri,
            cause,
            "check that the bucket exists and that the AWS_* variables (AWS_ENDPOINT_URL, "
            "credentials, AWS_REGION) reach it",
        )
        self.uri = uri


def s3_client() -> Any:
    """A boto3 S3 client configured from the standard AWS variables only.

    boto3 reads `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_S3`) and the
    credential chain itself, but not `AWS_REGION` (botocore 1.44 reads only
    `AWS_DEFAULT_REGION`), so the region is passed explicitly, AWS_REGION
    first. With an endpoint set (MinIO, moto, any S3-compatible store)
    requests use path-style addressing (`http://host/bucket/key`), since
    such stores rarely resolve `bucket.host` names. Like pyarrow's file
    systems, this reads the environment: it is the edge where a warehouse
    URL meets its store. boto3 is imported here: it is heavy and only
    object-store warehouses need it.
    """
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    config = Config(
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        # botocore's default retries multiply the timeouts (one renewal to a
        # silent store took 6 s at a 1 s read timeout); the renewal loop
        # retries on its own, soon, instead.
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint else None,
    )
    return boto3.session.Session(region_name=region).client("s3", config=config)


class _ConflictError(Exception):
    """A conditional request's precondition failed (or the key vanished)."""


class _UnavailableError(Exception):
    """Any other failure to reach the lock object; `__cause__` is the boto error."""


@dataclass(frozen=True, slots=True)
class _Record:
    """The lock object as read: its ETag, raw body and what the body says."""

    etag: str
    body: bytes
    owner: str
    expires_at: float  # wall-clock epoch seconds; inf when the body is unreadable
    ttl: float | None  # None when the body is unreadable


def _encode(owner: str, token: str, ttl: float) -> bytes:
    """A lease body expiring `ttl` seconds from now on the local wall clock."""
    body = {"owner": owner, "token": token, "expires_at": time.time() + ttl, "ttl": ttl}
    return json.dumps(body, sort_keys=True).encode()


def _decode(etag: str, body: bytes) -> _Record:
    try:
        fields = json.loads(body)
        return _Record(
            etag, body, str(fields["owner"]), float(fields["expires_at"]), float(fields["ttl"])
        )
    except (ValueError, TypeError, KeyError):
        # Not written by this protocol: only its age (unchanged ETag) can expire it.
        return _Record(etag, body, "an unknown writer (unreadable lock object)", math.inf, None)


class _Store:
    """The lock object's four operations; boto errors are translated here, once."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

        self._client = client
        self._client_error: type[Exception] = ClientError
        self._boto_error: type[Exception] = BotoCoreError
        self.bucket = bucket
        self.key = key

    @property
    def client(self) -> Any:
        return self._client

    def _call(self, method: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
        try:
            return method(Bucket=self.bucket, Key=self.key, **kwargs)
        except self._client_error as exc:
            response: dict[str, Any] = getattr(exc, "response", {})
            code = response.get("Error", {}).get("Code")
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _CONFLICTS or status == 412:
                raise _ConflictError(code or status) from exc
            raise _UnavailableError(exc) from exc
        except self._boto_error as exc:
            raise _UnavailableError(exc) from exc

    def read(self) -> _Record | None:
        """The current lock object, or None when there is none."""
        try:
            response = self._call(self._client.get_object)
            body: bytes = response["Body"].read()
        except _ConflictError:
            return None
        return _decode(str(response["ETag"]), body)

    def put(self, body: bytes, *, if_match: str | None) -> str | None:
        """Write `body` if the key is absent (`if_match` None) or still at `if_match`.

        Returns the new ETag, or None when the precondition failed. A failure
        whose cause was this very write (its reply lost, a retry refused)
        is recognised by reading `body` back, and counts as success.
        """
        condition = {"IfNoneMatch": "*"} if if_match is None else {"IfMatch": if_match}
        try:
            response = self._call(
                self._client.put_object, Body=body, ContentType="application/json", **condition
            )
        except _ConflictError:
            current = self.read()
            return current.etag if current is not None and current.body == body else None
        return str(response["ETag"])

    def delete(self, etag: str) -> bool:
        """Delete the lock object if it is still at `etag`; False when it was not."""
        current = self.read()
        if current is None or current.etag != etag:
            return False
        try:
            self._call(self._client.delete_object, IfMatch=etag)
        except _ConflictError:
            return False
        return True


class Lease:
    """A writer lease held inside `held_lease`; call `check()` before each commit."""

    def __init__(
        self, store: _Store, *, owner: str, ttl: float, token: str, etag: str, renewed_at: float
    ) -> None:
        self.bucket = store.bucket
        self.key = store.key
        self.owner = owner
        self.ttl = ttl
        self._store = store
        self._token = token
        self._lock = threading.Lock()
        self._etag = etag
        self._renewed_at = renewed_at  # monotonic time the last successful write was sent
        self._lost: str | None = None
        self._released = False

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def margin(self) -> float:
        """How long before expiry `check()` stops trusting the lease."""
        return self.ttl / 3

    def check(self) -> None:
        """Raise LeaseLostError unless this writer certainly still holds the lease.

        Fails once a takeover was seen, once the lease is released, or once
        the last successful renewal is older than ttl minus the margin.
        """
        with self._lock:
            lost, released, renewed_at = self._lost, self._released, self._renewed_at
        if lost is not None:
            raise LeaseLostError(self.uri, lost)
        if released:
            raise LeaseLostError(self.uri, "the lease was released")
        age = time.monotonic() - renewed_at
        if age > self.ttl - self.margin:
            raise LeaseLostError(
                self.uri,
                f"not renewed for {age:.1f} s (ttl {self.ttl:g} s); "
                "the object store may be unreachable",
            )

    def _renew_until(self, stop: threading.Event) -> None:
        """Renewal thread: rewrite the body every ttl/3 (sooner after a failed try)
        until `stop` or a lost lease."""
        interval = self.ttl / 3
        while not stop.wait(interval):
            sent = time.monotonic()
            try:
                etag = self._store.put(
                    _encode(self.owner, self._token, self.ttl), if_match=self._etag
                )
            except _UnavailableError as exc:
                logger.warning("could not renew lease %s: %s; retrying", self.uri, exc.__cause__)
                interval = min(self.ttl / 3, RETRY_AFTER)
                continue
            interval = self.ttl / 3
            if etag is None:
                self._lose("the lock object was replaced or deleted by another writer")
                return
            with self._lock:
                self._etag = etag
                self._renewed_at = sent

    def _lose(self, reason: str) -> None:
        logger.error("writer lease %s lost: %s", self.uri, reason)
        with self._lock:
            self._lost = reason

    def _release(self) -> None:
        """Delete the lock object if it is still ours; never raises."""
        with self._lock:
            self._released = True
            lost, etag = self._lost, self._etag
        if lost is not None:
            logger.warning("not deleting lease %s: it was lost (%s)", self.uri, lost)
            return
        try:
            deleted = self._store.delete(etag)
        except _UnavailableError as exc:
            logger.warning(
                "could not delete lease %s (%s); it expires within %g s",
                self.uri,
                exc.__cause__,
                self.ttl,
            )
            return
        if not deleted:
            logger.warning("not deleting lease %s: another writer holds it now", self.uri)


def _require_conditional_writes(probe: _Store) -> None:
    """Refuse a store that ignores `If-None-Match` (it would let every writer in).

    Creates a probe object twice with `If-None-Match: *`: the second must
    be refused. Three requests per run; the probe is deleted after.
    """
    try:
        if probe.put(b"probe", if_match=None) is None:
            raise _UnavailableError(RuntimeError(f"probe object {probe.key} already exists"))
        refused = probe.put(b"probe again", if_match=None) is None
    finally:
        try:
            probe.client.delete_object(Bucket=probe.bucket, Key=probe.key)
        except Exception:  # best effort: a probe left behind costs nothing
            logger.debug("could not delete probe %s", probe.key, exc_info=True)
    if not refused:
        raise _UnavailableError(
            NotImplementedError(
                "the object store ignores conditional writes (If-None-Match), "
                "so it cannot lock a warehouse; writes refused"
            )
        )


def _warehouse_name(bucket: str, key: str) -> str:
    """`s3://bucket/prefix` for a lock object at `prefix/.lock`."""
    return f"s3://{bucket}/{posixpath.dirname(key)}".rstrip("/")


def _acquire(
    store: _Store, *, owner: str, token: str, ttl: float, poll: float
) -> tuple[str, float]:
    """Block until this writer holds the lease; returns its ETag and the monotonic send time."""
    waiting = False
    seen: tuple[str, float] | None = None  # (ETag, monotonic time first seen)
    while True:
        sent = time.monotonic()
        etag = store.put(_encode(owner, token, ttl), if_match=None)
        if etag is not None:
            return etag, sent
        current = store.read()
        if current is None:
            continue  # released between our create and the read: create again
        now = time.monotonic()
        if seen is None or seen[0] != current.etag:
            seen = (current.etag, now)
        unchanged_for = now - seen[1]
        if current.expires_at < time.time() or unchanged_for > (current.ttl or ttl):
            sent = time.monotonic()
            etag = store.put(_encode(owner, token, ttl), if_match=current.etag)
            if etag is not None:
                logger.warning(
                    "took over the expired writer lease s3://%s/%s of %s",
                    store.bucket,
                    store.key,
                    current.owner,
                )
                return etag, sent
            continue  # another waiter won the takeover: wait for it like any holder
        if not waiting:
            logger.warning(
                "warehouse %s is being written by %s; waiting",
                _warehouse_name(store.bucket, store.key),
                current.owner,
            )
            waiting = True
        time.sleep(poll)


@contextmanager
def held_lease(
    bucket: str,
    key: str,
    *,
    owner: str,
    ttl: float = 60.0,
    poll: float = 1.0,
    client: Any = None,
) -> Iterator[Lease]:
    """Hold the writer lease on `s3://bucket/key`; blocks while another writer holds it.

    `owner` names this writer in the lock object and in others' logs (say
    "pid 123 on host"). The lease lasts `ttl` seconds from its last renewal
    (every ttl/3, by a daemon thread); a waiter polls every `poll` seconds.
    Expiry is judged by the local wall clock against the holder's, so the
    clocks are assumed to agree to within ttl/3. `client` defaults to
    `s3_client()`. Call `Lease.check()` before each commit. Raises
    LeaseUnavailableError when the lock object cannot be read or written.
    """
    if ttl <= 0 or poll <= 0:
        raise ValueError(f"ttl and poll must be positive, not {ttl} and {poll}")
    store = _Store(s3_client() if client is None else client, bucket, key)
    token = uuid.uuid4().hex
    try:
        _require_conditional_writes(_Store(store.client, bucket, f"{key}.probe-{token}"))
        etag, sent = _acquire(store, owner=owner, token=token, ttl=ttl, poll=poll)
    except _UnavailableError as exc:
        raise LeaseUnavailableError(f"s3://{bucket}/{key}", exc.__cause__ or exc) from exc
    lease = Lease(store, owner=owner, ttl=ttl, token=token, etag=etag, renewed_at=sent)
    stop = threading.Event()
    renewer = threading.Thread(
        target=lease._renew_until, args=(stop,), name=f"lease {lease.uri}", daemon=True
    )
    renewer.start()
    try:
        yield lease
    finally:
        stop.set()
        renewer.join()
        lease._release()
