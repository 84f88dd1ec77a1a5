"""`news-etl ingest`: local files and archives, or the web sources of a config."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from flows.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    add_min_words,
    add_runner,
    add_warehouse,
    fail,
    positive,
    quiet_libraries,
    runner_usage_error,
)
from flows.defaults import FILE_RUN, WEB_RUN
from flows.prefect_env import apply_defaults

if TYPE_CHECKING:
    from flows.ledger import RunSummary

NAME = "ingest"
ORDER = 10
HELP = (
    "ingest local files and folders (txt, html, jsonl, csv, optionally .gz; "
    "warc/arc archives), or the web sources of a --config file"
)


def add_arguments(ingest: argparse.ArgumentParser) -> None:
    ingest.add_argument(
        "paths",
        nargs="*",
        help="files or folders (recursive), or URLs of files (https://..., s3://...)",
    )
    ingest.add_argument(
        "--config", type=Path, default=None, help="a sources.toml: scrape its web sources"
    )
    _web_arguments(ingest)
    add_warehouse(ingest)
    ingest.add_argument(
        "--source",
        action="append",
        default=[],
        help="with --config: only this source (repeatable); with paths: the source name "
        "for documents that do not state one",
    )
    _file_run_arguments(ingest)
    add_min_words(ingest)
    ingest.add_argument("--quiet", action="store_true", help="no progress bar or summary table")


def _web_arguments(ingest: argparse.ArgumentParser) -> None:
    """Options of a web run (`--config`)."""
    ingest.add_argument(
        "--refresh",
        action="store_true",
        help="with --config: fetch pages again even if their URL is already stored",
    )
    ingest.add_argument(
        "--since",
        default=None,
        help="with --config: leave listed URLs dated before this date (e.g. 2026-11-01) unfetched",
    )
    ingest.add_argument(
        "--max-articles",
        type=positive,
        default=None,
        help="with --config: URLs taken per source this run (overrides the config)",
    )
    ingest.add_argument(
        "--permanent-reject-days",
        type=int,
        default=WEB_RUN.permanent_reject_days,
        metavar="DAYS",
        help="with --config: a URL rejected for good (410, too large, not HTML...) is not "
        "fetched again for this many days (%(default)s; --refresh fetches it anyway)",
    )


def _file_run_arguments(ingest: argparse.ArgumentParser) -> None:
    """How a file run cuts its input into tasks, where tasks run (web runs too), what is kept."""
    ingest.add_argument(
        "--batch-size",
        type=positive,
        default=FILE_RUN.batch_size,
        help="at most this many small files per Prefect task (%(default)s)",
    )
    ingest.add_argument(
        "--split-mb",
        type=float,
        default=FILE_RUN.split_mb,
        help="a task's share of input: small files up to this many MiB together, and "
        ".warc.gz/.arc.gz or plain .jsonl files larger than this cut into ranges of it, "
        "one task each (%(default)s)",
    )
    add_runner(
        ingest,
        "every core, or threads for inputs under 4 MiB; with --config: threads, and pages "
        "are fetched here either way",
    )
    ingest.add_argument(
        "--keep-raw",
        action="store_true",
        help="store web-archive payloads in raw_pages too (default: the locator file#offset=N "
        "points into the archive)",
    )
    ingest.add_argument(
        "--rows-per-file",
        type=positive,
        default=FILE_RUN.rows_per_file,
        help="rows buffered before a Parquet file is written (%(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    from warehouse import WarehouseError

    if (usage := _usage_error(args)) is not None:
        return fail(usage, EXIT_USAGE)
    apply_defaults()
    # imported late: Prefect reads its settings on import
    from flows.local_server import ServerStartError, temporary_api
    from flows.summary import print_summary

    quiet_libraries(args.quiet)
    try:
        with temporary_api():
            summary = _ingest(args)
    except ServerStartError as exc:
        return fail(str(exc))
    except (WarehouseError, OSError) as exc:  # OSError: the store itself (unreachable, denied)
        return fail(f"cannot use the warehouse: {exc}")
    except Exception as exc:
        return fail(
            f"run failed on an unexpected error (a bug: please report it with "
            f"this message): {type(exc).__name__}: {exc}",
            EXIT_FAILED,
        )
    if not args.quiet:
        print_summary(summary)
    return EXIT_OK


def _usage_error(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line, before Prefect or the network is touched."""
    from extractors.remote import is_remote
    from extractors.sources import ConfigError, load_config
    from transforms.normalise import parse_timestamp

    if bool(args.paths) == bool(args.config):
        return "ingest takes either PATH... or --config FILE"
    if problem := runner_usage_error(args):
        return problem
    if args.paths:
        missing = [p for p in args.paths if not is_remote(p) and not Path(p).exists()]
        if missing:
            return f"no such file or folder: {', '.join(missing)}"
        if len(args.source) > 1:
            return "with paths, --source names the one source of those files"
        if not args.split_mb > 0:
            return f"--split-mb must be more than 0, got {args.split_mb}"
        return None
    if args.since and parse_timestamp(args.since) is None:
        return f"--since {args.since!r} is not a date, e.g. 2026-11-01"
    try:  # a malformed config fails here, before any network traffic
        load_config(args.config).select(args.source)
    except ConfigError as exc:
        return str(exc)
    return None


def _ingest(args: argparse.Namespace) -> RunSummary:
    """Run the web flow (`--config`) or the file flow, with the command line's options."""
    from flows.ingest import ingest_files
    from flows.ingest_web import ingest_sources

    if args.config:
        return ingest_sources(
            config=str(args.config),
            sources=args.source,
            warehouse=args.warehouse,
            refresh=args.refresh,
            min_words=args.min_words,
            since=args.since,
            max_articles=args.max_articles,
            permanent_reject_days=args.permanent_reject_days,
            workers=args.workers,
            dask_address=args.dask_address,
        )
    return ingest_files(
        paths=list(args.paths),
        warehouse=args.warehouse,
        source=args.source[0] if args.source else None,
        batch_size=args.batch_size,
        rows_per_file=args.rows_per_file,
        min_words=args.min_words,
        show_progress=not args.quiet,
        workers=args.workers,
        dask_address=args.dask_address,
        split_mb=args.split_mb,
        keep_raw=args.keep_raw,
    )
