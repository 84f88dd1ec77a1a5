"""How far each input file of the file flow is committed (`state/inputs`).

A rerun of unchanged input should cost next to nothing (issue 13): a file
whose every document's outcome (article, duplicate or reject) is committed
is skipped without being read, and a partly ingested file resumes after the
last committed range. Offsets of stored rows alone cannot say that: a record
that ended as a duplicate leaves no row, so it used to be extracted again on
every rerun.

The flow records progress after each commit (`record`), as the end of
the last range of each file all of whose documents are written; ranges are
committed in order, so that is a prefix of the file. The row is written after
the rows it describes, so a crash leaves it behind, never ahead: the rerun
reads a little again and the writer's keys drop what is already stored.

A file counts as unchanged when its size, modification time and
`fingerprint` (SHA-256 of the size, the first and the last 64 KiB) all match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from warehouse.delta import read, replace_rows
from warehouse.layout import INPUTS_TABLE, Warehouse
from warehouse.schema import INPUTS, with_version

__all__ = [
    "FileStamp",
    "InputProgress",
    "ResumePlan",
    "plan_resume",
    "read_progress",
    "stamp",
    "write_progress",
]

_EDGE = 64 * 1024  # bytes hashed at each end of a file


@dataclass(frozen=True, slots=True)
class FileStamp:
    """What identifies a file's content without reading it all."""

    size: int
    mtime_ns: int
    fingerprint: str


@dataclass(frozen=True, slots=True)
class InputProgress:
    """One input's row: its stamp and how much of it is committed."""

    name: str
    size: int
    mtime_ns: int
    fingerprint: str
    committed_to: int
    next_line: int
    documents: int
    run_id: str
    updated_at: datetime

    @property
    def complete(self) -> bool:
        return self.committed_to >= self.size

    def matches(self, current: FileStamp) -> bool:
        """True when the file is the one this progress was recorded for."""
        return (self.size, self.mtime_ns, self.fingerprint) == (
            current.size,
            current.mtime_ns,
            current.fingerprint,
        )


def stamp(path: Path) -> FileStamp | None:
    """The file's stamp, or None when it cannot be read (its reject comes later)."""
    try:
        info = path.stat()
        digest = hashlib.sha256(str(info.st_size).encode())
        with path.open("rb") as file:
            digest.update(file.read(_EDGE))
            if info.st_size > 2 * _EDGE:
                file.seek(-_EDGE, 2)
                digest.update(file.read(_EDGE))
    except OSError:
        return None
    return FileStamp(info.st_size, info.st_mtime_ns, digest.hexdigest())


def read_progress(warehouse: Warehouse) -> dict[str, InputProgress]:
    """Input name -> its recorded progress; empty when none was recorded."""
    return {row["name"]: InputProgress(**row) for row in read(warehouse, INPUTS_TABLE).to_pylist()}


def write_progress(warehouse: Warehouse, updates: Iterable[InputProgress]) -> None:
    """Merge `updates` into the recorded progress, by input name, in one commit."""
    latest: Mapping[str, InputProgress] = {u.name: u for u in updates}
    table = pa.Table.from_pylist(
        [asdict(latest[name]) for name in sorted(latest)], schema=with_version(INPUTS)
    )
    replace_rows(warehouse, INPUTS_TABLE, table)


@dataclass(frozen=True, slots=True)
class ResumePlan:
    """What a run can pass over: inputs done and unchanged, and where the others resume."""

    unchanged: frozenset[str]  # complete and unchanged: not read at all
    resume: dict[str, tuple[int, int]]  # name -> (offset, line number there)
    passed_over: int  # documents of the bytes passed over, committed by earlier runs

    def skips(self, name: str) -> bool:
        return name in self.unchanged


def plan_resume(
    progress: Mapping[str, InputProgress], stamps: Mapping[str, FileStamp | None]
) -> ResumePlan:
    """Compare each input's current stamp with its recorded progress.

    A changed file (or one without a stamp) is read whole: its stored rows
    still keep the writer from storing anything twice.
    """
    unchanged: set[str] = set()
    resume: dict[str, tuple[int, int]] = {}
    passed = 0
    for name, current in stamps.items():
        recorded = progress.get(name)
        if current is None or recorded is None or not recorded.matches(current):
            continue
        passed += recorded.documents
        if recorded.complete:
            unchanged.add(name)
        elif recorded.committed_to > 0:
            resume[name] = (recorded.committed_to, recorded.next_line)
    return ResumePlan(frozenset(unchanged), resume, passed)
