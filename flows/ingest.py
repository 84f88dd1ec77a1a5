"""The `ingest_files` flow: local files -> cleaned articles -> Parquet warehouse.

The input is cut into batches (`extractors.parts`, `flows.batches`): up to
`batch_size` small files or about `split_mb` MiB of them, or one byte range of
a large web archive or JSONL file, so that every batch carries seconds of
work (a task run costs about 10 ms on threads and 0.2-0.3 s on Dask, and a
local server drops events past about 10k task runs in a burst). A task
reads, extracts and cleans one batch and returns its articles and rejects;
it writes nothing. The flow commits the batches' results in batch order as
they complete, deduplicating through one `BatchWriter` and writing every
`rows_per_file` rows, so dedup is exact whichever runner ran the tasks
(threads, or Dask worker processes, see `flows.runners`), the output does
not depend on which batch finished first, and reruns, and reruns after a
crash, add no duplicate rows. At most two batches per task slot are
submitted and not yet committed, so memory stays flat however large the
input.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.context import get_run_context
from prefect.futures import PrefectFuture

from extractors.errors import UnreadableError
from extractors.files import list_inputs
from extractors.parts import FilePart, plan_parts
from extractors.records import Reject
from extractors.remote import download, is_remote
from flows.artifacts import publish_warehouse_figures
from flows.batches import Batch, Committer, ProgressLog, ResumePoints, in_order, plan_batches
from flows.extract_task import extract_batch
from flows.object_store import open_warehouse
from flows.progress import ProgressReporter
from flows.runners import Runner, RunnerKind, choose_runner, task_runner
from transforms.article import CleanSettings
from transforms.pipeline import CleanedBatch
from transforms.site_boilerplate import DEFAULT_MIN_ARTICLES, DEFAULT_SHARE
from warehouse import (
    BatchWriter,
    KeyIndex,
    RunRecord,
    RunStatus,
    Warehouse,
    write_run,
)
from warehouse.inputs import FileStamp, InputProgress, ResumePlan, plan_resume, read_progress, stamp
from warehouse.layout import ARTICLES_TABLE, RAW_PAGES_TABLE, REJECTS_TABLE
from warehouse.runs import SourceCounts
from warehouse.site_rules import learn_pending, with_learned_boilerplate

__all__ = ["RunSummary", "ingest_files"]

FLOW_NAME = "ingest_files"
DOWNLOADS = ".downloads"  # hidden: no reader lists it
_MIB = 1024 * 1024


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
    raw_pages_written: int = 0
    exact_duplicates: int = 0  # written rows whose body another article already had
    near_duplicates: int = 0  # written rows that joined an earlier near-duplicate cluster
    new_versions: int = 0  # written rows that are a changed body of a stored URL
    # of documents_seen: passed over unread, their outcome committed by an earlier run
    already_stored: int = 0

    @property
    def rejects(self) -> int:
        return sum(self.rejects_by_reason.values())


@flow(name=FLOW_NAME)
def ingest_files(
    paths: list[str],
    warehouse: str = "data/warehouse",
    source: str | None = None,
    batch_size: int = 100,
    rows_per_file: int = 5_000,
    min_words: int = 20,
    show_progress: bool = False,
    workers: int | None = None,
    dask_address: str | None = None,
    split_mb: float = 16.0,
    keep_raw: bool = False,
    site_share: float = DEFAULT_SHARE,
    site_min_articles: int = DEFAULT_MIN_ARTICLES,
) -> RunSummary:
    """Ingest article files (txt, html, jsonl, csv, optionally gzipped; web archives).

    `paths` are local files or folders, or URLs of files (https://, s3://...),
    which are copied locally first and located by their URL.

    The batches run on every core in a process pool when the input is large
    enough, on threads otherwise (`flows.runners`); `workers` sets the
    number of processes (1: threads), `dask_address` runs them on an
    existing Dask cluster instead.
    `keep_raw` stores web-archive payloads in `raw_pages` (the locator
    `file#offset=N` points into the archive either way). Fails only when the
    warehouse cannot be written; bad documents become rows in the rejects
    table and the run goes on. Paragraphs that recur in `site_share` of a
    source's articles (once it has `site_min_articles`) are learned as that
    site's boilerplate when the run commits, and removed from later runs.
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
        "workers": workers,
        "dask_address": dask_address,
        "split_mb": split_mb,
        "keep_raw": keep_raw,
        "site_share": site_share,
        "site_min_articles": site_min_articles,
    }
    store = open_warehouse(warehouse)
    split_bytes = max(1, int(split_mb * _MIB))
    record = RunRecord(run_id, FLOW_NAME, parameters, started_at=datetime.now(UTC))
    write_run(store, record)
    commit: Committer | None = None
    files: list[Path] = []
    try:
        files = list_inputs([Path(p) for p in paths if not is_remote(p)])
        copies, unreachable = _fetch_remote(
            [p for p in paths if is_remote(p)], store, source, logger
        )
        files += list(copies)
        reading = _plan_reading(store, files, copies)
        choice = choose_runner(workers, dask_address, _total_bytes(reading.files))
        share = _task_share(choice, _total_bytes(reading.files), split_bytes)
        plan = plan_parts(reading.files, split_bytes=share, labels=copies, resume=reading.resume_at)
        batches = plan_batches(plan, batch_size, share)
        logger.info(
            "run %s: %d files (%d unchanged, not read again) in %d batches on %s -> %s",
            run_id,
            len(files),
            len(files) - len(reading.files),
            len(batches),
            choice,
            warehouse,
        )
        writer = BatchWriter(
            store,
            run_id=run_id,
            articles_index=KeyIndex.from_table(store, ARTICLES_TABLE, "article_id"),
            rejects_index=KeyIndex.from_table(store, REJECTS_TABLE, "reject_id"),
            default_source=source,
        )
        raw_index = KeyIndex.from_table(store, RAW_PAGES_TABLE, "url") if keep_raw else None
        commit = Committer(
            store,
            writer,
            run_id=run_id,
            rows_per_file=max(1, rows_per_file),
            raw_index=raw_index,
            progress=reading.log(store, run_id, plan),
        )
        commit.passed_over(reading.plan.passed_over)
        if unreachable:
            commit.add(CleanedBatch(rejects=unreachable))
        done = ResumePoints(store, files)
        # the learned site boilerplate: a snapshot, fixed for the whole run
        settings = with_learned_boilerplate(
            store,
            CleanSettings(
                min_words=min_words,
                default_source=source,
                site_share=site_share,
                site_min_articles=site_min_articles,
            ),
        )
        with (
            ProgressReporter(total_files=len(files), enabled=show_progress) as progress,
            task_runner(choice) as (runner, slots),
        ):

            def submit(number: int, parts: Batch) -> PrefectFuture[CleanedBatch]:
                arguments = {
                    "number": number,
                    "parts": parts,
                    "settings": settings,
                    "run_id": run_id,
                    "done": done.within(parts),
                    "keep_raw": keep_raw,
                    "similarity": writer.similarity,
                }
                future: PrefectFuture[CleanedBatch] = runner.submit(extract_batch, arguments)
                return future

            for parts, batch in in_order(submit, batches, window=2 * slots):
                commit.add(batch, parts)
                progress.advance(files=sum(p.last for p in parts), documents=batch.documents)
        commit.flush()
        # counts this run's committed articles, and those of runs killed before
        # counting (a rerun of a killed run thus cleans as the killed run did)
        learn_pending(store)
        shutil.rmtree(_downloads(store), ignore_errors=True)  # all committed
    except BaseException:
        _record_failure(store, record, commit, len(files), started, logger)
        raise

    summary = _summary(commit, run_id, warehouse, len(files), started)
    write_run(store, final_record(record, summary))
    publish_warehouse_figures(store, run_id, logger)
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


def _fetch_remote(
    specs: list[str], store: Warehouse, source: str | None, logger: Any
) -> tuple[dict[Path, str], list[Reject]]:
    """Local copies of the inputs named by URL (path -> URL), and a reject for each
    that cannot be fetched. Copies live in `_downloads(store)` until the run
    completes, so a rerun after a crash reuses them."""
    copies: dict[Path, str] = {}
    unreachable: list[Reject] = []
    for spec in specs:
        try:
            copies[download(spec, _downloads(store))] = spec
        except UnreadableError as exc:
            logger.warning("%s", exc.detail)
            unreachable.append(Reject(spec, exc.reason, exc.detail, source))
    return copies, unreachable


def summary_rows(summary: RunSummary) -> list[dict[str, Any]]:
    """The run's counts as (measure, value) rows, for the artifact and the CLI table."""
    rows: list[dict[str, Any]] = [
        {"measure": "files", "value": summary.files},
        {"measure": "documents seen", "value": summary.documents_seen},
        *(
            [{"measure": "  already stored (not read again)", "value": summary.already_stored}]
            if summary.already_stored
            else []
        ),
        {"measure": "articles written", "value": summary.articles_written},
        {"measure": "duplicates skipped", "value": summary.duplicates_skipped},
        {"measure": "rejects", "value": summary.rejects},
    ]
    rows += [
        {"measure": measure, "value": value}
        for measure, value in (
            ("  of the articles: exact copies of another", summary.exact_duplicates),
            ("  of the articles: near-duplicates (clustered)", summary.near_duplicates),
            ("  of the articles: new versions of a stored URL", summary.new_versions),
        )
        if value
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
    if summary.raw_pages_written:
        rows.append({"measure": "raw pages kept", "value": summary.raw_pages_written})
    rows.append({"measure": "elapsed seconds", "value": round(summary.elapsed_seconds, 2)})
    return rows


def _record_failure(
    store: Warehouse,
    record: RunRecord,
    commit: Committer | None,
    files: int,
    started: float,
    logger: Any,
) -> None:
    """Mark the run failed with the counts of what was committed, never masking the cause."""
    if commit is None:
        summary = RunSummary(record.run_id, str(store.root), files, 0, 0, 0, {}, 0.0)
    else:
        summary = _summary(commit, record.run_id, str(store.root), files, started)
    try:
        write_run(store, final_record(record, replace(summary, status=RunStatus.FAILED)))
    except Exception:
        logger.exception("could not record the failed run %s", record.run_id)


def _summary(
    commit: Committer, run_id: str, warehouse: str, files: int, started: float
) -> RunSummary:
    return RunSummary(
        run_id=run_id,
        warehouse=warehouse,
        files=files,
        documents_seen=commit.documents,
        articles_written=commit.written.articles_written,
        duplicates_skipped=commit.written.duplicates_skipped,
        rejects_by_reason=dict(commit.reasons),
        elapsed_seconds=time.perf_counter() - started,
        rejects_new=commit.written.rejects_written,
        batches=commit.batches,
        records_skipped=dict(commit.skipped),
        raw_pages_written=commit.raw_pages_written,
        exact_duplicates=commit.written.exact_duplicates,
        near_duplicates=commit.written.near_duplicates,
        new_versions=commit.written.new_versions,
        already_stored=commit.already_stored,
    )


def current_run_id() -> str:
    context = get_run_context()
    flow_run = getattr(context, "flow_run", None)
    return str(flow_run.id) if flow_run is not None else datetime.now(UTC).strftime("%Y%m%dT%H%M%S")


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
        exact_duplicates=summary.exact_duplicates,
        near_duplicates=summary.near_duplicates,
        new_versions=summary.new_versions,
        already_stored=summary.already_stored,
    )


def _downloads(store: Warehouse) -> Path:
    """Where copies of remote inputs wait: `<warehouse>/.downloads/`, or, for a
    warehouse in object storage, a folder of the machine's temporary space
    named after the warehouse (readers of archives need a local, seekable file)."""
    if isinstance(store.root, Path):
        return store.root / DOWNLOADS
    digest = hashlib.sha256(str(store.root).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"news-etl-downloads-{digest}"


def _total_bytes(files: list[Path]) -> int:
    return sum(f.stat().st_size for f in files if f.is_file())


def _task_share(choice: Runner, total: int, split_bytes: int) -> int:
    """Bytes of input per task: `split_bytes`, less on a process pool so that each
    worker gets about four tasks (an input of two 16 MiB ranges would otherwise
    leave cores idle at the end), but not under 1 MiB unless asked for (a task
    costs Prefect about 0.1 s of CPU)."""
    if choice.kind is not RunnerKind.PROCESSES:
        return split_bytes
    return min(split_bytes, max(total // (4 * choice.workers), _MIB))


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a run reads of its inputs, given the progress earlier runs recorded."""

    files: list[Path]  # the inputs to read (whole or from `resume_at`)
    resume_at: dict[Path, tuple[int, int]]
    plan: ResumePlan
    stamps: dict[str, FileStamp]
    progress: dict[str, InputProgress]

    def log(self, store: Warehouse, run_id: str, parts: list[FilePart]) -> ProgressLog:
        resumed = {name: self.progress[name] for name in self.plan.resume}
        return ProgressLog(store, run_id, self.stamps, parts, resumed)


def _plan_reading(store: Warehouse, files: list[Path], copies: dict[Path, str]) -> _Reading:
    """Inputs complete and unchanged since a run committed them are not read; partly
    committed ones resume after their last committed range. Remote inputs are
    read again (their local copy is new each run)."""
    stamps = {str(f): stamp(f) for f in files if f not in copies}
    progress = read_progress(store)
    plan = plan_resume(progress, stamps)
    return _Reading(
        files=[f for f in files if not plan.skips(str(f))],
        resume_at={Path(name): at for name, at in plan.resume.items()},
        plan=plan,
        stamps={name: s for name, s in stamps.items() if s is not None},
        progress=progress,
    )
