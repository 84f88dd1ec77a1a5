"""Guarded fallbacks (issue 14 part 2): how many pages take one, and what it gains.

Reads `bench/precision_data.py`'s cache and replays `extractors.fallback`'s
decision on each page's cached opinions (JSON-LD body, resiliparse,
readability, jusText), for today's thresholds and a small grid around them,
on the tune half; `--validation` prints the shipped configuration on the
validation half (report only, never for choosing).

    .venv/bin/python bench/precision_fallback.py [--cache FILE] [--validation]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from precision_common import baseline, halves, report, score
from precision_data import PageData, default_cache, load_cache

import extractors.fallback as fallback
from extractors.evidence import MIN_SUPPORT
from extractors.records import ExtractionMethod


def guarded(page: PageData) -> tuple[str, str] | None:
    """`fallback.second_opinion` on the cached opinions: (body, method) or None."""
    body = page.parsed.body if page.parsed else ""
    witnesses = fallback.Witnesses(declared=page.declared, resiliparse=page.resiliparse)
    found = fallback._declared(body, witnesses)
    current = found[0] if found else body
    words = len(current.split())
    need = max(fallback.MIN_WORDS, fallback.MIN_RATIO * words)
    if words < fallback.SHORT_BODY_WORDS and len(page.resiliparse.split()) >= need:
        candidates = {
            ExtractionMethod.READABILITY: page.readability,
            ExtractionMethod.JUSTEXT: page.justext,
        }
        replaced = fallback.supported_replacement(current, candidates, page.declared)
        found = replaced or found
    return (found[0], str(found[1])) if found else None


def _body(page: PageData) -> str | None:
    found = guarded(page)
    return found[0] if found else (page.parsed.body if page.parsed else None)


def _show(pages: list[PageData], label: str) -> None:
    base = baseline(pages)
    taken = [(p.name, m) for p in pages if (found := guarded(p)) for m in [found[1]]]
    print(report(label, score(pages, _body), base), f"| fallbacks taken: {len(taken)}")
    for name, method in taken:
        print(f"    {name} {method}")


def _thresholds(short: int, ratio: float, support: float) -> tuple[int, float, float]:
    """Set the fallback module's thresholds (for this grid only); return the previous ones."""
    names = ("SHORT_BODY_WORDS", "MIN_RATIO", "MIN_SUPPORT")
    before = tuple(getattr(fallback, name) for name in names)
    for name, value in zip(names, (short, ratio, support), strict=True):
        setattr(fallback, name, value)
    return before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=default_cache())
    parser.add_argument("--validation", action="store_true")
    args = parser.parse_args()
    split = halves(load_cache(args.cache))
    tune = split["tune"]
    base = baseline(tune)
    print("tune half:")
    print(report("no fallbacks", score(tune, lambda p: p.parsed.body if p.parsed else None), base))
    changed = sum(1 for p in tune if p.method_now not in ("trafilatura", "reject"))
    print(report("length-only fallbacks (before)", score(tune, lambda p: p.body_now), base),
          f"| fallbacks taken: {changed}")  # fmt: skip
    shipped = _thresholds(fallback.SHORT_BODY_WORDS, fallback.MIN_RATIO, MIN_SUPPORT)
    for short, ratio, support in [(200, 5.0, 0.5), (500, 2.0, 0.5), (1000, 2.0, 0.5),
                                  (500, 2.0, 0.3), (500, 2.0, 0.7), (500, 3.0, 0.5)]:  # fmt: skip
        _thresholds(short, ratio, support)
        _show(tune, f"guarded <{short} x{ratio} s{support}")
    _thresholds(*shipped)
    if args.validation:
        print("validation half (shipped thresholds):")
        _show(split["validation"], "guarded (shipped)")


if __name__ == "__main__":
    main()
