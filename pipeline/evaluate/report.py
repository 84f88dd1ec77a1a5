"""The text `news-etl eval` prints: per-half tables, deltas, ablations and the worst pages."""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.evaluate.runs import (
    BEHIND_BY,
    PIPELINE,
    TRAFILATURA_NO_COMMENTS,
    Contribution,
    Evaluation,
    SystemRun,
    pages_behind,
)

__all__ = ["format_halves", "format_report"]


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def _delta_pct(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None else f"{100 * (a - b):+.1f} pt"


def _opt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_report(evaluation: Evaluation, *, worst: int = 10) -> str:
    """The comparison table, the deltas, per-rule contributions and the worst pages."""
    pipeline, *baselines = evaluation.runs
    lines = [*_table(evaluation.runs), "", *_deltas(pipeline, baselines)]
    for run in evaluation.runs:
        if run.rejects:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(run.rejects.items()))
            lines.append(f"empty answers, {run.name}: {reasons}")
    if evaluation.contributions:
        lines += ["", *_contributions(evaluation.contributions)]
    for base in baselines[-1:]:
        lines += ["", *_losses(evaluation, pipeline, base, worst)]
    worst_pages = sorted(pipeline.scores, key=lambda n: (pipeline.scores[n].f1, n))[:worst]
    lines += ["", "pages the pipeline scores worst against the labels:"]
    for name in worst_pages:
        page = pipeline.scores[name]
        lines.append(
            f"  {name}  F1 {page.f1:.3f} (P {_opt(page.precision)} R {_opt(page.recall)};"
            f" tp {page.true_positives} fp {page.false_positives} fn {page.false_negatives})"
        )
    return "\n".join(lines)


def _table(runs: list[SystemRun]) -> list[str]:
    lines = [
        f"{'system':<26} {'F1':>6} {'P':>6} {'R':>6} {'with kept':>10} {'without left':>13}"
        f" {'pages/s':>8} {'empty':>6}"
    ]
    for run in runs:
        s, snip = run.summary, run.snippets
        lines.append(
            f"{run.name:<26} {s.f1:6.3f} {s.precision:6.3f} {s.recall:6.3f}"
            f" {_pct(snip.with_kept_rate):>10} {_pct(snip.without_left_rate):>13}"
            f" {run.pages_per_second:8.1f} {s.empty_predictions:6d}"
        )
    return lines


def _deltas(pipeline: SystemRun, baselines: list[SystemRun]) -> list[str]:
    lines = []
    p, ps = pipeline.summary, pipeline.snippets
    for base in baselines:
        b, bs = base.summary, base.snippets
        speed = pipeline.pages_per_second / base.pages_per_second if base.seconds else 0.0
        lines.append(
            f"delta pipeline - {base.name}: F1 {p.f1 - b.f1:+.3f},"
            f" P {p.precision - b.precision:+.3f}, R {p.recall - b.recall:+.3f}, with kept"
            f" {_delta_pct(ps.with_kept_rate, bs.with_kept_rate)}, without left"
            f" {_delta_pct(ps.without_left_rate, bs.without_left_rate)}, speed x{speed:.2f}"
        )
    lines.append(
        f"snippets: with {ps.with_kept}/{ps.with_total} kept, without"
        f" {ps.without_left}/{ps.without_total} left (pipeline)"
    )
    lines.append(
        "pipeline bodies by extractor: "
        + ", ".join(f"{m} {n}" for m, n in sorted(pipeline.methods.items()))
    )
    return lines


def _contributions(contributions: list[Contribution]) -> list[str]:
    lines = [
        "per-rule contribution (ablation: with it minus without it; pages and lines it"
        " removed; snippet deltas on those pages):",
        f"  {'rule':<40} {'pages':>5} {'lines':>5} {'F1':>8} {'P':>8} {'R':>8}"
        f" {'with':>5} {'without':>7}",
    ]
    for c in contributions:
        if c.pages:
            lines.append(
                f"  {c.name:<40} {c.pages:5d} {c.lines:5d} {c.f1:+8.4f} {c.precision:+8.4f}"
                f" {c.recall:+8.4f} {c.with_kept:+5d} {c.without_left:+7d}"
            )
    idle = sum(1 for c in contributions if not c.pages and "." in c.name)
    lines.append(f"  {idle} more rules removed nothing on these pages")
    return lines


def _losses(evaluation: Evaluation, pipeline: SystemRun, base: SystemRun, worst: int) -> list[str]:
    behind = pages_behind(pipeline, base)
    far = len(pages_behind(pipeline, base, BEHIND_BY))
    lines = [
        f"pages where the pipeline loses most per-page F1 vs {base.name}"
        f" ({len(behind)} behind, {far} by more than {BEHIND_BY:.2f}):"
    ]
    for name in behind[:worst]:
        ours, theirs = pipeline.scores[name], base.scores[name]
        site = evaluation.sites.get(name) or "-"
        lines.append(
            f"  {name}  {site:<26} pipeline {ours.f1:.3f} (P {_opt(ours.precision)}"
            f" R {_opt(ours.recall)})  {base.name} {theirs.f1:.3f}"
            f"  delta {ours.f1 - theirs.f1:+.3f}"
        )
    return lines


def format_halves(halves: Mapping[str, Evaluation]) -> str:
    """One line per half: the pipeline against trafilatura without comments on the same pages."""
    lines = [
        f"{'half':<11} {'pages':>5} {'sites':>5}  {'pipeline F1 (P / R)':<24}"
        f" {'trafilatura nc F1 (P / R)':<25} {'dF1':>7} {'dP':>7} {'dR':>7}"
        f" {'with kept':>11} {'without left':>13} {f'>{BEHIND_BY:.2f} behind':>12}"
    ]
    for label, evaluation in halves.items():
        ours, theirs = evaluation.run(PIPELINE), evaluation.run(TRAFILATURA_NO_COMMENTS)
        p, b = ours.summary, theirs.summary
        po, bo = ours.snippets, theirs.snippets
        lines.append(
            f"{label:<11} {p.pages:5d} {len(set(evaluation.sites.values())):5d}"
            f"  {p.f1:.3f} ({p.precision:.3f} / {p.recall:.3f})    "
            f" {b.f1:.3f} ({b.precision:.3f} / {b.recall:.3f})     "
            f" {p.f1 - b.f1:+7.3f} {p.precision - b.precision:+7.3f} {p.recall - b.recall:+7.3f}"
            f" {_pct(po.with_kept_rate):>5}/{_pct(bo.with_kept_rate):>5}"
            f" {_pct(po.without_left_rate):>6}/{_pct(bo.without_left_rate):>6}"
            f" {len(pages_behind(ours, theirs, BEHIND_BY)):12d}"
        )
    lines.append(
        "(with kept / without left: pipeline / trafilatura nc; trafilatura nc is"
        " trafilatura.extract with include_comments=False, the configuration the pipeline uses)"
    )
    return "\n".join(lines)
