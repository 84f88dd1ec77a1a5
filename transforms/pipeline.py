"""Input files -> stream of Articles and Rejects: the pipeline without I/O targets.

This is the unit of work a flow task runs over one batch of files. It
streams: a large JSONL file yields its records one by one, so memory does
not grow with the file.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from extractors.files import read_file
from extractors.html import extract_html
from extractors.records import ParsedArticle, Reject, RejectReason
from transforms.article import Article, CleanSettings, build_article

__all__ = ["clean_document", "clean_files"]

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
        locator = str(path)
        documents = 0
        try:
            for document in read_file(
                path,
                source=settings.default_source,
                parse_html=extract_html,
                done=done,
                skipped=skipped,
            ):
                documents += 1
                yield clean_document(
                    document, settings=settings, run_id=run_id, ingested_at=ingested_at
                )
        except Exception as exc:  # a reader bug must cost one file, not the run
            documents += 1
            logger.exception("reading %s failed", locator)
            yield Reject(
                locator,
                RejectReason.PROCESSING_ERROR,
                f"{type(exc).__name__}: {exc}"[:500],
                settings.default_source,
            )
        if on_file_done is not None:
            on_file_done(path, documents)


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
