"""Each package's public names are pinned, so a rename is a deliberate change."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "extractors": {
        "ExtractionMethod",
        "Metadata",
        "ParsedArticle",
        "Reject",
        "RejectReason",
        "extract_html",
        "list_inputs",
        "read_file",
    },
    "transforms": {"Article", "CleanSettings", "build_article", "clean_files", "strip_boilerplate"},
    "warehouse": {
        "ARTICLES",
        "REJECTS",
        "RUNS",
        "SCHEMA_VERSION",
        "BatchWriter",
        "KeyIndex",
        "RunRecord",
        "RunStatus",
        "Warehouse",
        "WarehouseError",
        "WarehouseReadError",
        "WarehouseWriteError",
        "WriteCounts",
        "write_run",
    },
}


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names(package: str) -> None:
    """`__all__` lists exactly the public names, and each one resolves."""
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    for name in module.__all__:
        assert getattr(module, name) is not None


@pytest.mark.parametrize("package", ["extractors", "transforms", "warehouse"])
def test_core_does_not_import_prefect(package: str) -> None:
    """The core packages import without pulling in Prefect (import-linter checks it statically)."""
    import subprocess
    import sys

    code = f"import sys, {package}; sys.exit('prefect' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
