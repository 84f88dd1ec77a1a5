"""Site-learned boilerplate: fingerprints, counting, the snapshot, applied to real pages.

Material: two sites of the shared corpus's extraction-dev set (WCXB dev
split, CC-BY-4.0). Harvard Health closes each page with a three-paragraph
disclaimer that no generic rule knows; Reviewed, the other source, shares an
affiliate note and a "Follow Reviewed on ..." block across its pages. Should a
generic rule learn part of the Harvard footer one day, the tests expect the
rest (`harvard_footer`); its site-specific middle paragraph must stay unknown.
"""

from __future__ import annotations

import gzip
import itertools
import json
import pickle
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.html import extract_html
from extractors.records import Metadata, ParsedArticle, Reject
from transforms.article import Article, CleanSettings, build_article
from transforms.boilerplate.rules import FOLD
from transforms.boilerplate.site import (
    MAX_WORDS,
    NO_LEARNED_BOILERPLATE,
    SITE_KIND,
    LearnedBoilerplate,
    SiteCounts,
    count_articles,
    fingerprint,
    learn,
    observed_paragraphs,
    strip_site_boilerplate,
)
from transforms.normalise import normalise_body

HARVARD_FOOTER = (
    "Disclaimer:",
    "As a service to our readers, Harvard Health Publishing provides access to our library of "
    "archived content. Please note the date of last review or update on all articles.",
    "No content on this site, regardless of date, should ever be used as a substitute for "
    "direct medical advice from your doctor or other qualified clinician.",
)
SITES = {"harvard": "health.harvard.edu", "reviewed": "reviewed.com"}
INGESTED = datetime(2026, 11, 30, 12, tzinfo=UTC)


def site_pages(corpus: Path, domain: str) -> list[ParsedArticle]:
    """The extraction-dev pages of one site, extracted, in file-name order."""
    folder = corpus / "extraction-dev"
    truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key in sorted(truth):
        url = truth[key]["url"]
        if url and domain in url:
            html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
            parsed = extract_html(html, locator=key, hints=Metadata(url=url), fallbacks=False)
            assert not isinstance(parsed, Reject)
            pages.append(parsed)
    return pages


@pytest.fixture(scope="module")
def pages(corpus: Path) -> dict[str, list[ParsedArticle]]:
    """Source name -> its real pages."""
    found = {name: site_pages(corpus, domain) for name, domain in SITES.items()}
    assert {name: len(p) for name, p in found.items()} == {"harvard": 2, "reviewed": 2}
    return found


def harvard_footer(articles: Sequence[Article]) -> list[str]:
    """The part of the Harvard footer the generic rules leave, checked at the end of each body."""
    plain = [text for text in HARVARD_FOOTER if text in articles[0].body]
    assert HARVARD_FOOTER[1] in plain  # names Harvard Health Publishing: no generic rule's business
    for article in articles:
        assert article.body.split("\n\n")[-len(plain) :] == plain
    return plain


def build(parsed: ParsedArticle, source: str, settings: CleanSettings) -> Article:
    article = build_article(
        parsed,
        settings=replace(settings, default_source=source),
        run_id="run-1",
        ingested_at=INGESTED,
    )
    assert isinstance(article, Article)
    return article


def counts_of(articles: Sequence[Article], source: str) -> SiteCounts:
    return count_articles(
        None, source, [observed_paragraphs(a.body, a.boilerplate_removed) for a in articles]
    )


def site_removals(article: Article) -> list[str]:
    return [r.text for r in article.boilerplate_removed if r.kind == SITE_KIND]


def test_generic_rules_miss_the_footer(pages: dict[str, list[ParsedArticle]]) -> None:
    """Without learning, every Harvard page ends with the footer: no generic rule knows it."""
    assert harvard_footer([build(p, "harvard", CleanSettings()) for p in pages["harvard"]])


def test_learned_footer_is_removed_and_audited(pages: dict[str, list[ParsedArticle]]) -> None:
    """After learning from the site's articles, its pages lose the footer, each removal recorded."""
    plain = CleanSettings()
    first = [build(p, "harvard", plain) for p in pages["harvard"]]
    footer = harvard_footer(first)
    learned = learn([counts_of(first, "harvard")], share=1.0, min_articles=2)
    settings = replace(plain, site_boilerplate=learned)
    for parsed, before in zip(pages["harvard"], first, strict=True):
        after = build(parsed, "harvard", settings)
        assert site_removals(after) == footer
        assert {r.rule[:5] for r in after.boilerplate_removed if r.kind == SITE_KIND} == {"site:"}
        assert after.body == "\n\n".join(before.body.split("\n\n")[: -len(footer)])
        assert after.boilerplate_removed[: len(before.boilerplate_removed)] == (
            before.boilerplate_removed
        )
        assert after.article_id == before.article_id
        assert after.content_hash != before.content_hash


def test_an_article_without_url_keeps_its_id(pages: dict[str, list[ParsedArticle]]) -> None:
    """A URL-less article's id is that of its body before site removal: reruns add no row."""
    plain = CleanSettings()
    no_url = [
        replace(p, metadata=replace(p.metadata, url=None, canonical_url=None))
        for p in pages["harvard"]
    ]
    first = [build(p, "harvard", plain) for p in no_url]
    learned = learn([counts_of(first, "harvard")], share=1.0, min_articles=2)
    for parsed, before in zip(no_url, first, strict=True):
        after = build(parsed, "harvard", replace(plain, site_boilerplate=learned))
        assert before.url is None
        assert after.body != before.body
        assert after.article_id == before.article_id


def test_other_sources_are_untouched(pages: dict[str, list[ParsedArticle]]) -> None:
    """A source's patterns never apply to another source, even to the very same text."""
    plain = CleanSettings()
    harvard = [build(p, "harvard", plain) for p in pages["harvard"]]
    settings = replace(
        plain, site_boilerplate=learn([counts_of(harvard, "harvard")], share=1.0, min_articles=2)
    )
    for parsed in pages["reviewed"]:
        assert build(parsed, "reviewed", settings) == build(parsed, "reviewed", plain)
    mirror = build(pages["harvard"][0], "mirror", settings)  # Harvard's page under another name
    assert mirror == build(pages["harvard"][0], "mirror", plain)
    assert harvard_footer([mirror])


def test_same_input_same_output_in_any_order(pages: dict[str, list[ParsedArticle]]) -> None:
    """Cleaning with a snapshot and counting a commit depend on the articles, not their order."""
    plain = CleanSettings()
    work = [(p, name) for name, site in pages.items() for p in site]
    learned = learn(
        [counts_of([build(p, n, plain) for p, n in work if n == name], name) for name in SITES],
        share=1.0,
        min_articles=2,
    )
    assert "harvard" in {name for name, _ in learned}
    settings = replace(plain, site_boilerplate=learned)
    results = set()
    counted = set()
    for order in itertools.permutations(range(len(work))):
        built = [build(*work[i], settings) for i in order]
        results.add(frozenset(built))
        counted.add(counts_of([a for a in built if a.source == "reviewed"], "reviewed"))
    assert len(results) == 1
    assert len(counted) == 1


def test_nothing_is_learned_below_the_minimum(pages: dict[str, list[ParsedArticle]]) -> None:
    """Two articles teach nothing when three are required, however often a paragraph recurs."""
    articles = [build(p, "harvard", CleanSettings()) for p in pages["harvard"]]
    counts = counts_of(articles, "harvard")
    assert counts.articles_seen == 2
    assert len(learn([counts], share=1.0, min_articles=3)) == 0
    assert len(learn([counts], share=1.0, min_articles=2)) >= len(harvard_footer(articles))


def test_a_learned_pattern_keeps_being_counted(pages: dict[str, list[ParsedArticle]]) -> None:
    """Counting puts site removals back, so a learned footer does not unlearn itself."""
    plain = CleanSettings()
    first = [build(p, "harvard", plain) for p in pages["harvard"]]
    counts = counts_of(first, "harvard")
    learned = learn([counts], share=1.0, min_articles=2)
    later = [
        build(p, "harvard", replace(plain, site_boilerplate=learned)) for p in pages["harvard"]
    ]
    again = count_articles(
        counts, "harvard", [observed_paragraphs(a.body, a.boilerplate_removed) for a in later]
    )
    assert learn([again], share=1.0, min_articles=2) == learned


def test_only_the_head_and_tail_runs_are_removed(pages: dict[str, list[ParsedArticle]]) -> None:
    """A learned paragraph in the middle of a body stays: only the runs at either end go."""
    body = build(pages["harvard"][0], "harvard", CleanSettings()).body
    paragraphs = body.split("\n\n")
    middle = paragraphs[len(paragraphs) // 2]
    key = fingerprint(middle)
    assert key is not None
    assert strip_site_boilerplate(body, frozenset({key})).body == body
    first = fingerprint(paragraphs[0])
    assert first is not None
    cleaned = strip_site_boilerplate(body, frozenset({key, first}))
    assert cleaned.body == "\n\n".join(paragraphs[1:])
    assert [r.text for r in cleaned.removed] == [paragraphs[0]]


def test_long_paragraphs_are_never_learned() -> None:
    """A paragraph over MAX_WORDS words has no fingerprint: it is never counted nor removed."""
    assert fingerprint(" ".join(["word"] * MAX_WORDS)) is not None
    assert fingerprint(" ".join(["word"] * (MAX_WORDS + 1))) is None
    assert fingerprint("* * * —") is None


def test_lossy_counting_bounds_memory_and_error() -> None:
    """One commit per article: a paragraph in every article counts exactly, one-offs are dropped."""
    counts: SiteCounts | None = None
    per_article, error_share = 10, 0.02
    largest = 0
    for n in range(2000):
        observed = {f"{n}-{i}": f"unique {n} {i}" for i in range(per_article)}
        observed["footer"] = "the footer"
        if n % 4 == 0:
            observed["quarter"] = "in a quarter of the articles"
        counts = count_articles(counts, "s", [observed], error_share=error_share)
        largest = max(largest, len(counts.patterns))
    assert counts is not None
    tracked = {p.fingerprint: p for p in counts.patterns}
    assert tracked["footer"].articles == 2000
    quarter = tracked["quarter"]
    assert quarter.articles <= 500 <= quarter.articles + quarter.max_error
    assert 500 - quarter.articles <= error_share * counts.articles_seen
    # a one-off is kept for at most 1/error_share articles: 20,002 paragraphs seen, <= 502 held
    assert largest <= per_article / error_share + 2
    assert set(tracked) == {"footer", "quarter"}


def test_one_commit_counts_the_same_in_any_order() -> None:
    """A commit is one batch: its result does not depend on the order of its articles."""
    articles = [{"a": "A", "b": "B"}, {"a": "a"}, {"c": "C"}, {"a": "A.", "c": "C"}]
    results = {count_articles(None, "s", list(order)) for order in itertools.permutations(articles)}
    assert len(results) == 1
    [result] = results
    assert [(p.fingerprint, p.articles, p.text) for p in result.patterns] == [
        ("a", 3, "A"),
        ("b", 1, "B"),
        ("c", 2, "C"),
    ]


@pytest.mark.parametrize(
    ("share", "min_articles"), [(0.0, 2), (1.5, 2), (0.5, 0)], ids=["zero", "above-one", "min-0"]
)
def test_bad_thresholds_are_refused(share: float, min_articles: int) -> None:
    """A share outside (0, 1] or a minimum below 1 is a ValueError naming it."""
    with pytest.raises(ValueError, match=r"share|minimum"):
        learn([], share=share, min_articles=min_articles)


def test_settings_with_a_snapshot_pickle(pages: dict[str, list[ParsedArticle]]) -> None:
    """CleanSettings carrying a snapshot survives pickling (process or Dask workers) unchanged."""
    articles = [build(p, "harvard", CleanSettings()) for p in pages["harvard"]]
    settings = CleanSettings(
        site_boilerplate=learn([counts_of(articles, "harvard")], share=1.0, min_articles=2)
    )
    copy = pickle.loads(pickle.dumps(settings))
    assert copy == settings
    assert copy.site_boilerplate.for_source("harvard") == settings.site_boilerplate.for_source(
        "harvard"
    )
    assert CleanSettings().site_boilerplate is NO_LEARNED_BOILERPLATE


# --- properties ---------------------------------------------------------------

_WORDS = st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=12)
_LATIN_TO_HOMOGLYPH = {latin: glyph for glyph, latin in FOLD.items() if latin.isalpha()}


@given(_WORDS, st.sampled_from(["upper", "title", "spaces", "homoglyphs", "edges"]))
def test_trivial_variations_share_a_fingerprint(words: list[str], how: str) -> None:
    """Case, spacing, homoglyphs and edge punctuation do not change a fingerprint."""
    text = " ".join(words)
    variant = {
        "upper": text.upper(),
        "title": text.title(),
        "spaces": "  \t".join(words) + " ",
        "homoglyphs": "".join(_LATIN_TO_HOMOGLYPH.get(ch, ch) for ch in text),
        "edges": f"» {text}. —",
    }[how]
    assert fingerprint(variant) == fingerprint(text) is not None


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_numbers_do_not_change_a_fingerprint(a: int, b: int) -> None:
    """Years and counts in a footer ("© 2024") are folded to one digit run."""
    assert fingerprint(f"Copyright {a} Example Media") == fingerprint(
        f"copyright {b} example media"
    )


@given(st.lists(st.text(max_size=60), max_size=8), st.sets(st.integers(0, 7)))
def test_stripping_is_idempotent_and_never_raises(paragraphs: list[str], picked: set[int]) -> None:
    """Stripping twice is stripping once; what is kept is an unchanged slice of the body."""
    body = normalise_body("\n\n".join(paragraphs))
    parts = body.split("\n\n") if body else []
    learned = frozenset(
        key for i in picked if i < len(parts) and (key := fingerprint(parts[i])) is not None
    )
    once = strip_site_boilerplate(body, learned)
    twice = strip_site_boilerplate(once.body, learned)
    assert twice.body == once.body
    assert twice.removed == ()
    assert once.body in body
    kept = once.body.split("\n\n") if once.body else []
    assert len(kept) + len(once.removed) <= len(parts)


@given(st.text(max_size=300))
def test_no_pattern_leaves_a_body_unchanged(text: str) -> None:
    """With nothing learned for the source, the body comes back identical."""
    snapshot = LearnedBoilerplate((("other", frozenset({"0" * 16})),))
    assert snapshot.strip(text, "mine").body == text
    assert strip_site_boilerplate(text, frozenset()).body == text
