"""One writer at a time per warehouse, across processes.

Deduplication reads the keys on disk once per run and then trusts its
in-memory index; a second process writing at the same time would slip the
same article past both indexes. An exclusive `flock` on `<root>/.lock`,
held for the whole run, serialises writers (a scheduled run and a manual one
simply queue). The kernel releases it when the process dies, so a SIGKILL
never leaves a stale lock. Readers take no lock: files appear atomically.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from warehouse.atomic import TMP_SUFFIX
from warehouse.errors import WarehouseWriteError
from warehouse.layout import Warehouse
from warehouse.replacement import finish_replacements

__all__ = ["exclusive_writer", "sweep_temp_files"]

logger = logging.getLogger(__name__)


@contextmanager
def exclusive_writer(warehouse: Warehouse) -> Iterator[None]:
    """Hold the warehouse's writer lock; blocks while another run holds it."""
    path = warehouse.root / ".lock"
    try:
        warehouse.root.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
    except OSError as exc:
        raise WarehouseWriteError(path, exc) from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            logger.warning("warehouse %s is being written by %s; waiting", warehouse.root, holder)
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
