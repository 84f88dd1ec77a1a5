"""A learned line classifier over trafilatura's lines, structural features (issue 14 part 3).

Not shipped: it gains nothing measurable on the validation half. Kept so the
figures can be printed again.

Reads `bench/precision_data.py`'s cache. Each line of the pipeline's
trafilatura body (after the closing-section cut; pages a fallback replaced
are left alone) gets `bench/precision_lines.py`'s structural features (tag,
block and container link density, ancestors' tags and class/id token groups,
main container, position, repetition in the body and on the page, whether
the page prints it as a link or a heading) plus how much of it resiliparse's
main content holds. A line is labelled furniture when under
`FURNITURE_SHARE` of its shingles are in the page's labelled body (a line of
1-3 words: when the body lacks it whole). Models are trained on the tune
half only; the removal threshold is chosen on out-of-fold predictions of the
tune half (5 folds grouped by site), as the best F1 whose recall stays
within 0.002 of today's; `--validation` then scores that one configuration
on the validation half, with the pages it changed and a 95% page-bootstrap
interval of the F1 change. `--smooth` removes a line only when a neighbour
is as likely furniture (no lone headings or list items).

    .venv/bin/python bench/line_classifier.py --cache FILE [--smooth] [--page-level] [--validation]
    .venv/bin/python bench/line_classifier.py --cost CORPUS   # CPU a page, 200 pages

Models: an L2 logistic regression (Newton steps) and gradient-boosted
depth-2 trees (150 rounds, 16 quantile cuts a feature), both in numpy and
deterministic. Printed on 2026-12-07 (pipeline F1, its change against today's
pipeline, pages more than 0.10 F1 below trafilatura):

    tune, today's pipeline               F1 0.9415 P 0.9366 R 0.9464
    tune oof logistic p>=0.9             F1 0.9417 (+0.0002) P +0.0009 R -0.0004   0
    tune oof logistic --smooth p>=0.5    F1 0.9421 (+0.0006) P +0.0049 R -0.0037   2
    tune oof logistic --smooth p>=0.8    F1 0.9419 (+0.0004) P +0.0014 R -0.0005   0  chosen
    tune oof boosted --smooth p>=0.8     F1 0.9416 (+0.0001) P +0.0010 R -0.0006   0  chosen
    validation, today's pipeline         F1 0.9366 P 0.9318 R 0.9415
    validation logistic --smooth p>=0.8  F1 0.9367 (+0.0001) P +0.0012 R -0.0010   0
        35 pages changed (24 up, 11 down), F1 change 95% interval [-0.0005, +0.0008]
    validation boosted --smooth p>=0.8   F1 0.9369 (+0.0003) P +0.0012 R -0.0007   0
        30 pages changed (24 up, 6 down), F1 change 95% interval [-0.0004, +0.0009]

With `--page-level` (chosen p>=0.8 and p>=0.7 on tune, where both gain
+0.0004-0.0005): validation +0.0002 (logistic; 36 pages changed, interval
[-0.0005, +0.0008]) and +0.0003 (boosted; 49 pages changed, one page more
than 0.10 below trafilatura, interval [-0.0007, +0.0012]).

One validation page (+0.10) carries most of the change. `--cost` prints what
every page would pay: resiliparse 2.1 ms and the features 8.7 ms a page (200
extraction-dev pages), against about 29 ms for `extract_html` with language
detection (`bench/per_page_cost.py`): over a third more CPU for a change
indistinguishable from none.
"""

from __future__ import annotations

import math
import random
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from precision_common import arguments, baseline, cleaned, halves, report
from precision_data import PageData, load_cache
from precision_lines import agreement, structural_features

from extractors.decoding import decode
from extractors.evidence import shingles
from extractors.html import extract_html
from extractors.htmlparse import lxml_section, parse_html
from extractors.records import Metadata, ParsedArticle, Reject
from extractors.resili import resiliparse_text
from pipeline.evaluate import LabelledPage, labelled_folder, load_pages
from pipeline.quality import PageScore, score_page, summarise, tokens

FURNITURE_SHARE = 0.3
FOLDS = 5
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
Model = Callable[[np.ndarray], np.ndarray]


def current_lines(page: PageData) -> list[str] | None:
    """The pipeline's trafilatura lines today (None when a fallback replaced the body)."""
    if page.parsed is None or page.method_now != "trafilatura":
        return None
    kept = page.body_now.split("\n\n")
    return kept if kept == page.lines[: len(kept)] else None


def page_rows(
    page: PageData, page_level: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(features, furniture labels, weights) of the page's current lines.

    `page_level` appends what resiliparse says of the whole page (the share
    of the body it lacks, its length against the body's, the share of lines
    it lacks), alone and times the line's own lack of agreement.
    """
    lines = current_lines(page)
    if not lines or not page.features:
        return None
    agreed = agreement(lines, page.resiliparse)
    features = np.array([[*page.features[i], agreed[i]] for i in range(len(lines))], float)
    if page_level:
        context = np.tile(_page_context(page, agreed), (len(lines), 1))
        features = np.hstack([features, context, context * (1 - features[:, -1:])])
    in_truth = agreement(lines, page.truth)  # short lines: whether the truth has them whole
    body_size = max(1, sum(len(tokens(line)) for line in lines))
    labels = [float(share < FURNITURE_SHARE) for share in in_truth]
    weights = [max(1, len(tokens(line))) / body_size for line in lines]
    return features, np.array(labels), np.array(weights)


def _page_context(page: PageData, agreed: Sequence[float]) -> list[float]:
    own, other = shingles(page.body_now), shingles(page.resiliparse)
    lacking = 1 - len(own & other) / max(1, len(own))
    return [
        lacking,
        math.log((len(other) + 1) / (len(own) + 1)),
        sum(1 for share in agreed if share < 0.5) / max(1, len(agreed)),
    ]


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1.0) -> Model:
    """Weighted L2 logistic regression by Newton steps on standardised features."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(25):
        p = 1 / (1 + np.exp(-z @ beta))
        grad = z.T @ (w * (p - y)) + penalty * beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty + 1e-9)
        beta -= np.linalg.solve(hess, grad)

    def predict(rows: np.ndarray) -> np.ndarray:
        zz = np.hstack([np.ones((len(rows), 1)), (rows - mean) / std])
        return np.asarray(1 / (1 + np.exp(-zz @ beta)))

    return predict


def fit_boosted(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, rounds: int = 150, rate: float = 0.1
) -> Model:
    """Gradient-boosted depth-2 trees (log loss) on up to 16 quantile cuts per feature."""
    cuts = [np.unique(np.quantile(col, np.linspace(0.05, 0.95, 16))) for col in x.T]
    w = w / w.mean()
    prior = np.log((np.sum(w * y) + 1) / (np.sum(w * (1 - y)) + 1))
    f = np.full(len(x), prior)
    trees = []
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-f))
        g, h = w * (y - p), w * p * (1 - p)
        tree = _tree(x, g, h, cuts, depth=2)
        f += rate * _apply(tree, x)
        trees.append(tree)

    def predict(rows: np.ndarray) -> np.ndarray:
        out = np.full(len(rows), prior)
        for tree in trees:
            out += rate * _apply(tree, rows)
        return np.asarray(1 / (1 + np.exp(-out)))

    return predict


Tree = tuple[Any, ...]  # ("leaf", value) or ("split", feature, cut, low tree, high tree)


def _tree(x: np.ndarray, g: np.ndarray, h: np.ndarray, cuts: list[np.ndarray], depth: int) -> Tree:
    """One Newton-step regression tree on the gradients `g` and hessians `h`."""
    leaf = ("leaf", g.sum() / (h.sum() + 1.0))
    if depth == 0 or len(g) < 20:
        return leaf
    best, best_gain = None, 0.0
    base = g.sum() ** 2 / (h.sum() + 1.0)
    for j, values in enumerate(cuts):
        for cut in values:
            left = x[:, j] <= cut
            gl, hl = g[left].sum(), h[left].sum()
            gain = gl**2 / (hl + 1.0) + (g.sum() - gl) ** 2 / (h.sum() - hl + 1.0) - base
            if gain > best_gain and 5 <= left.sum() <= len(g) - 5:
                best, best_gain = (j, cut), gain
    if best is None:
        return leaf
    j, cut = best
    left = x[:, j] <= cut
    return (
        "split", j, cut,
        _tree(x[left], g[left], h[left], cuts, depth - 1),
        _tree(x[~left], g[~left], h[~left], cuts, depth - 1),
    )  # fmt: skip


def _apply(tree: Tree, x: np.ndarray) -> np.ndarray:
    if tree[0] == "leaf":
        return np.full(len(x), tree[1])
    _, j, cut, low, high = tree
    out = np.empty(len(x))
    left = x[:, j] <= cut
    out[left] = _apply(low, x[left])
    out[~left] = _apply(high, x[~left])
    return out


def _fold(site: str) -> int:
    return zlib.crc32(site.encode()) % FOLDS


def stack(
    pages: Sequence[PageData], page_level: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    xs, ys, ws, folds = [], [], [], []
    for page in pages:
        rows = page_rows(page, page_level)
        if rows is None:
            continue
        xs.append(rows[0])
        ys.append(rows[1])
        ws.append(rows[2])
        folds.append(np.full(len(rows[1]), _fold(page.site)))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws), np.concatenate(folds)


def out_of_fold(
    pages: Sequence[PageData], fit: Callable[..., Model], page_level: bool = False
) -> dict[str, np.ndarray]:
    """Each tune page's line probabilities from a model trained on the other folds."""
    x, y, w, folds = stack(pages, page_level)
    models = {k: fit(x[folds != k], y[folds != k], w[folds != k]) for k in range(FOLDS)}
    out = {}
    for page in pages:
        rows = page_rows(page, page_level)
        if rows is not None:
            out[page.name] = models[_fold(page.site)](rows[0])
    return out


def filtered(
    page: PageData, probs: dict[str, np.ndarray], threshold: float, smooth: bool
) -> str | None:
    lines = current_lines(page)
    if lines is None or page.name not in probs:
        return page.body_now or None
    p = _smoothed(probs[page.name]) if smooth else probs[page.name]
    kept = [line for line, q in zip(lines, p, strict=True) if q < threshold]
    return "\n\n".join(kept) if kept else page.body_now


def _smoothed(p: np.ndarray) -> np.ndarray:
    """Each line's probability capped by its likelier neighbour's: no lone removals."""
    padded = np.concatenate([[0.0], p, [0.0]])
    return np.asarray(np.minimum(p, np.maximum(padded[:-2], padded[2:])))


_SCORED: dict[tuple[str, str | None], PageScore] = {}


def scores(
    pages: Sequence[PageData],
    probs: dict[str, np.ndarray],
    threshold: float,
    smooth: bool = False,
) -> dict[str, PageScore]:
    """Per-page scores with the lines at or above `threshold` removed (memoised by body)."""
    out = {}
    for page in pages:
        body = filtered(page, probs, threshold, smooth)
        if (page.name, body) not in _SCORED:
            _SCORED[page.name, body] = score_page(cleaned(page, body), page.truth)
        out[page.name] = _SCORED[page.name, body]
    return out


def feature_cost(corpus: Path, limit: int) -> str:
    """CPU ms a page for what the classifier would add: resiliparse and the line features."""
    pages = list(load_pages(labelled_folder(corpus), limit))
    extract(pages[0])  # untimed warm-up: dateparser's and resiliparse's one-off loading
    spent = {"resiliparse": 0.0, "features": 0.0}
    for page in pages:
        parsed = extract(page)
        if not isinstance(parsed, ParsedArticle):
            continue
        text = decode(page.html)
        started = time.process_time()
        other = resiliparse_text(text)
        spent["resiliparse"] += time.process_time() - started
        with lxml_section():
            tree = parse_html(text)
            lines = parsed.body.split("\n\n")
            started = time.process_time()
            if tree is not None:
                structural_features(tree, lines)
            agreement(lines, other)
            spent["features"] += time.process_time() - started
    return f"{len(pages)} pages: " + ", ".join(
        f"{name} {1000 * cpu / len(pages):.1f} ms" for name, cpu in spent.items()
    )


def extract(page: LabelledPage) -> ParsedArticle | Reject:
    return extract_html(page.html, locator=page.name, hints=Metadata(url=page.url))


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--smooth", action="store_true", help="no lone removals")
    parser.add_argument("--page-level", action="store_true", help="add resiliparse's page view")
    parser.add_argument("--cost", type=Path, metavar="CORPUS", help="CPU a page of the features")
    args = parser.parse_args()
    if args.cost:
        print(feature_cost(args.cost, 200))
        return
    split = halves(load_cache(args.cache))
    tune, validation = split["tune"], split["validation"]
    base_t, base_v = baseline(tune), baseline(validation)
    print(report("tune: pipeline today", scores(tune, {}, 1.0), base_t))
    if args.validation:
        print(report("validation: pipeline today", scores(validation, {}, 1.0), base_v))
    x, y, w, _ = stack(tune, args.page_level)
    print(f"tune lines {len(y)}, furniture {int(y.sum())}, features {x.shape[1]}")
    for name, fit in (("logistic", fit_logistic), ("boosted", fit_boosted)):
        oof = out_of_fold(tune, fit, args.page_level)
        figures = {}
        for threshold in THRESHOLDS:
            figures[threshold] = scores(tune, oof, threshold, args.smooth)
            print(report(f"tune oof {name} p>={threshold}", figures[threshold], base_t))
        chosen = choose(figures, scores(tune, {}, 1.0))
        print(f"  chosen on tune: p>={chosen}")
        if args.validation and chosen < 1.0:
            model = fit(x, y, w)
            rows = {p.name: page_rows(p, args.page_level) for p in validation}
            probs = {name: model(r[0]) for name, r in rows.items() if r is not None}
            ours = scores(validation, probs, chosen, args.smooth)
            print(report(f"valid {name} p>={chosen}", ours, base_v))
            print(spread(ours, scores(validation, {}, 1.0)))


def spread(ours: dict[str, PageScore], today: dict[str, PageScore]) -> str:
    """Pages changed (up/down) and a 95% page-bootstrap interval of the F1 change."""
    deltas = [ours[n].f1 - today[n].f1 for n in ours if abs(ours[n].f1 - today[n].f1) > 1e-9]
    names, rng, changes = list(ours), random.Random(0), []
    for _ in range(1000):
        sample = [rng.choice(names) for _ in names]
        changes.append(
            summarise(ours[n] for n in sample).f1 - summarise(today[n] for n in sample).f1
        )
    changes.sort()
    up = sum(1 for d in deltas if d > 0)
    return (
        f"    pages changed {len(deltas)} (up {up}, down {len(deltas) - up}),"
        f" F1 change 95% interval [{changes[25]:+.4f}, {changes[975]:+.4f}]"
    )


def choose(figures: dict[float, dict[str, PageScore]], today: dict[str, PageScore]) -> float:
    """The tune threshold with the best F1 whose recall is within 0.002 of today's (1.0: none)."""
    now = summarise(today.values())
    best, best_f1 = 1.0, now.f1
    for threshold, page_scores in figures.items():
        s = summarise(page_scores.values())
        if s.recall >= now.recall - 0.002 and s.f1 > best_f1:
            best, best_f1 = threshold, s.f1
    return best


if __name__ == "__main__":
    main()
