"""Which lines of the pipeline's body are not article text, by kind (issue 14 part 3).

Reads `bench/precision_data.py`'s cache (tune half only). A line of
trafilatura's body is "furniture" when fewer than half of its 4-word
shingles are in the true body. Each category prints its lines, how many of
them are furniture, and the F1 the pipeline would gain if exactly its
furniture lines were removed (the oracle) or if all its lines were.

    .venv/bin/python bench/precision_furniture.py [--corpus DIR] [--cache FILE]

trafilatura's `favor_precision=True` answer is computed here (about 9 s of
CPU for the tune half); the page's heading and link texts come from
`extractors.furniture.page_marks`.

Printed on 2026-12-07 (tune half, 404 pages with trafilatura's body; columns:
lines, furniture lines, furniture words, article words, F1 gain if exactly its
furniture lines went, F1 and recall change if all its lines went):

    all lines                       34054  4159  51519 759247   +0.0231
    head (first 3)                   1206   239   2495  43300   +0.0008  -0.0557  -0.1001
    tail (last 3)                    1195   341   7145  31534   +0.0059  -0.0319  -0.0709
    middle                          31653  3579  41879 684413   +0.0141  -0.6511  -0.7721
    outside main container           3021  1013  13973  43735   +0.0065  -0.0287  -0.0642
    DOM furniture mark              14273  1518  13130 320150   +0.0104  -0.2583  -0.4007
    link density > 0.5               1109   258   2033  10112   +0.0017  -0.0044  -0.0109
    resiliparse lacks                2189   832   4612  23611   +0.0036  -0.0149  -0.0307
    favor_precision lacks            2106  1050   6409  19712   +0.0057  -0.0125  -0.0323
    favor+resili+readab lack          743   623   2160   1083   +0.0018  +0.0008  -0.0019

Half of the oracle's gain sits on 20 pages, mostly a block at the end of
the body (related stories, FAQ, author box, link lists: 144 pages, 18,370
words) that resiliparse, readability and favor_precision keep too.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

import precision_lines as pl
import trafilatura
from precision_common import baseline, cleaned, halves
from precision_data import PageData, default_cache, load_cache
from precision_fallback import guarded
from precision_lines import agreement

from pipeline.evaluate import labelled_folder, load_pages
from pipeline.quality import PageScore, score_page, summarise

C = pl._COLUMN
Line = dict[str, float]


def truth_share(lines: list[str], truth: str) -> list[float]:
    return agreement(lines, truth)


def page_lines(page: PageData, favor: dict[str, str]) -> list[Line]:
    lines = page.lines
    rows = page.features
    n = len(lines)
    true = truth_share(lines, page.truth)
    others = {
        "resili": agreement(lines, page.resiliparse),
        "readab": agreement(lines, page.readability),
        "justext": agreement(lines, page.justext),
        "favor": agreement(lines, favor.get(page.name, "")),
    }
    out = []
    for i, row in enumerate(rows):
        d = {name: row[j] for name, j in C.items() if j < len(row)}
        d.update({k: v[i] for k, v in others.items()})
        d["true"] = true[i]
        d["index"] = i
        d["from_end"] = n - 1 - i
        d["words"] = len(lines[i].split())
        out.append(d)
    return out


FURN_NAMES = ("share", "related", "subscribe", "ads", "nav", "comment", "legal")
FURN_TAGS = ("nav", "header", "footer", "aside", "form")


def marked(d: Line) -> bool:
    return (
        d["link_density"] > 0.5
        or any(d[f"name_{g}"] for g in FURN_NAMES)
        or any(d[f"under_{t}"] for t in FURN_TAGS)
    )


CATEGORIES: dict[str, Callable[[Line], bool]] = {
    "all lines": lambda d: True,
    "head (first 3)": lambda d: d["index"] < 3,
    "tail (last 3)": lambda d: d["from_end"] < 3 and d["index"] >= 3,
    "middle": lambda d: d["index"] >= 3 and d["from_end"] >= 3,
    "short (<8 words)": lambda d: d["words"] < 8,
    "long (>=8 words)": lambda d: d["words"] >= 8,
    "link density > 0.5": lambda d: d["link_density"] > 0.5,
    "inside <a>": lambda d: d["in_link"] > 0,
    "not traced to DOM": lambda d: d["found"] == 0,
    "outside main container": lambda d: d["in_main"] == 0,
    "DOM furniture mark": marked,
    "name related": lambda d: d["name_related"] > 0,
    "name byline": lambda d: d["name_byline"] > 0,
    "name media": lambda d: d["name_media"] > 0,
    "name share/subscribe/ads": lambda d: any(
        d[f"name_{g}"] for g in ("share", "subscribe", "ads")
    ),
    "under header/footer/aside/nav": lambda d: any(d[f"under_{t}"] for t in FURN_TAGS),
    "under figure": lambda d: d["under_figure"] > 0,
    "heading": lambda d: d["tag_heading"] > 0,
    "li": lambda d: d["tag_li"] > 0,
    "td": lambda d: d["tag_td"] > 0,
    "repeat in body": lambda d: d["repeat"] > 0,
    "resiliparse lacks": lambda d: d["resili"] < 0.5,
    "readability lacks": lambda d: d["readab"] < 0.5,
    "justext lacks": lambda d: d["justext"] < 0.5,
    "favor_precision lacks": lambda d: d["favor"] < 0.5,
    "favor lacks + resili lacks": lambda d: d["favor"] < 0.5 and d["resili"] < 0.5,
    "favor+resili+readab lack": lambda d: max(d["favor"], d["resili"], d["readab"]) < 0.5,
    "all 4 others lack": lambda d: max(d["favor"], d["resili"], d["readab"], d["justext"]) < 0.5,
    "tail + favor lacks": lambda d: d["from_end"] < 3 and d["favor"] < 0.5,
    "head + favor lacks": lambda d: d["index"] < 3 and d["favor"] < 0.5,
}


def favor_precision(corpus: Path, names: set[str]) -> dict[str, str]:
    """trafilatura's answer with `favor_precision=True` (no comments) for the named pages."""
    out = {}
    for page in load_pages(labelled_folder(corpus)):
        key = page.name.removesuffix(".html.gz").removesuffix(".html")
        if key in names:
            found = trafilatura.extract(
                page.html, url=page.url, include_comments=False, favor_precision=True
            )
            out[key] = found or ""
    return out


def _score_without(
    pages: list[PageData], info: dict[str, list[Line]], test: Callable[[Line], bool], every: bool
) -> dict[str, PageScore]:
    """Per-page scores with the category's furniture lines (or all its lines) removed."""
    out = {}
    for p in pages:
        keep = [
            line
            for line, d in zip(p.lines, info[p.name], strict=True)
            if not (test(d) and (every or d["true"] < 0.5))
        ]
        out[p.name] = score_page(cleaned(p, "\n\n".join(keep)), p.truth)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("NEWS_ETL_CORPUS", "")))
    parser.add_argument("--cache", type=Path, default=default_cache())
    args = parser.parse_args()
    pages = halves(load_cache(args.cache))["tune"]
    usable = [p for p in pages if not guarded(p) and p.parsed is not None and p.lines]
    favor = favor_precision(args.corpus, {p.name for p in usable})
    info = {p.name: page_lines(p, favor) for p in usable}
    ours = {p.name: score_page(cleaned(p, _pipeline_body(p)), p.truth) for p in pages}
    b = summarise(ours.values())
    print(f"pipeline tune F1 {b.f1:.4f} P {b.precision:.4f} R {b.recall:.4f}; "
          f"trafilatura {summarise(baseline(pages).values()).f1:.4f}")  # fmt: skip
    print(f"{'category':<30} {'lines':>6} {'furn':>5} {'furnW':>6} {'artW':>6}"
          f" {'oracle F1':>9} {'all F1':>8} {'all R':>8}")  # fmt: skip
    for name, test in CATEGORIES.items():
        rows = [d for p in usable for d in info[p.name] if test(d)]
        furniture = [d for d in rows if d["true"] < 0.5]
        art_words = sum(d["words"] for d in rows if d["true"] >= 0.5)
        oracle = summarise({**ours, **_score_without(usable, info, test, every=False)}.values())
        every = summarise({**ours, **_score_without(usable, info, test, every=True)}.values())
        print(f"{name:<30} {len(rows):6d} {len(furniture):5d}"
              f" {sum(d['words'] for d in furniture):6.0f} {art_words:6.0f}"
              f" {oracle.f1 - b.f1:+9.4f} {every.f1 - b.f1:+8.4f}"
              f" {every.recall - b.recall:+8.4f}")  # fmt: skip


def _pipeline_body(page: PageData) -> str:
    found = guarded(page)
    return found[0] if found else (page.parsed.body if page.parsed else "")


if __name__ == "__main__":
    main()
