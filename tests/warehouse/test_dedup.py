"""Exact duplicates, near-duplicate clusters and versions, on real corpus pages.

Written through `BatchWriter` and read back with pyarrow and DuckDB.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest

from tests.support.articles import INGESTED, new_writer
from tests.support.dedup_pages import (
    OTHER_STORY,
    UNRELATED,
    from_text,
    lightly_edited,
    moved_to,
    original,
    wire_copy,
)
from tests.support.delta_sql import delta_rows
from transforms.similarity import SimilaritySettings, jaccard, word_shingles
from warehouse import ARTICLES, KeyIndex, Warehouse
from warehouse.layout import ARTICLES_TABLE
from warehouse.writer import BatchWriter

LATER = INGESTED + timedelta(days=7)


def rows(store: Warehouse) -> dict[tuple[str, int], dict[str, Any]]:
    """Every article row by (article_id, version), read with pyarrow."""
    dataset = ds.dataset(store.articles, format="parquet", schema=ARTICLES)
    return {(r["article_id"], r["version"]): r for r in dataset.to_table().to_pylist()}


def duck(store: Warehouse, query: str) -> list[tuple[Any, ...]]:
    """A DuckDB query over the articles table, exposed as `a`."""
    source = f"read_parquet('{store.articles}/**/*.parquet', union_by_name = true)"
    return delta_rows(query.replace("{a}", source))


def test_same_story_under_two_urls_shares_a_cluster(store: Warehouse, corpus: Path) -> None:
    """A wire copy in other chrome joins the original's cluster; an unrelated story has its own."""
    story, copy, unrelated = original(corpus), wire_copy(corpus), original(corpus, UNRELATED)
    assert story.content_hash != copy.content_hash  # the chrome left its mark on the body
    assert jaccard(word_shingles(story.body, 5), word_shingles(copy.body, 5)) >= 0.8
    counts = new_writer(store).write("b00001-c0001", [story, unrelated, copy], [], seen_at=INGESTED)
    assert (counts.articles_written, counts.near_duplicates, counts.exact_duplicates) == (3, 1, 0)
    stored = rows(store)
    assert stored[(copy.article_id, 1)]["cluster_id"] == story.content_hash
    assert stored[(story.article_id, 1)]["cluster_id"] == story.content_hash
    assert stored[(unrelated.article_id, 1)]["cluster_id"] == unrelated.content_hash
    assert all(r["duplicate_of"] is None for r in stored.values())
    clusters = duck(store, "SELECT cluster_id, count(*) FROM {a} GROUP BY ALL ORDER BY 2, 1")
    assert clusters == [(unrelated.content_hash, 1), (story.content_hash, 2)]


def test_exact_copy_points_at_the_first_article(store: Warehouse, corpus: Path) -> None:
    """The same body under another URL, in the same batch or a later run, names the first."""
    story = original(corpus)
    copy_now = moved_to(story, "https://mirror.example.com/a")
    copy_later = moved_to(story, "https://mirror.example.com/b")
    assert copy_now.content_hash == copy_later.content_hash == story.content_hash
    first = new_writer(store, "run-1").write("b00001-c0001", [story, copy_now], [], INGESTED)
    second = new_writer(store, "run-2").write("b00001-c0001", [copy_later], [], LATER)
    assert (first.exact_duplicates, second.exact_duplicates) == (1, 1)
    assert duck(store, "SELECT url, duplicate_of, cluster_id FROM {a} ORDER BY url") == [
        (copy_now.url, story.article_id, story.content_hash),
        (copy_later.url, story.article_id, story.content_hash),
        (story.url, None, story.content_hash),
    ]


def test_lightly_edited_copy_a_week_later_joins_the_cluster(store: Warehouse, corpus: Path) -> None:
    """A fresh writer (a later run) clusters a light edit with the story stored last week."""
    story, other = original(corpus), original(corpus, OTHER_STORY)
    new_writer(store, "run-1").write("b00001-c0001", [story, other], [], seen_at=INGESTED)
    edit = lightly_edited(story, "https://other.example.org/updated")
    assert 0.8 <= jaccard(word_shingles(story.body, 5), word_shingles(edit.body, 5)) < 1
    counts = new_writer(store, "run-2").write("b00001-c0001", [edit], [], seen_at=LATER)
    assert counts.near_duplicates == 1
    [(cluster,)] = duck(store, f"SELECT cluster_id FROM {{a}} WHERE url = '{edit.url}'")
    assert cluster == story.content_hash
    assert list((store.state / "minhash").glob("*.parquet"))  # the state that made it possible


def test_unrelated_story_starts_its_own_cluster(store: Warehouse, corpus: Path) -> None:
    """Below the threshold nothing is joined, however the LSH bands fall."""
    story = original(corpus)
    half = story.body.split("\n\n")
    rewritten = from_text("\n\n".join(half[: len(half) // 2]), "https://example.org/half")
    assert jaccard(word_shingles(story.body, 5), word_shingles(rewritten.body, 5)) < 0.7
    new_writer(store).write("b00001-c0001", [story, rewritten], [], seen_at=INGESTED)
    stored = rows(store)
    assert stored[(rewritten.article_id, 1)]["cluster_id"] == rewritten.content_hash


def test_near_duplicate_detection_can_be_turned_off(store: Warehouse, corpus: Path) -> None:
    """similarity=None: exact duplicates still found, every new body its own cluster, no state."""
    story, copy = original(corpus), wire_copy(corpus)
    exact = moved_to(story, "https://mirror.example.com/a")
    writer = BatchWriter(
        store,
        run_id="run-1",
        articles_index=KeyIndex(),
        rejects_index=KeyIndex(),
        similarity=None,
    )
    counts = writer.write("b00001-c0001", [story, copy, exact], [], seen_at=INGESTED)
    assert (counts.near_duplicates, counts.exact_duplicates) == (0, 1)
    stored = rows(store)
    assert stored[(copy.article_id, 1)]["cluster_id"] == copy.content_hash
    assert not (store.state / "minhash").exists()


def test_changed_body_on_refetch_is_a_new_version(store: Warehouse, corpus: Path) -> None:
    """Same URL, changed body: version 2 beside version 1; unchanged or earlier text: skipped."""
    story = original(corpus)
    url = story.url
    assert url is not None
    updated = lightly_edited(story, url)
    assert updated.article_id == story.article_id
    first = new_writer(store, "run-1").write("b00001-c0001", [story], [], seen_at=INGESTED)
    second = new_writer(store, "run-2").write("b00001-c0001", [updated], [], seen_at=LATER)
    third_at = LATER + timedelta(days=1)
    third = new_writer(store, "run-3").write("b00001-c0001", [updated, story], [], third_at)
    assert (first.new_versions, second.new_versions) == (0, 1)
    assert (third.articles_written, third.duplicates_skipped) == (0, 2)
    stored = rows(store)
    assert sorted(stored) == [(story.article_id, 1), (story.article_id, 2)]
    v1, v2 = stored[(story.article_id, 1)], stored[(story.article_id, 2)]
    assert v1["body"] == story.body  # the earlier text is kept
    assert (v1["first_seen_at"], v1["last_seen_at"]) == (INGESTED, INGESTED)
    assert (v2["first_seen_at"], v2["last_seen_at"]) == (INGESTED, LATER)
    assert v2["cluster_id"] == v1["cluster_id"]  # a light edit stays in its cluster
    assert v2["duplicate_of"] is None  # its own URL is not "another article"


def test_latest_version_query(store: Warehouse, corpus: Path) -> None:
    """The latest-version query of docs/reading.md returns one row per article, its newest body."""
    story, other = original(corpus), original(corpus, UNRELATED)
    assert story.url is not None
    new_writer(store, "run-1").write("b00001-c0001", [story, other], [], seen_at=INGESTED)
    update = lightly_edited(story, story.url)
    new_writer(store, "run-2").write("b00001-c0001", [update], [], seen_at=LATER)
    latest = duck(
        store,
        "SELECT article_id, coalesce(version, 1), body FROM {a} "
        "QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY version DESC NULLS LAST) = 1 "
        "ORDER BY article_id",
    )
    assert sorted(latest) == sorted(
        [(story.article_id, 2, update.body), (other.article_id, 1, other.body)]
    )


def test_versions_in_one_batch_and_across_months(store: Warehouse, corpus: Path) -> None:
    """Two bodies of one URL in one batch are versions 1 and 2, whatever their partitions."""
    story = original(corpus)
    assert story.url is not None
    update = lightly_edited(story, story.url)
    undated = replace(update, published_at=None, published_utc_offset=None)
    counts = new_writer(store).write("b00001-c0001", [story, undated], [], seen_at=INGESTED)
    assert (counts.articles_written, counts.new_versions) == (2, 1)
    assert sorted(rows(store)) == [(story.article_id, 1), (story.article_id, 2)]
    assert len(KeyIndex.from_table(store, ARTICLES_TABLE, "article_id")) == 1


@pytest.mark.parametrize(("threshold", "joined"), [(0.8, True), (0.97, False)])
def test_threshold_is_a_setting(
    store: Warehouse, corpus: Path, threshold: float, joined: bool
) -> None:
    """A stricter threshold splits what 0.8 joins (this wire copy measures 0.93)."""
    story, copy = original(corpus), wire_copy(corpus)
    assert 0.9 < jaccard(word_shingles(story.body, 5), word_shingles(copy.body, 5)) < 0.94
    writer = BatchWriter(
        store,
        run_id="run-1",
        articles_index=KeyIndex(),
        rejects_index=KeyIndex(),
        similarity=SimilaritySettings(threshold=threshold),
    )
    writer.write("b00001-c0001", [story, copy], [], seen_at=INGESTED)
    assert (rows(store)[(copy.article_id, 1)]["cluster_id"] == story.content_hash) is joined


def test_signatures_made_by_the_tasks_spare_the_writer(
    store: Warehouse, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given each body's signature, the writer clusters exactly as when it signs them itself."""
    from transforms.similarity import DEFAULT_SIMILARITY, signature
    from warehouse import catalog

    story, copy, unrelated = original(corpus), wire_copy(corpus), original(corpus, UNRELATED)
    batch = [story, unrelated, copy]
    signed = {a.content_hash: signature(a.body, DEFAULT_SIMILARITY) for a in batch}

    def refuse(*_: object) -> None:
        raise AssertionError("the writer signed a body the task had signed")

    monkeypatch.setattr(catalog, "signature", refuse)
    counts = new_writer(store).write("b1", batch, [], seen_at=INGESTED, signatures=signed)
    assert (counts.articles_written, counts.near_duplicates) == (3, 1)
    assert rows(store)[(copy.article_id, 1)]["cluster_id"] == story.content_hash
