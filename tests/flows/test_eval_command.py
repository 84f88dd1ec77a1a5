"""`news-etl eval`: the quality measure from the command line, without Prefect."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main
from flows.commands.common import EXIT_OK, EXIT_USAGE


def test_eval_prints_the_comparison_and_rule_contributions(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a few labelled pages it prints pipeline vs both trafilatura settings and per-rule rows."""
    assert main(["eval", "--corpus", str(corpus), "--limit", "3", "--worst", "2"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "3 labelled pages of" in out
    for system in ("pipeline", "trafilatura (default)", "trafilatura (no comments)"):
        assert f"\n{system} " in out
    assert "per-rule contribution" in out


def test_eval_without_labels_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder without ground-truth.json says what to pass instead."""
    assert main(["eval", "--corpus", str(tmp_path)]) == EXIT_USAGE
    assert "--corpus" in capsys.readouterr().err
