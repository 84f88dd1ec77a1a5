"""Where each table lives under a warehouse root.

<root>/articles/published_month=YYYY-MM/part-<run>-b<batch>-c<chunk>.parquet
<root>/articles/published_month=undated/...
<root>/rejects/part-<run>-b<batch>-c<chunk>.parquet
<root>/runs/run-<run>.parquet
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Warehouse"]


@dataclass(frozen=True, slots=True)
class Warehouse:
    """A warehouse rooted at a local folder."""

    root: Path

    @property
    def articles(self) -> Path:
        return self.root / "articles"

    @property
    def rejects(self) -> Path:
        return self.root / "rejects"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def raw_pages(self) -> Path:
        return self.root / "raw_pages"

    @property
    def state(self) -> Path:
        return self.root / "state"

    def parquet_files(self, table: Path) -> list[Path]:
        """Committed files of a table (temporary files start with `.` and are skipped)."""
        if not table.is_dir():
            return []
        return sorted(
            p
            for p in table.rglob("*.parquet")
            if not any(part.startswith(".") for part in p.parts[len(table.parts) :])
        )
