"""Article and reject factories for warehouse tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from transforms.article import Article, make_article_id
from transforms.boilerplate import Removal
from warehouse import KeyIndex, Warehouse
from warehouse.writer import BatchWriter

INGESTED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

ArticleFactory = Callable[..., Article]


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


def new_writer(store: Warehouse, run_id: str = "run-1") -> BatchWriter:
    """A writer whose indexes are rebuilt from disk, as at the start of a run."""
    return BatchWriter(
        store,
        run_id=run_id,
        articles_index=KeyIndex.from_table(store.articles, "article_id"),
        rejects_index=KeyIndex.from_table(store.rejects, "reject_id"),
        default_source="example",
    )
