"""Idempotent, crash-safe writes of one batch of articles and rejects.

Each batch is placed by the `ArticleCatalog` (a row already in the table, or
written by another batch of this run, is skipped; a changed body under a
known URL becomes its next version; exact and near duplicates are marked),
then committed as one Delta MERGE keyed by (`article_id`, `extracted_hash`):
a row another run committed meanwhile is not inserted again.

Order of commits within a batch: the MinHash signatures of its new bodies
(`state/minhash`, see `warehouse/signatures.py`), then the articles, then
the rejects. Placement and writing happen under one lock, so "first
stored" means first committed, whichever thread a batch came from. If a
write fails, the in-memory catalog is dropped and rebuilt from the table on
the next write: the committed versions are the truth.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from extractors.records import Reject
from transforms.article import Article
from transforms.similarity import DEFAULT_SIMILARITY, Signature, SimilaritySettings
from warehouse.catalog import ArticleCatalog, Placement
from warehouse.convert import articles_table, reject_id, rejects_table
from warehouse.counts import RunCounts
from warehouse.delta import insert_new
from warehouse.index import KeyIndex
from warehouse.layout import ARTICLES_TABLE, REJECTS_TABLE, Warehouse
from warehouse.signatures import write_signatures

__all__ = ["BatchWriter"]


class BatchWriter:
    """Writes batches of one run into a warehouse.

    The catalog (versions, duplicates, clusters) is loaded from the warehouse
    on the first write unless one is given; `similarity=None` turns
    near-duplicate detection off (every new body starts its own cluster).
    `articles_index` holds the article_ids in the table: a caller that
    removed rows and released their ids from it (reprocessing) makes the
    writer reload its catalog from disk before placing those ids again.
    """

    def __init__(
        self,
        warehouse: Warehouse,
        *,
        run_id: str,
        articles_index: KeyIndex,
        rejects_index: KeyIndex,
        default_source: str | None = None,
        catalog: ArticleCatalog | None = None,
        similarity: SimilaritySettings | None = DEFAULT_SIMILARITY,
    ) -> None:
        self._warehouse = warehouse
        self._run_id = run_id
        self._articles_index = articles_index
        self._rejects_index = rejects_index
        self._default_source = default_source
        self._catalog = catalog
        self._similarity = catalog.similarity if catalog is not None else similarity
        self._lock = threading.Lock()

    @property
    def similarity(self) -> SimilaritySettings | None:
        """The near-duplicate settings; tasks make signatures with these (None: off)."""
        return self._similarity

    @classmethod
    def for_run(
        cls,
        warehouse: Warehouse,
        *,
        run_id: str,
        default_source: str | None = None,
        similarity: SimilaritySettings | None = DEFAULT_SIMILARITY,
    ) -> BatchWriter:
        """A writer with every index read from the warehouse's latest versions now."""
        return cls(
            warehouse,
            run_id=run_id,
            articles_index=KeyIndex.from_table(warehouse, ARTICLES_TABLE, "article_id"),
            rejects_index=KeyIndex.from_table(warehouse, REJECTS_TABLE, "reject_id"),
            default_source=default_source,
            catalog=ArticleCatalog.load(warehouse, similarity=similarity, run_id=run_id),
        )

    def write(
        self,
        part: str,
        articles: Sequence[Article],
        rejects: Sequence[Reject],
        seen_at: datetime,
        signatures: Mapping[str, Signature] | None = None,
    ) -> RunCounts:
        """Write the new rows of one batch; `part` names the batch within the run.

        `signatures` (content_hash -> MinHash signature, made with this writer's
        similarity settings) spare the writer computing them. The counts are
        what the write did with the articles and rejects it was given;
        `documents_seen` and `already_stored` are the reader's to count.
        """
        with self._lock:
            return self._write(part, articles, rejects, seen_at, signatures or {})

    def _write(
        self,
        part: str,
        articles: Sequence[Article],
        rejects: Sequence[Reject],
        seen_at: datetime,
        signatures: Mapping[str, Signature],
    ) -> RunCounts:
        catalog = self._current_catalog(articles)
        try:
            placed = [
                p
                for a in articles
                if (p := catalog.place(a, seen_at, signatures.get(a.content_hash))) is not None
            ]
        except BaseException:
            self._catalog = None  # half a batch placed: rebuild from disk next time
            raise
        fresh_articles = [p.article for p in placed]
        claimed = self._articles_index.claim(a.article_id for a in fresh_articles)
        fresh_rejects = self._dedup_rejects(rejects)
        note = {"news_etl.run_id": self._run_id, "news_etl.batch": part}
        inserted = -1
        try:
            self._write_signatures(placed)
            inserted = insert_new(
                self._warehouse, ARTICLES_TABLE, articles_table(fresh_articles), note
            )
            table = rejects_table(
                fresh_rejects,
                run_id=self._run_id,
                seen_at=seen_at,
                default_source=self._default_source,
            )
            rejects_inserted = insert_new(self._warehouse, REJECTS_TABLE, table, note)
        except BaseException:
            # Keys of a commit that did not happen go back, so a retry writes
            # them; the catalog is rebuilt from the committed versions next time.
            self._catalog = None
            if inserted < 0:
                self._articles_index.release(claimed)
            self._rejects_index.release(self._reject_key(r) for r in fresh_rejects)
            raise
        return RunCounts(
            articles_written=inserted,
            duplicates_skipped=len(articles) - inserted,
            rejects_by_reason=dict(Counter(str(r.reason) for r in rejects)),
            rejects_written=rejects_inserted,
            exact_duplicates=sum(a.duplicate_of is not None for a in fresh_articles),
            near_duplicates=sum(p.near_duplicate for p in placed),
            new_versions=sum((a.version or 1) > 1 for a in fresh_articles),
        )

    def forget_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        """Rows (article_id, extracted_hash) were removed to be rebuilt: forget exactly those.

        Their article ids stay claimed; the rebuilt row of each takes the
        removed row's version, and the article's earlier versions stay.
        """
        with self._lock:
            if self._catalog is None:
                self._catalog = ArticleCatalog.load(
                    self._warehouse, similarity=self._similarity, run_id=self._run_id
                )
            self._catalog.forget_bodies(rows)

    def _current_catalog(self, articles: Sequence[Article]) -> ArticleCatalog:
        catalog = self._catalog
        if catalog is None:
            catalog = ArticleCatalog.load(
                self._warehouse, similarity=self._similarity, run_id=self._run_id
            )
            self._catalog = catalog
            return catalog
        released = {
            a.article_id
            for a in articles
            if a.article_id not in self._articles_index and catalog.knows_article(a.article_id)
        }
        if released:
            catalog.forget(released)  # their rows were removed (reprocessing)
        return catalog

    def _write_signatures(self, placed: Sequence[Placement]) -> None:
        new = [(p.article.content_hash, sig) for p in placed if (sig := p.new_body) is not None]
        if new and self._similarity is not None:
            write_signatures(self._warehouse, new, self._similarity)

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
