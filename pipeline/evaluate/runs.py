"""Run the pipeline and bare trafilatura over labelled pages; ablate the rules.

Issue 5, "The measure": the same pages, in the same run, through
- the pipeline: `extract_html` (hint: the labelled URL) then `build_article`
  with the given `CleanSettings`; a Reject at either step is an empty answer;
- trafilatura with default settings (which keep comments), and
- trafilatura with `include_comments=False`, the configuration the pipeline
  itself extracts with; it reproduces the issue's quoted baseline (F1 0.933,
  P 0.927, R 0.940 for 2.3.1), so it is the fair baseline.

Metric: `pipeline.quality` (4-token shingles, per-page precision and recall,
means over pages, F1 of the means) and the labelled snippet rates.

Per-rule contribution is measured by ablation: the F1 with every rule minus
the F1 with that one rule (or that whole kind) switched off, the other
figures held alike; the extraction fallbacks likewise, by extracting the
pages they rescued again without them. It is exact and cheap: a rule that
removed nothing on a page cannot change that page's output when it is
switched off (the engine reports the first matching rule, and a rule that did
not fire matched no line or lost to an earlier one), so only the pages a rule
touched are cleaned again. Deltas of single rules do not add up to the kind's
delta when two rules of a kind match the same lines; the kind's row says what
the kind is worth as a whole. Rules are tuned on the tune half, so that is
where `news-etl eval` ablates them.

Timing covers only the systems' calls, one page at a time, in one process;
pages/s is per core. Each system first runs once untimed on the first page,
so one-off start-up (the language model, the first parse) is not throughput.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from extractors.html import extract_html
from extractors.records import Metadata, ParsedArticle, Reject
from pipeline.evaluate.pages import LabelledPage
from pipeline.quality import (
    CorpusScore,
    PageScore,
    SnippetRates,
    score_page,
    snippet_rates,
    summarise,
)
from transforms.article import CleanSettings, build_article
from transforms.boilerplate import HEADLINE_RULE

__all__ = [
    "BEHIND_BY",
    "PIPELINE",
    "TRAFILATURA",
    "TRAFILATURA_NO_COMMENTS",
    "Contribution",
    "Evaluation",
    "SystemRun",
    "evaluate",
    "pages_behind",
]

PIPELINE = "pipeline"
TRAFILATURA = "trafilatura (default)"
TRAFILATURA_NO_COMMENTS = "trafilatura (no comments)"  # the fair baseline
BEHIND_BY = 0.10  # issue 14's guard: no page this much page F1 behind trafilatura's
_INGESTED = datetime(2026, 1, 1, tzinfo=UTC)  # fixed: a score must not depend on the clock


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
    sites: dict[str, str] = field(default_factory=dict)  # page name -> site, from the split

    def run(self, name: str) -> SystemRun:
        """The run of the system called `name` (`PIPELINE`, `TRAFILATURA_NO_COMMENTS`, ...)."""
        for found in self.runs:
            if found.name == name:
                return found
        raise KeyError(f"no system called {name!r}; have {[run.name for run in self.runs]}")


_Answer = tuple[str, str | None, str | None]  # body, reject reason, extraction method
System = Callable[[LabelledPage], _Answer]


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
        PIPELINE: pipeline,
        TRAFILATURA: _trafilatura(),
        TRAFILATURA_NO_COMMENTS: _trafilatura(include_comments=False),
    }
    runs = {name: SystemRun(name) for name in systems}
    labels: dict[str, LabelledPage] = {}
    sites: dict[str, str] = {}
    started = time.perf_counter()
    for number, page in enumerate(pages):
        labels[page.name] = replace(page, html=b"")  # the HTML is not needed again
        sites[page.name] = page.site
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
    found = _contributions(pipeline, runs[PIPELINE], labels) if contributions else []
    return Evaluation(list(runs.values()), found, time.perf_counter() - started, sites)


def pages_behind(ours: SystemRun, theirs: SystemRun, by: float = 0.0) -> list[str]:
    """Pages where `ours` scores more than `by` page F1 below `theirs`, worst first.

    Issue 14's guard counts those more than 0.10 behind trafilatura: a
    replacement body that loses a whole page is a bet the pipeline must not make.
    """
    deltas = {name: ours.scores[name].f1 - theirs.scores[name].f1 for name in ours.scores}
    return sorted(
        (name for name, delta in deltas.items() if delta < -by), key=lambda n: (deltas[n], n)
    )


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
