"""Fixtures shared by every test package.

The real test material lives in the shared corpus beside the checkout
(`../shared/corpus`, see its MANIFEST.tsv for provenance); CI lays it there
too. `NEWS_ETL_CORPUS` points elsewhere when a checkout lives apart from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "000_b1939a125eb687f6.txt"


def _shared_dir() -> Path:
    return REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared test corpus; a missing corpus fails loudly rather than skipping."""
    path = Path(os.environ.get("NEWS_ETL_CORPUS", _shared_dir() / "corpus"))
    if not (path / "MANIFEST.tsv").is_file():
        pytest.fail(f"test corpus not found at {path}; set NEWS_ETL_CORPUS to its folder")
    return path


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The seed article: a real story whose last two lines are a subscription footer."""
    return REPO_ROOT / "samples" / "text" / SEED_NAME


def sql_rows(query: str) -> list[tuple[Any, ...]]:
    """Rows of a DuckDB query, in a fresh in-memory database."""
    with duckdb.connect() as connection:
        return connection.execute(query).fetchall()
