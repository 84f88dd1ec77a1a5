"""`news-etl eval`: the quality measure from the command line, without Prefect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pipeline.evaluate
from flows.cli import main
from flows.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from pipeline.evaluate import Evaluation, Half, evaluate, labelled_folder, load_pages


def test_eval_prints_both_halves_beside_trafilatura(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both halves by default: pipeline vs both trafilatura settings, ablation on tune only."""
    assert main(["eval", "--corpus", str(corpus), "--limit", "3", "--worst", "2"]) == EXIT_OK
    out = capsys.readouterr().out
    tune, validation = out.split("== validation half: ")
    assert "== tune half: 3 labelled pages of" in tune
    assert validation.startswith("3 labelled pages of")
    for system in ("pipeline", "trafilatura (default)", "trafilatura (no comments)"):
        assert f"\n{system} " in tune and f"\n{system} " in validation
    assert "per-rule contribution" in tune
    assert "per-rule contribution" not in validation
    assert "loses most per-page F1 vs trafilatura (no comments)" in validation
    summary = out.split("== pipeline against trafilatura without comments, by half ==")[1]
    assert "\ntune " in summary and "\nvalidation " in summary


def test_eval_scores_one_half_when_asked(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--half validation` scores that half alone."""
    args = ["eval", "--corpus", str(corpus), "--limit", "2", "--half", "validation"]
    assert main(args) == EXIT_OK
    out = capsys.readouterr().out
    assert "== validation half: 2 labelled pages" in out and "tune half" not in out


def test_eval_without_labels_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder without ground-truth.json says what to pass instead."""
    assert main(["eval", "--corpus", str(tmp_path)]) == EXIT_USAGE
    assert "--corpus" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--allow-lower"], "only goes with --update-floors"),
        (["--update-floors", "--limit", "3"], "drop --limit"),
    ],
)
def test_floor_options_that_cannot_work_are_usage_errors(
    corpus: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """--allow-lower alone, or a partial measurement for the floors, is refused up front."""
    assert main(["eval", "--corpus", str(corpus), *args]) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_update_floors_writes_raises_and_refuses_to_lower(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command writes floors, keeps them on the same figures, and loosens only when told."""
    pages = list(load_pages(labelled_folder(corpus), 3, half=Half.VALIDATION))

    def small_gate(folder: Path) -> Evaluation:
        return evaluate(pages, contributions=False)

    floors = tmp_path / "floors.json"
    monkeypatch.setattr(pipeline.evaluate, "gate_evaluation", small_gate)
    monkeypatch.setattr(pipeline.evaluate, "FLOORS_FILE", floors)
    update = ["eval", "--corpus", str(corpus), "--update-floors"]
    assert main(update) == EXIT_OK
    written = floors.read_text("utf-8")
    assert main(update) == EXIT_OK  # same pages, same figures: nothing loosens
    assert floors.read_text("utf-8") == written
    data = json.loads(written)
    data["measures"]["pipeline.f1"]["limit"] = 1.0  # a floor no measurement can reach
    floors.write_text(json.dumps(data), "utf-8")
    assert main(update) == EXIT_FAILED
    assert json.loads(floors.read_text("utf-8"))["measures"]["pipeline.f1"]["limit"] == 1.0
    assert main([*update, "--allow-lower"]) == EXIT_OK
    assert json.loads(floors.read_text("utf-8")) == json.loads(written)
