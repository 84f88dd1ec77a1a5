"""The ingest flow's batches: how input is grouped, run and committed.

Kept apart from the flow itself so that its pieces are plain code: the
batches (`plan_batches`), the in-order window over a task runner
(`in_order`), what each batch must skip to resume a web archive
(`ResumePoints`), and the commit in the flow's process (`Committer`).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from prefect.futures import PrefectFuture

from extractors.parts import FilePart
from extractors.records import RESUMED_TALLY, DiscoveredUrl, FetchedPage, Reject
from extractors.warc import is_warc_name
from pipeline.clean import CleanedBatch
from transforms.article import Article
from transforms.similarity import Signature, SimilaritySettings
from warehouse import BatchWriter, KeyIndex, Warehouse, WriteCounts, write_raw_pages
from warehouse.inputs import FileStamp, InputProgress, write_progress
from warehouse.reader import stored_locators

__all__ = [
    "RESUMED",
    "Batch",
    "Committer",
    "ProgressLog",
    "ResumePoints",
    "in_order",
    "plan_batches",
]

Batch = tuple[FilePart, ...]
# The readers' tally key for web-archive records skipped by offset, their outcome
# committed by an earlier run: documents, not skipped records.
RESUMED = RESUMED_TALLY


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
    submit: Callable[[int, Batch], PrefectFuture[CleanedBatch]],
    batches: Sequence[Batch],
    *,
    window: int,
) -> Iterator[tuple[Batch, CleanedBatch]]:
    """Each batch's result in batch order, with at most `window` submitted and not yet taken.

    Committing in order makes the output the same whatever finished first
    (the first copy of a duplicate wins); the window bounds the results held.
    """
    upcoming = iter(enumerate(batches, start=1))
    pending: deque[tuple[Batch, PrefectFuture[CleanedBatch]]] = deque()

    def fill() -> None:
        while len(pending) < max(1, window) and (following := next(upcoming, None)):
            number, parts = following
            pending.append((parts, submit(number, parts)))

    fill()
    while pending:
        parts, future = pending.popleft()
        result = future.result()
        fill()  # the next batch starts before this one is written
        yield parts, result


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


class Committer:
    """Dedups and writes the batches' results in the flow's process, `rows_per_file` at a time."""

    def __init__(
        self,
        store: Warehouse,
        writer: BatchWriter,
        *,
        run_id: str,
        rows_per_file: int,
        raw_index: KeyIndex | None,
        progress: ProgressLog | None = None,
    ) -> None:
        self._store = store
        self._progress = progress
        self._added = 0  # items added, and written, since the run started
        self._written = 0
        self._signatures: dict[str, Signature] = {}  # of the bodies not written yet
        self._writer = writer
        self._run_id = run_id
        self._rows = rows_per_file
        self._raw_index = raw_index
        self._items: list[Article | Reject] = []
        self._files = 0
        self.batches = 0
        self.documents = 0
        self.already_stored = 0  # of documents: passed over, committed by an earlier run
        self.written = WriteCounts()
        self.reasons: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.raw_pages_written = 0

    @property
    def similarity(self) -> SimilaritySettings | None:
        """The writer's near-duplicate settings: the tasks sign the bodies with them."""
        return self._writer.similarity

    def passed_over(self, documents: int) -> None:
        """Documents of inputs not read again, their outcome committed by earlier runs."""
        self.already_stored += documents
        self.documents += documents

    def add(self, batch: CleanedBatch, parts: Batch = ()) -> None:
        self.batches += 1
        skipped = Counter(batch.skipped)
        resumed = skipped.pop(RESUMED, 0)
        self.already_stored += resumed
        self.documents += batch.documents + resumed
        self.skipped.update(skipped)
        self.reasons.update(str(r.reason) for r in batch.rejects)
        if batch.raw_pages:  # now, not buffered (bodies are large), and before their articles
            self._write_raw(batch.raw_pages, f"b{self.batches:05d}")
        self._items += batch.articles
        self._items += batch.rejects
        self._signatures.update(batch.signatures)
        self._added += batch.documents
        if self._progress is not None:
            self._progress.added(parts, batch.by_input, self._added)
        while len(self._items) >= self._rows:
            self._write(self._items[: self._rows])
            del self._items[: self._rows]
        self._record_progress()

    def flush(self) -> None:
        if self._items:
            self._write(self._items)
            self._items = []
        self._record_progress()

    def _record_progress(self) -> None:
        if self._progress is not None:
            self._progress.committed(self._written)

    def _write(self, items: Sequence[Article | Reject]) -> None:
        self._files += 1
        part = f"c{self._files:05d}"
        articles = [i for i in items if isinstance(i, Article)]
        rejects = [i for i in items if isinstance(i, Reject)]
        signatures = {a.content_hash: self._signatures.pop(a.content_hash, None) for a in articles}
        self.written += self._writer.write(
            part,
            articles,
            rejects,
            seen_at=datetime.now(UTC),
            signatures={key: sig for key, sig in signatures.items() if sig is not None},
        )
        self._written += len(items)

    def _write_raw(self, pages: Sequence[tuple[FetchedPage, DiscoveredUrl]], part: str) -> None:
        """One raw copy per URL, as the articles table keeps one row; a crash before the
        batch's articles are written costs a rerun the records, never the pages."""
        if self._raw_index is None:
            return
        fresh_urls = self._raw_index.claim(page.url for page, _ in pages)
        fresh = []
        for page, found in pages:
            if page.url in fresh_urls:
                fresh_urls.discard(page.url)
                fresh.append((page, found))
        if fresh:
            write_raw_pages(self._store, fresh, run_id=self._run_id, part=part)
        self.raw_pages_written += len(fresh)


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
