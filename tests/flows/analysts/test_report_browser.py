"""The sample warehouse's report in a real headless Chromium: no console errors, no
request beyond the file itself, every chart decoded, the counts in the DOM, a screenshot."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest

from tests.flows.analysts.conftest import SampleWarehouse
from tests.support.chromium import PageLoad, find_chromium, load_page

# What the page shows, read in the browser: every section's counts, and each chart
# image's natural width once decoded (0 for an image that failed).
EXPRESSION = """
(async () => {
  const images = [...document.querySelectorAll('figure.chart img')];
  const widths = await Promise.all(images.map(
      img => img.decode().then(() => img.naturalWidth, () => 0)));
  const counts = {};
  for (const s of document.querySelectorAll('section')) {
    counts[s.id] = JSON.parse(s.dataset.counts);
  }
  return {widths, counts, title: document.title,
          tables: document.querySelectorAll('section table').length};
})()
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; missing is a failure in CI (`make browser` installs it)."""
    binary = find_chromium()
    if binary is None:
        message = "chromium not found: run `make browser` (installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return binary


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _non_local(load: PageLoad) -> list[str]:
    return [url for url in load.requests if not url.startswith(("file:", "data:"))]


@pytest.fixture(scope="module")
def rendered(
    sample_warehouse: SampleWarehouse, chromium: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PageLoad, Path]:
    from flows.cli import main

    folder = tmp_path_factory.mktemp("browser")
    out = folder / "report.html"
    assert main(["report", "--warehouse", str(sample_warehouse.root), "--out", str(out)]) == 0
    load = load_page(chromium, out.as_uri(), folder, expression=EXPRESSION)
    shot = folder / "report.png"
    shot.write_bytes(load.screenshot)
    return load, shot


def test_report_renders_without_console_errors_or_requests(
    rendered: tuple[PageLoad, Path],
) -> None:
    """Not one console message, exception or error log entry; nothing fetched."""
    load, _ = rendered
    assert load.console == []
    assert load.errors == []
    assert _non_local(load) == []
    assert load.value["title"] == "news-etl warehouse report"


def test_screenshot_is_taken(rendered: tuple[PageLoad, Path]) -> None:
    """A full-page PNG of the report, as wide as the window and taller than one screen."""
    _, shot = rendered
    width, height = _png_size(shot.read_bytes())
    assert width == 1200
    assert height > 2000


def test_charts_are_drawn_with_the_expected_counts(
    rendered: tuple[PageLoad, Path], sample_warehouse: SampleWarehouse
) -> None:
    """Every chart image decodes; the counts in the DOM are the warehouse's."""
    load, _ = rendered
    widths, counts = load.value["widths"], load.value["counts"]
    assert len(widths) >= 6 and all(w > 0 for w in widths)
    assert load.value["tables"] >= len(counts)
    articles: pd.DataFrame = (
        ds.dataset(sample_warehouse.root / "articles", format="parquet", partitioning="hive")
        .to_table(columns=["language", "word_count"])
        .to_pandas()
    )
    assert counts["languages"] == articles.language.fillna("unknown").value_counts().to_dict()
    assert sum(counts["word-counts"]["bins"].values()) == len(articles)
    assert counts["rejects"]["total"] == sample_warehouse.runs[0].counts.rejects_by_reason
    assert len(counts["runs"]["runs"]) == 2


def test_detector_catches_console_errors_and_requests(chromium: str, tmp_path: Path) -> None:
    """The checks above can fail: a page with a console error and a remote image trips both."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!doctype html><title>bad</title><img src='http://127.0.0.1:9/x.png'>"
        "<script>console.error('boom')</script>",
        encoding="utf-8",
    )
    load = load_page(chromium, page.as_uri(), tmp_path, expression="document.title")
    assert load.console == ["error: boom"]
    assert _non_local(load) == ["http://127.0.0.1:9/x.png"]
    assert load.errors  # the failed load is logged as an error
