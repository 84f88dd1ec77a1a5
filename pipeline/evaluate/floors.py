"""The CI gate's limits: kept in `pipeline/eval_floors.json`, raised, never silently lowered.

Issue 14: the gate scores the validation half (sites nobody tuned on) and
fails when a figure falls past its limit. The limits live in a data file so
that a change to them shows in review as a change of data, with the figures
they were set from beside them. `news-etl eval --update-floors` measures the
gate's pages again and rewrites every limit just inside the new figure; it
refuses to loosen any limit (lower a floor, raise a ceiling) unless given
`--allow-lower`, and names the limits that would loosen. trafilatura's
`tests/eval_gate.py --update` works the same way (`--allow-regression`).

The measurement is deterministic (same code, pages and trafilatura version:
same figures), so the slack is not for noise: it is what a harmless change
may cost before the gate asks for a look. One page of the 384 answered empty
costs 0.0026 recall and 0.0013 F1; the F1 slack is less than that.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pipeline.evaluate.pages import Half, load_pages
from pipeline.evaluate.runs import (
    BEHIND_BY,
    PIPELINE,
    TRAFILATURA_NO_COMMENTS,
    Evaluation,
    evaluate,
    pages_behind,
)

__all__ = [
    "FLOORS_FILE",
    "GATE_HALF",
    "MEASURES",
    "Bound",
    "Floors",
    "Limit",
    "LoosenedFloorsError",
    "Measure",
    "figures",
    "gate_evaluation",
    "propose_floors",
    "read_floors",
    "update_floors",
    "write_floors",
]

FLOORS_FILE = Path(__file__).resolve().parents[1] / "eval_floors.json"
# The whole validation half: 35 s of CPU for the three systems on one core here
# (pipeline 18 s, each trafilatura 9 s), inside the gate's 90 s budget.
GATE_HALF = Half.VALIDATION
_DECIMALS = 4

_ABOUT = (
    "Limits of the CI quality gate (tests/pipeline/test_quality.py), written by"
    " `news-etl eval --update-floors`: the pipeline and trafilatura.extract with"
    " include_comments=False scored on every validation page of pipeline/eval_split.tsv"
    " (shingle F1 of mean precision and recall; labelled snippet rates). Each limit is the"
    " measured figure moved by its measure's slack toward safety (pipeline/evaluate/floors.py)"
    " and rounded to 4 decimals toward safety. The command refuses to loosen a limit unless"
    " given --allow-lower."
)


class Bound(StrEnum):
    """Which side of its limit a figure must stay on."""

    AT_LEAST = "at least"  # a floor
    AT_MOST = "at most"  # a ceiling


@dataclass(frozen=True, slots=True)
class Measure:
    """One figure the gate checks: how it is read off an evaluation, and its slack."""

    name: str
    bound: Bound
    slack: float
    means: str
    read: Callable[[Evaluation], float]


def _behind(evaluation: Evaluation) -> float:
    ours, theirs = evaluation.run(PIPELINE), evaluation.run(TRAFILATURA_NO_COMMENTS)
    return float(len(pages_behind(ours, theirs, BEHIND_BY)))


def _with_kept(evaluation: Evaluation) -> float:
    return evaluation.run(PIPELINE).snippets.with_kept_rate or 0.0


def _without_left(evaluation: Evaluation) -> float:
    rate = evaluation.run(PIPELINE).snippets.without_left_rate
    return 1.0 if rate is None else rate


MEASURES: tuple[Measure, ...] = (
    Measure("pipeline.f1", Bound.AT_LEAST, 0.001, "pipeline F1 (of mean P and R)",
            lambda e: e.run(PIPELINE).summary.f1),
    Measure("pipeline.precision", Bound.AT_LEAST, 0.0015, "pipeline mean precision",
            lambda e: e.run(PIPELINE).summary.precision),
    Measure("pipeline.recall", Bound.AT_LEAST, 0.0015, "pipeline mean recall",
            lambda e: e.run(PIPELINE).summary.recall),
    Measure("margin.f1", Bound.AT_LEAST, 0.001,
            "pipeline F1 minus trafilatura (include_comments=False) F1, same pages",
            lambda e: e.run(PIPELINE).summary.f1 - e.run(TRAFILATURA_NO_COMMENTS).summary.f1),
    Measure("pipeline.with_kept_rate", Bound.AT_LEAST, 0.003,
            'share of labelled "with" snippets the pipeline keeps', _with_kept),
    Measure("pipeline.without_left_rate", Bound.AT_MOST, 0.003,
            'share of labelled "without" snippets the pipeline leaves in', _without_left),
    Measure("pages.far_behind", Bound.AT_MOST, 0.0,
            f"pages where the pipeline's page F1 is more than {BEHIND_BY:.2f} below"
            " trafilatura's (include_comments=False)", _behind),
)  # fmt: skip
_BY_NAME = {measure.name: measure for measure in MEASURES}


@dataclass(frozen=True, slots=True)
class Limit:
    """One measure's limit and the figure it was set from."""

    bound: Bound
    limit: float
    measured: float

    def allows(self, figure: float) -> bool:
        """Whether `figure` is on the right side of the limit."""
        return figure >= self.limit if self.bound is Bound.AT_LEAST else figure <= self.limit

    def looser_than(self, other: Limit) -> bool:
        """Whether this limit lets through a figure `other` would stop."""
        return not other.allows(self.limit)


@dataclass(frozen=True, slots=True)
class Floors:
    """The gate's limits, measure name -> limit, and the page count they were set on."""

    pages: int
    limits: Mapping[str, Limit]


class LoosenedFloorsError(ValueError):
    """An update would loosen limits; carries them, and the message says how to accept it."""

    def __init__(self, loosened: list[str]) -> None:
        super().__init__(
            f"refusing to loosen {len(loosened)} limit(s): {'; '.join(loosened)}. Fix the"
            " regression, or pass --allow-lower to accept the lower bar"
        )
        self.loosened = loosened


def gate_evaluation(folder: Path) -> Evaluation:
    """The three systems on the gate's pages, without ablation, as the gate test runs them."""
    return evaluate(load_pages(folder, half=GATE_HALF), contributions=False)


def figures(evaluation: Evaluation) -> dict[str, float]:
    """Every measure's figure on one evaluation."""
    return {measure.name: measure.read(evaluation) for measure in MEASURES}


def propose_floors(measured: Mapping[str, float], pages: int) -> Floors:
    """Limits just inside `measured`: each moved by its slack, rounded toward safety.

    The product is rounded to 6 places first, so that float error (0.9373 - 0.001
    is 0.93629999...) does not move a limit a whole step.
    """
    scale = 10**_DECIMALS
    limits = {}
    for measure in MEASURES:
        figure = measured[measure.name]
        if measure.bound is Bound.AT_LEAST:
            limit = math.floor(round((figure - measure.slack) * scale, 6)) / scale
        else:
            limit = math.ceil(round((figure + measure.slack) * scale, 6)) / scale
        limits[measure.name] = Limit(measure.bound, limit, round(figure, 6))
    return Floors(pages, limits)


def update_floors(
    current: Floors | None, measured: Mapping[str, float], pages: int, *, allow_lower: bool = False
) -> tuple[Floors, list[str]]:
    """The new limits and the ones that loosen; raises `LoosenedFloorsError` unless allowed."""
    proposed = propose_floors(measured, pages)
    loosened = []
    for name, new in proposed.limits.items():
        old = current.limits.get(name) if current else None
        if old is not None and new.looser_than(old):
            loosened.append(f"{name} {new.bound} {old.limit:g} -> {new.limit:g}")
    if loosened and not allow_lower:
        raise LoosenedFloorsError(loosened)
    return proposed, loosened


def read_floors(path: Path = FLOORS_FILE) -> Floors:
    """The floors file; a measure whose bound disagrees with the code is an error."""
    data = json.loads(path.read_text("utf-8"))
    limits = {}
    for name, entry in data["measures"].items():
        bound = Bound(entry["bound"])
        if name in _BY_NAME and _BY_NAME[name].bound is not bound:
            raise ValueError(f"{path.name}: {name} is '{_BY_NAME[name].bound}', not '{bound}'")
        limits[name] = Limit(bound, float(entry["limit"]), float(entry["measured"]))
    return Floors(int(data["pages"]["count"]), limits)


def write_floors(floors: Floors, trafilatura: str, path: Path = FLOORS_FILE) -> None:
    """Write `floors` with how they were set, the measured figures and what each measure means."""
    measures = {
        name: {
            "bound": str(limit.bound),
            "limit": limit.limit,
            "measured": limit.measured,
            "slack": _BY_NAME[name].slack,
            "means": _BY_NAME[name].means,
        }
        for name, limit in floors.limits.items()
    }
    data = {
        "about": _ABOUT,
        "pages": {"half": str(GATE_HALF), "count": floors.pages},
        "trafilatura": trafilatura,
        "measures": measures,
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
