"""`news-etl report` over the sample warehouse: each section's numbers match the Parquet."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import lxml.html
import pandas as pd
import pyarrow.dataset as ds
import pytest

from flows.cli import EXIT_USAGE, main
from tests.flows.analysts.conftest import EXACT_SOURCE, TRIMMED_SOURCE, SampleWarehouse
from warehouse import Warehouse
from warehouse.analysts.report import key_figures_markdown
from warehouse.analysts.report.articles import WORD_BINS
from warehouse.schema import ARTICLES

SECTIONS = (
    "articles-per-day",
    "newest-per-source",
    "languages",
    "word-counts",
    "rejects",
    "boilerplate",
    "duplicates",
    "runs",
)


@pytest.fixture(scope="module")
def report(sample_warehouse: SampleWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    assert main(["report", "--warehouse", str(sample_warehouse.root), "--out", str(out)]) == 0
    return out


def counts(report: Path) -> dict[str, Any]:
    """Each section's data-counts, by section id."""
    tree = lxml.html.fromstring(report.read_bytes())
    return {s.get("id"): json.loads(s.get("data-counts")) for s in tree.iter("section")}


def _frame(root: Path, table: str) -> pd.DataFrame:
    dataset = ds.dataset(root / table, format="parquet", partitioning="hive")
    frame: pd.DataFrame = dataset.to_table().to_pandas()
    return frame


def test_report_has_every_section_and_its_charts(report: Path) -> None:
    """All sections are there; each chart is an SVG image inside the page."""
    tree = lxml.html.fromstring(report.read_bytes())
    assert [s.get("id") for s in tree.iter("section")] == list(SECTIONS)
    images = tree.xpath("//figure[@class='chart']/img/@src")
    assert len(images) >= 6
    for src in images:
        prefix = "data:image/svg+xml;base64,"
        assert src.startswith(prefix)
        assert base64.b64decode(src[len(prefix) :]).startswith(b"<svg")


def test_report_needs_no_network(report: Path) -> None:
    """No script, no external stylesheet or font; a CSP that forbids every fetch."""
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text
    assert not re.search(r'(?:src|href)="(?!data:|#)', text)
    assert "default-src 'none'" in text


def test_articles_per_day_and_languages(report: Path, sample_warehouse: SampleWarehouse) -> None:
    """The stacked chart's series and the language bars hold the table's counts."""
    data = counts(report)
    frame = _frame(sample_warehouse.root, "articles")
    per_day = data["articles-per-day"]
    assert per_day["bucket"] == "month"  # the samples span 2011 to 2026
    charted = sum(sum(series.values()) for series in per_day["series"].values())
    assert charted + per_day["undated"] == len(frame)
    assert per_day["undated"] == frame.published_at.isna().sum()
    assert sum(s.get("2026-11", 0) for s in per_day["series"].values()) == 2  # the copies
    assert data["languages"] == frame.language.fillna("unknown").value_counts().to_dict()


def test_word_counts_and_freshness(report: Path, sample_warehouse: SampleWarehouse) -> None:
    """Word-count bins partition the articles; each source's newest date is its maximum."""
    data = counts(report)
    frame = _frame(sample_warehouse.root, "articles")
    bins = data["word-counts"]["bins"]
    assert sum(bins.values()) == len(frame)
    assert len(bins) == len(WORD_BINS)
    assert data["word-counts"]["max"] == frame.word_count.max()
    fresh = data["newest-per-source"]
    assert set(fresh) == set(frame.source)
    assert fresh["nytimes.com"]["newest_published_at"] == "2020-08-16T23:40:47+00:00"
    assert fresh[EXACT_SOURCE]["age_days"] > 0


def test_rejects_and_boilerplate(report: Path, sample_warehouse: SampleWarehouse) -> None:
    """Rejects per reason as the run counted them; characters removed per rule as stored."""
    data = counts(report)
    assert data["rejects"]["total"] == sample_warehouse.runs[0].counts.rejects_by_reason
    assert sum(sum(days.values()) for days in data["rejects"]["series"].values()) == sum(
        sample_warehouse.runs[0].counts.rejects_by_reason.values()
    )
    removed = _frame(sample_warehouse.root, "articles").explode("boilerplate_removed")
    removed = removed.dropna(subset=["boilerplate_removed"])
    chars = removed.boilerplate_removed.map(lambda r: len(r["text"]))
    rules = removed.boilerplate_removed.map(lambda r: r["rule"])
    expected = chars.groupby(rules).sum().to_dict()
    assert {rule: c["chars"] for rule, c in data["boilerplate"]["rules"].items()} == expected


@pytest.mark.skipif("cluster_id" not in ARTICLES.names, reason="no near-duplicate columns")
def test_duplicates_per_source(report: Path, sample_warehouse: SampleWarehouse) -> None:
    """The exact copy is a duplicate; the seed and both copies form one shared cluster."""
    data = counts(report)["duplicates"]
    per_source = data["per_source"]
    assert per_source[EXACT_SOURCE]["exact"] == 1
    assert per_source[TRIMMED_SOURCE]["exact"] == 0
    for source in (EXACT_SOURCE, TRIMMED_SOURCE, "local"):
        assert per_source[source]["clustered"] == 1
        assert per_source[source]["shared"] == 1
    assert data["clusters"] == 1
    skipped = sum(run.counts.duplicates_skipped for run in sample_warehouse.runs)
    assert data["duplicates_skipped_by_runs"] == skipped == 1  # the windows-1252 seed copy


def test_runs_section(report: Path, sample_warehouse: SampleWarehouse) -> None:
    """Both runs, newest first, completed, with their counts and a duration."""
    runs = counts(report)["runs"]["runs"]
    assert [r["run_id"] for r in runs] == [s.run_id for s in reversed(sample_warehouse.runs)]
    for row, summary in zip(runs, reversed(sample_warehouse.runs), strict=True):
        assert row["status"] == "completed"
        assert row["articles_written"] == summary.counts.articles_written
        assert row["documents_seen"] == summary.counts.documents_seen
        assert row["seconds"] >= 0


def test_key_figures_markdown(sample_warehouse: SampleWarehouse, report: Path) -> None:
    """The artifact text: totals, every reject reason with its count, the runs, the link."""
    text = key_figures_markdown(Warehouse(sample_warehouse.root), report=report)
    data = counts(report)
    assert f"**{len(data['newest-per-source'])}** sources" in text
    for reason, n in sample_warehouse.runs[0].counts.rejects_by_reason.items():
        assert f"| {reason} | {n} |" in text
    assert f"| {sample_warehouse.runs[1].run_id[:8]} | completed |" in text
    assert report.resolve().as_uri() in text


def test_since_leaves_out_older_rows(
    sample_warehouse: SampleWarehouse, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--since after every run: empty sections, still a valid page; a bad date is exit 2."""
    out = tmp_path / "later.html"
    argv = ["report", "--warehouse", str(sample_warehouse.root), "--out", str(out)]
    assert main([*argv, "--since", "2999-01-01"]) == 0
    assert "0 articles" in capsys.readouterr().out
    data = counts(out)
    assert data["languages"] == {} and data["runs"]["runs"] == []
    assert main([*argv, "--since", "not a date"]) == EXIT_USAGE
