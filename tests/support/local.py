"""`local`: a warehouse location as a local `Path`, for tests that need the disk.

`Warehouse` paths are typed `StorePath` (a local `Path` or an object-store
`ObjectPath`, `warehouse/storage.py`). A test that writes bytes in place,
hands a path to pandas or DuckDB, or calls `os.fspath` works on the local
warehouses of the `store` fixture only; `local` says so, to mypy and at run
time, instead of a silent `cast`.
"""

from __future__ import annotations

from pathlib import Path

from warehouse.storage import StorePath

__all__ = ["local"]


def local(path: StorePath) -> Path:
    """`path` itself, which must be on the local disk (AssertionError otherwise)."""
    assert isinstance(path, Path), (
        f"{path} is not a local path: this test step needs a local warehouse "
        "(use the `store` fixture, not an object-store one)"
    )
    return path
