"""The command line: subcommands are discovered, usage errors exit 2 before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import EXIT_USAGE, build_parser, main

SAMPLES = str(Path(__file__).resolve().parents[2] / "samples")
EXAMPLE = str(Path(__file__).resolve().parents[2] / "sources.example.toml")


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
