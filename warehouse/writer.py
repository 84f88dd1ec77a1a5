"""Idempotent, crash-safe writes of one batch of articles and rejects.

Each batch claims its keys in a `KeyIndex` (so a row already in the table,
or written by another batch of this run, is skipped), then writes one file
per partition atomically. File names carry the run id and the batch/chunk
number, so no two writers ever target the same name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from extractors.records import Reject
from transforms.article import Article
from warehouse.atomic import write_parquet_atomic
from warehouse.convert import articles_table, partition_of, reject_id, rejects_table
from warehouse.index import KeyIndex
from warehouse.layout import Warehouse
from warehouse.schema import PARTITION_COLUMN

__all__ = ["BatchWriter", "WriteCounts"]


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """What one write added to the tables."""

    articles_written: int = 0
    duplicates_skipped: int = 0
    rejects_written: int = 0
    rejects_known: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.articles_written + other.articles_written,
            self.duplicates_skipped + other.duplicates_skipped,
            self.rejects_written + other.rejects_written,
            self.rejects_known + other.rejects_known,
        )


class BatchWriter:
    """Writes batches of one run into a warehouse."""

    def __init__(
        self,
        warehouse: Warehouse,
        *,
        run_id: str,
        articles_index: KeyIndex,
        rejects_index: KeyIndex,
        default_source: str | None = None,
    ) -> None:
        self._warehouse = warehouse
        self._run_id = run_id
        self._articles_index = articles_index
        self._rejects_index = rejects_index
        self._default_source = default_source

    def write(
        self, part: str, articles: Sequence[Article], rejects: Sequence[Reject], seen_at: datetime
    ) -> WriteCounts:
        """Write the new rows of one batch; `part` names the batch within the run."""
        fresh_articles = self._dedup_articles(articles)
        fresh_rejects = self._dedup_rejects(rejects)
        name = f"part-{self._run_id}-{part}.parquet"
        by_month: dict[str, list[Article]] = defaultdict(list)
        for article in fresh_articles:
            by_month[partition_of(article.published_at)].append(article)
        pending = dict(by_month)
        try:
            for month, rows in sorted(by_month.items()):
                folder = self._warehouse.articles / f"{PARTITION_COLUMN}={month}"
                write_parquet_atomic(articles_table(rows), folder / name)
                del pending[month]
            if fresh_rejects:
                table = rejects_table(
                    fresh_rejects,
                    run_id=self._run_id,
                    seen_at=seen_at,
                    default_source=self._default_source,
                )
                write_parquet_atomic(table, self._warehouse.rejects / name)
        except BaseException:
            # Keys of files not committed go back, so a retry writes them; keys
            # of committed files stay claimed, so nothing is written twice.
            self._articles_index.release(a.article_id for rows in pending.values() for a in rows)
            self._rejects_index.release(self._reject_key(r) for r in fresh_rejects)
            raise
        return WriteCounts(
            articles_written=len(fresh_articles),
            duplicates_skipped=len(articles) - len(fresh_articles),
            rejects_written=len(fresh_rejects),
            rejects_known=len(rejects) - len(fresh_rejects),
        )

    def _dedup_articles(self, articles: Sequence[Article]) -> list[Article]:
        claimed = self._articles_index.claim(a.article_id for a in articles)
        fresh = []
        for article in articles:
            if article.article_id in claimed:
                claimed.discard(article.article_id)  # a repeat inside the batch is a duplicate
                fresh.append(article)
        return fresh

    def _reject_key(self, reject: Reject) -> str:
        return reject_id(reject, reject.source or self._default_source)

    def _dedup_rejects(self, rejects: Sequence[Reject]) -> list[Reject]:
        claimed = self._rejects_index.claim(self._reject_key(r) for r in rejects)
        fresh = []
        for reject in rejects:
            key = self._reject_key(reject)
            if key in claimed:
                claimed.discard(key)
                fresh.append(reject)
        return fresh
