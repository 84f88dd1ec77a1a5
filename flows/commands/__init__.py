"""One module per `news-etl` subcommand, found by `flows.cli` at start-up.

Each module defines `NAME`, `HELP`, `ORDER` (its place in `--help`),
`add_arguments(parser)` and `run(args) -> int` (an exit code from
`flows.commands.common`). Prefect and other heavy imports belong inside
`run`, so `news-etl --help` stays fast and settings apply before Prefect loads.
"""
