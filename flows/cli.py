"""`news-etl` command line: a thin shell over the Prefect flows.

Exit codes: 0 the run completed (bad documents are rejects, not failures);
1 the infrastructure failed (the warehouse could not be written); 2 the
command was used wrongly (a missing input path, a bad option).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from extractors.sources import ConfigError, load_config
from flows.prefect_env import apply_defaults
from transforms.normalise import parse_timestamp
from warehouse import WarehouseError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="news-etl", description="Load news articles, clean them, write Parquet tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser(
        "ingest",
        help="ingest local files and folders (txt, html, jsonl, csv, optionally .gz; "
        "warc/arc archives), or the web sources of a --config file",
    )
    ingest.add_argument("paths", nargs="*", type=Path, help="files or folders (recursive)")
    ingest.add_argument(
        "--config", type=Path, default=None, help="a sources.toml: scrape its web sources"
    )
    ingest.add_argument(
        "--refresh",
        action="store_true",
        help="with --config: fetch pages again even if their URL is already stored",
    )
    ingest.add_argument(
        "--warehouse", default="data/warehouse", help="warehouse root (default: %(default)s)"
    )
    ingest.add_argument(
        "--source",
        action="append",
        default=[],
        help="with --config: only this source (repeatable); with paths: the source name "
        "for documents that do not state one",
    )
    ingest.add_argument(
        "--batch-size", type=_positive, default=25, help="files per Prefect task (%(default)s)"
    )
    ingest.add_argument(
        "--min-words", type=_positive, default=20, help="shorter bodies are rejected (%(default)s)"
    )
    ingest.add_argument(
        "--rows-per-file",
        type=_positive,
        default=5_000,
        help="rows buffered before a Parquet file is written (%(default)s)",
    )
    ingest.add_argument("--quiet", action="store_true", help="no progress bar or summary table")

    again = commands.add_parser(
        "reprocess",
        help="re-run extraction and cleaning over stored raw pages (no network)",
    )
    again.add_argument(
        "--warehouse", default="data/warehouse", help="warehouse root (default: %(default)s)"
    )
    again.add_argument("--since", default=None, help="only pages fetched at or after this date")
    again.add_argument(
        "--min-words", type=_positive, default=20, help="shorter bodies are rejected (%(default)s)"
    )
    again.add_argument("--quiet", action="store_true", help="no summary table")

    status = commands.add_parser(
        "status", help="the last runs and how fresh each source is (no Prefect needed)"
    )
    status.add_argument(
        "--warehouse", default="data/warehouse", help="warehouse root (default: %(default)s)"
    )
    status.add_argument("--runs", type=_positive, default=10, help="runs to show (%(default)s)")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "reprocess":
        return _reprocess(args)
    if args.command == "status":
        from flows.status import print_status

        try:
            print_status(Path(args.warehouse), runs=args.runs)
        except WarehouseError as exc:
            print(f"news-etl: cannot read the warehouse: {exc}", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK
    if bool(args.paths) == bool(args.config):
        parser.error("ingest takes either PATH... or --config FILE")
    if args.paths:
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:
            print(f"news-etl: no such file or folder: {', '.join(missing)}", file=sys.stderr)
            return EXIT_USAGE
        if len(args.source) > 1:
            parser.error("with paths, --source names the one source of those files")
    else:
        try:  # a malformed config fails here, before any network traffic
            load_config(args.config).select(args.source)
        except ConfigError as exc:
            print(f"news-etl: {exc}", file=sys.stderr)
            return EXIT_USAGE

    apply_defaults()
    # imported late: Prefect reads its settings on import
    from flows.ingest import ingest_files
    from flows.ingest_web import ingest_sources
    from flows.summary import print_summary

    logging.getLogger("prefect").setLevel(logging.WARNING if args.quiet else logging.INFO)
    # trafilatura logs its internal fallbacks (readability on odd markup) as warnings;
    # they say nothing actionable about the run.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        if args.config:
            summary = ingest_sources(
                config=str(args.config),
                sources=args.source,
                warehouse=args.warehouse,
                refresh=args.refresh,
                min_words=args.min_words,
            )
        else:
            summary = ingest_files(
                paths=[str(p) for p in args.paths],
                warehouse=args.warehouse,
                source=args.source[0] if args.source else None,
                batch_size=args.batch_size,
                rows_per_file=args.rows_per_file,
                min_words=args.min_words,
                show_progress=not args.quiet,
            )
    except WarehouseError as exc:
        print(f"news-etl: cannot use the warehouse: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:
        print(
            f"news-etl: run failed on an unexpected error (a bug: please report it with "
            f"this message): {type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if not args.quiet:
        print_summary(summary)
    return EXIT_OK


def _reprocess(args: argparse.Namespace) -> int:
    apply_defaults()
    from flows.reprocess import reprocess
    from flows.summary import print_summary

    if args.since and parse_timestamp(args.since) is None:
        print(f"news-etl: --since {args.since!r} is not a date, e.g. 2026-11-01", file=sys.stderr)
        return EXIT_USAGE
    logging.getLogger("prefect").setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        summary = reprocess(warehouse=args.warehouse, since=args.since, min_words=args.min_words)
    except WarehouseError as exc:
        print(f"news-etl: cannot use the warehouse: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not args.quiet:
        print_summary(summary)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
