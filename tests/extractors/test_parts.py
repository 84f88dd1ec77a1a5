"""extractors.parts.plan_parts and extractors.files.read_part: large files read as byte ranges."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.files import read_file, read_part
from extractors.parts import FilePart, plan_parts
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject
from tests.conftest import REPO_ROOT

EXPORT = REPO_ROOT / "samples" / "jsonl" / "newspaper4k-export.jsonl"
RESILIPARSE = Path("warc/chatnoir-eu__chatnoir-resiliparse/warcfile.warc.gz")


def echo_parser(html: str, *, locator: str, hints: Metadata) -> ParsedArticle:
    """Stands in for extract_html: the page is the body."""
    return ParsedArticle(locator, html, hints, ExtractionMethod.TRAFILATURA)


def _items(parts: list[FilePart]) -> list[ParsedArticle | Reject]:
    return [
        item for part in parts for item in read_part(part, source="local", parse_html=echo_parser)
    ]


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample export's lines (two of them bad) 30 times, with blank lines between."""
    lines = EXPORT.read_bytes().splitlines(keepends=True)
    path = tmp_path_factory.mktemp("parts") / "export.jsonl"
    with path.open("wb") as out:
        for copy in range(30):
            out.writelines(lines)
            out.write(b"\n" * (copy % 3))
    return path


@pytest.mark.parametrize("split_bytes", [1, 5_000, 100_000, 10**9])
def test_jsonl_ranges_give_the_whole_file_items(big_jsonl: Path, split_bytes: int) -> None:
    """Ranges cut on line boundaries give the whole-file read's items, line numbers included."""
    parts = plan_parts([big_jsonl], split_bytes=split_bytes)
    whole = list(read_file(big_jsonl, source="local", parse_html=echo_parser))
    assert _items(parts) == whole
    assert len(whole) == 300  # 10 lines, 30 times
    size = big_jsonl.stat().st_size
    if split_bytes < size:
        assert len(parts) > 1
        assert sum(p.size for p in parts) == size
        assert [p.start for p in parts[1:]] == [p.end for p in parts[:-1]]
        assert parts[-1].last and not any(p.last for p in parts[:-1])
    else:
        assert parts == [FilePart(big_jsonl, size=size)]


@settings(max_examples=25, deadline=None)
@given(split_bytes=st.integers(1, 60_000))
def test_any_split_size_keeps_every_record_once(big_jsonl: Path, split_bytes: int) -> None:
    """Whatever the range size, every line is read once, with its own line number."""
    parts = plan_parts([big_jsonl], split_bytes=split_bytes)
    locators = [item.locator for item in _items(parts)]
    whole = [item.locator for item in read_file(big_jsonl, source="l", parse_html=echo_parser)]
    assert locators == whole


def test_gzip_archive_is_cut_at_fixed_offsets(corpus: Path, tmp_path: Path) -> None:
    """A per-record-gzip WARC becomes ranges of the given size that read it exactly once."""
    archive = tmp_path / "cc.warc.gz"
    shutil.copyfile(corpus / RESILIPARSE, archive)
    size = archive.stat().st_size
    parts = plan_parts([archive], split_bytes=20_000)
    assert [p.start for p in parts] == list(range(0, size, 20_000))
    assert parts[-1].end is None
    assert _items(parts) == list(read_file(archive, source="local", parse_html=echo_parser))


@settings(max_examples=25, deadline=None)
@given(split_bytes=st.integers(2_000, 60_000), data=st.data())
def test_a_resumed_plan_is_the_rest_of_the_whole_plan(
    big_jsonl: Path, split_bytes: int, data: st.DataObject
) -> None:
    """Resuming at a range's start (offset, line) plans exactly the ranges that follow it."""
    whole = plan_parts([big_jsonl], split_bytes=split_bytes)
    k = data.draw(st.integers(1, len(whole) - 1)) if len(whole) > 1 else 0
    resume = {big_jsonl: (whole[k].start, whole[k].first_line)} if k else None
    rest = plan_parts([big_jsonl], split_bytes=split_bytes, resume=resume)
    assert rest == whole[k:]
    assert [i.locator for i in _items(rest)] == [i.locator for i in _items(whole[k:])]


def test_a_resumed_archive_reads_the_records_from_the_offset(corpus: Path, tmp_path: Path) -> None:
    """A WARC resumed at a range boundary reads exactly the records of the later ranges."""
    archive = tmp_path / "cc.warc.gz"
    shutil.copyfile(corpus / RESILIPARSE, archive)
    whole = plan_parts([archive], split_bytes=20_000)
    rest = plan_parts([archive], split_bytes=20_000, resume={archive: (whole[2].start, 1)})
    assert rest == whole[2:]
    assert _items(rest) == _items(whole[2:])


@pytest.mark.parametrize(
    "name", ["export.jsonl.gz", "export.csv", "plain.warc", "page.html", "export.jsonl.txt"]
)
def test_files_that_cannot_be_cut_are_one_part(tmp_path: Path, name: str) -> None:
    """Gzipped JSONL, CSV, uncompressed WARC and single documents stay whole however large."""
    path = tmp_path / name
    data = EXPORT.read_bytes() * 3
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    assert plan_parts([path], split_bytes=100) == [FilePart(path, size=path.stat().st_size)]


def test_gzip_bytes_under_a_plain_jsonl_name_are_not_cut(tmp_path: Path) -> None:
    """A .jsonl file that is really gzip (read as such) cannot be cut at line boundaries."""
    path = tmp_path / "export.jsonl"
    path.write_bytes(gzip.compress(EXPORT.read_bytes() * 3))
    assert plan_parts([path], split_bytes=100) == [FilePart(path, size=path.stat().st_size)]


def test_missing_file_is_one_part_that_reads_as_a_reject(tmp_path: Path) -> None:
    """A broken symlink is planned as one part; reading it gives its UNREADABLE reject."""
    link = tmp_path / "gone.jsonl"
    link.symlink_to(tmp_path / "nowhere.jsonl")
    [part] = plan_parts([link], split_bytes=1)
    [reject] = _items([part])
    assert isinstance(reject, Reject)
    assert reject.reason == "UNREADABLE"
