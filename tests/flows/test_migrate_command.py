"""`news-etl migrate` on a schema-4 warehouse, then an ingest into the migrated one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from flows.cli import main
from flows.ingest import ingest_files
from tests.conftest import REPO_ROOT
from warehouse import Warehouse
from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE, INPUTS_TABLE

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "pre_delta_warehouse" / "warehouse"


@pytest.fixture
def old_root(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "warehouse")
    return tmp_path / "warehouse"


def test_cli_prints_each_table_and_reruns_quietly(
    old_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Per table: rows migrated and files moved aside; the rerun reports every table as done."""
    assert main(["migrate", "--warehouse", str(old_root)]) == 0
    out = capsys.readouterr().out
    assert "articles: migrated, 12 rows migrated, 11 files moved to _pre_delta/" in out
    assert "(2 superseded by a compaction, not read)" in out
    assert "raw_pages: no old files" in out
    assert main(["migrate", "--warehouse", str(old_root)]) == 0
    again = capsys.readouterr().out
    assert "rows migrated" not in again and "articles: already Delta" in again


def test_cli_missing_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A root that does not exist is a usage error (exit 2)."""
    assert main(["migrate", "--warehouse", str(tmp_path / "nothing")]) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_ingest_after_migration_counts_unchanged_input_as_stored(
    old_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migrated state/inputs still know the inputs: an unchanged one is not read again,
    and a new article is added beside the migrated ones."""
    assert main(["migrate", "--warehouse", str(old_root), "--quiet"]) == 0
    store = Warehouse.at(old_root)
    stamps = read(store, INPUTS_TABLE).to_pylist()
    monkeypatch.chdir(tmp_path)  # the old run named its inputs relative: samples/text/...
    shutil.copytree(REPO_ROOT / "samples" / "text", tmp_path / "samples" / "text")
    for row in stamps:
        if row["name"].startswith("samples/text/"):
            os.utime(row["name"], ns=(row["mtime_ns"], row["mtime_ns"]))
    before = read(store, ARTICLES_TABLE).num_rows
    summary = ingest_files(paths=["samples/text"], warehouse=str(old_root))
    assert summary.counts.documents_seen == summary.counts.already_stored == 2
    assert summary.counts.articles_written == 0
    assert read(store, ARTICLES_TABLE).num_rows == before
