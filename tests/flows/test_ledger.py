"""The run ledger: a `running` row on entry, then how the run ended, for every flow alike."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from prefect import flow

from flows.ledger import RunLedger, RunSummary, run_ledger
from tests.support.delta_sql import delta_rows
from warehouse import RunCounts, RunStatus, SourceCounts, write_run

_COLUMNS = "run_id, flow, status, finished_at IS NULL, documents_seen, articles_written, rejects"
_FINAL = (
    "parameters, duplicates_skipped, rejects_by_reason, sources, exact_duplicates, "
    "near_duplicates, new_versions, already_stored"
)
WIRE = RunCounts(documents_seen=3, articles_written=2, rejects_by_reason={"FETCH_FAILED": 1})
SOURCES = (SourceCounts("wire", discovered=4, fetched=3, counts=WIRE),)
# SOURCES as the runs table's `sources` column holds it: the counts flattened
SOURCES_STORED = [
    {
        "source": "wire",
        "discovered": 4,
        "already_stored": 0,
        "fetched": 3,
        "articles_written": 2,
        "duplicates_skipped": 0,
        "rejects": 1,
    }
]


def _runs(root: Path) -> list[tuple[Any, ...]]:
    return delta_rows(f"SELECT {_COLUMNS} FROM read_parquet('{root}/runs/*.parquet')")


def _counted(ledger: RunLedger) -> Callable[[RunStatus], RunSummary]:
    """Three documents seen, two articles written, one reject, so far."""

    def summarise(status: RunStatus) -> RunSummary:
        counts = RunCounts(
            documents_seen=3,
            articles_written=2,
            rejects_by_reason={"empty_body": 1},
            exact_duplicates=1,
            new_versions=1,
        )
        return replace(ledger.nothing(status), counts=counts)

    return summarise


# what the block raises, by name: flow parameters are data, not exception objects
RAISED: dict[str, Callable[[], BaseException]] = {
    "exception": lambda: ValueError("the warehouse cannot be written"),
    "interrupt": KeyboardInterrupt,
}


def _block(root: str, raising: str | None) -> tuple[str, list[tuple[Any, ...]]]:
    """A ledger block that counts, then raises (if told to); the rows seen inside it."""
    with run_ledger("ledger_probe", root, {"warehouse": root}) as ledger:
        inside = _runs(Path(root))
        ledger.summarise = _counted(ledger)
        ledger.sources = SOURCES
        if raising is not None:
            raise RAISED[raising]()
    return ledger.run_id, inside


@flow(name="ledger_probe")
def _probe(root: str) -> tuple[str, list[tuple[Any, ...]]]:
    return _block(root, None)


@flow(name="ledger_probe_raises")
def _probe_raises(root: str, raising: str) -> str:
    """The block, its exception caught by the flow: what `run_ledger` let through."""
    expected = type(RAISED[raising]())
    with pytest.raises(BaseException) as caught:
        _block(root, raising)
    assert type(caught.value) is expected  # the cause goes on, unmasked
    [(run_id, *_)] = _runs(Path(root))[:1]
    return str(run_id)


def test_running_row_then_completed(tmp_path: Path) -> None:
    """Inside the block the run is `running`, unfinished; after it, `completed` with its counts."""
    root = tmp_path / "warehouse"
    run_id, inside = _probe(str(root))
    assert inside == [(run_id, "ledger_probe", "running", True, 0, 0, 0)]
    assert _runs(root) == [(run_id, "ledger_probe", "completed", False, 3, 2, 1)]
    [final] = delta_rows(f"SELECT {_FINAL} FROM read_parquet('{root}/runs/*.parquet')")
    assert final == (
        json.dumps({"warehouse": str(root)}),
        0,
        {"empty_body": 1},  # a map column
        SOURCES_STORED,
        1,
        0,
        1,
        0,
    )


@pytest.mark.parametrize("raising", sorted(RAISED))
def test_failure_and_interrupt_record_failed(tmp_path: Path, raising: str) -> None:
    """An exception or an interrupt (KeyboardInterrupt: no status of its own today) ends the
    run `failed` with the counts so far, and the exception goes on."""
    root = tmp_path / "warehouse"
    run_id = _probe_raises(str(root), raising)
    assert _runs(root) == [(run_id, "ledger_probe", "failed", False, 3, 2, 1)]


def test_failed_row_not_written_keeps_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When even the `failed` row cannot be written, the run's own exception is what is raised."""
    root = tmp_path / "warehouse"
    calls: list[str] = []

    def fail_after_first(store: Any, record: Any) -> None:
        calls.append(str(record.status))
        if len(calls) > 1:
            raise OSError("disk full")
        write_run(store, record)

    monkeypatch.setattr("flows.ledger.write_run", fail_after_first)
    _probe_raises(str(root), "exception")
    assert calls == ["running", "failed"]
    assert [status for _, _, status, *_ in _runs(root)] == ["running"]


def test_summary_before_completion_is_refused(tmp_path: Path) -> None:
    """`ledger.summary` exists only once the block has completed."""

    @flow(name="ledger_early_summary")
    def early(root: str) -> None:
        with run_ledger("ledger_probe", root, {}) as ledger, pytest.raises(RuntimeError):
            _ = ledger.summary

    early(str(tmp_path / "warehouse"))
