"""Where each table lives under a warehouse root.

<root>/articles/published_month=YYYY-MM/part-<run>-b<batch>-c<chunk>.parquet
<root>/articles/published_month=undated/...
<root>/rejects/part-<run>-b<batch>-c<chunk>.parquet
<root>/runs/run-<run>.parquet
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warehouse.replacement import replaced_files

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
        """Committed files of a table, each row in exactly one of them.

        Temporary files (names starting with `.`) are skipped, and so are files
        a committed compacted file replaces but which are not deleted yet
        (`warehouse/replacement.py`).
        """
        if not table.is_dir():
            return []
        found = sorted(
            p
            for p in table.rglob("*.parquet")
            if not any(part.startswith(".") for part in p.parts[len(table.parts) :])
        )
        hidden = replaced_files(found)
        return [p for p in found if p not in hidden] if hidden else found
