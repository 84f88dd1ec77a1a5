"""The article-body metric (`transforms.quality`) and the CI quality gate built on it.

The gate scores the pipeline and bare trafilatura on a fixed subset of the
labelled dev set (the first pages of `extraction-dev` by file name) and fails
if the pipeline's F1 drops below a floor set just under the measured figure,
or falls behind trafilatura on the same pages. The whole dev set is scored by
`bench/eval_extraction.py`; the figures are in issue 5's closing note.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import trafilatura
from hypothesis import given
from hypothesis import strategies as st

from extractors.html import extract_html
from extractors.records import Metadata, Reject
from tests.warehouse.conftest import INGESTED
from transforms.article import CleanSettings, build_article
from transforms.quality import (
    CorpusScore,
    PageScore,
    SnippetRates,
    score_page,
    shingles,
    snippet_rates,
    summarise,
    tokens,
)

DEV_SET = Path("extraction-dev")
# 60 pages: about 4 s for the pipeline and 1.5 s for each trafilatura run on
# one core here (15.6 and 42 pages/s), well under the 20 s budget for a CI test.
GATE_PAGES = 60

# Small vocabularies make shared shingles likely; arbitrary text covers the rest.
_VOCABULARY = ["a", "b", "c", "Été", "東京", "x_1"]
_WORDS = st.lists(st.sampled_from(_VOCABULARY), max_size=40).map(" ".join)
_TEXTS = st.one_of(_WORDS, st.text())
_NONEMPTY = st.one_of(
    _WORDS.filter(lambda t: bool(tokens(t))), st.text().filter(lambda t: bool(tokens(t)))
)


# --- the metric ---------------------------------------------------------------


def test_tokens_are_unicode_words_with_case_kept() -> None:
    """Tokens are `\\w+` runs of any script; punctuation splits them and case stays."""
    assert tokens("Héllo, wörld! 東京 x_1 — C'est") == ["Héllo", "wörld", "東京", "x_1", "C", "est"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("  ... !", {}),
        ("one", {("one",): 1}),
        ("one two three", {("one", "two", "three"): 1}),
        ("a b c d", {("a", "b", "c", "d"): 1}),
        ("a b c d e", {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}),
        ("a b c d a b c d", {("a", "b", "c", "d"): 2, ("b", "c", "d", "a"): 1,
                             ("c", "d", "a", "b"): 1, ("d", "a", "b", "c"): 1}),
    ],
)  # fmt: skip
def test_shingles(text: str, expected: dict[tuple[str, ...], int]) -> None:
    """4-token shingles with counts; 1-3 tokens make one shingle, no token makes none."""
    assert dict(shingles(text)) == expected


def test_shingle_size_must_be_positive() -> None:
    """A zero shingle size is a usage error, said plainly."""
    with pytest.raises(ValueError, match="at least 1"):
        shingles("a b", size=0)


def test_score_page_counts_shared_and_surplus_shingles() -> None:
    """tp = shared shingles, fp = the prediction's surplus, fn = the truth's."""
    score = score_page("a b c d x", "a b c d e f")
    # truth: abcd bcde cdef; prediction: abcd bcdx
    assert score == PageScore(true_positives=1, false_positives=1, false_negatives=2)
    assert score.precision == 0.5
    assert score.recall == pytest.approx(1 / 3)
    assert score.f1 == pytest.approx(2 / 5)


def test_repeated_text_counts_as_surplus() -> None:
    """Multisets: a paragraph printed twice costs precision, unlike with shingle sets."""
    truth = "one two three four five"
    score = score_page(f"{truth}\n\n{truth}", truth)
    assert score.recall == 1.0
    # 10 tokens make 7 predicted shingles, of which the truth's 2 are due
    assert score.precision == pytest.approx(2 / 7)


@pytest.mark.parametrize(
    ("predicted", "truth", "precision", "recall", "f1"),
    [
        ("", "a b c d", None, 0.0, 0.0),  # nothing extracted: no precision, recall 0
        ("a b c d", "", 0.0, None, 0.0),  # nothing to find: no recall
        ("", "", None, None, 1.0),
        ("¡!", "a b c d", None, 0.0, 0.0),  # punctuation only has no token
    ],
)
def test_empty_texts(
    predicted: str, truth: str, precision: float | None, recall: float | None, f1: float
) -> None:
    """The 0/0 cases follow the benchmark: undefined ratios are None, not 0 or 1."""
    score = score_page(predicted, truth)
    assert (score.precision, score.recall, score.f1) == (precision, recall, f1)


def test_summarise_takes_f1_of_the_means() -> None:
    """Corpus F1 is 2PR/(P+R) of the mean P and R, not a mean of per-page F1s."""
    pages = [
        PageScore(true_positives=1, false_positives=0, false_negatives=1),  # P 1, R .5
        PageScore(true_positives=1, false_positives=1, false_negatives=0),  # P .5, R 1
    ]
    corpus = summarise(pages)
    assert (corpus.precision, corpus.recall) == (0.75, 0.75)
    assert corpus.f1 == pytest.approx(0.75)  # the mean of the page F1s is 2/3


def test_summarise_leaves_empty_answers_out_of_precision() -> None:
    """An empty answer costs recall only, as in the benchmark; it is counted."""
    corpus = summarise([score_page("a b c d", "a b c d"), score_page("", "a b c d")])
    assert corpus == CorpusScore(pages=2, empty_predictions=1, precision=1.0, recall=0.5)


def test_summarise_scores_an_all_empty_run_zero() -> None:
    """A run that extracted nothing scores 0, so it can never pass the gate."""
    corpus = summarise([score_page("", "a b c d")] * 3)
    assert (corpus.precision, corpus.recall, corpus.f1) == (0.0, 0.0, 0.0)


def test_summarise_refuses_no_pages() -> None:
    """No pages at all is a usage error (a wrong path), not a score."""
    with pytest.raises(ValueError, match="no page scores"):
        summarise([])


def test_snippet_rates_fold_whitespace_and_quotes_and_keep_case() -> None:
    """Snippets match across line breaks, spaces and quote styles, case-sensitively; blanks skip."""
    text = "Storm hits\nthe\u00a0 coast, “it’s bad”.\n\nSubscribe now"
    rates = snippet_rates(
        text,
        with_=["Storm hits the coast,", 'coast, "it\'s bad".', "storm hits", "not there", "  "],
        without=["Subscribe  now", "Follow us"],
    )
    assert rates == SnippetRates(with_kept=2, with_total=4, without_left=1, without_total=2)
    assert rates.with_kept_rate == 0.5
    assert rates.without_left_rate == 0.5


def test_snippet_rates_add_up_across_pages() -> None:
    """Counts add with `+`; a rate with no snippets of its kind is None."""
    total = SnippetRates(1, 2, 0, 0) + SnippetRates(2, 2, 1, 0)
    assert total == SnippetRates(3, 4, 1, 0)
    assert total.without_left_rate is None
    assert SnippetRates().with_kept_rate is None


@given(_NONEMPTY)
def test_identical_texts_score_one(text: str) -> None:
    """A prediction equal to the truth has precision and recall 1."""
    score = score_page(text, text)
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


@given(_TEXTS, _TEXTS)
def test_ratios_stay_in_the_unit_interval(predicted: str, truth: str) -> None:
    """Precision, recall and F1 are in [0, 1] (or None) for any pair of texts."""
    score = score_page(predicted, truth)
    for value in (score.precision, score.recall, score.f1):
        assert value is None or 0.0 <= value <= 1.0


@given(_TEXTS, _TEXTS)
def test_swapping_prediction_and_truth_swaps_precision_and_recall(a: str, b: str) -> None:
    """The metric is symmetric: swapping the texts swaps fp with fn and P with R."""
    forward, backward = score_page(a, b), score_page(b, a)
    assert forward.true_positives == backward.true_positives
    assert (forward.false_positives, forward.false_negatives) == (
        backward.false_negatives,
        backward.false_positives,
    )
    assert (forward.precision, forward.recall) == (backward.recall, backward.precision)
    assert forward.f1 == backward.f1


@given(_NONEMPTY.filter(lambda t: len(tokens(t)) >= 4), _NONEMPTY)
def test_adding_text_never_lowers_recall(truth: str, extra: str) -> None:
    """Appending text to a perfect answer keeps recall at 1; only precision can fall.

    Only for truths of at least 4 tokens: a shorter truth is one shingle of
    all its tokens, which a longer answer never contains as such.
    """
    score = score_page(f"{truth}\n\n{extra}", truth)
    assert score.recall == 1.0


# --- the CI quality gate ------------------------------------------------------


@dataclass
class Run:
    scores: list[PageScore] = field(default_factory=list)
    snippets: SnippetRates = field(default_factory=SnippetRates)
    empty: list[str] = field(default_factory=list)

    @property
    def corpus(self) -> CorpusScore:
        return summarise(self.scores)


def _pipeline_body(html: bytes, *, name: str, url: str) -> str | Reject:
    parsed = extract_html(html, locator=name, hints=Metadata(url=url))
    if isinstance(parsed, Reject):
        return parsed
    result = build_article(parsed, run_id="eval", ingested_at=INGESTED, settings=CleanSettings())
    return result if isinstance(result, Reject) else result.body


@cache
def _measure(corpus: Path) -> dict[str, Run]:
    """The pipeline and bare trafilatura on the first GATE_PAGES pages, as the bench does."""
    truth = json.loads((corpus / DEV_SET / "ground-truth.json").read_text("utf-8"))
    runs = {"pipeline": Run(), "trafilatura": Run(), "trafilatura-no-comments": Run()}
    for key in sorted(truth)[:GATE_PAGES]:
        entry = truth[key]
        html = gzip.decompress((corpus / DEV_SET / "html" / f"{key}.html.gz").read_bytes())
        pipeline = _pipeline_body(html, name=key, url=entry["url"])
        answers = {
            "pipeline": "" if isinstance(pipeline, Reject) else pipeline,
            "trafilatura": trafilatura.extract(html) or "",
            "trafilatura-no-comments": trafilatura.extract(html, include_comments=False) or "",
        }
        for system, predicted in answers.items():
            run = runs[system]
            run.scores.append(score_page(predicted, entry["articleBody"]))
            run.snippets += snippet_rates(predicted, with_=entry["with"], without=entry["without"])
            if not predicted:
                why = f": {pipeline.reason}" if isinstance(pipeline, Reject) else ""
                run.empty.append(f"{system} empty on {key}{why}")
    return runs


@pytest.fixture(scope="module")
def gate(corpus: Path) -> dict[str, Run]:
    measured = _measure(corpus)
    print(  # shown with -s or on failure: the figures behind the floors below
        "\n"
        + "\n".join(
            f"{name}: F1 {run.corpus.f1:.4f} P {run.corpus.precision:.4f}"
            f" R {run.corpus.recall:.4f} with kept {run.snippets.with_kept}/"
            f"{run.snippets.with_total} without left {run.snippets.without_left}/"
            f"{run.snippets.without_total}"
            for name, run in measured.items()
        )
        + "\n"
        + "\n".join(e for run in measured.values() for e in run.empty)
    )
    return measured


@pytest.mark.slow
def test_gate_subset_is_the_fixed_one(gate: dict[str, Run]) -> None:
    """The gate scores exactly GATE_PAGES pages, so its floors mean the same pages each run."""
    assert gate["pipeline"].corpus.pages == GATE_PAGES


@pytest.mark.slow
@pytest.mark.parametrize(
    ("measure", "floor"),
    [
        # measured on the first 60 pages (trafilatura 2.3.1, pages loaded with
        # trafilatura's own HTML loader): F1 0.915, P 0.932, R 0.899; a page
        # lost outright costs 1/60 = 0.017 of recall
        ("f1", 0.910),
        ("precision", 0.925),
        ("recall", 0.890),
    ],
)
def test_pipeline_quality_does_not_drop(gate: dict[str, Run], measure: str, floor: float) -> None:
    """Pipeline F1, precision and recall on the fixed subset stay above the measured floor."""
    assert getattr(gate["pipeline"].corpus, measure) >= floor


@pytest.mark.slow
@pytest.mark.parametrize(
    ("baseline", "margin"),
    [
        # measured on the first 60 pages: pipeline 0.915, trafilatura default
        # 0.911 (+0.004), trafilatura without comments 0.915 (+0.001). The
        # margin bounds the precision/recall trade of the boilerplate rules; a
        # larger loss means a rule eats article text.
        ("trafilatura", 0.005),
        ("trafilatura-no-comments", 0.005),
    ],
)
def test_pipeline_keeps_up_with_bare_trafilatura(
    gate: dict[str, Run], baseline: str, margin: float
) -> None:
    """On the same pages, the pipeline's F1 trails bare trafilatura's by at most a margin."""
    assert gate["pipeline"].corpus.f1 >= gate[baseline].corpus.f1 - margin


@pytest.mark.slow
def test_pipeline_snippet_rates_do_not_drop(gate: dict[str, Run]) -> None:
    """Labelled "with" snippets stay and "without" snippets stay out, as measured."""
    snippets = gate["pipeline"].snippets
    # measured on the first 60 pages: with kept 265/283 (93.6%; trafilatura
    # 266/283), without left 5/226 (2.2%; trafilatura 8/226)
    assert snippets.with_kept_rate is not None and snippets.with_kept_rate >= 0.92
    assert snippets.without_left_rate is not None and snippets.without_left_rate <= 0.035
