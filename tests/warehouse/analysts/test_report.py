"""The report on warehouses the sample run does not cover: empty, and older files only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html

from tests.support.articles import ArticleFactory, new_writer
from warehouse import Warehouse
from warehouse.analysts.report import write_report


def _counts(path: Path) -> dict[str, Any]:
    tree = lxml.html.fromstring(path.read_bytes())
    return {s.get("id"): json.loads(s.get("data-counts")) for s in tree.iter("section")}


def test_empty_warehouse_gives_a_page_without_charts(store: Warehouse, tmp_path: Path) -> None:
    """No tables yet: every section is there, empty, and no chart is drawn."""
    out = tmp_path / "report.html"
    report = write_report(store, out)
    assert report.totals == {"articles": 0, "sources": 0, "rejects": 0, "runs": 0}
    assert "<img" not in report.html
    counts = _counts(out)
    assert counts["languages"] == {} and counts["rejects"]["total"] == {}
    assert "nothing yet" in report.html


def test_report_counts_each_article_once(
    store: Warehouse, make_article: ArticleFactory, tmp_path: Path
) -> None:
    """Written through the writer: languages and boilerplate rules count what was stored."""
    articles = [make_article(1), make_article(2, language="de"), make_article(3)]
    new_writer(store).write("b1", articles, [], seen_at=articles[0].ingested_at)
    out = tmp_path / "report.html"
    report = write_report(store, out)
    counts = _counts(out)
    assert report.totals["articles"] == 3
    assert counts["languages"] == {"en": 2, "de": 1}
    assert counts["boilerplate"]["rules"] == {
        "subscription.example": {"articles": 3, "segments": 3, "chars": 3 * len("Subscribe now")}
    }
    assert report.html.count('<figure class="chart"') >= 4
