"""Input files -> stream of Articles and Rejects: the pipeline without I/O targets.

`clean_parts` is the unit of work a flow task runs: a batch of files, or a
byte range of a large one, in, and its articles and rejects back, for the
flow to deduplicate and write. `clean_files` streams, so a caller that
writes as it goes keeps memory flat however large one file is.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from extractors.files import read_file, read_part
from extractors.html import extract_html
from extractors.parts import FilePart
from extractors.records import (
    RESUMED_TALLY,
    DiscoveredUrl,
    FetchedPage,
    ParsedArticle,
    Reject,
    RejectReason,
)
from transforms.article import FALLBACK_SOURCE, Article, CleanSettings, build_article
from transforms.normalise import canonical_url, domain_of
from transforms.similarity import Signature, SimilaritySettings, signature

__all__ = ["CleanedBatch", "clean_document", "clean_files", "clean_parts"]

logger = logging.getLogger(__name__)


def clean_files(
    paths: Iterable[Path],
    *,
    settings: CleanSettings,
    run_id: str,
    ingested_at: datetime,
    on_file_done: Callable[[Path, int], None] | None = None,
    done: Container[str] = (),
    skipped: Counter[str] | None = None,
) -> Iterator[Article | Reject]:
    """Every document in `paths`, as an Article or a Reject; never raises for bad input.

    `on_file_done(path, documents)` is called after each file, for progress
    reporting; `done` and `skipped` go to `read_file` (web archives).
    """
    for path in paths:
        documents = 0
        reader = read_file(path, **_reading(settings, done, skipped))
        for item in _guarded(reader, str(path), settings, run_id, ingested_at):
            documents += 1
            yield item
        if on_file_done is not None:
            on_file_done(path, documents)


@dataclass(frozen=True, slots=True)
class CleanedBatch:
    """What one batch of parts gave: its documents, cleaned, in input order.

    `raw_pages` holds the payloads of web-archive documents when asked for
    (`keep_raw`), each with its source and its locator as `found_in`.
    """

    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    raw_pages: list[tuple[FetchedPage, DiscoveredUrl]] = field(default_factory=list)
    # input name -> its documents in this batch, those passed over as already
    # stored included: what the flow records as the file's committed progress
    by_input: dict[str, int] = field(default_factory=dict)
    # content_hash -> MinHash signature of each article's body, made here, in the
    # task, so that the one writer process of a run does not (issue 13)
    signatures: dict[str, Signature] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return len(self.articles) + len(self.rejects)


def clean_parts(
    parts: Iterable[FilePart],
    *,
    settings: CleanSettings,
    run_id: str,
    ingested_at: datetime,
    done: Container[str] = (),
    keep_raw: bool = False,
    similarity: SimilaritySettings | None = None,
) -> CleanedBatch:
    """Every document in `parts`, cleaned; never raises for bad input (see `clean_files`).

    With `similarity`, each distinct body's MinHash signature comes back too.
    """
    batch = CleanedBatch()
    skipped: Counter[str] = Counter()
    payloads: list[FetchedPage] = []
    for part in parts:
        on_raw = payloads.append if keep_raw else None
        reader = read_part(part, **_reading(settings, done, skipped), on_raw=on_raw)
        resumed = skipped[RESUMED_TALLY]
        documents = 0
        for item in _guarded(reader, part.name, settings, run_id, ingested_at):
            documents += 1
            if isinstance(item, Article):
                batch.articles.append(item)
            else:
                batch.rejects.append(item)
            for page in payloads:  # the payload of the record just cleaned
                source = item.source or settings.default_source or _domain(page.url)
                batch.raw_pages.append((page, DiscoveredUrl(page.url, source, item.locator)))
            payloads.clear()
        passed_over = skipped[RESUMED_TALLY] - resumed
        batch.by_input[part.name] = batch.by_input.get(part.name, 0) + documents + passed_over
    batch.skipped.update(skipped)
    if similarity is not None:
        batch.signatures.update(_signatures(batch.articles, similarity))
    return batch


def _reading(
    settings: CleanSettings, done: Container[str], skipped: Counter[str] | None
) -> dict[str, Any]:
    """What both readers are told: the default source, the HTML parser, what to pass over."""
    return {
        "source": settings.default_source,
        "parse_html": extract_html,
        "done": done,
        "skipped": skipped,
    }


def _signatures(
    articles: Iterable[Article], similarity: SimilaritySettings
) -> dict[str, Signature]:
    """content_hash -> signature, one per distinct body (exact copies share theirs)."""
    bodies = {article.content_hash: article.body for article in articles}
    return {key: signature(body, similarity) for key, body in bodies.items()}


def _domain(url: str) -> str:
    return domain_of(canonical_url(url)) or FALLBACK_SOURCE


def _guarded(
    documents: Iterator[ParsedArticle | Reject],
    locator: str,
    settings: CleanSettings,
    run_id: str,
    ingested_at: datetime,
) -> Iterator[Article | Reject]:
    """Cleaned documents of one reader; a reader bug becomes one PROCESSING_ERROR reject."""
    try:
        for document in documents:
            yield clean_document(
                document, settings=settings, run_id=run_id, ingested_at=ingested_at
            )
    except Exception as exc:  # a reader bug must cost one file, not the run
        logger.exception("reading %s failed", locator)
        yield Reject(
            locator,
            RejectReason.PROCESSING_ERROR,
            f"{type(exc).__name__}: {exc}"[:500],
            settings.default_source,
        )


def clean_document(
    document: ParsedArticle | Reject, *, settings: CleanSettings, run_id: str, ingested_at: datetime
) -> Article | Reject:
    """A parsed document as an Article or a Reject; a bug costs this document, not the run."""
    if isinstance(document, Reject):
        return document
    try:
        return build_article(document, run_id=run_id, ingested_at=ingested_at, settings=settings)
    except Exception as exc:  # a transform bug must cost one document, not the run
        logger.exception("cleaning %s failed", document.locator)
        return Reject(
            document.locator,
            RejectReason.PROCESSING_ERROR,
            f"{type(exc).__name__}: {exc}"[:500],
            document.metadata.source or settings.default_source,
        )
