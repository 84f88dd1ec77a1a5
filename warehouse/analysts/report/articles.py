"""The report's sections about the articles: per day, newest per source, languages, words.

Articles are counted once each: the latest version (`articles_latest`, filtered
into `r_articles` by `data.collect`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Final

from warehouse.analysts.query import SqlViews, plain
from warehouse.analysts.report.sections import (
    OTHER,
    TOP_SOURCES,
    Chart,
    Section,
    Table,
    query_rows,
)

__all__ = ["WORD_BINS", "freshness", "languages", "per_day", "word_counts"]

# Bucket articles by day up to this span of publication dates, else by month.
MAX_DAY_SPAN: Final = 92
WORD_BINS: Final = (0, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000)


def per_day(cat: SqlViews) -> Section:
    """Articles per day (or month, over a long span) of publication and source."""
    [(first, last, undated)] = query_rows(
        cat,
        "SELECT min(published_at), max(published_at), count(*) FILTER (published_at IS NULL) "
        "FROM r_articles",
    )
    bucket = "day" if first is None or (last - first).days <= MAX_DAY_SPAN else "month"
    fmt = "%Y-%m-%d" if bucket == "day" else "%Y-%m"
    rows = query_rows(
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
    rows = query_rows(
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


def languages(cat: SqlViews) -> Section:
    """Articles per detected language."""
    rows = query_rows(
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


def word_counts(cat: SqlViews) -> Section:
    """The distribution of body lengths in words, binned by `WORD_BINS`."""
    cases = " ".join(
        f"WHEN word_count < {WORD_BINS[i + 1]} THEN {i}" for i in range(len(WORD_BINS) - 1)
    )
    rows = dict(
        query_rows(
            cat,
            f"SELECT CASE {cases} ELSE {len(WORD_BINS) - 1} END AS bin, count(*) "
            "FROM r_articles GROUP BY ALL",
        )
    )
    bins = {_bin_label(i): rows.get(i, 0) for i in range(len(WORD_BINS))}
    [(low, median, mean, high)] = query_rows(
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
