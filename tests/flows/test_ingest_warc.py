"""Web archives through the file flow: documents out, other records counted, reruns resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from flows.ingest import ingest_files
from tests.support.delta_sql import delta_rows

# End to end: whole file-flow runs over real archives (several seconds each); only `make test`
# runs them. tests/extractors/test_warc.py and test_parts.py cover the reader and the ranges.
pytestmark = pytest.mark.slow

RESILIPARSE = "warc/chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz"


def test_warc_ingest_and_resume(corpus: Path, tmp_path: Path) -> None:
    """50 real Common Crawl records: 16 responses become documents, the rest are counted;
    a rerun passes over every record already written without parsing it."""
    archive = tmp_path / "cc.warc.gz"
    shutil.copyfile(corpus / RESILIPARSE, archive)
    warehouse = tmp_path / "warehouse"
    first = ingest_files(paths=[str(archive)], warehouse=str(warehouse))
    assert first.counts.documents_seen == 16
    assert (
        first.counts.documents_seen
        == first.counts.articles_written + first.counts.duplicates_skipped + first.counts.rejects
    )
    assert first.records_skipped == {"warcinfo": 1, "request": 17, "metadata": 16}
    assert first.counts.articles_written > 10
    locators = delta_rows(f"SELECT locator FROM read_parquet('{warehouse}/articles/**/*.parquet')")
    assert all("#offset=" in locator for (locator,) in locators)
    assert len(locators) == first.counts.articles_written

    second = ingest_files(paths=[str(archive)], warehouse=str(warehouse))
    assert (second.batches, second.counts.articles_written) == (0, 0)  # unchanged: not read
    assert second.counts.documents_seen == second.counts.already_stored == 16

    # Without the recorded progress (a warehouse from before it, or a crash before
    # it was written), the records whose outcome is stored are passed over unread.
    shutil.rmtree(warehouse / "state" / "inputs")
    third = ingest_files(paths=[str(archive)], warehouse=str(warehouse))
    written_before = first.counts.articles_written + first.counts.rejects
    assert third.counts.already_stored == written_before
    assert "resumed" not in third.records_skipped
    assert third.counts.articles_written == 0
    # every record is accounted for: those never written (duplicates of another
    # record's URL) are read again, the rest counted as already stored
    assert third.counts.documents_seen == 16
    assert third.counts.duplicates_skipped + third.counts.rejects == first.counts.duplicates_skipped
    assert third.counts.documents_seen == (
        third.counts.articles_written
        + third.counts.duplicates_skipped
        + third.counts.rejects
        + third.counts.already_stored
    )
    stored = delta_rows(
        f"SELECT documents_seen, already_stored FROM read_parquet('{warehouse}/runs/*.parquet', "
        "union_by_name = true) ORDER BY started_at"
    )
    assert stored == [(16, 0), (16, 16), (16, written_before)]


def test_warc_cut_into_ranges_writes_what_one_task_writes(corpus: Path, tmp_path: Path) -> None:
    """Ranges of 20 KB (7 tasks) give the rows and counts of one whole-file task; reruns resume."""
    archive = tmp_path / "cc.warc.gz"
    shutil.copyfile(corpus / RESILIPARSE, archive)
    whole = ingest_files(paths=[str(archive)], warehouse=str(tmp_path / "whole"))
    cut = ingest_files(paths=[str(archive)], warehouse=str(tmp_path / "cut"), split_mb=0.02)
    assert (whole.batches, cut.batches) == (1, 7)
    assert cut.records_skipped == whole.records_skipped
    assert (
        cut.counts.documents_seen,
        cut.counts.articles_written,
        cut.counts.duplicates_skipped,
    ) == (
        whole.counts.documents_seen,
        whole.counts.articles_written,
        whole.counts.duplicates_skipped,
    )
    query = (
        "SELECT article_id, locator, body FROM read_parquet('{}/articles/**/*.parquet') ORDER BY 1"
    )
    assert delta_rows(query.format(tmp_path / "cut")) == delta_rows(
        query.format(tmp_path / "whole")
    )

    again = ingest_files(paths=[str(archive)], warehouse=str(tmp_path / "cut"), split_mb=0.02)
    assert again.counts.already_stored == again.counts.documents_seen == cut.counts.documents_seen
    assert (again.counts.articles_written, again.batches) == (0, 0)


def test_keep_raw_stores_each_page_once_and_only_when_asked(corpus: Path, tmp_path: Path) -> None:
    """--keep-raw: one raw_pages row per page URL, body as archived, pointing at its record."""
    archive = tmp_path / "cc.warc.gz"
    shutil.copyfile(corpus / RESILIPARSE, archive)
    plain = ingest_files(paths=[str(archive)], warehouse=str(tmp_path / "plain"))
    assert plain.raw_pages_written == 0
    assert not (tmp_path / "plain" / "raw_pages").exists()

    warehouse = tmp_path / "kept"
    kept = ingest_files(paths=[str(archive)], warehouse=str(warehouse), keep_raw=True)
    raw = f"read_parquet('{warehouse}/raw_pages/**/*.parquet', hive_partitioning = true)"
    rows = delta_rows(
        f"SELECT url, final_url, status, body, json_extract_string(hints, '$.found_in') FROM {raw}"
    )
    urls = [url for url, *_ in rows]
    assert len(rows) == kept.raw_pages_written == len(set(urls)) >= kept.counts.articles_written
    with archive.open("rb") as stream:
        for url, final_url, status, body, found_in in rows:
            assert (final_url, status) == (url, 200)
            path, offset = found_in.rsplit("#offset=", 1)
            assert path == str(archive)
            stream.seek(int(offset))  # the pointer leads to the record holding this body
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.content_stream().read() == body
    articles = delta_rows(
        f"SELECT a.url FROM read_parquet('{warehouse}/articles/**/*.parquet') a "
        f"ANTI JOIN {raw} r ON a.url = r.url"
    )
    assert articles == []  # every article's page is kept

    again = ingest_files(paths=[str(archive)], warehouse=str(warehouse), keep_raw=True)
    assert again.raw_pages_written == 0
    assert delta_rows(f"SELECT count(*) FROM {raw}") == [(len(rows),)]
