"""The gate's limits and their update rule: raise freely, loosen only when told to.

Plain figures in memory; the measurement itself is pinned by the gate in
`test_quality.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluate import (
    MEASURES,
    Bound,
    Limit,
    LoosenedFloorsError,
    propose_floors,
    read_floors,
    update_floors,
    write_floors,
)

_FIGURES = {
    "pipeline.f1": 0.9373,
    "pipeline.precision": 0.9308,
    "pipeline.recall": 0.9440,
    "margin.f1": 0.0051,
    "pipeline.with_kept_rate": 0.9450,
    "pipeline.without_left_rate": 0.0221,
    "pages.far_behind": 2.0,
}


def _with(**changes: float) -> dict[str, float]:
    return {**_FIGURES, **{name.replace("__", "."): value for name, value in changes.items()}}


def test_the_figures_name_every_measure() -> None:
    """The sample figures here cover the gate's measures, so the tests below mean all of them."""
    assert set(_FIGURES) == {measure.name for measure in MEASURES}


def test_limits_sit_just_inside_the_figures() -> None:
    """A floor sits its slack below the figure, a ceiling its slack above, rounded toward safety."""
    floors = propose_floors(_FIGURES, pages=384)
    assert floors.pages == 384
    for measure in MEASURES:
        limit = floors.limits[measure.name]
        figure = _FIGURES[measure.name]
        assert limit.bound is measure.bound
        assert limit.allows(figure)
        assert abs(limit.limit - figure) == pytest.approx(measure.slack, abs=1e-4)
    assert floors.limits["pipeline.f1"] == Limit(Bound.AT_LEAST, 0.9363, 0.9373)
    assert floors.limits["pipeline.without_left_rate"].limit == 0.0251
    assert floors.limits["pages.far_behind"].limit == 2.0  # a count has no slack


def test_the_same_figures_change_no_limit() -> None:
    """Measuring again with the same figures writes the same limits and loosens none."""
    current = propose_floors(_FIGURES, pages=384)
    floors, loosened = update_floors(current, _FIGURES, pages=384)
    assert (floors, loosened) == (current, [])


def test_better_figures_raise_the_limits() -> None:
    """Better figures tighten floors and ceilings alike, with no flag needed."""
    current = propose_floors(_FIGURES, pages=384)
    better = _with(pipeline__f1=0.95, pipeline__without_left_rate=0.01, pages__far_behind=0.0)
    floors, loosened = update_floors(current, better, pages=384)
    assert loosened == []
    assert floors.limits["pipeline.f1"].limit == 0.949
    assert floors.limits["pipeline.without_left_rate"].limit == 0.013
    assert floors.limits["pages.far_behind"].limit == 0.0


@pytest.mark.parametrize(
    ("measure", "worse"),
    [
        ("pipeline.f1", 0.93),  # a floor would drop
        ("margin.f1", -0.001),
        ("pipeline.without_left_rate", 0.03),  # a ceiling would rise
        ("pages.far_behind", 3.0),
    ],
)
def test_worse_figures_are_refused(measure: str, worse: float) -> None:
    """A limit that would loosen stops the update, and the error names it and the way out."""
    current = propose_floors(_FIGURES, pages=384)
    with pytest.raises(LoosenedFloorsError, match="--allow-lower") as caught:
        update_floors(current, {**_FIGURES, measure: worse}, pages=384)
    assert len(caught.value.loosened) == 1
    assert caught.value.loosened[0].startswith(f"{measure} ")


def test_worse_figures_are_written_when_allowed() -> None:
    """With allow_lower the looser limits are returned, and listed."""
    current = propose_floors(_FIGURES, pages=384)
    worse = _with(pipeline__f1=0.93, pipeline__recall=0.95)  # one drops, one rises
    floors, loosened = update_floors(current, worse, pages=384, allow_lower=True)
    assert floors.limits["pipeline.f1"].limit == 0.929
    assert floors.limits["pipeline.recall"].limit == 0.9485
    assert loosened == ["pipeline.f1 at least 0.9363 -> 0.929"]


def test_first_floors_need_no_flag() -> None:
    """With no floors file yet, every limit is new and none counts as loosened."""
    floors, loosened = update_floors(None, _FIGURES, pages=10)
    assert loosened == [] and set(floors.limits) == set(_FIGURES)


def test_floors_round_trip_through_the_file(tmp_path: Path) -> None:
    """What write_floors writes, read_floors reads back; the file says how it was set."""
    path = tmp_path / "floors.json"
    floors = propose_floors(_FIGURES, pages=384)
    write_floors(floors, "2.3.1", path)
    assert read_floors(path) == floors
    data = json.loads(path.read_text("utf-8"))
    assert "--update-floors" in data["about"]
    assert data["pages"] == {"half": "validation", "count": 384}
    assert data["measures"]["pipeline.f1"]["means"]


def test_a_bound_that_disagrees_with_the_code_is_refused(tmp_path: Path) -> None:
    """A hand edit that turns a floor into a ceiling is an error, not a silent pass."""
    path = tmp_path / "floors.json"
    write_floors(propose_floors(_FIGURES, pages=384), "2.3.1", path)
    data = json.loads(path.read_text("utf-8"))
    data["measures"]["pipeline.f1"]["bound"] = "at most"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ValueError, match=r"pipeline\.f1"):
        read_floors(path)
