"""Word shingles, MinHash signatures and the verified LSH index (transforms.similarity)."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.similarity import (
    DEFAULT_SIMILARITY,
    NearDuplicateIndex,
    SimilaritySettings,
    estimated_jaccard,
    jaccard,
    signature,
    word_shingles,
)

_VOCABULARY = ["the", "council", "Vote", "budget", "Été", "東京", "x_1", "2025"]
_WORDS = st.lists(st.sampled_from(_VOCABULARY), max_size=60).map(" ".join)
_TEXTS = st.one_of(_WORDS, st.text())


@given(_TEXTS, st.integers(min_value=1, max_value=8))
def test_shingles_never_raise_and_have_at_most_size_words(text: str, size: int) -> None:
    """Any text gives shingles of 1..size tokens; a text with no word gives none."""
    shingles = word_shingles(text, size)
    assert all(1 <= len(s.split(" ")) <= size for s in shingles)
    assert bool(shingles) == bool(re.findall(r"\w+", text))


@given(_WORDS)
def test_shingles_ignore_case_and_punctuation(text: str) -> None:
    """A re-typeset copy (upper case, punctuation between words) has the same shingles."""
    retyped = ", ".join(word.upper() for word in text.split(" "))
    assert word_shingles(retyped, 3) == word_shingles(text.casefold(), 3)


def test_shingles_of_a_sentence() -> None:
    """Five-word windows over lower-cased `\\w+` tokens; a short text is one shingle."""
    assert word_shingles("The Council voted: budget passes, 7-2.", 5) == {
        "the council voted budget passes",
        "council voted budget passes 7",
        "voted budget passes 7 2",
    }
    assert word_shingles("Breaking news", 5) == {"breaking news"}
    assert word_shingles(" — ", 5) == set()


@settings(max_examples=30, deadline=None)
@given(_TEXTS)
def test_signature_is_deterministic_and_self_similar(text: str) -> None:
    """The same text always gives the same signature (stored signatures stay comparable)."""
    first, second = signature(text, DEFAULT_SIMILARITY), signature(text, DEFAULT_SIMILARITY)
    assert first.dtype == np.uint32 and first.shape == (DEFAULT_SIMILARITY.num_perm,)
    assert np.array_equal(first, second)
    assert estimated_jaccard(first, second) == 1.0


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.floats(min_value=0.05, max_value=0.95))
def test_estimate_tracks_exact_jaccard(seed: int, keep: float) -> None:
    """The signature estimate is within 0.2 of the exact Jaccard (7 standard errors at 128)."""
    rng = random.Random(seed)
    words = [f"w{rng.randrange(10**6)}" for _ in range(400)]
    edited = [w if rng.random() < keep else f"z{rng.randrange(10**6)}" for w in words]
    a, b = " ".join(words), " ".join(edited)
    exact = jaccard(word_shingles(a, 3), word_shingles(b, 3))
    estimate = estimated_jaccard(
        signature(a, SimilaritySettings(shingle_words=3)),
        signature(b, SimilaritySettings(shingle_words=3)),
    )
    assert abs(estimate - exact) < 0.2


def _bodies(corpus: Path, count: int) -> list[str]:
    truth = json.loads((corpus / "extraction-dev" / "ground-truth.json").read_text("utf-8"))
    return [page["articleBody"] for page in list(truth.values())[:count]]


def test_unrelated_corpus_articles_are_far_apart(corpus: Path) -> None:
    """40 different real stories: no pair comes near the threshold, no false cluster."""
    index = NearDuplicateIndex(DEFAULT_SIMILARITY)
    for n, body in enumerate(_bodies(corpus, 40)):
        assert index.best_match(signature(body, DEFAULT_SIMILARITY)) is None
        index.add(str(n), signature(body, DEFAULT_SIMILARITY))
    assert len(index) == 40


def test_index_finds_an_edited_copy_and_prefers_the_closest(corpus: Path) -> None:
    """Among verified candidates the most similar wins; an exact copy scores 1.0."""
    body = _bodies(corpus, 1)[0]
    paragraphs = body.split("\n")
    edited = "\n".join(paragraphs[:-1])  # the last paragraph dropped
    index = NearDuplicateIndex(DEFAULT_SIMILARITY)
    index.add("edited", signature(edited, DEFAULT_SIMILARITY))
    index.add("original", signature(body, DEFAULT_SIMILARITY))
    match = index.best_match(signature(body, DEFAULT_SIMILARITY))
    assert match is not None and (match.key, match.similarity) == ("original", 1.0)
    assert np.array_equal(index.signature_of("original"), signature(body, DEFAULT_SIMILARITY))


def test_lsh_candidates_below_the_threshold_are_rejected() -> None:
    """A signature sharing one whole LSH band (a sure candidate) but little else is no match."""
    settings_ = DEFAULT_SIMILARITY
    stored = signature("the council voted on the budget " * 20, settings_)
    index = NearDuplicateIndex(settings_)
    index.add("stored", stored)
    query = np.arange(settings_.num_perm, dtype=np.uint32) + np.uint32(7)
    band = slice(0, settings_.num_perm // 8)  # wider than any band datasketch picks at 0.8
    query[band] = stored[band]
    assert index._lsh.query(index._minhash(query)) == [0]  # LSH alone says "candidate"
    assert estimated_jaccard(stored, query) < 0.2
    assert index.best_match(query) is None


@pytest.mark.parametrize(
    "bad", [{"threshold": 0.0}, {"threshold": 1.0}, {"num_perm": 8}, {"shingle_words": 0}]
)
def test_settings_are_validated(bad: dict[str, float]) -> None:
    """Nonsense settings fail at construction, not deep inside a run."""
    with pytest.raises(ValueError):
        SimilaritySettings(**bad)  # type: ignore[arg-type]


def test_fingerprint_names_what_a_stored_signature_depends_on() -> None:
    """Changing shingles or permutations changes the fingerprint; the threshold does not."""
    base = SimilaritySettings()
    assert SimilaritySettings(threshold=0.9).fingerprint == base.fingerprint
    assert SimilaritySettings(shingle_words=4).fingerprint != base.fingerprint
    assert SimilaritySettings(num_perm=64).fingerprint != base.fingerprint


def test_bodies_sharing_buckets_are_all_candidates_and_ties_go_to_the_oldest() -> None:
    """Several bodies in one LSH bucket are all found; equal similarity picks the first indexed."""
    index = NearDuplicateIndex(DEFAULT_SIMILARITY)
    text = "wire copy of the council budget vote in the city hall " * 10
    sig = signature(text, DEFAULT_SIMILARITY)
    for key in ("first", "second", "third"):
        index.add(key, sig)
    index.add("first", signature("a different story altogether", DEFAULT_SIMILARITY))  # kept
    match = index.best_match(sig)
    assert match is not None and (match.key, match.similarity) == ("first", 1.0)
    assert sorted(index._lsh.query(index._minhash(sig))) == [0, 1, 2]
