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
