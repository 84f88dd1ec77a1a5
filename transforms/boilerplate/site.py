"""Site-learned boilerplate: paragraphs that recur across one source's articles.

A publisher wraps every story in the same few paragraphs (a disclaimer, an
affiliate note, "follow us on ...") that no generic rule names. Counting, per
source, how many articles contain each short paragraph finds them: one that
is in at least `share` of a source's articles, once at least `min_articles`
have been seen, is that source's boilerplate.

Three parts, all pure:

- `fingerprint`: a paragraph's text folded as the generic rules fold it
  (NFKC, the homoglyph table `FOLD`, case), digits made `0` and punctuation
  dropped, hashed to 16 hex digits, so "© 2024 Foo." and "(c) 2025 foo" do
  not both need learning. Paragraphs over `MAX_WORDS` words get none: they
  are never counted nor removed (article text is long; a recurring long
  paragraph is usually the same story stored twice).
- `count_articles`: per-source counts updated with a commit's articles. The
  counts are bounded by lossy counting (Manku and Motwani, VLDB 2002): after
  each update, a fingerprint whose count cannot reach `error_share` of the
  articles seen is forgotten, and one that comes back carries the largest
  count it may have had (`max_error`), so a kept count is at most
  `error_share * articles_seen` below the truth and never above it. A commit
  is counted as one batch (a function of its set of articles, not of their
  order), and the sample text kept for a fingerprint is the smallest one.
- `LearnedBoilerplate` and `strip_site_boilerplate`: a frozen snapshot of the
  learned fingerprints per source, taken at the start of a run and never
  changed during it, so an article's cleaned body depends only on the article
  and the snapshot, never on which articles the run saw before it. A learned
  paragraph is removed only in the leading or trailing run of the body (the
  paragraphs from either end, up to the first one that is not learned), as the
  generic `TAIL` rules do. On the extraction-dev pages grouped by site
  (`bench/site_boilerplate.py`), removing learned paragraphs anywhere took out
  216 paragraphs, 152 of them labelled article text (review templates'
  "Pros", "Best Overall", "How we tested" headings recur mid-body); at the
  head and tail only, 22, of which 4 match article text.

Counting uses each stored article's paragraphs *before* site removal (its
body plus its `site` removals), or a learned pattern would stop being seen
and unlearn itself.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from transforms.boilerplate.engine import Cleaned, Removal
from transforms.boilerplate.rules import FOLD
from transforms.defaults import SITE_MIN_ARTICLES, SITE_SHARE
from transforms.normalise import word_count

__all__ = [
    "ERROR_SHARE",
    "MAX_WORDS",
    "NO_LEARNED_BOILERPLATE",
    "RULE_PREFIX",
    "SITE_KIND",
    "LearnedBoilerplate",
    "PatternCount",
    "SiteCounts",
    "count_articles",
    "fingerprint",
    "learn",
    "observed_paragraphs",
    "strip_site_boilerplate",
]

# Longest paragraph counted or removed, in words (`transforms.normalise.word_count`).
# On the extraction-dev pages grouped by site the longest learned boilerplate
# paragraph has 67 words (a donation appeal). Without a cap, one story stored
# under two URLs (with and without a trailing slash) was learned whole: 30
# paragraphs removed, 9 of them article text, against 22 and 4 with this cap.
MAX_WORDS: Final = 80
# Lossy-counting error bound: counts kept are at most this share of the
# articles seen below the truth; the state holds about (candidate paragraphs
# per article) / ERROR_SHARE fingerprints per source, whatever the article count.
ERROR_SHARE: Final = 0.02
SITE_KIND: Final = "site"  # `Removal.kind` of a site-learned removal
RULE_PREFIX: Final = "site:"  # `Removal.rule` is this plus the fingerprint's first 8 digits
SAMPLE_CHARS: Final = 300  # the sample text kept per fingerprint, for `boilerplate list`
PARAGRAPH_BREAK: Final = "\n\n"  # how `transforms.normalise.normalise_body` joins paragraphs

_FOLD_TABLE: Final = str.maketrans(dict(FOLD))
_TOKEN: Final = re.compile(r"\w+")
_DIGITS: Final = re.compile(r"\d+")


def fold(text: str) -> str:
    """The comparable form of a paragraph: folded, lower-case, digits `0`, words only."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE).casefold()
    return " ".join(_TOKEN.findall(_DIGITS.sub("0", text)))


def fingerprint(paragraph: str) -> str | None:
    """16 hex digits naming a paragraph's folded text; None when it is never learnable.

    None for a paragraph with no word at all, or longer than `MAX_WORDS`.
    """
    if word_count(paragraph) > MAX_WORDS:
        return None
    folded = fold(paragraph)
    if not folded:
        return None
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]


def observed_paragraphs(body: str, removed: Iterable[Removal] = ()) -> dict[str, str]:
    """Fingerprint -> text of one article's learnable paragraphs, before site removal.

    `body` is a stored body (paragraphs joined by a blank line) and `removed`
    its `boilerplate_removed`: the site removals are put back, so a learned
    paragraph keeps being counted. Each fingerprint counts once per article.
    """
    texts = [*body.split(PARAGRAPH_BREAK), *(r.text for r in removed if r.kind == SITE_KIND)]
    found: dict[str, str] = {}
    for text in texts:
        text = text.strip()
        key = fingerprint(text)
        if key is not None and (key not in found or text < found[key]):
            found[key] = text
    return found


@dataclass(frozen=True, slots=True)
class PatternCount:
    """How many of a source's articles held one paragraph."""

    fingerprint: str
    articles: int  # articles counted with it: never above the truth
    max_error: int  # articles it may have been in while forgotten: truth <= articles + max_error
    text: str  # a sample of the paragraph (the smallest seen), for people


@dataclass(frozen=True, slots=True)
class SiteCounts:
    """One source's article count and its tracked paragraphs, sorted by fingerprint."""

    source: str
    articles_seen: int = 0
    patterns: tuple[PatternCount, ...] = ()

    def share(self, pattern: PatternCount) -> float:
        """Share of the source's articles counted with `pattern`."""
        return pattern.articles / self.articles_seen if self.articles_seen else 0.0

    def learned(
        self, *, share: float = SITE_SHARE, min_articles: int = SITE_MIN_ARTICLES
    ) -> tuple[PatternCount, ...]:
        """The patterns that are boilerplate under these thresholds."""
        _check_thresholds(share, min_articles)
        if self.articles_seen < min_articles:
            return ()
        return tuple(p for p in self.patterns if self.share(p) >= share)


def count_articles(
    previous: SiteCounts | None,
    source: str,
    articles: Iterable[Mapping[str, str]],
    *,
    error_share: float = ERROR_SHARE,
) -> SiteCounts:
    """`previous` counts plus one commit's articles (each `observed_paragraphs` of one).

    The commit is one batch of lossy counting: the result depends on the set
    of articles, not their order. After the update, a fingerprint with
    `articles + max_error <= error_share * articles_seen` is dropped.
    """
    if not 0 < error_share < 1:
        raise ValueError(f"error_share must be between 0 and 1, got {error_share}")
    before = previous.articles_seen if previous else 0
    tracked = {p.fingerprint: p for p in previous.patterns} if previous else {}
    counts: Counter[str] = Counter()
    samples: dict[str, str] = {}
    added = 0
    for observed in articles:
        added += 1
        counts.update(observed.keys())
        for key, text in observed.items():
            if key not in samples or text < samples[key]:
                samples[key] = text
    seen = before + added
    # Largest count a fingerprint not tracked now may have had: lossy counting's invariant.
    unseen_error = int(error_share * before)
    floor = error_share * seen
    merged: list[PatternCount] = []
    for key in sorted(tracked.keys() | counts.keys()):
        old = tracked.get(key)
        if old is None:
            pattern = PatternCount(key, counts[key], unseen_error, samples[key][:SAMPLE_CHARS])
        else:
            pattern = PatternCount(key, old.articles + counts[key], old.max_error, old.text)
        if pattern.articles + pattern.max_error > floor:
            merged.append(pattern)
    return SiteCounts(source, seen, tuple(merged))


@dataclass(frozen=True, slots=True)
class LearnedBoilerplate:
    """A snapshot of the learned fingerprints of each source; immutable and picklable.

    Build it with `learn`; `for_source` gives what `strip_site_boilerplate` needs.
    """

    by_source: tuple[tuple[str, frozenset[str]], ...] = ()
    _index: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries = tuple(sorted((s, frozenset(f)) for s, f in self.by_source if f))
        object.__setattr__(self, "by_source", entries)
        object.__setattr__(self, "_index", dict(entries))

    def for_source(self, source: str) -> frozenset[str]:
        """The fingerprints learned for `source` (empty for a source with none)."""
        return self._index.get(source, frozenset())

    def strip(self, body: str, source: str, *, after: tuple[Removal, ...] = ()) -> Cleaned:
        """`strip_site_boilerplate` with `source`'s patterns; `after` goes first in `removed`.

        `after` is what the generic rules removed before, so the result is the
        whole audit of the body.
        """
        site = strip_site_boilerplate(body, self.for_source(source))
        return Cleaned(site.body, after + site.removed)

    def __len__(self) -> int:
        return sum(len(fingerprints) for _, fingerprints in self.by_source)

    def __iter__(self) -> Iterator[tuple[str, frozenset[str]]]:
        return iter(self.by_source)


NO_LEARNED_BOILERPLATE: Final = LearnedBoilerplate()


def learn(
    counts: Iterable[SiteCounts],
    *,
    share: float = SITE_SHARE,
    min_articles: int = SITE_MIN_ARTICLES,
) -> LearnedBoilerplate:
    """The snapshot of what `counts` teach under these thresholds."""
    _check_thresholds(share, min_articles)
    return LearnedBoilerplate(
        tuple(
            (
                c.source,
                frozenset(p.fingerprint for p in c.learned(share=share, min_articles=min_articles)),
            )
            for c in counts
        )
    )


def strip_site_boilerplate(body: str, learned: frozenset[str]) -> Cleaned:
    """Remove the learned paragraphs at the head and tail of a body; the rest is untouched.

    `body` is a normalised body (paragraphs joined by one blank line); one
    without a learned paragraph at either end comes back identical. Each
    removal is recorded with rule `site:<first 8 digits of the fingerprint>`
    and kind `site`.
    """
    if not learned or not body:
        return Cleaned(body)
    paragraphs = body.split(PARAGRAPH_BREAK)
    keys = [fingerprint(p.strip()) for p in paragraphs]
    hits = [key is not None and key in learned for key in keys]
    start = 0
    while start < len(hits) and hits[start]:
        start += 1
    end = len(hits)
    while end > start and hits[end - 1]:
        end -= 1
    if start == 0 and end == len(hits):
        return Cleaned(body)
    dropped = [*range(start), *range(end, len(hits))]
    removed = tuple(
        Removal(f"{RULE_PREFIX}{keys[i][:8]}", SITE_KIND, paragraphs[i].strip())
        for i in dropped
        if keys[i] is not None
    )
    return Cleaned(PARAGRAPH_BREAK.join(paragraphs[start:end]), removed)


def _check_thresholds(share: float, min_articles: int) -> None:
    if not 0 < share <= 1:
        raise ValueError(f"the boilerplate share must be above 0 and at most 1, got {share}")
    if min_articles < 1:
        raise ValueError(f"the minimum number of articles must be at least 1, got {min_articles}")
