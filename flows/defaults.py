"""Every default the CLI, the flows and the deployments share, in one place.

`news-etl`'s options, the flows' parameters (what a Prefect deployment or a
manual trigger gets when it names none) and `news-etl serve`'s deployments
all read these objects, so a default changes here and nowhere else. The
core's own thresholds are defined in its light `defaults` modules
(`transforms.defaults`, `warehouse.defaults`) and gathered here, so the core
keeps taking plain parameters. Importing this module loads no Prefect,
pyarrow or trafilatura: `--help` prints these values.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.web.transience import DEFAULT_PERMANENT_REJECT_DAYS
from transforms import defaults as cleaning
from warehouse import defaults as maintenance

__all__ = [
    "CLEANING",
    "COMPACTION",
    "FILE_RUN",
    "REPROCESS_RUN",
    "WAREHOUSE",
    "WEB_RUN",
    "Cleaning",
    "Compaction",
    "FileRun",
    "ReprocessRun",
    "WebRun",
]

WAREHOUSE = "data/warehouse"  # relative to the working directory, as `make run` uses it


@dataclass(frozen=True, slots=True)
class Cleaning:
    """What every ingest and reprocess run cleans with (`CleanSettings`)."""

    min_words: int = cleaning.MIN_WORDS
    site_share: float = cleaning.SITE_SHARE
    site_min_articles: int = cleaning.SITE_MIN_ARTICLES


@dataclass(frozen=True, slots=True)
class FileRun:
    """How a file run cuts its input into Prefect tasks and its output into files."""

    batch_size: int = 100  # small files per task: one task costs about 0.1 s of CPU
    split_mb: float = 16.0  # a task's share of input; larger archives are cut into ranges of it
    rows_per_file: int = 5_000  # rows buffered before a Parquet file is written


@dataclass(frozen=True, slots=True)
class WebRun:
    """How a web run batches its URLs and how long a permanent reject keeps a URL unfetched."""

    batch_size: int = 50  # URLs per task: polite fetching makes a task slow, so keep it small
    permanent_reject_days: int = DEFAULT_PERMANENT_REJECT_DAYS


@dataclass(frozen=True, slots=True)
class ReprocessRun:
    """How `reprocess` batches the stored raw pages it cleans again (no network: larger)."""

    batch_size: int = 200


@dataclass(frozen=True, slots=True)
class Compaction:
    """What the nightly compaction and `news-etl compact` write and keep."""

    target_mb: int = maintenance.COMPACT_TARGET_BYTES // 2**20
    retention_hours: int = maintenance.RETENTION_HOURS
    schedule: str = "0 3 * * *"  # 03:00 UTC, in `news-etl serve`'s deployments


CLEANING = Cleaning()
FILE_RUN = FileRun()
WEB_RUN = WebRun()
REPROCESS_RUN = ReprocessRun()
COMPACTION = Compaction()
