"""`news-etl report`: one self-contained HTML page showing what is in the warehouse.

    data.py        which sections, over views filtered to what arrived since when
    sections.py    what a section holds: counts, charts, tables
    articles.py    sections on the articles: per day, newest per source, languages, words
    cleaning.py    sections on cleaning: boilerplate per rule, duplicates and clusters
    operations.py  sections on operations: rejects per reason, the last runs
    charts.py      matplotlib charts as SVG
    page.py        the HTML

Every number drawn is also in the page as a table and as its section's
`data-counts` JSON. `key_figures_markdown` gives the headline figures as
markdown (for a Prefect artifact) without drawing anything: matplotlib is
imported only when a page is built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.analysts.query import LATEST, SqlViews, run_query, sql_views
from warehouse.analysts.report.articles import freshness
from warehouse.analysts.report.data import collect
from warehouse.analysts.report.operations import rejects, runs
from warehouse.analysts.report.sections import Section
from warehouse.layout import Warehouse
from warehouse.schema import SCHEMA_VERSION
from warehouse.storage import ObjectPath, StorePath

__all__ = ["Report", "build_report", "key_figures_markdown", "write_report"]


@dataclass(frozen=True, slots=True)
class Report:
    """A rendered report and the headline figures it shows."""

    html: str
    sections: list[Section]
    totals: dict[str, int]


def build_report(
    store: Warehouse, *, since: datetime | None = None, now: datetime | None = None
) -> Report:
    """The report for `store`, over what arrived since `since` (everything when None)."""
    from warehouse.analysts.report.page import page  # matplotlib: only when drawing

    now = now or datetime.now(UTC)
    with sql_views(store) as cat:
        sections = collect(cat, since=since, now=now)
        totals = _totals(cat)
        [(versions,)] = run_query(cat, "SELECT count(*) FROM articles").rows
    meta = [
        f"warehouse {store.root} · schema version {SCHEMA_VERSION} · "
        f"generated {now:%Y-%m-%d %H:%M} UTC",
        f"since {since:%Y-%m-%d %H:%M} UTC (articles ingested, rejects seen, runs started)"
        if since
        else "all time",
        f"articles are counted once each (latest version, view {LATEST}); "
        f"the table holds {versions} row(s) in all",
    ]
    html = page("news-etl warehouse report", meta, totals, sections)
    return Report(html, sections, totals)


def _totals(cat: SqlViews) -> dict[str, int]:
    """Headline counts over the filtered views `collect` made."""
    [(articles, sources, rejected, ran)] = run_query(
        cat,
        "SELECT (SELECT count(*) FROM r_articles), (SELECT count(DISTINCT source) FROM "
        "r_articles), (SELECT count(*) FROM r_rejects), (SELECT count(*) FROM r_runs)",
    ).rows
    return {"articles": articles, "sources": sources, "rejects": rejected, "runs": ran}


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def key_figures_markdown(
    store: Warehouse, *, report: StorePath | None = None, now: datetime | None = None, top: int = 10
) -> str:
    """The warehouse's headline figures as markdown: totals, the stalest sources,
    rejects by reason, the last runs; and where the full report is, if given."""
    now = now or datetime.now(UTC)
    with sql_views(store) as cat:
        collect(cat, since=None, now=now, only=())
        totals = _totals(cat)
        fresh, bad, recent = freshness(cat, now), rejects(cat), runs(cat)
    lines = [
        "### Warehouse",
        "",
        " · ".join(f"**{n}** {label}" for label, n in totals.items()),
        "",
        "| source | articles | newest published (UTC) | age |",
        "|---|---:|---|---|",
    ]
    stalest = sorted(fresh.tables[0].rows, key=lambda r: r[2] if r[2] != "-" else "")[:top]
    lines += [f"| {_md(s)} | {n} | {newest} | {age} |" for s, n, newest, age, *_ in stalest]
    lines += ["", "| reject reason | count |", "|---|---:|"]
    lines += [f"| {reason} | {n} |" for reason, n in bad.counts["total"].items()]
    lines += ["", "| run | status | seconds | written | rejects |", "|---|---|---:|---:|---:|"]
    lines += [f"| {r[0]} | {r[2]} | {r[4]} | {r[6]} | {r[8]} |" for r in recent.tables[0].rows[:5]]
    if report is not None:
        lines += ["", f"Full report: [{report.name}]({report.resolve().as_uri()})"]
    return "\n".join(lines) + "\n"


def write_report(
    store: Warehouse, out: StorePath, *, since: datetime | None = None, now: datetime | None = None
) -> Report:
    """Build the report and write it to `out` whole: a reader sees the old page or the new."""
    report = build_report(store, since=since, now=now)
    _write_whole(out, report.html.encode("utf-8"))
    return report


def _write_whole(out: StorePath, data: bytes) -> None:
    """A local file by rename of a temporary sibling; an object by one PUT (atomic in S3)."""
    if isinstance(out, ObjectPath):
        with out.fs.open_output_stream(out.path) as handle:
            handle.write(data)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(out.with_name(f".{out.name}.{os.getpid()}.tmp"))
    temporary.write_bytes(data)
    temporary.replace(out)
