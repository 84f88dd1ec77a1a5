"""The report's numbers, one `Section` each, read with DuckDB through `warehouse.query`.

Every figure the page draws is computed here, and the same numbers go into
the page as tables and as each section's `data-counts` JSON, so a test (or
an analyst) can read what a chart shows without reading the picture.
Articles are counted once each: the latest version (`articles_latest`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from warehouse.query import LATEST, SqlViews, plain, run_query

__all__ = [
    "TOP_SOURCES",
    "WORD_BINS",
    "Chart",
    "Section",
    "Table",
    "collect",
    "freshness",
    "rejects",
    "runs",
]

# A stacked chart with more series than this is unreadable; the rest are "other".
TOP_SOURCES: Final = 8
OTHER: Final = "other"
# Bucket articles by day up to this span of publication dates, else by month.
MAX_DAY_SPAN: Final = 92
WORD_BINS: Final = (0, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000)
RUNS_SHOWN: Final = 20
RULES_CHARTED: Final = 15


@dataclass(frozen=True, slots=True)
class Table:
    """Rows shown beside a chart (or alone)."""

    caption: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Chart:
    """What to draw: `kind` is stacked (x labels, series), bars or hbars (labels, values)."""

    kind: str
    title: str
    labels: list[str]
    series: dict[str, list[float]]  # series name -> one value per label
    xlabel: str = ""
    ylabel: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the page."""

    key: str
    title: str
    counts: dict[str, Any]
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str = ""


def _rows(cat: SqlViews, sql: str) -> list[tuple[Any, ...]]:
    return run_query(cat, sql).rows


def _filters(cat: SqlViews, since: datetime | None) -> None:
    """Temporary views holding only what arrived since `since` (all of it when None)."""
    cutoff = f"TIMESTAMPTZ '{since.isoformat()}'" if since else "NULL"
    for view, table, column in (
        ("r_articles", LATEST, "ingested_at"),
        ("r_rejects", "rejects", "seen_at"),
        ("r_runs", "runs", "started_at"),
    ):
        cat.connection.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {table} "
            f"WHERE {cutoff} IS NULL OR {column} >= {cutoff}"
        )


def collect(
    cat: SqlViews, *, since: datetime | None, now: datetime, only: tuple[str, ...] | None = None
) -> list[Section]:
    """The report's sections (those whose key is in `only`, when given), over `cat`.

    Also leaves the filtered views (`r_articles`, `r_rejects`, `r_runs`) on `cat`.
    """
    _filters(cat, since)
    makers = {
        "articles-per-day": _per_day,
        "newest-per-source": lambda c: freshness(c, now),
        "languages": _languages,
        "word-counts": _word_counts,
        "rejects": rejects,
        "boilerplate": _boilerplate,
        "duplicates": _duplicates,
        "runs": runs,
    }
    return [make(cat) for key, make in makers.items() if only is None or key in only]


def _per_day(cat: SqlViews) -> Section:
    [(first, last, undated)] = _rows(
        cat,
        "SELECT min(published_at), max(published_at), count(*) FILTER (published_at IS NULL) "
        "FROM r_articles",
    )
    bucket = "day" if first is None or (last - first).days <= MAX_DAY_SPAN else "month"
    fmt = "%Y-%m-%d" if bucket == "day" else "%Y-%m"
    rows = _rows(
        cat,
        f"SELECT strftime(published_at, '{fmt}') AS b, source, count(*) FROM r_articles "
        "WHERE published_at IS NOT NULL GROUP BY ALL ORDER BY b, source",
    )
    totals: dict[str, int] = defaultdict(int)
    for _, source, n in rows:
        totals[source] += n
    top = sorted(totals, key=lambda s: (-totals[s], s))[:TOP_SOURCES]
    names = [*top, OTHER] if len(totals) > len(top) else top
    buckets = sorted({b for b, _, _ in rows})
    grid: dict[str, dict[str, int]] = {name: dict.fromkeys(buckets, 0) for name in names}
    for b, source, n in rows:
        grid[source if source in top else OTHER][b] += n
    table = Table(
        f"articles per {bucket} of publication (UTC) and source",
        (bucket, *names, "total"),
        [(b, *(grid[n][b] for n in names), sum(grid[n][b] for n in names)) for b in buckets],
    )
    chart = Chart(
        "stacked",
        f"Articles per {bucket} per source",
        buckets,
        {name: [float(grid[name][b]) for b in buckets] for name in names},
        ylabel="articles",
    )
    return Section(
        "articles-per-day",
        f"Articles per {bucket} per source",
        {"bucket": bucket, "series": grid, "undated": undated},
        charts=[chart] if buckets else [],
        tables=[table],
        note=f"{undated} undated article(s) are not in the chart." if undated else "",
    )


def _age(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "-"
    seconds = (now - then).total_seconds()
    days, rest = divmod(int(seconds), 86_400)
    return f"{days} d {rest // 3600} h" if days else f"{rest // 3600} h {rest % 3600 // 60} min"


def freshness(cat: SqlViews, now: datetime) -> Section:
    """Per source: articles, newest publication and its age, last ingestion."""
    rows = _rows(
        cat,
        "SELECT source, count(*) AS n, max(published_at) AS newest, "
        "arg_max(title, published_at) AS title, max(ingested_at) AS ingested "
        "FROM r_articles GROUP BY source ORDER BY newest DESC NULLS LAST, source",
    )
    counts = {
        source: {
            "articles": n,
            "newest_published_at": plain(newest),
            "age_days": round((now - newest).total_seconds() / 86_400, 2) if newest else None,
        }
        for source, n, newest, _, _ in rows
    }
    table = Table(
        "newest article per source; age at the time of this report",
        ("source", "articles", "newest published (UTC)", "age", "its title", "last ingested"),
        [
            (s, n, _when(newest), _age(now, newest), title or "", _when(ingested))
            for s, n, newest, title, ingested in rows
        ],
    )
    return Section("newest-per-source", "Newest article per source", counts, tables=[table])


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


def _languages(cat: SqlViews) -> Section:
    rows = _rows(
        cat,
        "SELECT coalesce(language, 'unknown') AS l, count(*) AS n FROM r_articles "
        "GROUP BY ALL ORDER BY n DESC, l",
    )
    counts = {lang: n for lang, n in rows}
    chart = Chart(
        "bars",
        "Articles per language",
        list(counts),
        {"articles": [float(n) for n in counts.values()]},
    )
    return Section(
        "languages",
        "Languages",
        counts,
        charts=[chart] if rows else [],
        tables=[Table("articles per language (ISO 639-1)", ("language", "articles"), rows)],
    )


def _bin_label(i: int) -> str:
    low = WORD_BINS[i]
    return f"{low}-{WORD_BINS[i + 1] - 1}" if i + 1 < len(WORD_BINS) else f"{low}+"


def _word_counts(cat: SqlViews) -> Section:
    cases = " ".join(
        f"WHEN word_count < {WORD_BINS[i + 1]} THEN {i}" for i in range(len(WORD_BINS) - 1)
    )
    rows = dict(
        _rows(
            cat,
            f"SELECT CASE {cases} ELSE {len(WORD_BINS) - 1} END AS bin, count(*) "
            "FROM r_articles GROUP BY ALL",
        )
    )
    bins = {_bin_label(i): rows.get(i, 0) for i in range(len(WORD_BINS))}
    [(low, median, mean, high)] = _rows(
        cat,
        "SELECT min(word_count), median(word_count), round(avg(word_count)), max(word_count) "
        "FROM r_articles",
    )
    chart = Chart(
        "bars",
        "Word count distribution",
        list(bins),
        {"articles": [float(n) for n in bins.values()]},
        xlabel="words in body",
        ylabel="articles",
    )
    return Section(
        "word-counts",
        "Word counts",
        {"bins": bins, "min": low, "median": plain(median), "mean": plain(mean), "max": high},
        charts=[chart] if any(bins.values()) else [],
        tables=[Table("articles per word-count range", ("words", "articles"), list(bins.items()))],
        note=f"min {low}, median {median}, mean {mean}, max {high} words" if high else "",
    )


def rejects(cat: SqlViews) -> Section:
    """Rejects per day and reason, with example locators."""
    daily = _rows(
        cat,
        "SELECT strftime(seen_at, '%Y-%m-%d') AS d, reason, count(*) FROM r_rejects "
        "GROUP BY ALL ORDER BY d, reason",
    )
    days = sorted({d for d, _, _ in daily})
    reasons = sorted({r for _, r, _ in daily})
    grid = {r: dict.fromkeys(days, 0) for r in reasons}
    for d, r, n in daily:
        grid[r][d] = n
    rows = _rows(
        cat,
        "SELECT reason, count(*) AS n, strftime(min(seen_at), '%Y-%m-%d %H:%M'), "
        "strftime(max(seen_at), '%Y-%m-%d %H:%M'), "
        "array_to_string(list(locator ORDER BY seen_at DESC, locator)[1:3], '  ') AS examples, "
        "arg_max(detail, seen_at) FROM r_rejects GROUP BY reason ORDER BY n DESC, reason",
    )
    chart = Chart(
        "stacked",
        "Rejects per day per reason",
        days,
        {r: [float(grid[r][d]) for d in days] for r in reasons},
        ylabel="rejects",
    )
    return Section(
        "rejects",
        "Rejects per reason over time",
        {"series": grid, "total": {r: n for r, n, *_ in rows}},
        charts=[chart] if days else [],
        tables=[
            Table(
                "rejects per reason, with up to three example locators (newest first)",
                ("reason", "rejects", "first seen", "last seen", "example locators", "a detail"),
                rows,
            )
        ],
    )


def _boilerplate(cat: SqlViews) -> Section:
    rows = _rows(
        cat,
        "SELECT r.rule, any_value(r.kind), count(DISTINCT article_id) AS articles, "
        "count(*) AS segments, sum(length(r.text))::BIGINT AS chars "
        "FROM r_articles, unnest(boilerplate_removed) AS t(r) "
        "GROUP BY r.rule ORDER BY chars DESC, r.rule",
    )
    [(touched, total)] = _rows(
        cat, "SELECT count(*) FILTER (len(boilerplate_removed) > 0), count(*) FROM r_articles"
    )
    counts = {
        "rules": {rule: {"articles": a, "segments": s, "chars": c} for rule, _, a, s, c in rows},
        "articles_with_removals": touched,
        "articles": total,
    }
    charted = rows[:RULES_CHARTED]
    chart = Chart(
        "hbars",
        "Boilerplate removed per rule (characters)",
        [rule for rule, *_ in charted],
        {"characters": [float(c) for *_, c in charted]},
        xlabel="characters removed",
    )
    return Section(
        "boilerplate",
        "Boilerplate removed per rule",
        counts,
        charts=[chart] if rows else [],
        tables=[
            Table(
                "per rule: articles it cleaned, segments and characters it removed",
                ("rule", "kind", "articles", "segments", "characters"),
                rows,
            )
        ],
        note=f"{touched} of {total} articles had boilerplate removed.",
    )


# Per source: articles, exact duplicates, articles in clusters of two or more,
# clusters touched, clusters shared with another outlet.
_DUPLICATES_PER_SOURCE = """
    WITH sized AS (
        SELECT *, count(*) OVER (PARTITION BY cluster_id) AS size,
               count(DISTINCT source) OVER (PARTITION BY cluster_id) AS outlets
        FROM r_articles
    )
    SELECT source, count(*) AS articles,
           count(*) FILTER (duplicate_of IS NOT NULL) AS exact,
           count(*) FILTER (cluster_id IS NOT NULL AND size > 1) AS clustered,
           count(DISTINCT cluster_id) FILTER (cluster_id IS NOT NULL AND size > 1) AS clusters,
           count(DISTINCT cluster_id) FILTER (cluster_id IS NOT NULL AND outlets > 1) AS shared
    FROM sized GROUP BY source ORDER BY clustered DESC, exact DESC, source
"""
_BIGGEST_CLUSTERS = (
    "SELECT left(cluster_id, 12), count(*) AS n, count(DISTINCT source), "
    "array_to_string(list(DISTINCT source ORDER BY source), ', '), min(title) "
    "FROM r_articles WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) > 1 "
    "ORDER BY n DESC, 1 LIMIT 10"
)


def _duplicates_chart(rows: list[tuple[Any, ...]]) -> list[Chart]:
    """Exact duplicates and clustered articles of the sources that have any."""
    charted = [row for row in rows if row[2] or row[3]][: TOP_SOURCES * 2]
    if not charted:
        return []
    return [
        Chart(
            "hbars",
            "Duplicate and near-duplicate articles per source",
            [row[0] for row in charted],
            {
                "exact duplicates": [float(row[2]) for row in charted],
                "in near-duplicate clusters": [float(row[3]) for row in charted],
            },
            xlabel="articles",
        )
    ]


def _duplicates(cat: SqlViews) -> Section:
    skipped = _rows(cat, "SELECT coalesce(sum(duplicates_skipped), 0)::BIGINT FROM r_runs")[0][0]
    rows = _rows(cat, _DUPLICATES_PER_SOURCE)
    biggest = _rows(cat, _BIGGEST_CLUSTERS)
    counts = {
        "per_source": {
            s: {"articles": a, "exact": e, "clustered": c, "clusters": k, "shared": sh}
            for s, a, e, c, k, sh in rows
        },
        "clusters": len(biggest),
        "duplicates_skipped_by_runs": skipped,
    }
    return Section(
        "duplicates",
        "Duplicates and near-duplicate clusters",
        counts,
        charts=_duplicates_chart(rows),
        tables=[
            Table(
                "per source: exact duplicates (duplicate_of set), articles in near-duplicate "
                "clusters, clusters touched, clusters shared with another outlet",
                ("source", "articles", "exact duplicates", "clustered", "clusters", "shared"),
                rows,
            ),
            Table(
                "largest near-duplicate clusters",
                ("cluster", "articles", "outlets", "sources", "a title"),
                biggest,
            ),
        ],
        note=f"Runs also skipped {skipped} exact repeat(s) of stored articles (same URL) "
        "without writing them.",
    )


def runs(cat: SqlViews) -> Section:
    """The last runs: status, duration, counts."""
    rows = _rows(
        cat,
        f"""
        SELECT run_id, flow, status, strftime(started_at, '%Y-%m-%d %H:%M:%S'),
               round(epoch(finished_at - started_at), 1) AS seconds,
               documents_seen, articles_written, duplicates_skipped, rejects,
               array_to_string(list_transform(map_entries(rejects_by_reason),
                               lambda e: e.key || ' ' || e.value), ', ')
        FROM r_runs ORDER BY started_at DESC LIMIT {RUNS_SHOWN}
        """,
    )
    shown = [
        (run_id[:8], flow, status if ended else f"{status} (no end recorded)", started,
         "-" if ended is None else ended, *counts)
        for run_id, flow, status, started, ended, *counts in rows
    ]  # fmt: skip
    counts = {
        "runs": [
            {
                "run_id": r[0],
                "status": r[2],
                "seconds": plain(r[4]),
                "documents_seen": r[5],
                "articles_written": r[6],
                "duplicates_skipped": r[7],
                "rejects": r[8],
            }
            for r in rows
        ]
    }
    return Section(
        "runs",
        f"Last {RUNS_SHOWN} runs",
        counts,
        tables=[
            Table(
                "newest first; a run with no end recorded crashed or is still going",
                (
                    "run",
                    "flow",
                    "status",
                    "started (UTC)",
                    "seconds",
                    "seen",
                    "written",
                    "duplicates",
                    "rejects",
                    "rejects by reason",
                ),
                shown,
            )
        ],
    )
