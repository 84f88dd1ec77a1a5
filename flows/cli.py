"""`news-etl` command line: a thin shell over the Prefect flows.

Subcommands live in `flows/commands/`, one module each, found at start-up.
Exit codes: 0 the run completed (bad documents are rejects, not failures);
1 the infrastructure failed (the warehouse could not be written); 2 the
command was used wrongly (a missing input path, a bad option).

Start-up stays cheap (issue 13: `news-etl --help` in under 0.5 s, from 2.0 s
measured by `bench/cli_start.py`): every command module is imported for its
name and one-line help, which needs only light imports, but only the chosen
command adds its arguments, whose defaults and choices may come from heavy
modules (`warehouse.analysts.query.EXAMPLES` loads pyarrow), and runs.
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
    """Each subcommand's module, in `--help` order; their module-level imports are light."""
    modules = []
    for info in pkgutil.iter_modules(flows.commands.__path__):
        module = importlib.import_module(f"flows.commands.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            modules.append(module)
    return sorted(modules, key=lambda m: (m.ORDER, m.NAME))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command's name and help; the arguments of `command` only.

    Adding the other commands' arguments would import what their defaults come
    from, for a command that does not run.
    """
    parser = argparse.ArgumentParser(
        prog="news-etl", description="Load news articles, clean them, write Parquet tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in _command_modules():
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        if command == module.NAME:
            module.add_arguments(sub)
            sub.set_defaults(handler=module.run)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand argparse will choose: the first word that is not an option.

    The top-level parser has no option that takes a value (only -h), so no
    option's value can be mistaken for the command.
    """
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_command_in(words)).parse_args(words)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
