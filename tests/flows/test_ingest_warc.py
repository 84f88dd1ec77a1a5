"""Web archives through the file flow: documents out, other records counted, reruns resume."""

from __future__ import annotations

import shutil
from pathlib import Path

from flows.ingest import ingest_files
from tests.conftest import sql_rows

RESILIPARSE = "warc/chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz"


def test_warc_ingest_and_resume(corpus: Path, tmp_path: Path) -> None:
    """50 real Common Crawl records: 16 responses become documents, the rest are counted;
    a rerun passes over every record already written without parsing it."""
    archive = tmp_path / "cc.warc.gz"
    shutil.copyfile(corpus / RESILIPARSE, archive)
    warehouse = tmp_path / "warehouse"
    first = ingest_files(paths=[str(archive)], warehouse=str(warehouse))
    assert first.documents_seen == 16
    assert first.documents_seen == first.articles_written + first.duplicates_skipped + first.rejects
    assert first.records_skipped == {"warcinfo": 1, "request": 17, "metadata": 16}
    assert first.articles_written > 10
    locators = sql_rows(f"SELECT locator FROM read_parquet('{warehouse}/articles/**/*.parquet')")
    assert all("#offset=" in locator for (locator,) in locators)
    assert len(locators) == first.articles_written

    second = ingest_files(paths=[str(archive)], warehouse=str(warehouse))
    written_before = first.articles_written + first.rejects
    assert second.records_skipped.get("resumed") == written_before
    assert second.articles_written == 0
    # only records never written (duplicates of another record's URL) are read again
    assert second.documents_seen == 16 - written_before == first.duplicates_skipped
