"""Fixtures shared by every test package.

The real test material lives in the shared corpus beside the checkout
(`../shared/corpus`, see its MANIFEST.tsv for provenance); CI lays it there
too. `NEWS_ETL_CORPUS` points elsewhere when a checkout lives apart from it.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pytest

from tests.support.articles import INGESTED, ArticleFactory
from transforms.article import Article, make_article_id
from transforms.boilerplate import Removal
from warehouse import Warehouse

if TYPE_CHECKING:
    from xdist.scheduler import LoadScopeScheduling

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "000_b1939a125eb687f6.txt"


def _shared_dir() -> Path:
    return REPO_ROOT.parent / "shared"


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: only called with `-n`
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    """Under xdist (`make check`), every test in tests/flows on one worker, the rest spread.

    Each worker that runs a flow test starts its own session Prefect harness and
    builds its own sample warehouse for tests/flows/analysts: several seconds of CPU
    each, on a two-core machine. xdist's `--dist loadgroup` would do this with marks,
    but with pytest 9 it renames node ids through an attribute pytest no longer reads.
    Applies to the default `--dist load` only.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FlowsOnOneWorker(LoadScopeScheduling):  # type: ignore[misc]  # xdist is untyped
        def _split_scope(self, nodeid: str) -> str:
            return "tests/flows" if nodeid.startswith("tests/flows/") else nodeid

    return FlowsOnOneWorker(config, log)


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


@pytest.fixture
def make_article() -> ArticleFactory:
    """An Article with plausible values; keyword arguments override fields."""

    def make(n: int = 0, **overrides: Any) -> Article:
        url = f"https://example.org/news/{n}"
        fields: dict[str, Any] = {
            "article_id": make_article_id(url, "example", f"hash{n}"),
            "url": url,
            "canonical_url": url,
            "source": "example",
            "domain": "example.org",
            "title": f"Story {n}",
            "authors": ("Jane Doe",),
            "published_at": datetime(2020, 8, 16, 23, 40, tzinfo=UTC),
            "published_utc_offset": -240,
            "modified_at": None,
            "language": "en",
            "description": None,
            "section": "Business",
            "tags": ("power", "weather"),
            "image_url": None,
            "site_name": "Example",
            "body": f"Paragraph one of story {n}.\n\nParagraph two.",
            "word_count": 8,
            "content_hash": f"hash{n}",
            "boilerplate_removed": (
                Removal(rule="subscription.example", kind="subscription", text="Subscribe now"),
            ),
            "extraction_method": "trafilatura",
            "locator": f"samples/{n}.html",
            "ingested_at": INGESTED,
            "run_id": "run-1",
        }
        fields.update(overrides)
        return Article(**fields)

    return make


@pytest.fixture
def store(tmp_path: Path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse")
