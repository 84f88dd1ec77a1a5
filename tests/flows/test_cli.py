"""The command line: subcommands are discovered, usage errors exit 2 before any work."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from flows.cli import EXIT_USAGE, _command_modules, build_parser, main

REPO = Path(__file__).resolve().parents[2]
SAMPLES = str(REPO / "samples")
EXAMPLE = str(REPO / "sources.example.toml")

# Each costs 0.1-1 s to import (`python -X importtime`); none is needed to show help.
HEAVY = ("prefect", "pyarrow", "trafilatura", "datasketch", "duckdb")

# Runs `main(argv)` in a fresh interpreter, then reports what it imported.
_PROBE = """
import json, sys
from flows.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit_:
    code = exit_.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after(argv: list[str]) -> tuple[object, set[str]]:
    """Exit code and top-level packages imported by `news-etl ARGV` in a new process."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    return report["code"], {name.partition(".")[0] for name in report["modules"]}


def test_every_command_module_is_a_subcommand() -> None:
    import pkgutil

    import flows.commands

    modules = {m.name for m in pkgutil.iter_modules(flows.commands.__path__)} - {"common"}
    help_text = build_parser().format_help()
    for name in modules:
        assert name in help_text


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest"],  # neither paths nor --config
        ["ingest", SAMPLES, "--config", EXAMPLE],  # both
        ["ingest", "no/such/folder"],
        ["ingest", SAMPLES, "--source", "a", "--source", "b"],
        ["reprocess", "--since", "not a date"],
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--warehouse", str(tmp_path / "w")]) == EXIT_USAGE
    assert capsys.readouterr().err.startswith("news-etl: ")
    assert not (tmp_path / "w").exists()


def test_bad_option_value_is_an_argparse_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", SAMPLES, "--batch-size", "0"])
    assert exit_info.value.code == 2


@pytest.mark.parametrize("argv", [["--help"], ["ingest", "--help"], ["status", "--help"]])
def test_help_imports_no_heavy_module(argv: list[str]) -> None:
    """Help is shown without importing Prefect, pyarrow, trafilatura, datasketch or DuckDB."""
    code, imported = _modules_after(argv)
    assert code == 0
    assert "flows" in imported  # the probe did run the CLI
    assert sorted(imported.intersection(HEAVY)) == []


def test_status_imports_only_what_it_reads_with(tmp_path: Path) -> None:
    """`status` loads pyarrow to read the tables, and nothing of ingestion or SQL."""
    code, imported = _modules_after(["status", "--warehouse", str(tmp_path / "w")])
    assert code == 0
    assert "pyarrow" in imported  # the probe sees what a command imports
    assert sorted(imported.intersection(HEAVY) - {"pyarrow"}) == []


@pytest.mark.parametrize("command", _command_modules(), ids=lambda m: str(m.NAME))
def test_each_command_help_is_complete(
    command: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    """A command's arguments, added only when it is chosen, all show in its --help."""
    with pytest.raises(SystemExit) as exit_info:
        main([command.NAME, "--help"])
    assert exit_info.value.code == 0
    eager = argparse.ArgumentParser(prog=f"news-etl {command.NAME}", description=command.HELP)
    command.add_arguments(eager)
    assert capsys.readouterr().out == eager.format_help()
