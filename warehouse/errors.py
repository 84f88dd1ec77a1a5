"""Errors raised by the warehouse: the infrastructure failures a run must stop for.

    WarehouseError               base: a table cannot be read or written
    ├── WarehouseWriteError      a table could not be written (disk full, permissions, not a folder)
    │   └── CommitConflictError  a commit lost to concurrent writers on every one of its tries
    └── WarehouseReadError       existing table files could not be read (corrupt, foreign)
        └── PreDeltaTableError   a table folder written before schema 5: Parquet, no _delta_log

Bad documents never reach here as errors; these mean the warehouse itself is
unusable, so the CLI exits 1 and the runs table says `failed`.
"""

from __future__ import annotations

from warehouse.storage import StorePath

__all__ = [
    "CommitConflictError",
    "PreDeltaTableError",
    "WarehouseError",
    "WarehouseReadError",
    "WarehouseWriteError",
]


class WarehouseError(Exception):
    """A warehouse table cannot be used; `path` says where, `cause` why."""

    def __init__(self, path: StorePath | str, cause: BaseException, fix: str) -> None:
        super().__init__(f"{path}: {type(cause).__name__}: {cause}; {fix}")
        self.path = path
        self.cause = cause


class WarehouseWriteError(WarehouseError):
    """A table file could not be written."""

    def __init__(self, path: StorePath | str, cause: BaseException) -> None:
        super().__init__(
            path, cause, "check free space, permissions and that --warehouse is a folder"
        )


class CommitConflictError(WarehouseWriteError):
    """A commit kept losing to concurrent writers; `attempts` tries were made, none committed."""

    def __init__(self, path: StorePath | str, cause: BaseException, attempts: int) -> None:
        WarehouseError.__init__(
            self,
            path,
            cause,
            f"gave up after {attempts} commit conflicts; nothing of this batch was written, "
            "rerun (already written rows are skipped) or run fewer writers at once",
        )
        self.attempts = attempts


class WarehouseReadError(WarehouseError):
    """Existing table files could not be read."""

    def __init__(self, path: StorePath | str, cause: BaseException) -> None:
        super().__init__(
            path, cause, "move aside folders that are not this pipeline's Delta tables, then rerun"
        )


class PreDeltaTableError(WarehouseReadError):
    """A table folder holds Parquet files but no `_delta_log`: written before schema 5.

    Reading it as an empty table, or committing a Delta table beside its
    files, would hide its rows, so it is refused.
    """

    def __init__(self, path: StorePath | str) -> None:
        WarehouseError.__init__(
            self,
            path,
            FileNotFoundError("Parquet files but no _delta_log"),
            "the table was written before schema 5 (Delta Lake): run `news-etl migrate "
            "--warehouse ROOT` to convert the warehouse (docs/migrating.md)",
        )
