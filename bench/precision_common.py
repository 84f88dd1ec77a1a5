"""Scoring helpers shared by the `bench/precision_*.py` experiments (issue 14).

A variant of the pipeline is a function from a cached page to the body
`extract_html` would hand on; the body then goes through `build_article`
with today's settings and is scored like `news-etl eval` scores it, beside
trafilatura's own answer for the same page. A page where trafilatura found
nothing has no cached metadata and scores as empty whatever the variant
(one validation page a fallback rescues): absolute figures run a little
below `bench/precision_rules.py`'s end-to-end ones; differences between
variants are exact.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from precision_data import PageData, default_cache  # noqa: E402

from extractors.records import ParsedArticle, Reject  # noqa: E402
from pipeline.quality import PageScore, score_page, summarise  # noqa: E402
from transforms.article import CleanSettings, build_article  # noqa: E402

_INGESTED = datetime(2026, 1, 1, tzinfo=UTC)
Variant = Callable[[PageData], str | None]  # the extracted body, or None for a reject


def cleaned(page: PageData, body: str | None, settings: CleanSettings | None = None) -> str:
    """What `build_article` makes of `body` with the page's metadata ("" for a reject)."""
    if not body or page.parsed is None:
        return ""
    parsed: ParsedArticle = replace(page.parsed, body=body)
    result = build_article(
        parsed, run_id="eval", ingested_at=_INGESTED, settings=settings or CleanSettings()
    )
    return "" if isinstance(result, Reject) else result.body


def score(
    pages: Iterable[PageData], variant: Variant, settings: CleanSettings | None = None
) -> dict[str, PageScore]:
    """Per-page scores of a variant of the pipeline."""
    return {p.name: score_page(cleaned(p, variant(p), settings), p.truth) for p in pages}


def baseline(pages: Iterable[PageData]) -> dict[str, PageScore]:
    return {p.name: score_page(p.trafilatura, p.truth) for p in pages}


def report(label: str, ours: dict[str, PageScore], theirs: dict[str, PageScore]) -> str:
    a, b = summarise(ours.values()), summarise(theirs.values())
    worse = sum(1 for n in ours if ours[n].f1 < theirs[n].f1 - 0.10)
    return (
        f"{label:<34} F1 {a.f1:.4f} P {a.precision:.4f} R {a.recall:.4f} | vs trafilatura"
        f" F1 {a.f1 - b.f1:+.4f} P {a.precision - b.precision:+.4f}"
        f" R {a.recall - b.recall:+.4f} | worse>0.10: {worse}"
    )


def arguments(doc: str, validation: bool = True) -> argparse.ArgumentParser:
    """A parser with the experiments' options: the cache and (if any) the validation report."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=default_cache())
    if validation:
        parser.add_argument("--validation", action="store_true", help="report the validation half")
    return parser


def halves(pages: list[PageData]) -> dict[str, list[PageData]]:
    return {
        "tune": [p for p in pages if p.half == "tune"],
        "validation": [p for p in pages if p.half == "validation"],
    }


def bootstrap_f1(
    ours: dict[str, PageScore],
    before: dict[str, PageScore],
    rounds: int = 2000,
    seed: int = 14,
) -> tuple[float, float]:
    """95% page-bootstrap interval of the corpus F1 change from `before` to `ours` (seeded).

    Pages are drawn with replacement, the same draw for both systems, so the
    interval says how much the change depends on which pages happen to be in
    the half (one page carrying a gain shows as a lower bound at or below 0).
    """
    import numpy as np

    names = sorted(ours)
    arrays = [_score_arrays([run[n] for n in names]) for run in (ours, before)]
    draws = np.random.default_rng(seed).integers(0, len(names), (rounds, len(names)))
    change = _f1_of(*arrays[0], draws) - _f1_of(*arrays[1], draws)
    low, high = np.percentile(change, [2.5, 97.5])
    return float(low), float(high)


def _score_arrays(scores: list[PageScore]) -> tuple[Any, Any, Any, Any]:
    """Per-page precision and recall with masks for the pages where each is defined."""
    import numpy as np

    p = np.array([s.precision if s.precision is not None else 0.0 for s in scores])
    r = np.array([s.recall if s.recall is not None else 0.0 for s in scores])
    has_p = np.array([s.precision is not None for s in scores], dtype=float)
    has_r = np.array([s.recall is not None for s in scores], dtype=float)
    return p, has_p, r, has_r


def _f1_of(p: Any, has_p: Any, r: Any, has_r: Any, draws: Any) -> Any:
    """The F1 of mean precision and mean recall over each draw (as `summarise` computes it)."""
    mean_p = (p[draws] * has_p[draws]).sum(1) / has_p[draws].sum(1)
    mean_r = (r[draws] * has_r[draws]).sum(1) / has_r[draws].sum(1)
    return 2 * mean_p * mean_r / (mean_p + mean_r)


def compare(
    label: str,
    ours: dict[str, PageScore],
    today: dict[str, PageScore],
    theirs: dict[str, PageScore],
    interval: bool = False,
) -> str:
    """One variant against today's pipeline and trafilatura: the deltas an experiment reports.

    F1/P/R change against today's pipeline, F1 against trafilatura (no
    comments), pages whose page F1 changed, pages more than 0.10 below
    trafilatura, and with `interval` the 95% page-bootstrap interval of the
    F1 change against today.
    """
    a, t, b = (summarise(run.values()) for run in (ours, today, theirs))
    changed = sum(1 for n in ours if abs(ours[n].f1 - today[n].f1) > 1e-9)
    worse = sum(1 for n in ours if ours[n].f1 < theirs[n].f1 - 0.10)
    text = (
        f"{label:<34} F1 {a.f1:.4f} ({a.f1 - t.f1:+.4f}) P {a.precision - t.precision:+.4f}"
        f" R {a.recall - t.recall:+.4f} | vs trafilatura F1 {a.f1 - b.f1:+.4f}"
        f" P {a.precision - b.precision:+.4f} R {a.recall - b.recall:+.4f}"
        f" | changed {changed:3d} worse>0.10 {worse}"
    )
    if interval:
        low, high = bootstrap_f1(ours, today)
        text += f" | 95% CI [{low:+.4f}, {high:+.4f}]"
    return text


def page_changes(ours: dict[str, PageScore], today: dict[str, PageScore]) -> str:
    """The pages whose page F1 a variant changed, worst first, with the change."""
    moved = sorted(
        (ours[n].f1 - today[n].f1, n) for n in ours if abs(ours[n].f1 - today[n].f1) > 1e-9
    )
    return "    " + ", ".join(f"{n} {d:+.3f}" for d, n in moved)
