"""The web run's parts: what to fetch (`plan`), the Prefect tasks that fetch it
(`tasks`), and what each source's part of the run did (`tally`).

`flows.ingest_web` composes them into the `ingest_sources` flow.
"""

from flows.crawl.plan import CrawlPolicy, crawl_policy, plan_source
from flows.crawl.tally import (
    SourceTally,
    report_sources,
    source_counts,
    source_row,
)

__all__ = [
    "CrawlPolicy",
    "SourceTally",
    "crawl_policy",
    "plan_source",
    "report_sources",
    "source_counts",
    "source_row",
]
