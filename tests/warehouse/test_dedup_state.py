"""The state behind duplicates, clusters and versions: persisted and crash-safe."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from extractors.records import Reject, RejectReason
from tests.support.articles import INGESTED, new_writer
from tests.support.dedup_pages import (
    OTHER_STORY,
    UNRELATED,
    lightly_edited,
    moved_to,
    original,
    wire_copy,
)
from tests.support.delta_sql import delta_rows
from tests.support.local import local
from transforms.article import Article
from warehouse import KeyIndex, RunCounts, RunRecord, Warehouse, remove_articles, write_run
from warehouse import writer as writer_module
from warehouse.analysts.status import last_runs
from warehouse.catalog import ArticleCatalog
from warehouse.delta import insert_new as real_insert
from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE, MINHASH_TABLE, REJECTS_TABLE, TableSpec
from warehouse.writer import BatchWriter

LATER = INGESTED + timedelta(days=7)
NEW_COLUMNS = ("version", "first_seen_at", "last_seen_at", "duplicate_of", "cluster_id")


def outcome(store: Warehouse) -> list[tuple[Any, ...]]:
    """What an analyst sees, independent of file names and run ids (DuckDB)."""
    return delta_rows(
        "SELECT url, version, duplicate_of, cluster_id, content_hash "
        f"FROM read_parquet('{store.articles}/**/*.parquet', union_by_name = true) "
        "ORDER BY url, version"
    )


def batches(corpus: Path) -> list[list[Article]]:
    """Two runs' worth: stories, a wire copy and an exact copy, then a light edit."""
    story = original(corpus)
    first = [
        story,
        original(corpus, UNRELATED),
        wire_copy(corpus),
        moved_to(story, "https://mirror.example.com/a"),
        original(corpus, OTHER_STORY),
    ]
    return [first, [lightly_edited(story, "https://other.example.org/updated")]]


def run_all(store: Warehouse, corpus: Path, *, prefix: str = "run") -> None:
    for number, batch in enumerate(batches(corpus), start=1):
        new_writer(store, f"{prefix}-{number}").write("b00001-c0001", batch, [], INGESTED)


def test_state_is_one_signature_per_body_and_readable(store: Warehouse, corpus: Path) -> None:
    """state/minhash holds a signature per distinct body stored, readable by DuckDB."""
    run_all(store, corpus)
    bodies = delta_rows(
        f"SELECT count(DISTINCT content_hash) FROM read_parquet('{store.articles}/**/*.parquet')"
    )
    state = delta_rows(
        "SELECT count(*), count(DISTINCT content_hash), min(octet_length(signature)) "
        f"FROM read_parquet('{store.state}/minhash/*.parquet')"
    )
    assert state == [(bodies[0][0], bodies[0][0], 128 * 4)]


@pytest.mark.parametrize("fail_on", ["articles", "rejects"])
def test_crash_mid_batch_then_rerun_matches_a_clean_run(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    """A batch dying after its signatures, or after its articles, reruns to the same table."""
    clean = Warehouse(tmp_path / "clean")
    run_all(clean, corpus)

    crashed = Warehouse(tmp_path / "crashed")

    def dying_insert(store: Warehouse, spec: TableSpec, data: pa.Table, *args: Any) -> int:
        if spec.name == fail_on:
            raise OSError("killed")
        return real_insert(store, spec, data, *args)

    monkeypatch.setattr(writer_module, "insert_new", dying_insert)
    first = batches(corpus)[0]
    moved = [a if n % 2 else _undated(a) for n, a in enumerate(first)]  # two partitions
    reject = Reject("bad.txt", RejectReason.EMPTY_BODY, "empty")
    with pytest.raises(OSError, match="killed"):
        new_writer(crashed, "run-0").write("b00001-c0001", moved, [reject], INGESTED)
    monkeypatch.undo()
    assert read(crashed, MINHASH_TABLE).num_rows  # the signatures were committed first
    assert len(store_rows(crashed)) == (0 if fail_on == "articles" else len(moved))

    for number, batch in enumerate([moved, *batches(corpus)[1:]], start=1):
        new_writer(crashed, f"run-{number}").write("b00001-c0001", batch, [reject], INGESTED)
    assert outcome(crashed) == outcome(clean)
    assert len(store_rows(crashed)) == len(store_rows(clean))
    assert read(crashed, REJECTS_TABLE).num_rows == 1


def _undated(article: Article) -> Article:
    return replace(article, published_at=None, published_utc_offset=None)


def store_rows(store: Warehouse) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = read(store, ARTICLES_TABLE).to_pylist()
    return found


def test_same_writer_retries_after_a_failed_write(
    store: Warehouse, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a failure the writer rebuilds its catalog from the table: the retry writes each
    row once."""
    writer = new_writer(store)
    first = batches(corpus)[0]
    calls: list[str] = []

    def failing_once(store: Warehouse, spec: TableSpec, data: pa.Table, *args: Any) -> int:
        calls.append(spec.name)
        if spec.name == "articles" and calls.count("articles") == 1:
            raise OSError("disk full")
        return real_insert(store, spec, data, *args)

    monkeypatch.setattr(writer_module, "insert_new", failing_once)
    with pytest.raises(OSError, match="disk full"):
        writer.write("b00001-c0001", first, [], INGESTED)
    counts = writer.write("b00001-c0001", first, [], INGESTED)
    assert counts.articles_written == len(first)
    assert len(store_rows(store)) == len(first)
    clean = Warehouse(store.root.parent / "clean")
    new_writer(clean).write("b00001-c0001", first, [], INGESTED)
    assert outcome(store) == outcome(clean)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda store: None, id="state intact"),
        pytest.param(
            lambda store: shutil.rmtree(local(store.folder(MINHASH_TABLE))), id="state deleted"
        ),
    ],
)
def test_later_run_joins_cluster_with_state_or_from_bodies(
    store: Warehouse, corpus: Path, damage: Callable[[Warehouse], object]
) -> None:
    """Signatures come from the state, or are recomputed from stored bodies when missing."""
    story = original(corpus)
    new_writer(store, "run-1").write("b00001-c0001", [story], [], INGESTED)
    damage(store)
    edit = lightly_edited(story, "https://other.example.org/updated")
    counts = new_writer(store, "run-2").write("b00001-c0001", [edit], [], LATER)
    assert counts.near_duplicates == 1
    assert {r["cluster_id"] for r in store_rows(store)} == {story.content_hash}
    assert len(ArticleCatalog.load(store)) == 2  # and the backfilled state is kept


def test_orphan_signatures_are_ignored(
    store: Warehouse, corpus: Path, make_article: Callable[..., Article]
) -> None:
    """A signature whose body is no longer stored (the row was removed) is never loaded."""
    story = original(corpus)
    new_writer(store, "run-0").write("b00001-c0001", [story], [], INGESTED)
    article = _rehashed(make_article(1, body="Story number 1 " + story.body[:200]))
    new_writer(store, "run-1").write("b00001-c0001", [article], [], INGESTED)
    remove_articles(store, article_ids=[story.article_id])  # its signature is now an orphan
    assert read(store, MINHASH_TABLE).num_rows == 2
    assert len(ArticleCatalog.load(store, run_id="again")) == 1


def _rehashed(article: Article) -> Article:
    return replace(article, content_hash=hashlib.sha256(article.body.encode()).hexdigest())


def test_reprocessed_rows_are_placed_again(store: Warehouse, corpus: Path) -> None:
    """Rows removed and released from the key index (reprocess) are placed anew; first seen kept."""
    story = original(corpus)
    new_writer(store, "run-1").write("b00001-c0001", [story], [], INGESTED)
    rebuilt = moved_to(story, story.url or "")
    assert rebuilt.article_id == story.article_id
    articles_index = KeyIndex.from_table(store, ARTICLES_TABLE, "article_id")
    reprocess = BatchWriter(
        store,
        run_id="run-2",
        articles_index=articles_index,
        rejects_index=KeyIndex(),
    )
    assert reprocess.write("reprocess-b00000", [story], [], LATER).duplicates_skipped == 1
    # What flows/reprocess.py does before writing the rebuilt rows:
    assert remove_articles(store, article_ids=[story.article_id]) == 1
    articles_index.release([story.article_id])
    counts = reprocess.write("reprocess-b00001", [rebuilt], [], LATER)
    assert counts.articles_written == 1
    [row] = store_rows(store)
    assert (row["version"], row["first_seen_at"], row["last_seen_at"]) == (1, INGESTED, LATER)


def test_runs_rows_carry_the_counts(store: Warehouse) -> None:
    """Runs rows hold the duplicate/version counts; a row is replaced, never doubled."""
    started = INGESTED
    write_run(store, RunRecord("run-a", "ingest_files", {}, started_at=started))
    new = RunRecord(
        "run-b",
        "ingest_files",
        {},
        started_at=started + timedelta(hours=1),
        counts=RunCounts(exact_duplicates=2, near_duplicates=1, new_versions=3),
    )
    write_run(store, new)
    write_run(store, new)
    assert [run["run_id"] for run in last_runs(store)] == ["run-b", "run-a"]
    counts = delta_rows(
        "SELECT run_id, exact_duplicates, near_duplicates, new_versions "
        f"FROM read_parquet('{store.runs}/*.parquet') ORDER BY run_id"
    )
    assert counts == [("run-a", None, None, None), ("run-b", 2, 1, 3)]
