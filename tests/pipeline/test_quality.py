"""The article-body metric (`pipeline.quality`) and the CI quality gate built on it.

The gate scores the pipeline and bare trafilatura on the validation half of
the labelled dev set (`pipeline/eval_split.tsv`: sites nobody tuned rules
on) and fails when a figure falls past its limit in
`pipeline/eval_floors.json`: the pipeline's F1, precision, recall and
snippet rates, its F1 lead over trafilatura without comments, and the number
of pages where it is more than 0.10 F1 behind trafilatura. `news-etl eval
--update-floors` rewrites the limits from a new measurement and refuses to
loosen one unless told to (`tests/pipeline/test_evaluate_floors.py`). Both
halves are scored by `news-etl eval`; the figures are in docs/quality.md
and docs/benchmarks.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.evaluate import (
    BEHIND_BY,
    MEASURES,
    PIPELINE,
    TRAFILATURA_NO_COMMENTS,
    Evaluation,
    Half,
    Measure,
    evaluate,
    format_report,
    gate_evaluation,
    labelled_folder,
    load_pages,
    pages_behind,
    read_floors,
)
from pipeline.quality import (
    CorpusScore,
    PageScore,
    SnippetRates,
    score_page,
    shingles,
    snippet_rates,
    summarise,
    tokens,
)
from transforms.article import CleanSettings

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

# The whole validation half, 384 pages: 37 s of CPU on one core here for the
# pipeline and both trafilatura settings (pipeline 18 s, trafilatura 9 s each).
FLOORS = read_floors()


@cache
def _measure(corpus: Path) -> Evaluation:
    """The three systems on the gate's pages, as `news-etl eval --update-floors` measures them."""
    return gate_evaluation(labelled_folder(corpus))


@pytest.fixture(scope="module")
def gate(corpus: Path) -> Evaluation:
    measured = _measure(corpus)
    print(  # shown with -s or on failure: the figures beside the limits
        "\n"
        + "\n".join(
            f"{m.name}: {m.read(measured):.4f} ({FLOORS.limits[m.name].bound}"
            f" {FLOORS.limits[m.name].limit:g})"
            for m in MEASURES
        )
    )
    return measured


@pytest.mark.slow
def test_gate_pages_are_the_ones_the_floors_were_set_on(gate: Evaluation) -> None:
    """The gate scores as many validation pages as the floors were set on, so they compare."""
    assert gate.run(PIPELINE).summary.pages == FLOORS.pages
    assert all(site for site in gate.sites.values()), "every gate page has its site from the split"


@pytest.mark.slow
@pytest.mark.parametrize("measure", MEASURES, ids=lambda measure: measure.name)
def test_gate_figure_stays_within_its_limit(gate: Evaluation, measure: Measure) -> None:
    """Each measured figure stays on the right side of its limit in eval_floors.json."""
    limit = FLOORS.limits[measure.name]
    figure = measure.read(gate)
    behind = pages_behind(gate.run(PIPELINE), gate.run(TRAFILATURA_NO_COMMENTS), BEHIND_BY)
    assert limit.allows(figure), (
        f"{measure.name} ({measure.means}) is {figure:.4f}, limit {limit.bound} {limit.limit:g}"
        f" (set from {limit.measured:g}); pages more than {BEHIND_BY} behind: {behind[:10]}."
        " Run `news-etl eval --half validation` to see where; raise the limits with"
        " `news-etl eval --update-floors` once the figures are better"
    )


def test_floors_file_covers_every_measure_the_gate_checks() -> None:
    """eval_floors.json parses, has a limit for each measure, and its own figures pass them."""
    assert set(FLOORS.limits) == {measure.name for measure in MEASURES}
    for measure in MEASURES:
        limit = FLOORS.limits[measure.name]
        assert limit.bound is measure.bound
        assert limit.allows(limit.measured)
    assert FLOORS.pages > 0


# --- the evaluation module ------------------------------------------------------


def test_labelled_folder_accepts_the_corpus_or_the_dev_set(corpus: Path, tmp_path: Path) -> None:
    """`--corpus` may name the shared corpus or its extraction-dev folder; else a clear error."""
    assert labelled_folder(corpus) == corpus / "extraction-dev"
    assert labelled_folder(corpus / "extraction-dev") == corpus / "extraction-dev"
    with pytest.raises(FileNotFoundError, match="--corpus"):
        labelled_folder(tmp_path)


@pytest.mark.slow
def test_contributions_are_exact_ablations(corpus: Path) -> None:
    """A rule's contribution equals F1 with all rules minus F1 re-measured without it."""
    pages = list(load_pages(labelled_folder(corpus), 12, half=Half.TUNE))
    full = evaluate(pages)
    touched = [c for c in full.contributions if c.pages and "." in c.name]  # rules only
    assert touched, "no rule removed anything on the first 12 tune pages"
    rule = max(touched, key=lambda c: abs(c.f1))
    settings = CleanSettings(rules=CleanSettings().rules.without(rule.name))
    ablated = evaluate(pages, settings, contributions=False)
    difference = full.runs[0].summary.f1 - ablated.runs[0].summary.f1
    assert rule.f1 == pytest.approx(difference, abs=1e-12)
    assert full.runs[0].name == "pipeline"
    assert "per-rule contribution" in format_report(full)
