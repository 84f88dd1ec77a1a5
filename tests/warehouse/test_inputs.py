"""Input progress: stamps tell a changed file from an unchanged one; plans skip or resume."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warehouse import Warehouse
from warehouse.inputs import (
    FileStamp,
    InputProgress,
    plan_resume,
    read_progress,
    stamp,
    write_progress,
)

WHEN = datetime(2026, 12, 1, tzinfo=UTC)


def _progress(name: str, current: FileStamp, committed_to: int, documents: int) -> InputProgress:
    return InputProgress(
        name, current.size, current.mtime_ns, current.fingerprint, committed_to, 7, documents,
        "run-1", WHEN,
    )  # fmt: skip


@pytest.mark.parametrize("where", [0, 100_000, 199_999])
def test_a_same_size_edit_with_the_old_mtime_changes_the_stamp(tmp_path: Path, where: int) -> None:
    """Content edited in place (same size, mtime put back) at the head, middle or tail:
    the head and tail hash catches the two ends; the middle goes unseen (by design, cheap)."""
    path = tmp_path / "big.warc.gz"
    path.write_bytes(bytes(200_000))
    before = stamp(path)
    assert before is not None
    data = bytearray(path.read_bytes())
    data[where] = 1
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.mtime_ns, before.mtime_ns))
    after = stamp(path)
    assert after is not None and after.size == before.size
    assert (after == before) is (where == 100_000)


def test_progress_round_trips_and_merges(store: Warehouse, tmp_path: Path) -> None:
    """Rows are merged by input name and read back as written."""
    path = tmp_path / "a.jsonl"
    path.write_text("{}\n")
    current = stamp(path)
    assert current is not None
    write_progress(store, [_progress("a", current, 1, 1), _progress("b", current, 0, 0)])
    write_progress(store, [_progress("a", current, current.size, 2)])
    rows = read_progress(store)
    assert sorted(rows) == ["a", "b"]
    assert (rows["a"].committed_to, rows["a"].documents, rows["a"].complete) == (3, 2, True)


def test_plan_skips_complete_resumes_partial_and_rereads_changed(tmp_path: Path) -> None:
    """Complete and unchanged: skipped; partly done: resumed; changed or new: read whole."""
    current = FileStamp(1000, 5, "f")
    progress = {
        "done": _progress("done", current, 1000, 10),
        "half": _progress("half", current, 400, 4),
        "changed": _progress("changed", FileStamp(1000, 6, "f"), 1000, 10),
    }
    stamps: dict[str, FileStamp | None] = {
        "done": current, "half": current, "changed": current, "new": current, "gone": None,
    }  # fmt: skip
    plan = plan_resume(progress, stamps)
    assert plan.unchanged == {"done"}
    assert plan.resume == {"half": (400, 7)}
    assert plan.passed_over == 14
