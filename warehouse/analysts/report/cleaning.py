"""The report's sections about cleaning: boilerplate removed per rule, duplicates and clusters."""

from __future__ import annotations

from typing import Any, Final

from warehouse.analysts.query import SqlViews
from warehouse.analysts.report.sections import TOP_SOURCES, Chart, Section, Table, query_rows

__all__ = ["boilerplate", "duplicates"]

RULES_CHARTED: Final = 15


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
_SKIPPED_BY_RUNS = "SELECT coalesce(sum(duplicates_skipped), 0)::BIGINT FROM r_runs"
_BIGGEST_CLUSTERS = (
    "SELECT left(cluster_id, 12), count(*) AS n, count(DISTINCT source), "
    "array_to_string(list(DISTINCT source ORDER BY source), ', '), min(title) "
    "FROM r_articles WHERE cluster_id IS NOT NULL GROUP BY cluster_id HAVING count(*) > 1 "
    "ORDER BY n DESC, 1 LIMIT 10"
)


def boilerplate(cat: SqlViews) -> Section:
    """Per rule: the articles it cleaned, the segments and characters it removed."""
    rows = query_rows(
        cat,
        "SELECT r.rule, any_value(r.kind), count(DISTINCT article_id) AS articles, "
        "count(*) AS segments, sum(length(r.text))::BIGINT AS chars "
        "FROM r_articles, unnest(boilerplate_removed) AS t(r) "
        "GROUP BY r.rule ORDER BY chars DESC, r.rule",
    )
    [(touched, total)] = query_rows(
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


def duplicates(cat: SqlViews) -> Section:
    """Per source: exact duplicates and near-duplicate clusters; the largest clusters."""
    [(skipped,)] = query_rows(cat, _SKIPPED_BY_RUNS)
    rows = query_rows(cat, _DUPLICATES_PER_SOURCE)
    biggest = query_rows(cat, _BIGGEST_CLUSTERS)
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
