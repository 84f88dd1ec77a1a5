"""The `ingest_files` flow: local files -> cleaned articles -> Parquet warehouse.

One Prefect task per batch of files (never per document: a task run costs
about 10 ms and a local server drops events past about 10k task runs in a
burst). Each task streams its files through `transforms.pipeline`, and
writes every `rows_per_file` rows, so memory stays flat however large one
input file is. Deduplication against the warehouse happens through one
`KeyIndex` per table shared by the run's tasks (threads), which is what makes
reruns, and reruns after a crash, add no duplicate rows.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import PrefectFuture, as_completed, wait
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.files import list_inputs
from extractors.records import Reject
from extractors.warc import is_warc_name
from flows.progress import ProgressReporter
from transforms.article import Article, CleanSettings
from transforms.pipeline import clean_files
from warehouse import BatchWriter, KeyIndex, RunRecord, RunStatus, Warehouse, WriteCounts, write_run
from warehouse.lock import exclusive_writer, sweep_temp_files
from warehouse.reader import stored_locators
from warehouse.runs import SourceCounts

__all__ = ["BatchOutcome", "RunSummary", "ingest_files"]

FLOW_NAME = "ingest_files"


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What every batch task of one run shares (same process: thread task runner)."""

    writer: BatchWriter
    settings: CleanSettings
    run_id: str
    rows_per_file: int
    on_file_done: Callable[[Path, int], None] | None = None
    done: Container[str] = ()  # web-archive records an earlier run wrote


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """Counts from one batch."""

    files: int
    documents_seen: int
    written: WriteCounts
    rejects_by_reason: dict[str, int]
    records_skipped: dict[str, int]


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a run did; the CLI prints it and the runs table stores it."""

    run_id: str
    warehouse: str
    files: int
    documents_seen: int
    articles_written: int
    duplicates_skipped: int
    rejects_by_reason: dict[str, int]
    elapsed_seconds: float
    status: RunStatus = RunStatus.COMPLETED
    rejects_new: int = 0
    batches: int = 0
    records_skipped: dict[str, int] = field(default_factory=dict)

    @property
    def rejects(self) -> int:
        return sum(self.rejects_by_reason.values())


@task(name="ingest_batch", cache_policy=NO_CACHE, task_run_name="batch-{batch_no}")
def ingest_batch(batch_no: int, paths: Sequence[Path], context: BatchContext) -> BatchOutcome:
    """Extract, clean and write one batch of files; returns its counts."""
    seen = 0
    reasons: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    written = WriteCounts()
    documents = clean_files(
        paths,
        settings=context.settings,
        run_id=context.run_id,
        ingested_at=datetime.now(UTC),
        on_file_done=context.on_file_done,
        done=context.done,
        skipped=skipped,
    )
    for chunk_no, chunk in enumerate(_chunks(documents, context.rows_per_file), start=1):
        articles = [d for d in chunk if isinstance(d, Article)]
        rejects = [d for d in chunk if isinstance(d, Reject)]
        seen += len(chunk)
        reasons.update(str(r.reason) for r in rejects)
        part = f"b{batch_no:05d}-c{chunk_no:04d}"
        written += context.writer.write(part, articles, rejects, seen_at=datetime.now(UTC))
    return BatchOutcome(len(paths), seen, written, dict(reasons), dict(skipped))


def _chunks(documents: Iterator[Article | Reject], size: int) -> Iterator[list[Article | Reject]]:
    chunk: list[Article | Reject] = []
    for document in documents:
        chunk.append(document)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@flow(name=FLOW_NAME, task_runner=ThreadPoolTaskRunner(max_workers=2))  # type: ignore[arg-type]
def ingest_files(
    paths: list[str],
    warehouse: str = "data/warehouse",
    source: str | None = None,
    batch_size: int = 25,
    rows_per_file: int = 5_000,
    min_words: int = 20,
    show_progress: bool = False,
) -> RunSummary:
    """Ingest local article files (txt, html, jsonl, csv, optionally gzipped).

    Fails only when the warehouse cannot be written; bad documents become
    rows in the rejects table and the run goes on.
    """
    logger = get_run_logger()
    started = time.perf_counter()
    run_id = current_run_id()
    parameters = {
        "paths": paths,
        "warehouse": warehouse,
        "source": source,
        "batch_size": batch_size,
        "rows_per_file": rows_per_file,
        "min_words": min_words,
    }
    store = Warehouse(Path(warehouse))
    with exclusive_writer(store):
        sweep_temp_files(store)
        record = RunRecord(run_id, FLOW_NAME, parameters, started_at=datetime.now(UTC))
        write_run(store, record)
        futures: list[PrefectFuture[BatchOutcome]] = []
        try:
            files = list_inputs([Path(p) for p in paths])
            step = max(1, batch_size)
            batches = [files[i : i + step] for i in range(0, len(files), step)]
            logger.info(
                "run %s: %d files in %d batches -> %s", run_id, len(files), len(batches), warehouse
            )
            writer = BatchWriter(
                store,
                run_id=run_id,
                articles_index=KeyIndex.from_table(store.articles, "article_id"),
                rejects_index=KeyIndex.from_table(store.rejects, "reject_id"),
                default_source=source,
            )
            done: Container[str] = ()
            if any(is_warc_name(f.name) for f in files):
                done = stored_locators(store, containing="#offset=")  # resume archives
            with ProgressReporter(total_files=len(files), enabled=show_progress) as progress:
                context = BatchContext(
                    writer=writer,
                    settings=CleanSettings(min_words=min_words, default_source=source),
                    run_id=run_id,
                    rows_per_file=max(1, rows_per_file),
                    on_file_done=progress.file_done,
                    done=done,
                )
                futures = [
                    ingest_batch.submit(number, batch, context)
                    for number, batch in enumerate(batches, start=1)
                ]
                outcomes = [future.result() for future in as_completed(futures)]
        except BaseException:
            _record_failure(store, record, futures, started, logger)
            raise

        summary = _summarise(run_id, warehouse, outcomes, started, status=RunStatus.COMPLETED)
        summary = replace(summary, files=len(files))
        write_run(store, final_record(record, summary))
    logger.info(
        "run %s: %d documents, %d articles written, %d duplicates skipped, %d rejects %s",
        run_id,
        summary.documents_seen,
        summary.articles_written,
        summary.duplicates_skipped,
        summary.rejects,
        summary.rejects_by_reason,
    )
    create_table_artifact(
        key="ingest-summary",
        table=summary_rows(summary),
        description=f"news-etl ingest run {run_id}",
    )
    return summary


def summary_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """The run's counts as (measure, value) rows, for the artifact and the CLI table."""
    rows: list[dict[str, Any]] = [
        {"measure": "files", "value": summary.files},
        {"measure": "documents seen", "value": summary.documents_seen},
        {"measure": "articles written", "value": summary.articles_written},
        {"measure": "duplicates skipped", "value": summary.duplicates_skipped},
        {"measure": "rejects", "value": summary.rejects},
    ]
    rows += [
        {"measure": f"  rejected: {reason}", "value": count}
        for reason, count in sorted(summary.rejects_by_reason.items())
    ]
    if summary.records_skipped:
        rows.append(
            {
                "measure": "archive records skipped",
                "value": sum(summary.records_skipped.values()),
            }
        )
        rows += [
            {"measure": f"  skipped: {kind}", "value": count}
            for kind, count in sorted(summary.records_skipped.items())
        ]
    rows.append({"measure": "elapsed seconds", "value": round(summary.elapsed_seconds, 2)})
    return rows


def _record_failure(
    store: Warehouse,
    record: RunRecord,
    futures: Sequence[PrefectFuture[BatchOutcome]],
    started: float,
    logger: Any,
) -> None:
    """Mark the run failed with the counts of what was committed, never masking the cause."""
    wait(list(futures))  # batches already running keep committing; count them too
    outcomes = [f.result() for f in futures if f.state.is_completed()]
    summary = _summarise(record.run_id, str(store.root), outcomes, started, status=RunStatus.FAILED)
    try:
        write_run(store, final_record(record, summary))
    except Exception:
        logger.exception("could not record the failed run %s", record.run_id)


def current_run_id() -> str:
    context = get_run_context()
    flow_run = getattr(context, "flow_run", None)
    return str(flow_run.id) if flow_run is not None else datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


def _summarise(
    run_id: str,
    warehouse: str,
    outcomes: Sequence[BatchOutcome],
    started: float,
    *,
    status: RunStatus,
) -> RunSummary:
    reasons: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    written = WriteCounts()
    for outcome in outcomes:
        reasons.update(outcome.rejects_by_reason)
        skipped.update(outcome.records_skipped)
        written += outcome.written
    return RunSummary(
        run_id=run_id,
        warehouse=warehouse,
        files=sum(o.files for o in outcomes),
        documents_seen=sum(o.documents_seen for o in outcomes),
        articles_written=written.articles_written,
        duplicates_skipped=written.duplicates_skipped,
        rejects_by_reason=dict(reasons),
        elapsed_seconds=time.perf_counter() - started,
        status=status,
        rejects_new=written.rejects_written,
        batches=len(outcomes),
        records_skipped=dict(skipped),
    )


def final_record(
    record: RunRecord, summary: RunSummary, sources: tuple[SourceCounts, ...] = ()
) -> RunRecord:
    return RunRecord(
        run_id=record.run_id,
        flow=record.flow,
        parameters=record.parameters,
        started_at=record.started_at,
        status=summary.status,
        finished_at=datetime.now(UTC),
        documents_seen=summary.documents_seen,
        articles_written=summary.articles_written,
        duplicates_skipped=summary.duplicates_skipped,
        rejects=summary.rejects,
        rejects_by_reason=summary.rejects_by_reason,
        sources=sources,
    )
