"""Score the pipeline's article bodies against labelled pages, beside bare trafilatura.

Issue 5, "The measure": the same pages, in the same run, through
- the pipeline: `extract_html` (hint: the labelled URL) then `build_article`
  with the given `CleanSettings`; a Reject at either step is an empty answer;
- trafilatura with default settings (which keep comments), and
- trafilatura with `include_comments=False`, the configuration the pipeline
  itself extracts with; it reproduces the issue's quoted baseline (F1 0.933,
  P 0.927, R 0.940 for 2.3.1), so it is the fair baseline for "+0.01 F1".

Metric: `transforms.quality` (4-token shingles, per-page precision and recall,
means over pages, F1 of the means) and the labelled snippet rates.

Per-rule contribution is measured by ablation: the corpus F1 with every
rule minus the F1 with that one rule (or that whole kind) switched off, the
other figures held alike; the extraction fallbacks likewise, by extracting
the pages they rescued again without them. It is exact and cheap: a rule that removed nothing on a
page cannot change that page's output when it is switched off (the engine
reports the first matching rule, and a rule that did not fire matched no line
or lost to an earlier one), so only the pages a rule touched are cleaned
again. Deltas of single rules do not add up to the kind's delta when two
rules of a kind match the same lines; the kind's row says what the kind is
worth as a whole.

Timing covers only the systems' calls, one page at a time, in one process;
pages/s is per core. Each system first runs once untimed on the first page,
so one-off start-up (the language model, the first parse) is not throughput.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extractors.html import extract_html
from extractors.records import Metadata, ParsedArticle, Reject
from transforms.article import CleanSettings, build_article
from transforms.boilerplate import HEADLINE_RULE
from transforms.quality import (
    CorpusScore,
    PageScore,
    SnippetRates,
    score_page,
    snippet_rates,
    summarise,
)

__all__ = [
    "DEV_SET",
    "Contribution",
    "Evaluation",
    "LabelledPage",
    "SystemRun",
    "evaluate",
    "format_report",
    "labelled_folder",
    "load_pages",
]

DEV_SET = "extraction-dev"
_INGESTED = datetime(2026, 1, 1, tzinfo=UTC)  # fixed: a score must not depend on the clock


@dataclass(frozen=True, slots=True)
class LabelledPage:
    """One page of the labelled set: its HTML, the true body and the snippet labels."""

    name: str  # file name under html/
    url: str
    html: bytes
    body: str
    with_: tuple[str, ...]
    without: tuple[str, ...]


@dataclass
class SystemRun:
    """Everything one system produced over a run."""

    name: str
    scores: dict[str, PageScore] = field(default_factory=dict)
    snippets: SnippetRates = field(default_factory=SnippetRates)
    seconds: float = 0.0
    rejects: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)  # which extractor gave the body

    @property
    def summary(self) -> CorpusScore:
        return summarise(self.scores.values())

    @property
    def pages_per_second(self) -> float:
        return len(self.scores) / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one rule (or kind, or the fallbacks) is worth: the figures with it minus without it."""

    name: str  # a rule name, or "kind:<kind>"
    pages: int  # pages where it removed something
    lines: int  # lines it removed in all
    f1: float
    precision: float
    recall: float
    with_kept: int  # snippets kept with it minus without it (negative: it removed some)
    without_left: int  # "without" snippets left with it minus without it (negative is good)


@dataclass
class Evaluation:
    """The runs of every system (the pipeline first), per-rule contributions, wall time."""

    runs: list[SystemRun]
    contributions: list[Contribution]
    seconds: float


_Answer = tuple[str, str | None, str | None]  # body, reject reason, extraction method
System = Callable[[LabelledPage], _Answer]


def labelled_folder(path: Path) -> Path:
    """The folder holding `ground-truth.json`: `path` itself or its `extraction-dev/`."""
    for folder in (path, path / DEV_SET):
        if (folder / "ground-truth.json").is_file():
            return folder
    raise FileNotFoundError(
        f"no ground-truth.json in {path} or {path / DEV_SET}; pass the shared corpus folder"
        " (or its extraction-dev/ folder) with --corpus, or set NEWS_ETL_CORPUS"
    )


def load_pages(folder: Path, limit: int | None = None) -> Iterator[LabelledPage]:
    """Labelled pages in file-name order (the first `limit`), decompressed one at a time."""
    truth: dict[str, dict[str, Any]] = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    for key in sorted(truth)[:limit]:
        entry = truth[key]
        path = folder / "html" / f"{key}.html.gz"
        yield LabelledPage(
            name=path.name,
            url=entry["url"],
            html=gzip.decompress(path.read_bytes()),
            body=entry["articleBody"],
            with_=tuple(entry.get("with", ())),
            without=tuple(entry.get("without", ())),
        )


def _trafilatura(**options: Any) -> System:
    import trafilatura

    def run(page: LabelledPage) -> _Answer:
        text = trafilatura.extract(page.html, **options)
        return (text, None, "trafilatura") if text else ("", "nothing extracted", None)

    return run


class _Pipeline:
    """The pipeline as a system; keeps each page's parsed article for the ablations."""

    def __init__(self, settings: CleanSettings) -> None:
        self.settings = settings
        self.parsed: dict[str, ParsedArticle] = {}
        self.removed: dict[str, Counter[str]] = {}
        self.bodies: dict[str, str] = {}
        self.rescued: dict[str, bytes] = {}  # pages whose body came from a fallback: their HTML

    def clean(self, parsed: ParsedArticle, settings: CleanSettings) -> tuple[str, str | None]:
        result = build_article(parsed, run_id="eval", ingested_at=_INGESTED, settings=settings)
        if isinstance(result, Reject):
            return "", str(result.reason)
        return result.body, None

    def __call__(self, page: LabelledPage) -> _Answer:
        parsed = extract_html(page.html, locator=page.name, hints=Metadata(url=page.url))
        if isinstance(parsed, Reject):
            return "", str(parsed.reason), None
        self.parsed[page.name] = parsed
        result = build_article(parsed, run_id="eval", ingested_at=_INGESTED, settings=self.settings)
        if isinstance(result, Reject):
            return "", str(result.reason), None
        self.removed[page.name] = Counter(removal.rule for removal in result.boilerplate_removed)
        self.bodies[page.name] = result.body
        if result.extraction_method != "trafilatura":
            self.rescued[page.name] = page.html
        return result.body, None, result.extraction_method


def evaluate(
    pages: Iterable[LabelledPage],
    settings: CleanSettings | None = None,
    *,
    contributions: bool = True,
) -> Evaluation:
    """Every system on every page, interleaved page by page so that no system is favoured."""
    pipeline = _Pipeline(settings or CleanSettings())
    systems: dict[str, System] = {
        "pipeline": pipeline,
        "trafilatura (default)": _trafilatura(),
        "trafilatura (no comments)": _trafilatura(include_comments=False),
    }
    runs = {name: SystemRun(name) for name in systems}
    labels: dict[str, LabelledPage] = {}
    started = time.perf_counter()
    for number, page in enumerate(pages):
        labels[page.name] = replace(page, html=b"")  # the HTML is not needed again
        for name, system in systems.items():
            if number == 0:
                system(page)
            run = runs[name]
            begun = time.perf_counter()
            predicted, rejected, method = system(page)
            run.seconds += time.perf_counter() - begun
            _record(run, page, predicted)
            if rejected:
                run.rejects[rejected] += 1
            if method:
                run.methods[method] += 1
    if not labels:
        raise ValueError("no labelled pages to score; check the corpus folder and --limit")
    found = _contributions(pipeline, runs["pipeline"], labels) if contributions else []
    return Evaluation(list(runs.values()), found, time.perf_counter() - started)


def _record(run: SystemRun, page: LabelledPage, predicted: str) -> None:
    run.scores[page.name] = score_page(predicted, page.body)
    run.snippets += snippet_rates(predicted, with_=page.with_, without=page.without)


def _contributions(
    pipeline: _Pipeline, full: SystemRun, labels: dict[str, LabelledPage]
) -> list[Contribution]:
    """Leave-one-out ablation of each rule and each kind, on the pages it touched."""
    rules = pipeline.settings.rules
    kinds: dict[str, set[str]] = {}
    for rule in (HEADLINE_RULE, *rules):
        if rule.name in rules.names:
            kinds.setdefault(f"kind:{rule.kind.value}", set()).add(rule.name)
    groups = [(name, {name}) for name in rules.names] + sorted(kinds.items())
    groups.append(("all rules", set(rules.names)))
    baseline = full.summary
    out = [_fallback_contribution(pipeline, full, labels)]
    for label, names in groups:
        touched = [page for page, seen in pipeline.removed.items() if names & seen.keys()]
        if not touched:
            out.append(Contribution(label, 0, 0, 0.0, 0.0, 0.0, 0, 0))
            continue
        ablated = replace(pipeline.settings, rules=rules.without(*names))
        scores = dict(full.scores)
        before, after = SnippetRates(), SnippetRates()
        for name in touched:
            page = labels[name]
            body, _ = pipeline.clean(pipeline.parsed[name], ablated)
            scores[name] = score_page(body, page.body)
            kept = pipeline.bodies[name]
            before += snippet_rates(kept, with_=page.with_, without=page.without)
            after += snippet_rates(body, with_=page.with_, without=page.without)
        without_it = summarise(scores.values())
        out.append(
            Contribution(
                name=label,
                pages=len(touched),
                lines=sum(pipeline.removed[page][rule] for page in touched for rule in names),
                f1=baseline.f1 - without_it.f1,
                precision=baseline.precision - without_it.precision,
                recall=baseline.recall - without_it.recall,
                with_kept=before.with_kept - after.with_kept,
                without_left=before.without_left - after.without_left,
            )
        )
    return out


def _fallback_contribution(
    pipeline: _Pipeline, full: SystemRun, labels: dict[str, LabelledPage]
) -> Contribution:
    """The fallbacks (JSON-LD, readability, jusText) switched off on the pages they rescued."""
    scores = dict(full.scores)
    before, after = SnippetRates(), SnippetRates()
    for name, html in pipeline.rescued.items():
        page = labels[name]
        parsed = extract_html(html, locator=name, hints=Metadata(url=page.url), fallbacks=False)
        body = "" if isinstance(parsed, Reject) else pipeline.clean(parsed, pipeline.settings)[0]
        scores[name] = score_page(body, page.body)
        kept = pipeline.bodies[name]
        before += snippet_rates(kept, with_=page.with_, without=page.without)
        after += snippet_rates(body, with_=page.with_, without=page.without)
    baseline, without_it = full.summary, summarise(scores.values())
    return Contribution(
        name="extraction fallbacks",
        pages=len(pipeline.rescued),
        lines=0,
        f1=baseline.f1 - without_it.f1,
        precision=baseline.precision - without_it.precision,
        recall=baseline.recall - without_it.recall,
        with_kept=before.with_kept - after.with_kept,
        without_left=before.without_left - after.without_left,
    )


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def _delta_pct(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None else f"{100 * (a - b):+.1f} pt"


def _opt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_report(evaluation: Evaluation, *, worst: int = 10) -> str:
    """The comparison table, the deltas, per-rule contributions and the worst pages."""
    runs = evaluation.runs
    pipeline, *baselines = runs
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
    lines.append("")
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
    for run in runs:
        if run.rejects:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(run.rejects.items()))
            lines.append(f"empty answers, {run.name}: {reasons}")
    if evaluation.contributions:
        lines += [
            "",
            "per-rule contribution (ablation: with it minus without it; pages and lines it"
            " removed; snippet deltas on those pages):",
            f"  {'rule':<40} {'pages':>5} {'lines':>5} {'F1':>8} {'P':>8} {'R':>8}"
            f" {'with':>5} {'without':>7}",
        ]
        for c in evaluation.contributions:
            if c.pages:
                lines.append(
                    f"  {c.name:<40} {c.pages:5d} {c.lines:5d} {c.f1:+8.4f} {c.precision:+8.4f}"
                    f" {c.recall:+8.4f} {c.with_kept:+5d} {c.without_left:+7d}"
                )
        idle = sum(1 for c in evaluation.contributions if not c.pages and "." in c.name)
        lines.append(f"  {idle} more rules removed nothing on these pages")
    for base in baselines[-1:]:
        losses = sorted(
            pipeline.scores,
            key=lambda name: (pipeline.scores[name].f1 - base.scores[name].f1, name),
        )[:worst]
        lines += ["", f"pages where the pipeline loses most per-page F1 vs {base.name}:"]
        for name in losses:
            ours, theirs = pipeline.scores[name], base.scores[name]
            if ours.f1 >= theirs.f1:
                break
            lines.append(
                f"  {name}  pipeline {ours.f1:.3f} (P {_opt(ours.precision)} R {_opt(ours.recall)})"
                f"  {base.name} {theirs.f1:.3f}  delta {ours.f1 - theirs.f1:+.3f}"
            )
    worst_pages = sorted(pipeline.scores, key=lambda n: (pipeline.scores[n].f1, n))[:worst]
    lines += ["", "pages the pipeline scores worst against the labels:"]
    for name in worst_pages:
        page = pipeline.scores[name]
        lines.append(
            f"  {name}  F1 {page.f1:.3f} (P {_opt(page.precision)} R {_opt(page.recall)};"
            f" tp {page.true_positives} fp {page.false_positives} fn {page.false_negatives})"
        )
    return "\n".join(lines)
