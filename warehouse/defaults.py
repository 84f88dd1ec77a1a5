"""The warehouse's maintenance defaults, in one light module (no pyarrow, no deltalake).

`warehouse.compact` takes its defaults from here, and so do the CLI and the
flows (through `flows/defaults.py`), so `news-etl compact --help` shows them
without loading the storage libraries.
"""

from __future__ import annotations

from typing import Final

__all__ = ["COMPACT_TARGET_BYTES", "ORPHAN_HOURS", "RETENTION_HOURS"]

COMPACT_TARGET_BYTES: Final = 128 * 2**20  # the size of the files compaction writes
RETENTION_HOURS: Final = 0  # the folder holds the latest version only: globs stay exact
ORPHAN_HOURS: Final = 1  # uncommitted files younger than this may be a writer's next commit
