"""What the articles table already holds, for versions, exact duplicates and clusters.

A row's key is `(article_id, content_hash)`: the URL and the body. For each
article in a batch the catalog decides, in order:

- key already stored (same URL, same body): a duplicate, skipped;
- URL stored with other bodies: a new **version** (1 + the versions so far),
  `first_seen_at` from version 1; a body the URL had before is a duplicate,
  so a page flipping between two texts does not add a version per fetch;
- body stored under another URL: **`duplicate_of`** = the article_id of the
  first row stored with it, and the same cluster;
- a new body: MinHash signature, LSH query, candidates verified against the
  threshold; the cluster of the most similar stored body, else a new
  **cluster** named by the body's own content_hash. Clusters never merge: a
  body close to members of two clusters joins the one of its closest match,
  so a cluster_id, once written, stays right.

Nothing here is persisted by itself: the decisions are written in the rows
(and signatures in `state/minhash`), and `load` rebuilds the catalog from
them. A stored body without a signature (one written with other MinHash
settings) has it computed once, on the first load, from the stored body.

Memory, measured by `bench/dedup_throughput.py` (tracemalloc after a load,
7,910 articles, 4,314 distinct bodies): about 0.6 KiB per article for the
dictionaries here, plus 2.0 KiB per distinct body for near-duplicate
detection (0.5 KiB of signature, 128 x uint32; the rest LSH buckets, 12
bands): some 250 MiB per 100k articles with distinct bodies.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from transforms.article import Article
from transforms.similarity import (
    DEFAULT_SIMILARITY,
    NearDuplicateIndex,
    Signature,
    SimilaritySettings,
    signature,
)
from warehouse.delta import read
from warehouse.layout import ARTICLES_TABLE, Warehouse
from warehouse.signatures import backfill_signatures, read_signatures

__all__ = ["ArticleCatalog", "Placement"]

logger = logging.getLogger(__name__)

_COLUMNS = (
    "article_id",
    "content_hash",
    "ingested_at",
    "version",
    "first_seen_at",
    "last_seen_at",
    "duplicate_of",
    "cluster_id",
    "extracted_hash",
)


@dataclass(frozen=True, slots=True)
class Placement:
    """The catalog's decision for one new row."""

    article: Article  # with version, first/last_seen_at, duplicate_of and cluster_id set
    new_body: Signature | None  # the signature to persist when the body was new
    near_duplicate: bool  # joined an existing cluster by similarity (not an exact copy)


class ArticleCatalog:
    """Keys, versions, first article per body and cluster per body of the articles table."""

    def __init__(self, similarity: SimilaritySettings | None = DEFAULT_SIMILARITY) -> None:
        self.similarity = similarity
        self._versions: dict[str, dict[str, int]] = {}
        self._first_seen: dict[str, datetime] = {}
        self._first_of_body: dict[str, str] = {}
        self._cluster_of_body: dict[str, str] = {}
        self._near = NearDuplicateIndex(similarity) if similarity else None

    @classmethod
    def load(
        cls,
        warehouse: Warehouse,
        *,
        similarity: SimilaritySettings | None = DEFAULT_SIMILARITY,
        run_id: str = "load",
    ) -> ArticleCatalog:
        """Rebuild from the articles table's latest version (and `state/minhash`)."""
        catalog = cls(similarity)
        for row in _stored_rows(warehouse):
            catalog._remember(*row)
        if similarity is not None and catalog._near is not None:
            bodies = list(catalog._cluster_of_body)  # first-stored first: ties go to the oldest
            found = read_signatures(warehouse, similarity, bodies)
            missing = [body for body in bodies if body not in found]
            found |= backfill_signatures(warehouse, similarity, missing, run_id=run_id)
            catalog._near.add_many((body, found[body]) for body in bodies)
        logger.info(
            "catalog: %d articles, %d distinct bodies", len(catalog._versions), len(catalog)
        )
        return catalog

    def __len__(self) -> int:
        """Distinct bodies stored."""
        return len(self._cluster_of_body)

    def knows_article(self, article_id: str) -> bool:
        return article_id in self._versions

    def place(
        self, article: Article, seen_at: datetime, sig: Signature | None = None
    ) -> Placement | None:
        """Decide the new row for `article` and remember it; None when already stored.

        `sig` is the body's signature when the task that cleaned it computed it
        already (with this catalog's settings), so that the writer, one process
        for all workers, does not.
        """
        aid, body = article.article_id, article.content_hash
        # Versions compare the body before site-learned removal: a pattern
        # learned since the last fetch must not make an unchanged page new.
        extracted = article.extracted_hash or body
        versions = self._versions.setdefault(aid, {})
        if extracted in versions:
            return None
        version = max(versions.values(), default=0) + 1
        first_seen = self._first_seen.setdefault(aid, seen_at)
        first = self._first_of_body.get(body)
        duplicate_of = first if first is not None and first != aid else None
        new_sig: Signature | None = None
        near = False
        if body in self._cluster_of_body:
            cluster = self._cluster_of_body[body]
        else:
            cluster = body
            if self._near is not None and self.similarity is not None:
                new_sig = sig if sig is not None else signature(article.body, self.similarity)
                match = self._near.best_match(new_sig)
                if match is not None:
                    cluster, near = self._cluster_of_body[match.key], True
                self._near.add(body, new_sig)
            self._cluster_of_body[body] = cluster
        versions[extracted] = version
        self._first_of_body.setdefault(body, aid)
        stamped = replace(
            article,
            version=version,
            first_seen_at=first_seen,
            last_seen_at=seen_at,
            duplicate_of=duplicate_of,
            cluster_id=cluster,
        )
        return Placement(stamped, new_sig, near)

    def forget(self, article_ids: set[str]) -> None:
        """Forget the rows of `article_ids` (removed from the table to be rebuilt).

        Their versions go, so a rebuilt row is version 1 again; the time each
        URL was first seen stays. Their bodies stay in the cluster index until
        the next load: a rebuilt body close to the old one keeps its cluster.
        """
        for aid in article_ids:
            self._versions.pop(aid, None)

    def forget_bodies(self, rows: Iterable[tuple[str, str]]) -> None:
        """Forget single (article_id, extracted_hash) rows removed to be rebuilt.

        The article's other versions stay, so its rebuilt row takes the
        removed row's version number (1 + the versions that remain).
        """
        for aid, body in rows:
            versions = self._versions.get(aid)
            if versions is not None:
                versions.pop(body, None)

    def _remember(
        self,
        aid: str,
        body: str,
        ingested_at: datetime,
        version: int | None,
        first_seen_at: datetime | None,
        duplicate_of: str | None,
        cluster_id: str | None,
        extracted_hash: str | None,
    ) -> None:
        self._versions.setdefault(aid, {})[extracted_hash or body] = version or 1
        first_seen = first_seen_at or ingested_at
        if aid not in self._first_seen or first_seen < self._first_seen[aid]:
            self._first_seen[aid] = first_seen
        # A row naming its body's first article (or cluster) says so explicitly;
        # rows from before schema 3 name neither, and the oldest row wins.
        if duplicate_of is not None:
            self._first_of_body[body] = duplicate_of
        else:
            self._first_of_body.setdefault(body, aid)
        if cluster_id is not None:
            self._cluster_of_body[body] = cluster_id
        else:
            self._cluster_of_body.setdefault(body, body)


def _stored_rows(
    warehouse: Warehouse,
) -> list[
    tuple[str, str, datetime, int | None, datetime | None, str | None, str | None, str | None]
]:
    """The key columns of every committed row, oldest first."""
    table = read(warehouse, ARTICLES_TABLE, _COLUMNS)
    columns = [table[name].to_pylist() for name in _COLUMNS]
    rows = []
    for aid, body, ingested, version, first_seen, last_seen, dup, cluster, extracted in zip(
        *columns, strict=True
    ):
        seen = last_seen or ingested
        row = (aid, body, ingested, version, first_seen, dup, cluster, extracted)
        rows.append((seen, aid, version or 1, row))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in rows]
