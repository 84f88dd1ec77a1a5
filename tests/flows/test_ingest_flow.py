"""The ingest flow end to end on the bundled samples, under a real Prefect."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.ingest import RunSummary, ingest_files
from tests.conftest import REPO_ROOT, SEED_NAME

SAMPLES = REPO_ROOT / "samples"


def _ingest(warehouse: Path, *paths: Path, **kwargs: object) -> RunSummary:
    return ingest_files(paths=[str(p) for p in paths], warehouse=str(warehouse), **kwargs)  # type: ignore[arg-type]


def _articles(warehouse: Path) -> duckdb.DuckDBPyRelation:
    return duckdb.sql(
        f"SELECT * FROM read_parquet('{warehouse}/articles/**/*.parquet', hive_partitioning = true)"
    )


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary]:
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse"
    return warehouse, _ingest(warehouse, SAMPLES)


def test_every_document_is_accounted_for(sample_run: tuple[Path, RunSummary]) -> None:
    """Seen documents = articles written + duplicates + rejects, and the tables agree."""
    warehouse, summary = sample_run
    assert summary.documents_seen == (
        summary.articles_written + summary.duplicates_skipped + summary.rejects
    )
    assert summary.articles_written >= 20
    assert _articles(warehouse).aggregate("count(*)").fetchall() == [(summary.articles_written,)]
    rejects = duckdb.sql(
        f"SELECT reason, count(*) FROM read_parquet('{warehouse}/rejects/*.parquet') GROUP BY ALL"
    ).fetchall()
    assert dict(rejects) == summary.rejects_by_reason


def test_samples_show_expected_rejects(sample_run: tuple[Path, RunSummary]) -> None:
    """The bundled bad files are rejected with machine-readable reasons."""
    warehouse, _ = sample_run
    rows = duckdb.sql(
        f"SELECT locator, reason FROM read_parquet('{warehouse}/rejects/*.parquet')"
    ).fetchall()
    by_name = {locator.rsplit("/", 1)[-1]: reason for locator, reason in rows}
    assert by_name["empty.txt"] == "EMPTY_BODY"
    assert by_name["brotli-body-not-text.html"] == "UNDECODABLE"
    assert by_name["newspaper4k-export.jsonl#line=9"] == "PARSE_ERROR"
    assert by_name["newspaper4k-export.jsonl#line=10"] in {
        "INVALID_FIELD",
        "PARSE_ERROR",
        "EMPTY_BODY",
    }


def test_seed_article_is_clean(sample_run: tuple[Path, RunSummary]) -> None:
    """The seed lands without its two footer lines, which are listed as removed."""
    warehouse, _ = sample_run
    seed_lines = (SAMPLES / "text" / SEED_NAME).read_text(encoding="utf-8").strip().split("\n")
    expected_body = "\n".join(seed_lines[:-2]).strip()
    [(body, removed, title)] = (
        _articles(warehouse)
        .filter(f"locator LIKE '%{SEED_NAME}'")
        .project("body, boilerplate_removed, title")
        .fetchall()
    )
    assert body == expected_body
    assert [r["text"] for r in removed] == seed_lines[-2:]
    assert title is None


def test_sidecar_overrides_metadata(sample_run: tuple[Path, RunSummary]) -> None:
    """A NAME.json sidecar's url and source win over what the page states."""
    warehouse, _ = sample_run
    [(source, url)] = (
        _articles(warehouse)
        .filter("locator LIKE '%dw.com-elephants.html'")
        .project("source, url")
        .fetchall()
    )
    assert source == "dw"
    assert url.startswith("https://www.dw.com/fr/")


def test_rerun_is_idempotent(tmp_path: Path) -> None:
    """Ingesting the same inputs twice adds no article or reject rows."""
    warehouse = tmp_path / "warehouse"
    inputs = [SAMPLES / "text", SAMPLES / "jsonl", SAMPLES / "bad"]
    first = _ingest(warehouse, *inputs)
    second = _ingest(warehouse, *inputs)
    assert first.articles_written > 0
    assert second.articles_written == 0
    assert second.duplicates_skipped == first.articles_written + first.duplicates_skipped
    assert second.rejects_new == 0
    ids = _articles(warehouse).project("article_id").fetchall()
    assert len(ids) == len(set(ids)) == first.articles_written
    runs = duckdb.sql(
        f"SELECT status, count(*) FROM read_parquet('{warehouse}/runs/*.parquet') GROUP BY ALL"
    ).fetchall()
    assert runs == [("completed", 2)]


def test_unwritable_warehouse_fails_the_run(tmp_path: Path) -> None:
    """Infrastructure failure (warehouse path is a file) fails the flow."""
    blocker = tmp_path / "warehouse"
    blocker.write_text("not a folder")
    shutil.copy(SAMPLES / "text" / SEED_NAME, tmp_path / SEED_NAME)
    with pytest.raises(OSError):
        _ingest(blocker, tmp_path / SEED_NAME)
