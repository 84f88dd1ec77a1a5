"""The ingest flow end to end on the bundled samples, under a real Prefect."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from deltalake import DeltaTable

from flows.ingest import ingest_files
from flows.ledger import RunSummary
from tests.conftest import REPO_ROOT, SEED_NAME
from tests.support.delta_sql import delta_rows
from warehouse import Warehouse, WarehouseWriteError, compact_warehouse

SAMPLES = REPO_ROOT / "samples"


def _ingest(warehouse: Path, *paths: Path) -> RunSummary:
    return ingest_files(paths=[str(p) for p in paths], warehouse=str(warehouse))


def _articles(warehouse: Path) -> str:
    """The articles table as a DuckDB table expression."""
    return f"read_parquet('{warehouse}/articles/**/*.parquet', hive_partitioning = true)"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunSummary]:
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse"
    return warehouse, _ingest(warehouse, SAMPLES)


def test_every_document_is_accounted_for(sample_run: tuple[Path, RunSummary]) -> None:
    """Seen documents = articles written + duplicates + rejects, and the tables agree."""
    warehouse, summary = sample_run
    assert summary.counts.documents_seen == (
        summary.counts.articles_written + summary.counts.duplicates_skipped + summary.counts.rejects
    )
    assert summary.counts.articles_written >= 20
    assert summary.counts.duplicates_skipped == 1  # the windows-1252 copy of the seed
    assert delta_rows(f"SELECT count(*) FROM {_articles(warehouse)}") == [
        (summary.counts.articles_written,)
    ]
    rejects = delta_rows(
        f"SELECT reason, count(*) FROM read_parquet('{warehouse}/rejects/*.parquet') GROUP BY ALL"
    )
    assert dict(rejects) == summary.counts.rejects_by_reason


def test_samples_show_expected_rejects(sample_run: tuple[Path, RunSummary]) -> None:
    """The bundled bad files are rejected with machine-readable reasons."""
    warehouse, _ = sample_run
    rows = delta_rows(f"SELECT locator, reason FROM read_parquet('{warehouse}/rejects/*.parquet')")
    by_name = {locator.rsplit("/", 1)[-1]: reason for locator, reason in rows}
    assert by_name == {
        "PROVENANCE.md": "UNSUPPORTED_TYPE",
        "empty.txt": "EMPTY_BODY",
        "brotli-body-not-text.html": "UNDECODABLE",
        "utf-16-bom-truncated.html": "UNDECODABLE",
        "newspaper4k-export.jsonl#line=9": "PARSE_ERROR",
        "newspaper4k-export.jsonl#line=10": "INVALID_FIELD",
    }


def test_seed_article_is_clean(sample_run: tuple[Path, RunSummary]) -> None:
    """The seed lands without its two footer lines, which are listed as removed."""
    warehouse, _ = sample_run
    seed_lines = (SAMPLES / "text" / SEED_NAME).read_text(encoding="utf-8").strip().split("\n")
    [(body, removed, title)] = delta_rows(
        f"SELECT body, boilerplate_removed, title FROM {_articles(warehouse)} "
        f"WHERE locator LIKE '%{SEED_NAME}'"
    )
    assert body == "\n".join(seed_lines[:-2]).strip()
    assert [r["text"] for r in removed] == seed_lines[-2:]
    assert title is None


def test_sidecar_overrides_metadata(sample_run: tuple[Path, RunSummary]) -> None:
    """A NAME.json sidecar's url and source win over what the page states."""
    warehouse, _ = sample_run
    [(source, url)] = delta_rows(
        f"SELECT source, url FROM {_articles(warehouse)} "
        "WHERE locator LIKE '%dw.com-elephants.html'"
    )
    assert source == "dw"
    assert url.startswith("https://www.dw.com/fr/")


def test_rerun_is_idempotent(tmp_path: Path) -> None:
    """Ingesting the same inputs twice adds no row, and the rerun reads none of them."""
    warehouse = tmp_path / "warehouse"
    inputs = [SAMPLES / "text", SAMPLES / "jsonl", SAMPLES / "bad"]
    first = _ingest(warehouse, *inputs)
    second = _ingest(warehouse, *inputs)
    assert first.counts.articles_written > 0
    assert (second.batches, second.counts.articles_written, second.counts.rejects) == (0, 0, 0)
    assert (
        second.counts.documents_seen == second.counts.already_stored == first.counts.documents_seen
    )
    [(rows, distinct)] = delta_rows(
        f"SELECT count(*), count(DISTINCT article_id) FROM {_articles(warehouse)}"
    )
    assert rows == distinct == first.counts.articles_written
    runs = delta_rows(
        f"SELECT status, count(*) FROM read_parquet('{warehouse}/runs/*.parquet') GROUP BY ALL"
    )
    assert runs == [("completed", 2)]


def test_unwritable_warehouse_fails_the_run(tmp_path: Path) -> None:
    """Infrastructure failure (warehouse path is a file) fails the flow."""
    blocker = tmp_path / "warehouse"
    blocker.write_text("not a folder")
    shutil.copy(SAMPLES / "text" / SEED_NAME, tmp_path / SEED_NAME)
    with pytest.raises(WarehouseWriteError, match="is a folder"):
        _ingest(blocker, tmp_path / SEED_NAME)


def test_run_publishes_summary_artifact(sample_run: tuple[Path, RunSummary]) -> None:
    """The flow run carries an `ingest-summary` table artifact with its counts."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    _, summary = sample_run
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(summary.run_id)])
            )
        )
    [artifact] = [a for a in artifacts if a.key == "ingest-summary"]
    assert artifact.type == "table"
    assert f'"value": {summary.counts.articles_written}' in str(artifact.data)
    [figures] = [a for a in artifacts if a.key == "warehouse-figures"]
    assert figures.type == "markdown"
    assert f"**{summary.counts.articles_written}** articles" in str(figures.data)


def test_readme_examples_run(
    sample_run: tuple[Path, RunSummary], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Python block in the README's "Reading the tables" section and in docs/reading.md
    runs as written, on a copy of the sample warehouse whose tables are past a checkpoint and
    compacted."""
    import re

    warehouse, summary = sample_run
    copy = tmp_path / "data" / "warehouse"
    shutil.copytree(warehouse, copy)
    for table in ("articles", "rejects"):  # what delta-rs writes every 100 commits
        DeltaTable(str(copy / table)).create_checkpoint()
        assert list((copy / table / "_delta_log").glob("*.checkpoint.parquet"))
    compact_warehouse(Warehouse(copy))
    monkeypatch.chdir(tmp_path)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    sources = {
        "README.md": readme.split("## Reading the tables", 1)[1].split("\n## ", 1)[0],
        "docs/reading.md": (REPO_ROOT / "docs" / "reading.md").read_text(encoding="utf-8"),
    }
    blocks = [
        (name, block)
        for name, text in sources.items()
        for block in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    ]
    assert {name for name, _ in blocks} == set(sources)
    assert len(blocks) >= 6
    for name, block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, name, "exec"), namespace)
        articles = namespace.get("articles")
        if isinstance(articles, pd.DataFrame):  # pandas, through the log or the files
            assert len(articles) == summary.counts.articles_written


def test_a_changed_input_is_read_again(tmp_path: Path) -> None:
    """Only the input whose content changed is read on a rerun; the others are skipped."""
    folder = tmp_path / "inputs"
    shutil.copytree(SAMPLES / "text", folder)
    warehouse = tmp_path / "warehouse"
    first = _ingest(warehouse, folder)
    changed = sorted(folder.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA paragraph added later.\n")
    second = _ingest(warehouse, folder)
    assert second.counts.documents_seen == first.counts.documents_seen
    assert second.counts.already_stored == first.counts.documents_seen - 1
    assert second.counts.articles_written == 1  # the changed body (a near-duplicate of the first)
