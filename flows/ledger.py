"""The run ledger: one runs-table row per flow run, kept the same way by every flow.

`run_ledger` opens the warehouse and writes the run's `running` row, then,
when the block ends, replaces it with how the run ended: `completed` with
the flow's counts, or `failed` with the counts committed so far when the
block raised anything, an interrupt (KeyboardInterrupt, a cancellation)
included. A failure to write the `failed` row is logged and never masks the
cause. The Delta log guards the writers (`warehouse.delta`), so there is no
lock to take here.

A flow hands the ledger its counters once they exist (`ledger.summarise`),
and, for web runs, the per-source counts (`ledger.sources`); until then a
run that ends counts nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from prefect import get_run_logger
from prefect.context import get_run_context

from flows.object_store import open_warehouse
from warehouse import RunCounts, RunRecord, RunStatus, SourceCounts, Warehouse, write_run

__all__ = ["RunLedger", "RunSummary", "current_run_id", "final_record", "run_ledger"]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did; the CLI prints it and the runs table stores its counts."""

    run_id: str
    warehouse: str
    counts: RunCounts
    elapsed_seconds: float
    status: RunStatus = RunStatus.COMPLETED
    files: int = 0
    batches: int = 0
    records_skipped: dict[str, int] = field(default_factory=dict)
    raw_pages_written: int = 0


class RunLedger:
    """One run's identity and its row in the runs table, from `running` to its outcome."""

    def __init__(self, store: Warehouse, record: RunRecord, warehouse: str) -> None:
        self.store = store
        self.record = record
        self.warehouse = warehouse  # as the flow was given it: the summary shows it
        self._started = time.perf_counter()
        # the flow's counts so far as a summary; replaced once the flow has counters
        self.summarise: Callable[[RunStatus], RunSummary] = self.nothing
        self.sources: tuple[SourceCounts, ...] = ()
        self._summary: RunSummary | None = None

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def summary(self) -> RunSummary:
        """The completed run's summary, once the ledger's block has ended."""
        if self._summary is None:
            raise RuntimeError(f"run {self.run_id} has not completed")
        return self._summary

    def elapsed(self) -> float:
        return time.perf_counter() - self._started

    def nothing(self, status: RunStatus) -> RunSummary:
        """The summary of a run that ended before it counted anything."""
        return RunSummary(self.run_id, self.warehouse, RunCounts(), self.elapsed(), status)

    def _record(self, status: RunStatus) -> RunSummary:
        summary = self.summarise(status)
        write_run(self.store, final_record(self.record, summary, self.sources))
        return summary

    def _complete(self) -> None:
        self._summary = self._record(RunStatus.COMPLETED)

    def _fail(self) -> None:
        """Mark the run failed with the counts of what was committed, never masking the cause."""
        try:
            self._record(RunStatus.FAILED)
        except Exception:
            get_run_logger().exception("could not record the failed run %s", self.run_id)


@contextmanager
def run_ledger(flow: str, warehouse: str, parameters: Mapping[str, Any]) -> Iterator[RunLedger]:
    """Open `warehouse`, write the run's `running` row, and record how the block ends.

    On success the `completed` row is written when the block ends and
    `ledger.summary` holds the summary; on any exception the `failed` row is
    written and the exception goes on.
    """
    run_id = current_run_id()
    store = open_warehouse(warehouse)
    ledger = RunLedger(store, RunRecord(run_id, flow, parameters, datetime.now(UTC)), warehouse)
    write_run(store, ledger.record)
    try:
        yield ledger
    except BaseException:
        ledger._fail()
        raise
    ledger._complete()


def current_run_id() -> str:
    context = get_run_context()
    flow_run = getattr(context, "flow_run", None)
    return str(flow_run.id) if flow_run is not None else datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


def final_record(
    record: RunRecord, summary: RunSummary, sources: tuple[SourceCounts, ...] = ()
) -> RunRecord:
    """The run's `running` row, finished with the summary's status and counts."""
    finished = datetime.now(UTC)
    return replace(
        record, status=summary.status, finished_at=finished, counts=summary.counts, sources=sources
    )
