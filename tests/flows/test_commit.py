"""flows.commit.Committer: a batch's articles and rejects first, then its raw pages; counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.records import DiscoveredUrl, FetchedPage, Reject, RejectReason
from flows.commit import Committer
from pipeline.clean import CleanedBatch
from tests.support.articles import ArticleFactory, new_writer
from warehouse import RunCounts, Warehouse
from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE, RAW_PAGES_TABLE, REJECTS_TABLE

FETCHED = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _page(url: str) -> tuple[FetchedPage, DiscoveredUrl]:
    page = FetchedPage(url, url, 200, "text/html", "utf-8", b"<p>x</p>", None, None, FETCHED)
    return page, DiscoveredUrl(url, "example", "https://example.org/rss.xml")


def _rows(store: Warehouse) -> list[int]:
    """Rows in articles, rejects and raw_pages."""
    return [read(store, t).num_rows for t in (ARTICLES_TABLE, REJECTS_TABLE, RAW_PAGES_TABLE)]


def test_raw_pages_are_written_after_their_articles(
    store: Warehouse, make_article: ArticleFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash writing the raw pages leaves the batch's articles and rejects committed; the
    rerun keeps the pages and adds no article or reject twice."""
    article = make_article(1)
    reject = Reject("https://example.org/2", RejectReason.EMPTY_BODY, "empty", "example")
    batch = CleanedBatch(articles=[article], rejects=[reject], raw_pages=[_page(article.url or "")])

    def crash(*args: object, **kwargs: object) -> int:
        raise OSError("the process died here")

    monkeypatch.setattr("flows.commit.write_raw_pages", crash)
    with pytest.raises(OSError):
        Committer(store, new_writer(store), run_id="run-1", rows_per_file=100).add(batch)
    assert _rows(store) == [1, 1, 0]
    monkeypatch.undo()
    rerun = Committer(store, new_writer(store, "run-2"), run_id="run-2", rows_per_file=100)
    written = rerun.add(batch)
    assert (written.articles_written, written.duplicates_skipped, written.rejects_written) == (
        0,
        1,
        0,
    )
    assert (rerun.raw_pages_written, _rows(store)) == (1, [1, 1, 1])


def test_items_wait_for_rows_per_file_unless_the_batch_is_whole(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """`add` returns what it wrote: nothing while fewer than `rows_per_file` items wait, all of
    them once enough do, and a `whole` batch at once."""
    committer = Committer(store, new_writer(store), run_id="run-1", rows_per_file=3)
    assert committer.add(CleanedBatch(articles=[make_article(1), make_article(2)])) == RunCounts()
    assert committer.add(CleanedBatch(articles=[make_article(3)])).articles_written == 3
    assert committer.add(CleanedBatch(articles=[make_article(4)]), whole=True).articles_written == 1
    assert committer.counts == RunCounts(documents_seen=4, articles_written=4)


def test_counts_add_up_field_by_field_and_reason_by_reason() -> None:
    """`+` adds every count, and merges rejects by reason."""
    one = RunCounts(documents_seen=2, articles_written=1, rejects_by_reason={"EMPTY_BODY": 1})
    two = RunCounts(documents_seen=3, already_stored=1, rejects_by_reason={"EMPTY_BODY": 1, "X": 1})
    total = one + two
    assert total == RunCounts(
        documents_seen=5,
        already_stored=1,
        articles_written=1,
        rejects_by_reason={"EMPTY_BODY": 2, "X": 1},
    )
    assert total.rejects == 3
