"""`news-etl query` over the sample warehouse: the documented examples return what the
Parquet holds, computed independently with pyarrow and pandas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.dataset as ds
import pytest

from flows.cli import EXIT_FAILED, EXIT_USAGE, main
from tests.conftest import SEED_NAME
from tests.flows.analysts.conftest import EXACT_SOURCE, TRIMMED_SOURCE, SampleWarehouse
from warehouse.analysts.query import EXAMPLES
from warehouse.schema import ARTICLES


def _query(
    capsys: pytest.CaptureFixture[str], warehouse: SampleWarehouse, *argv: str
) -> list[dict[str, Any]]:
    assert main(["query", *argv, "--warehouse", str(warehouse.root), "--format", "json"]) == 0
    rows: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return rows


def _articles(warehouse: SampleWarehouse) -> pd.DataFrame:
    """The articles table read by pyarrow (no compaction has run, so every file counts)."""
    dataset = ds.dataset(warehouse.root / "articles", format="parquet", partitioning="hive")
    frame: pd.DataFrame = dataset.to_table().to_pandas()
    return frame


def test_every_example_runs(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each documented example runs over the sample warehouse and returns rows."""
    for name in EXAMPLES:
        assert _query(capsys, sample_warehouse, "--example", name), name


def test_articles_per_source_per_day(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """Per source and UTC day of publication, the count pandas finds; undated left out."""
    rows = _query(capsys, sample_warehouse, "--example", "per-source-per-day")
    frame = _articles(sample_warehouse).dropna(subset=["published_at"])
    expected = frame.groupby([frame.source, frame.published_at.dt.strftime("%Y-%m-%d")]).size()
    assert {(r["source"], r["day"]): r["articles"] for r in rows} == expected.to_dict()
    assert {"source": EXACT_SOURCE, "day": "2026-11-29", "articles": 1} in rows
    assert [r["day"] for r in rows] == sorted((r["day"] for r in rows), reverse=True)


def test_newest_articles_per_source(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every source appears, at most three times, newest first."""
    rows = _query(capsys, sample_warehouse, "--example", "newest-per-source")
    frame = _articles(sample_warehouse)
    assert {r["source"] for r in rows} == set(frame.source)
    per_source = frame.groupby("source").size().clip(upper=3).to_dict()
    assert pd.Series([r["source"] for r in rows]).value_counts().to_dict() == per_source
    nyt = [r for r in rows if r["source"] == "nytimes.com"]
    assert nyt == [
        {
            "source": "nytimes.com",
            "published_at": "2020-08-16T23:40:47+00:00",
            "title": "Rolling Blackouts in California Have Power Experts Stumped",
            "link": "https://www.nytimes.com/2020/08/16/business/california-blackouts.html",
        }
    ]


def test_reject_reasons_this_week(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """The samples' bad files, by reason, with an example locator each."""
    rows = _query(capsys, sample_warehouse, "--example", "reject-reasons-week")
    assert {r["reason"]: r["rejects"] for r in rows} == sample_warehouse.runs[
        0
    ].counts.rejects_by_reason
    by_reason = {r["reason"]: r["example_locator"] for r in rows}
    assert by_reason["EMPTY_BODY"].endswith("samples/bad/empty.txt")
    assert by_reason["PARSE_ERROR"].endswith("newspaper4k-export.jsonl#line=9")
    assert rows[0]["reason"] == "UNDECODABLE"  # two of them, the most common


@pytest.mark.skipif("cluster_id" not in ARTICLES.names, reason="no near-duplicate columns")
def test_near_duplicate_clusters_across_outlets(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """The seed story and its two syndicated copies form one cluster over three outlets."""
    rows = _query(capsys, sample_warehouse, "--example", "near-duplicate-clusters")
    assert len(rows) == 1
    [cluster] = rows
    assert cluster["sources"] == sorted([EXACT_SOURCE, TRIMMED_SOURCE, "local"])
    assert (cluster["articles"], cluster["outlets"]) == (3, 3)


def test_most_boilerplate_removed(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """Characters removed per article match the removals pandas sums, largest first."""
    rows = _query(capsys, sample_warehouse, "--example", "most-boilerplate-removed")
    dataset = ds.dataset(sample_warehouse.root / "articles", format="parquet")
    stored = dataset.to_table(columns=["locator", "boilerplate_removed"]).to_pylist()
    removed = {
        row["locator"]: sum(len(r["text"]) for r in row["boilerplate_removed"])
        for row in stored
        if row["boilerplate_removed"]
    }
    assert {r["locator"]: r["chars_removed"] for r in rows} == dict(
        sorted(removed.items(), key=lambda kv: -kv[1])[:20]
    )
    assert [r["chars_removed"] for r in rows] == sorted(removed.values(), reverse=True)[:20]
    [seed] = [r for r in rows if r["locator"].endswith(SEED_NAME)]
    assert seed["segments"] == 2  # the seed's two footer lines


def test_csv_and_table_formats(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """CSV has a header and one line per row; the table format names every column."""
    sql = "SELECT language, count(*) AS n FROM articles_latest GROUP BY ALL ORDER BY n DESC"
    root = str(sample_warehouse.root)
    assert main(["query", sql, "--warehouse", root, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = _articles(sample_warehouse).language.value_counts()
    assert {r["language"]: int(r["n"]) for r in rows} == expected.to_dict()
    assert main(["query", sql, "--warehouse", root]) == 0
    table = capsys.readouterr().out
    assert "language" in table and f"{len(rows)} rows" in table


def test_every_table_is_a_view(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """articles (with its partition column), rejects, runs and state tables are views."""
    rows = _query(
        capsys,
        sample_warehouse,
        "SELECT (SELECT count(*) FROM runs) AS runs, "
        "(SELECT count(DISTINCT published_month) FROM articles) AS months, "
        "(SELECT count(*) FROM raw_pages) AS raw_pages",
    )
    assert rows == [
        {"runs": 2, "months": _articles(sample_warehouse).published_month.nunique(), "raw_pages": 0}
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["SELECT * FROM nope"], "tables in"),
        (["SELEC 1"], "Parser Error"),
        ([], "give either SQL or --example"),
        (["SELECT 1", "--example", "newest-per-source"], "give either SQL or --example"),
    ],
)
def test_bad_queries_are_usage_errors(
    argv: list[str],
    message: str,
    sample_warehouse: SampleWarehouse,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bad statement, an unknown table or a missing query: exit 2 and a clear message."""
    assert main(["query", *argv, "--warehouse", str(sample_warehouse.root)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("news-etl: ") and message in err
    assert "Traceback" not in err


def test_as_of_the_first_runs_version_reads_the_table_before_the_second(
    sample_warehouse: SampleWarehouse, capsys: pytest.CaptureFixture[str]
) -> None:
    """The runs table lists the articles versions each run committed; `--as-of` the first
    run's last version shows its articles only, as an ISO time does."""
    first, second = sample_warehouse.runs
    [row] = _query(
        capsys, sample_warehouse,
        f"SELECT table_versions, finished_at FROM runs WHERE run_id = '{first.run_id}'",
    )  # fmt: skip
    [articles] = [v for v in row["table_versions"] if v["table"] == "articles"]
    sql = "SELECT count(*) AS n FROM articles"
    assert _query(capsys, sample_warehouse, "--as-of", str(articles["last_version"]), sql) == [
        {"n": first.counts.articles_written}
    ]
    assert _query(capsys, sample_warehouse, "--as-of", row["finished_at"], sql) == [
        {"n": first.counts.articles_written}
    ]
    assert _query(capsys, sample_warehouse, sql) == [
        {"n": first.counts.articles_written + second.counts.articles_written}
    ]


def test_cli_on_a_missing_warehouse_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No tables at all: a one-line message naming the fix, exit 1, no traceback."""
    assert main(["query", "SELECT 1", "--warehouse", str(tmp_path / "none")]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "no tables under" in err and "news-etl ingest" in err
    assert "Traceback" not in err
