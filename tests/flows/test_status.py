"""`news-etl status` reads the runs and articles tables without Prefect."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from flows.cli import main
from flows.commands.status import print_status
from tests.support.articles import INGESTED, ArticleFactory, new_writer
from warehouse import RunCounts, RunRecord, RunStatus, Warehouse, write_run


def test_status_shows_runs_failures_and_freshness(
    store: Warehouse, make_article: ArticleFactory
) -> None:
    """Completed and crashed runs are listed, with the table versions they committed; each
    source's newest article time is shown."""
    new_writer(store).write(
        "b1", [make_article(1), make_article(2, source="other", published_at=None)], [],
        seen_at=INGESTED,
    )  # fmt: skip
    started = datetime(2026, 11, 30, 12, tzinfo=UTC)
    write_run(
        store,
        RunRecord(
            "ok-run",
            "ingest_files",
            {"paths": ["a"]},
            started_at=started,
            status=RunStatus.COMPLETED,
            finished_at=started,
            counts=RunCounts(articles_written=2),
        ),
    )
    write_run(store, RunRecord("crashed-run", "ingest_files", {"paths": ["b"]},
                               started_at=datetime(2026, 11, 30, 13, tzinfo=UTC)))  # fmt: skip
    console = Console(record=True, width=200)
    print_status(str(store.root), console=console)
    text = console.export_text()
    assert text.index("2026-11-30 13:00:00") < text.index("2026-11-30 12:00:00")  # newest first
    assert "running (no end recorded)" in text
    assert "running run crashed-run" in text  # a run that is not completed is called out
    assert "2020-08-16 23:40" in text  # example's newest publication time
    versions = text[text.index("table versions committed") :]
    assert "articles 2" in versions  # the writer's commit: version 2 (0 created the table)
    assert "latest: articles 2" in versions
    assert "other" in text


def test_status_cli_on_missing_warehouse(tmp_path: Path) -> None:
    """An empty or missing warehouse prints empty tables, exit 0."""
    assert main(["status", "--warehouse", str(tmp_path / "nothing")]) == 0
