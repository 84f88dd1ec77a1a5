"""The `ingest_files` flow: local files -> cleaned articles -> the warehouse.

`paths` are local files or folders, or URLs of files (https://, s3://...),
copied locally first and located by their URL. The input is cut into
batches (`extractors.parts`, `flows.batches`): up to `batch_size` small
files or about `split_mb` MiB of them, or one byte range of a large web
archive or JSONL file, so that every batch carries seconds of work (a task
run costs about 10 ms on threads and 0.2-0.3 s on Dask, and a local server
drops events past about 10k task runs in a burst). A task reads, extracts
and cleans one batch and returns its articles and rejects; it writes
nothing. The batches run on every core in a process pool when the input is
large enough, on threads otherwise (`flows.runners`); `workers` sets the
number of processes (1: threads), `dask_address` runs them on an existing
Dask cluster instead.

The flow commits the batches' results in batch order as they complete,
through the same `Committer` as the web flow (`flows.commit`), writing
every `rows_per_file` rows, so dedup is exact whichever runner ran the
tasks, the output does not depend on which batch finished first, and
reruns, and reruns after a crash, add no duplicate rows. At most two
batches per task slot are submitted and not yet committed, so memory stays
flat however large the input.

`keep_raw` stores web-archive payloads in `raw_pages` (the locator
`file#offset=N` points into the archive either way). Paragraphs that recur
in `site_share` of a source's articles (once it has `site_min_articles`)
are learned as that site's boilerplate when the run commits, and removed
from later runs.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.futures import PrefectFuture

from extractors.errors import UnreadableError
from extractors.files import list_inputs
from extractors.parts import FilePart, plan_parts
from extractors.records import Reject
from extractors.remote import download, is_remote
from flows.artifacts import publish_warehouse_figures
from flows.batches import Batch, ProgressLog, ResumePoints, in_order, plan_batches
from flows.commit import Committer, summarise
from flows.defaults import CLEANING, FILE_RUN, WAREHOUSE
from flows.extract_task import extract_batch
from flows.ledger import RunLedger, RunSummary, run_ledger
from flows.progress import ProgressReporter
from flows.runners import Runner, RunnerKind, choose_runner, task_runner
from flows.site_learning import learn_pending, with_learned_boilerplate
from flows.summary import summary_rows
from pipeline.clean import CleanedBatch
from transforms.article import CleanSettings
from warehouse import KeyIndex, Warehouse
from warehouse.inputs import FileStamp, InputProgress, ResumePlan, plan_resume, read_progress, stamp
from warehouse.layout import RAW_PAGES_TABLE

__all__ = ["ingest_files"]

FLOW_NAME = "ingest_files"
DOWNLOADS = ".downloads"  # hidden: no reader lists it
_MIB = 1024 * 1024


@flow(name=FLOW_NAME)
def ingest_files(
    paths: list[str],
    warehouse: str = WAREHOUSE,
    source: str | None = None,
    batch_size: int = FILE_RUN.batch_size,
    rows_per_file: int = FILE_RUN.rows_per_file,
    min_words: int = CLEANING.min_words,
    show_progress: bool = False,
    workers: int | None = None,
    dask_address: str | None = None,
    split_mb: float = FILE_RUN.split_mb,
    keep_raw: bool = False,
    site_share: float = CLEANING.site_share,
    site_min_articles: int = CLEANING.site_min_articles,
) -> RunSummary:
    """Ingest article files (txt, html, jsonl, csv, optionally gzipped; web archives); bad
    documents become rejects and the run goes on (the options: the module docstring)."""
    parameters = {k: v for k, v in locals().items() if k != "show_progress"}
    logger = get_run_logger()
    clean = CleanSettings(min_words, default_source=source, site_share=site_share,
                          site_min_articles=site_min_articles)  # fmt: skip
    with run_ledger(FLOW_NAME, warehouse, parameters) as ledger:
        store = ledger.store
        inputs = _gather(paths, store, source, logger)
        run = _plan_run(store, inputs, workers, dask_address, split_mb, batch_size)
        logger.info("run %s: %s -> %s", ledger.run_id, run.described(), warehouse)
        commit = _committer(ledger, run, source, keep_raw, rows_per_file)
        # the learned site boilerplate: a snapshot, fixed for the whole run
        shared = {"settings": with_learned_boilerplate(store, clean), "keep_raw": keep_raw}
        with ProgressReporter(total_files=len(inputs.files), enabled=show_progress) as progress:
            _extract_and_commit(ledger, run, commit, shared, progress)
        commit.flush()
        # counts this run's committed articles, and those of runs killed before
        # counting (a rerun of a killed run thus cleans as the killed run did)
        learn_pending(store)
        shutil.rmtree(_downloads(store), ignore_errors=True)  # all committed
    _report(ledger, logger)
    return ledger.summary


@dataclass(frozen=True, slots=True)
class _Inputs:
    """The run's input files: local ones, and local copies of those named by URL."""

    files: list[Path]
    copies: dict[Path, str]  # local copy -> the URL it was fetched from
    unreachable: list[Reject]  # a reject per URL that could not be fetched


@dataclass(frozen=True, slots=True)
class _Run:
    """What the run reads, on which runner, in which batches."""

    inputs: _Inputs
    reading: _Reading
    choice: Runner
    parts: list[FilePart]
    batches: list[Batch]

    def described(self) -> str:
        files = len(self.inputs.files)
        return (
            f"{files} files ({files - len(self.reading.files)} unchanged, not read again) "
            f"in {len(self.batches)} batches on {self.choice}"
        )


def _gather(paths: list[str], store: Warehouse, source: str | None, logger: Any) -> _Inputs:
    files = list_inputs([Path(p) for p in paths if not is_remote(p)])
    copies, unreachable = _fetch_remote([p for p in paths if is_remote(p)], store, source, logger)
    return _Inputs(files + list(copies), copies, unreachable)


def _plan_run(
    store: Warehouse,
    inputs: _Inputs,
    workers: int | None,
    dask_address: str | None,
    split_mb: float,
    batch_size: int,
) -> _Run:
    """What to read (passing over what earlier runs committed), the runner, the batches."""
    split_bytes = max(1, int(split_mb * _MIB))
    reading = _plan_reading(store, inputs.files, inputs.copies)
    choice = choose_runner(workers, dask_address, _total_bytes(reading.files))
    share = _task_share(choice, _total_bytes(reading.files), split_bytes)
    parts = plan_parts(
        reading.files, split_bytes=share, labels=inputs.copies, resume=reading.resume_at
    )
    return _Run(inputs, reading, choice, parts, plan_batches(parts, batch_size, share))


def _committer(
    ledger: RunLedger,
    run: _Run,
    source: str | None,
    keep_raw: bool,
    rows_per_file: int,
) -> Committer:
    """The run's committer, counting for the ledger from now on, told of the inputs
    passed over and of those that could not be fetched."""
    store = ledger.store
    commit = Committer.for_run(
        ledger,
        rows_per_file=rows_per_file,
        default_source=source,
        raw_index=KeyIndex.from_table(store, RAW_PAGES_TABLE, "url") if keep_raw else None,
        progress=run.reading.log(store, ledger.run_id, run.parts),
    )
    ledger.summarise = partial(summarise, ledger, commit, files=len(run.inputs.files))
    commit.passed_over(run.reading.plan.passed_over)
    if run.inputs.unreachable:
        commit.add(CleanedBatch(rejects=run.inputs.unreachable))
    return commit


def _extract_and_commit(
    ledger: RunLedger,
    run: _Run,
    commit: Committer,
    shared: dict[str, Any],
    progress: ProgressReporter,
) -> None:
    """Extract the batches on the run's task runner (`shared`: the arguments every
    task gets); commit each in batch order."""
    done = ResumePoints(ledger.store, run.inputs.files)
    with task_runner(run.choice) as (runner, slots):

        def submit(number: int, parts: Batch) -> PrefectFuture[CleanedBatch]:
            arguments = {
                **shared,
                "run_id": ledger.run_id,
                "number": number,
                "parts": parts,
                "done": done.within(parts),
                "similarity": commit.similarity,
            }
            future: PrefectFuture[CleanedBatch] = runner.submit(extract_batch, arguments)
            return future

        for parts, batch in in_order(submit, run.batches, window=2 * slots):
            commit.add(batch, parts)
            progress.advance(files=sum(p.last for p in parts), documents=batch.documents)


def _report(ledger: RunLedger, logger: Any) -> None:
    """The warehouse's figures, the run's log line and its table artifact."""
    summary, counts = ledger.summary, ledger.summary.counts
    publish_warehouse_figures(ledger.store, ledger.run_id, logger)
    logger.info(
        "run %s: %d documents, %d articles written, %d duplicates skipped, %d rejects %s",
        summary.run_id,
        counts.documents_seen,
        counts.articles_written,
        counts.duplicates_skipped,
        counts.rejects,
        counts.rejects_by_reason,
    )
    create_table_artifact(
        key="ingest-summary",
        table=summary_rows(summary),
        description=f"news-etl ingest run {summary.run_id}",
    )


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
