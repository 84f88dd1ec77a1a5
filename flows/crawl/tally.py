"""What each source's part of a web run did: its counts for the runs table, its report.

The run's own counts are the committer's (`flows.commit`), as for files;
a source's are its commits' counts plus the URLs it passed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prefect.artifacts import create_table_artifact

from warehouse import RunCounts, SourceCounts

__all__ = ["SourceTally", "report_sources", "source_counts", "source_row"]


@dataclass(slots=True)
class SourceTally:
    """What one source's part of a run did, counted as the run goes."""

    source: str
    discovered: int = 0
    already_stored: int = 0  # listed, but stored already or taken by another source of the run
    before_since: int = 0  # listed with a date before the run's `since`: left for later
    resting: int = 0  # listed, but rejected for a permanent reason within the rest period
    retried: int = 0  # failed transiently last time, fetched again though no listing named it
    fetched: int = 0
    listings_unchanged: int = 0
    written: RunCounts = field(default_factory=RunCounts)  # what its commits did

    @property
    def passed_over(self) -> int:
        """Listed URLs not fetched because an earlier run stored their outcome."""
        return self.already_stored + self.resting

    @property
    def counts(self) -> RunCounts:
        """Its documents: the URLs passed over, and the pages and listings it committed."""
        written = self.written
        seen = written.articles_written + written.duplicates_skipped + written.rejects
        passed = RunCounts(documents_seen=self.passed_over, already_stored=self.passed_over)
        return passed + written + RunCounts(documents_seen=seen)


def report_sources(counts: Sequence[SourceTally], run_id: str, logger: Any) -> None:
    """The per-source table as a Prefect artifact, and one log line per source."""
    create_table_artifact(
        key="ingest-sources-summary",
        table=[source_row(c) for c in counts],
        description=f"news-etl web ingest run {run_id}",
    )
    for c in counts:
        logger.info(
            "%s: %d discovered, %d already stored, %d fetched, %d written, rejects %s",
            c.source,
            c.discovered,
            c.already_stored,
            c.fetched,
            c.written.articles_written,
            dict(c.written.rejects_by_reason),
        )


def source_counts(tallies: Sequence[SourceTally]) -> tuple[SourceCounts, ...]:
    return tuple(SourceCounts(t.source, t.discovered, t.fetched, t.counts) for t in tallies)


def source_row(c: SourceTally) -> dict[str, Any]:
    return {
        "source": c.source,
        "discovered": c.discovered,
        "already stored": c.already_stored,
        "before since": c.before_since,
        "resting (rejected before)": c.resting,
        "fetched": c.fetched,
        "retried (failed before)": c.retried,
        "listings unchanged (304)": c.listings_unchanged,
        "articles written": c.written.articles_written,
        "duplicates": c.written.duplicates_skipped,
        "rejects": c.written.rejects,
        "rejects by reason": ", ".join(
            f"{k} {v}" for k, v in sorted(c.written.rejects_by_reason.items())
        ),
    }
