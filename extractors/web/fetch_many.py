"""Fetch many URLs at once: hosts in parallel, each host's URLs in order.

Per-host politeness is the fetcher's gate; this only spreads the work over
hosts. Results come back through a bounded queue, so fetching cannot run far
ahead of a slower consumer (measured: unbounded, peak RSS grew by the size of
every page fetched and not yet used: 314 -> 385 MiB from 400 to 800 pages).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["fetch_concurrently"]

Result = TypeVar("Result")


def fetch_concurrently(
    fetch: Callable[[str], Result],
    urls: Iterable[str],
    *,
    host_of: Callable[[str], str],
    max_hosts: int,
) -> Iterator[tuple[str, Result]]:
    """(url, fetch(url)) pairs as they complete.

    At most `max_hosts` hosts at once; closing the iterator early stops the
    workers after their current request.
    """
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(host_of(url), []).append(url)
    if not by_host:
        return
    workers = min(max_hosts, len(by_host))
    results: queue.Queue[tuple[str, Result] | None] = queue.Queue(maxsize=2 * workers)
    stop = threading.Event()

    def put(item: tuple[str, Result] | None) -> None:
        while not stop.is_set():
            try:
                results.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def work(batch: list[str]) -> None:
        try:
            for url in batch:
                if stop.is_set():
                    return
                put((url, fetch(url)))
        finally:
            put(None)  # this host is done, whatever happened

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
    try:
        for batch in by_host.values():
            pool.submit(work, batch)
        pending = len(by_host)
        while pending:
            item = results.get()
            if item is None:
                pending -= 1
            else:
                yield item
    finally:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
