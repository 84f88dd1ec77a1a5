"""What each source's part of a web run did, and the run's summary of them all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from prefect.artifacts import create_table_artifact

from flows.ledger import RunLedger, RunSummary
from warehouse import RunStatus, WriteCounts
from warehouse.runs import SourceCounts

__all__ = ["SourceTally", "report_sources", "source_counts", "source_row", "summarise_sources"]


@dataclass(slots=True)
class SourceTally:
    """What one source's part of a run did."""

    source: str
    discovered: int = 0
    already_stored: int = 0  # listed, but stored already or taken by another source of the run
    before_since: int = 0  # listed with a date before the run's `since`: left for later
    resting: int = 0  # listed, but rejected for a permanent reason within the rest period
    retried: int = 0  # failed transiently last time, fetched again though no listing named it
    fetched: int = 0
    listings_unchanged: int = 0
    written: WriteCounts = field(default_factory=WriteCounts)
    rejects_by_reason: Counter[str] = field(default_factory=Counter)

    @property
    def documents_seen(self) -> int:
        """URLs discovered (fetched, already stored or resting) plus listings that failed."""
        return (
            self.already_stored
            + self.resting
            + self.written.articles_written
            + self.written.duplicates_skipped
            + sum(self.rejects_by_reason.values())
        )


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
            dict(c.rejects_by_reason),
        )


def source_counts(tallies: Sequence[SourceTally]) -> tuple[SourceCounts, ...]:
    return tuple(
        SourceCounts(
            source=t.source,
            discovered=t.discovered,
            already_stored=t.already_stored + t.resting,  # an earlier run stored the outcome
            fetched=t.fetched,
            articles_written=t.written.articles_written,
            duplicates_skipped=t.written.duplicates_skipped,
            rejects=sum(t.rejects_by_reason.values()),
        )
        for t in tallies
    )


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
        "rejects": sum(c.rejects_by_reason.values()),
        "rejects by reason": ", ".join(f"{k} {v}" for k, v in sorted(c.rejects_by_reason.items())),
    }


def summarise_sources(
    ledger: RunLedger, counts: Sequence[SourceTally], status: RunStatus
) -> RunSummary:
    """The run's summary: the sources' counts added up."""
    reasons: Counter[str] = Counter()
    written = WriteCounts()
    for c in counts:
        reasons.update(c.rejects_by_reason)
        written += c.written
    return RunSummary(
        run_id=ledger.run_id,
        warehouse=ledger.warehouse,
        files=0,
        documents_seen=sum(c.documents_seen for c in counts),
        articles_written=written.articles_written,
        duplicates_skipped=written.duplicates_skipped + sum(c.already_stored for c in counts),
        rejects_by_reason=dict(reasons),
        elapsed_seconds=ledger.elapsed(),
        status=status,
        rejects_new=written.rejects_written,
        batches=0,
        exact_duplicates=written.exact_duplicates,
        near_duplicates=written.near_duplicates,
        new_versions=written.new_versions,
        # passed over unread, their reject committed by an earlier run; pages
        # already stored have always counted as duplicates here
        already_stored=sum(c.resting for c in counts),
    )
