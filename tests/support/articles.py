"""Articles as the tests write them, and the writer they write them with.

Shared by tests/warehouse, tests/transforms and tests/flows, and by the root
conftest's `make_article` fixture (which, with `store`, lives in
tests/conftest.py): helpers flow from here and the root downwards, never
sideways out of one package's conftest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from transforms.article import Article
from warehouse import KeyIndex, Warehouse
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE
from warehouse.writer import BatchWriter

INGESTED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

ArticleFactory = Callable[..., Article]


def new_writer(store: Warehouse, run_id: str = "run-1") -> BatchWriter:
    """A writer whose indexes are rebuilt from disk, as at the start of a run."""
    return BatchWriter(
        store,
        run_id=run_id,
        articles_index=KeyIndex.from_table(store, ARTICLES_TABLE, "article_id"),
        rejects_index=KeyIndex.from_table(store, REJECTS_TABLE, "reject_id"),
        default_source="example",
    )
