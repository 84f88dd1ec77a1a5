"""One module per `news-etl` subcommand, found by `flows.cli` at start-up.

Each module defines `NAME`, `HELP`, `ORDER` (its place in `--help`),
`add_arguments(parser)` and `run(args) -> int` (an exit code from
`flows.commands.common`). Every module is imported for `news-etl --help`, so
its module level imports only the standard library, `flows.commands.common`
and `flows.prefect_env` (`tests/flows/test_cli.py` checks that help loads no
Prefect, pyarrow, trafilatura, datasketch or DuckDB). `add_arguments` runs
only for the chosen command and may import what its defaults come from;
Prefect and other heavy imports belong inside `run`, so settings apply before
Prefect loads.
"""
