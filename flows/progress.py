"""A progress bar for interactive runs, silent when disabled.

rich draws nothing but the final state when stdout is not a terminal, so the
same code serves `make run` in a terminal and a scheduled run's logs. The
flow advances it as it commits each batch (a file split into ranges counts
as done with its last range).
"""

from __future__ import annotations

import threading
from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["ProgressReporter"]


class ProgressReporter:
    """Advances by files done; shows documents seen so far. Thread-safe."""

    def __init__(self, *, total_files: int, enabled: bool) -> None:
        self._documents = 0
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("ingesting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files · {task.fields[documents]} documents"),
                TimeElapsedColumn(),
                transient=False,
            )
            self._task = self._progress.add_task("ingest", total=total_files, documents=0)

    def __enter__(self) -> ProgressReporter:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, *, files: int, documents: int) -> None:
        """Count a committed batch: the files it finished and the documents it held."""
        if self._progress is None:
            return
        with self._lock:
            self._documents += documents
            self._progress.update(self._task, advance=files, documents=self._documents)
