"""One writer at a time per warehouse, across processes.

Deduplication reads the keys on disk once per run and then trusts its
in-memory index; a second process writing at the same time would slip the
same article past both indexes. An exclusive `flock` on `<root>/.lock`,
held for the whole run, serialises writers (a scheduled run and a manual one
simply queue). The kernel releases it when the process dies, so a SIGKILL
never leaves a stale lock. Readers take no lock: files appear atomically.

On an object store there is no flock. An `s3://` warehouse is locked by a
lease object, `<prefix>/.lock`, taken and renewed with conditional PUTs
(`warehouse/lease.py`); a killed holder's lease expires and the next writer
takes it over. Every upload and delete under the root checks the lease
first (`storage.guard_commits`), so a holder that lost its lease (paused
past the lease's lifetime) stops instead of writing beside the new holder.
Other object-store schemes have no compare-and-swap that pyarrow exposes,
so they are read-only here.
"""

from __future__ import annotations

import fcntl
import logging
import math
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.atomic import TMP_SUFFIX
from warehouse.errors import WarehouseWriteError
from warehouse.layout import Warehouse
from warehouse.replacement import finish_replacements
from warehouse.storage import ObjectPath, guard_commits

__all__ = ["LEASE_TTL", "LEASE_TTL_VARIABLE", "exclusive_writer", "sweep_temp_files"]

logger = logging.getLogger(__name__)

LEASE_TTL = 60.0  # seconds; renewed every third of it while the run goes on
# Shorter: a killed run's lease is taken over sooner, at more PUTs per minute.
LEASE_TTL_VARIABLE = "NEWS_ETL_LEASE_TTL"


@contextmanager
def exclusive_writer(warehouse: Warehouse) -> Iterator[None]:
    """Hold the warehouse's writer lock; blocks while another run holds it."""
    root = warehouse.root
    if isinstance(root, ObjectPath):
        with _object_store_lease(root):
            yield
        return
    with _flock(root):
        yield


@contextmanager
def _object_store_lease(root: ObjectPath) -> Iterator[None]:
    if root.scheme not in ("s3", "s3a"):
        raise WarehouseWriteError(
            root,
            NotImplementedError(
                f"no writer lock for {root.scheme}:// warehouses (only s3:// has one)"
            ),
        )
    bucket, _, prefix = root.path.partition("/")
    key = f"{prefix}/.lock" if prefix else ".lock"
    from warehouse.lease import held_lease  # boto3: only object-store warehouses need it

    owner = f"{socket.gethostname()} pid {os.getpid()}"
    with (
        held_lease(bucket, key, owner=owner, ttl=_lease_ttl(root)) as lease,
        guard_commits(root, lease.check),
    ):
        yield


def _lease_ttl(root: ObjectPath) -> float:
    text = os.environ.get(LEASE_TTL_VARIABLE) or str(LEASE_TTL)
    try:
        ttl = float(text)
    except ValueError:
        ttl = math.nan
    if not math.isfinite(ttl) or ttl < 1:
        raise WarehouseWriteError(
            root, ValueError(f"{LEASE_TTL_VARIABLE}={text!r}: give seconds, at least 1")
        )
    return ttl


@contextmanager
def _flock(root: Path) -> Iterator[None]:
    path = root / ".lock"
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
    except OSError as exc:
        raise WarehouseWriteError(path, exc) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            logger.warning("warehouse %s is being written by %s; waiting", root, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sweep_temp_files(warehouse: Warehouse) -> int:
    """Tidy up after killed writers; call only while holding the lock. Returns files deleted.

    Deletes temporary files, and finishes a compaction killed between writing
    its output and deleting the files it replaces (`warehouse/replacement.py`).
    """
    removed = 0
    if not warehouse.root.is_dir():
        return 0
    for path in warehouse.root.rglob(f".*{TMP_SUFFIX}"):
        path.unlink(missing_ok=True)
        removed += 1
    if removed:
        logger.info("removed %d temporary files left by an interrupted run", removed)
    return removed + finish_replacements(warehouse.root)
