"""`news-etl` command line: a thin shell over the Prefect flows.

Subcommands live in `flows/commands/`, one module each, found at start-up.
Exit codes: 0 the run completed (bad documents are rejects, not failures);
1 the infrastructure failed (the warehouse could not be written); 2 the
command was used wrongly (a missing input path, a bad option).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

import flows.commands
from flows.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def _command_modules() -> list[ModuleType]:
    modules = []
    for info in pkgutil.iter_modules(flows.commands.__path__):
        module = importlib.import_module(f"flows.commands.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            modules.append(module)
    return sorted(modules, key=lambda m: (m.ORDER, m.NAME))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="news-etl", description="Load news articles, clean them, write Parquet tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in _command_modules():
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
