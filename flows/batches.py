"""The ingest flows' batches: how input is grouped and run, and how far it is committed.

Kept apart from the flows themselves so that their pieces are plain code:
the batches of files (`plan_batches`), the in-order window over a task
runner (`in_order`, for files and the web), what each batch must skip to
resume a web archive (`ResumePoints`), and how far each input file is
committed (`ProgressLog`). The commit itself is `flows.commit`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from prefect.futures import PrefectFuture

from extractors.parts import FilePart
from extractors.warc import is_warc_name
from warehouse import Warehouse
from warehouse.inputs import FileStamp, InputProgress, write_progress
from warehouse.reader import stored_locators

__all__ = [
    "Batch",
    "ProgressLog",
    "ResumePoints",
    "in_order",
    "plan_batches",
]

Batch = tuple[FilePart, ...]
T = TypeVar("T")
R = TypeVar("R")


def plan_batches(parts: Sequence[FilePart], batch_size: int, split_bytes: int) -> list[Batch]:
    """Whole small files together (up to `batch_size` files or `split_bytes`); a range alone."""
    batches: list[Batch] = []
    group: list[FilePart] = []
    size = 0
    for part in parts:
        if not part.whole:
            if group:
                batches.append(tuple(group))
                group, size = [], 0
            batches.append((part,))
            continue
        if group and (len(group) >= max(1, batch_size) or size + part.size > split_bytes):
            batches.append(tuple(group))
            group, size = [], 0
        group.append(part)
        size += part.size
    if group:
        batches.append(tuple(group))
    return batches


def in_order(
    submit: Callable[[int, T], PrefectFuture[R]],
    items: Iterable[T],
    *,
    window: int,
) -> Iterator[tuple[T, R]]:
    """Each item's result in item order, with at most `window` submitted and not yet taken.

    Committing in order makes the output the same whatever finished first
    (the first copy of a duplicate wins); the window bounds the results held.
    `items` may itself be lazy (another `in_order`): it is drawn from only
    as the window frees up, so two stages chain with both windows bounded.
    """
    upcoming = iter(enumerate(items, start=1))
    pending: deque[tuple[T, PrefectFuture[R]]] = deque()

    def fill() -> None:
        while len(pending) < max(1, window) and (following := next(upcoming, None)):
            number, item = following
            pending.append((item, submit(number, item)))

    fill()
    while pending:
        item, future = pending.popleft()
        result = future.result()
        fill()  # the next item starts before this one is taken
        yield item, result


class ResumePoints:
    """Web-archive records an earlier run wrote, handed to each batch for its own ranges."""

    def __init__(self, store: Warehouse, files: Sequence[Path]) -> None:
        self._by_file: dict[str, list[tuple[int, str]]] = {}
        if not any(is_warc_name(f.name) for f in files):
            return
        for locator in stored_locators(store, containing="#offset="):
            name, _, offset = locator.rpartition("#offset=")
            if offset.isdigit():
                self._by_file.setdefault(name, []).append((int(offset), locator))

    def within(self, parts: Batch) -> frozenset[str]:
        """Locators of the records in these parts (with a margin past a range's end:
        a range reports damage it runs into just past its end)."""
        found: set[str] = set()
        for part in parts:
            entries = self._by_file.get(part.name, ())
            if part.end is None:
                found.update(loc for offset, loc in entries if offset >= part.start)
            else:
                limit = part.end + (part.end - part.start)
                found.update(loc for offset, loc in entries if part.start <= offset < limit)
        return frozenset(found)


class ProgressLog:
    """Records, after each commit, how far each input file is committed (`warehouse.inputs`).

    A batch's ranges count as committed once every item it gave is written;
    `committed(n)` is told how many items the writer has written in all.
    """

    def __init__(
        self,
        store: Warehouse,
        run_id: str,
        stamps: Mapping[str, FileStamp],
        plan: Sequence[FilePart],
        resumed: Mapping[str, InputProgress],
    ) -> None:
        self._store = store
        self._run_id = run_id
        self._stamps = stamps
        self._next_line = _next_lines(plan)
        self._documents = {name: p.documents for name, p in resumed.items()}
        self._pending: deque[tuple[int, Batch, dict[str, int]]] = deque()

    def added(self, parts: Batch, by_input: Mapping[str, int], items_end: int) -> None:
        """A batch whose items end at position `items_end` of everything added."""
        self._pending.append((items_end, parts, dict(by_input)))

    def committed(self, items_written: int) -> None:
        """Record the batches whose items are all written by now."""
        rows: dict[str, InputProgress] = {}
        while self._pending and self._pending[0][0] <= items_written:
            _, parts, by_input = self._pending.popleft()
            for part in parts:
                if (row := self._row(part, by_input.get(part.name, 0))) is not None:
                    rows[part.name] = row
        if rows:
            write_progress(self._store, rows.values())

    def _row(self, part: FilePart, documents: int) -> InputProgress | None:
        current = self._stamps.get(part.name)
        if current is None:  # a remote input's copy, or a file that cannot be read
            return None
        self._documents[part.name] = self._documents.get(part.name, 0) + documents
        end = current.size if part.end is None else part.end
        return InputProgress(
            name=part.name,
            size=current.size,
            mtime_ns=current.mtime_ns,
            fingerprint=current.fingerprint,
            committed_to=end,
            next_line=self._next_line.get((part.name, end), 1),
            documents=self._documents[part.name],
            run_id=self._run_id,
            updated_at=datetime.now(UTC),
        )


def _next_lines(plan: Sequence[FilePart]) -> dict[tuple[str, int], int]:
    """(input, offset) -> the number of the line starting there, for each range start."""
    return {(part.name, part.start): part.first_line for part in plan}
