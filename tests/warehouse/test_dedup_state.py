"""The state behind duplicates, clusters and versions: persisted, crash-safe, compatible."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from tests.conftest import sql_rows
from tests.warehouse.conftest import INGESTED, new_writer
from tests.warehouse.dedup_pages import (
    OTHER_STORY,
    UNRELATED,
    lightly_edited,
    moved_to,
    original,
    wire_copy,
)
from transforms.article import Article
from warehouse import ARTICLES, KeyIndex, RunRecord, Warehouse, remove_articles, write_run
from warehouse import catalog as catalog_module
from warehouse import writer as writer_module
from warehouse.atomic import write_parquet_atomic as real_write
from warehouse.catalog import ArticleCatalog
from warehouse.convert import articles_table
from warehouse.schema import VERSION_KEY
from warehouse.signatures import signature_files
from warehouse.status import freshness_by_source, last_runs
from warehouse.storage import StorePath
from warehouse.writer import BatchWriter

LATER = INGESTED + timedelta(days=7)
NEW_COLUMNS = ("version", "first_seen_at", "last_seen_at", "duplicate_of", "cluster_id")


def outcome(store: Warehouse) -> list[tuple[Any, ...]]:
    """What an analyst sees, independent of file names and run ids (DuckDB)."""
    return sql_rows(
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
    bodies = sql_rows(
        f"SELECT count(DISTINCT content_hash) FROM read_parquet('{store.articles}/**/*.parquet')"
    )
    state = sql_rows(
        "SELECT count(*), count(DISTINCT content_hash), min(octet_length(signature)) "
        f"FROM read_parquet('{store.state}/minhash/*.parquet')"
    )
    assert state == [(bodies[0][0], bodies[0][0], 128 * 4)]


@pytest.mark.parametrize("fail_on", ["articles", "second month"])
def test_crash_mid_batch_then_rerun_matches_a_clean_run(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch, fail_on: str
) -> None:
    """A batch dying after its signatures, or after one month file, reruns to the same table."""
    clean = Warehouse(tmp_path / "clean")
    run_all(clean, corpus)

    crashed = Warehouse(tmp_path / "crashed")
    article_files: list[Path] = []

    def dying_write(table: pa.Table, path: Path, **options: Any) -> None:
        if crashed.articles in path.parents:
            article_files.append(path)
            if fail_on == "articles" or len(article_files) > 1:
                raise OSError("killed")
        real_write(table, path, **options)

    monkeypatch.setattr(writer_module, "write_parquet_atomic", dying_write)
    first = batches(corpus)[0]
    moved = [a if n % 2 else _undated(a) for n, a in enumerate(first)]  # two partitions
    with pytest.raises(OSError, match="killed"):
        new_writer(crashed, "run-0").write("b00001-c0001", moved, [], INGESTED)
    monkeypatch.undo()
    assert signature_files(crashed)  # the signatures were written first
    committed = len(store_rows(crashed))
    if fail_on == "articles":
        assert committed == 0
    else:
        assert 0 < committed < len(moved)

    for number, batch in enumerate([moved, *batches(corpus)[1:]], start=1):
        new_writer(crashed, f"run-{number}").write("b00001-c0001", batch, [], INGESTED)
    assert outcome(crashed) == outcome(clean)
    assert len(store_rows(crashed)) == len(store_rows(clean))


def _undated(article: Article) -> Article:
    return replace(article, published_at=None, published_utc_offset=None)


def store_rows(store: Warehouse) -> list[dict[str, Any]]:
    files = [str(p) for p in store.parquet_files(store.articles)]
    if not files:
        return []
    table = ds.dataset(files, format="parquet", schema=ARTICLES).to_table()
    found: list[dict[str, Any]] = table.to_pylist()
    return found


def test_same_writer_retries_after_a_failed_write(
    store: Warehouse, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a failure the writer rebuilds its catalog from disk: the retry writes each row once."""
    writer = new_writer(store)
    first = batches(corpus)[0]
    calls: list[Path] = []

    def failing_once(table: pa.Table, path: Path, **options: Any) -> None:
        calls.append(path)
        if store.articles in path.parents and len(calls) == 2:
            raise OSError("disk full")
        real_write(table, path, **options)

    monkeypatch.setattr(writer_module, "write_parquet_atomic", failing_once)
    with pytest.raises(OSError, match="disk full"):
        writer.write("b00001-c0001", first, [], INGESTED)
    counts = writer.write("b00001-c0001", first, [], INGESTED)
    assert counts.articles_written == len(first)
    assert len(store_rows(store)) == len(first)
    clean = Warehouse(store.root.parent / "clean")
    new_writer(clean).write("b00001-c0001", first, [], INGESTED)
    assert outcome(store) == outcome(clean)


def _delete(paths: list[StorePath]) -> None:
    for path in paths:
        path.unlink()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda store: None, id="state intact"),
        pytest.param(lambda store: _delete(signature_files(store)), id="state deleted"),
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


def test_signature_files_are_merged_and_orphans_dropped(
    store: Warehouse,
    corpus: Path,
    make_article: Callable[..., Article],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past COMPACT_AFTER_FILES files a load merges them; a signature with no row is dropped."""
    monkeypatch.setattr(catalog_module, "COMPACT_AFTER_FILES", 3)
    story = original(corpus)
    new_writer(store, "run-0").write("b00001-c0001", [story], [], INGESTED)
    for n in range(3):
        article = _rehashed(make_article(n, body=f"Story number {n} " + story.body[: 200 + n]))
        new_writer(store, f"run-{n + 1}").write("b00001-c0001", [article], [], INGESTED)
    remove_articles(store, article_ids=[story.article_id])  # its signature is now an orphan
    assert len(signature_files(store)) == 4
    catalog = ArticleCatalog.load(store, run_id="merge")
    [merged] = signature_files(store)
    assert merged.name == "merged-merge.parquet"
    assert pq.read_table(merged).num_rows == len(catalog) == 3
    assert len(ArticleCatalog.load(store, run_id="again")) == 3


def _rehashed(article: Article) -> Article:
    return replace(article, content_hash=hashlib.sha256(article.body.encode()).hexdigest())


def _as_schema_2(table: pa.Table) -> pa.Table:
    """A table as a schema-2 writer wrote it: without the new columns, version 2 in metadata."""
    old = table.drop_columns(list(NEW_COLUMNS))
    return old.replace_schema_metadata({VERSION_KEY: b"2"})


def test_schema_2_files_stay_readable(store: Warehouse, corpus: Path) -> None:
    """Files without the new columns: key index, status, catalog, rewrite and DuckDB read them."""
    story, other = original(corpus), original(corpus, UNRELATED)
    folder = store.articles / "published_month=undated"
    folder.mkdir(parents=True)
    pq.write_table(_as_schema_2(articles_table([story, other])), folder / "part-old-b1-c1.parquet")
    assert len(KeyIndex.from_table(store.articles, "article_id")) == 2
    assert [f.articles for f in freshness_by_source(store)] == [2]

    copy, exact = wire_copy(corpus), moved_to(other, "https://mirror.example.com/x")
    assert story.url is not None
    update = lightly_edited(story, story.url)
    counts = new_writer(store, "run-2").write("b00001-c0001", [copy, exact, update], [], LATER)
    # the update is a light edit: a new version and a near duplicate of version 1
    assert (counts.near_duplicates, counts.exact_duplicates, counts.new_versions) == (2, 1, 1)
    by_url = {r["url"]: r for r in store_rows(store) if r["version"] is not None}
    assert by_url[copy.url]["cluster_id"] == story.content_hash  # signature from the old body
    assert by_url[exact.url]["duplicate_of"] == other.article_id
    assert (by_url[story.url]["version"], by_url[story.url]["first_seen_at"]) == (2, INGESTED)

    # Both generations through DuckDB (union_by_name) and pyarrow with the declared schema.
    old_rows = sql_rows(
        f"SELECT count(*) FROM read_parquet('{store.articles}/**/*.parquet', "
        "union_by_name = true) WHERE version IS NULL"
    )
    assert old_rows == [(2,)]
    assert remove_articles(store, article_ids=[story.article_id]) == 2  # both versions, both files
    assert len(store_rows(store)) == 3


def test_reprocessed_rows_are_placed_again(store: Warehouse, corpus: Path) -> None:
    """Rows removed and released from the key index (reprocess) are placed anew; first seen kept."""
    story = original(corpus)
    new_writer(store, "run-1").write("b00001-c0001", [story], [], INGESTED)
    rebuilt = moved_to(story, story.url or "")
    assert rebuilt.article_id == story.article_id
    articles_index = KeyIndex.from_table(store.articles, "article_id")
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


def test_runs_rows_carry_the_counts_and_old_rows_still_read(store: Warehouse) -> None:
    """New runs rows hold the duplicate/version counts; rows from schema 2 read beside them."""
    started = INGESTED
    old = RunRecord("run-a", "ingest_files", {}, started_at=started)
    write_run(store, old)
    path = store.runs / "run-run-a.parquet"
    table = pq.read_table(path).drop_columns(
        ["exact_duplicates", "near_duplicates", "new_versions"]
    )
    pq.write_table(table.replace_schema_metadata({VERSION_KEY: b"2"}), path)
    new = RunRecord(
        "run-b",
        "ingest_files",
        {},
        started_at=started + timedelta(hours=1),
        exact_duplicates=2,
        near_duplicates=1,
        new_versions=3,
    )
    write_run(store, new)
    assert [run["run_id"] for run in last_runs(store)] == ["run-b", "run-a"]
    counts = sql_rows(
        "SELECT run_id, exact_duplicates, near_duplicates, new_versions "
        f"FROM read_parquet('{store.runs}/*.parquet', union_by_name = true) ORDER BY run_id"
    )
    assert counts == [("run-a", None, None, None), ("run-b", 2, 1, 3)]
