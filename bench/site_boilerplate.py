"""Site-learned boilerplate on the labelled pages, grouped by site: what is learned, what it costs.

The extraction-dev set (791 pages) holds at most three pages per site, so
this is a small-sample check, not a tuning run: the sites with at least
`--min-articles` pages (default 2) are each taken as one source, their
pipeline bodies counted (`count_articles`, one commit), the snapshot learned
with `--share` (default 0.6: all pages of a two-page site, two of three) and
every page of the site rebuilt through `build_article` with it. Learning is
in-sample (a page counts towards what is removed from it), as for the
articles of a source's first runs.

Prints the shingle F1, precision and recall (`pipeline.quality`) and the
snippet rates before and after, over the grouped pages and over the whole
set; how many paragraphs were learned and removed, and how many removed
paragraphs occur in the labelled article text (a removal of real text);
then the same counts for two ablations of the design, applied to the
pipeline bodies: learned paragraphs removed anywhere (no head/tail guard),
and no word cap on learnable paragraphs.

Usage: python bench/site_boilerplate.py [--share 0.6] [--min-articles 2] [--limit N] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATASET = "extraction-dev"
INGESTED = datetime(2026, 1, 1, tzinfo=UTC)  # fixed: the run must not depend on the clock
sys.path.insert(0, str(REPO))

from extractors.html import extract_html  # noqa: E402
from extractors.records import Metadata, ParsedArticle, Reject  # noqa: E402
from pipeline.evaluate import LabelledPage, load_pages  # noqa: E402
from pipeline.quality import (  # noqa: E402
    CorpusScore,
    PageScore,
    SnippetRates,
    score_page,
    snippet_rates,
    summarise,
)
from transforms.article import Article, CleanSettings, build_article  # noqa: E402
from transforms.boilerplate.site import (  # noqa: E402
    PARAGRAPH_BREAK,
    SITE_KIND,
    LearnedBoilerplate,
    count_articles,
    fold,
    learn,
    observed_paragraphs,
)
from transforms.normalise import domain_of  # noqa: E402


def iter_pages(folder: Path, limit: int | None) -> Iterator[LabelledPage]:
    """Labelled pages in file-name order (the evaluation's loader); exits when there are none."""
    pages = load_pages(folder, limit)
    first = next(pages, None)
    if first is None:
        sys.exit(f"no labelled pages under {folder}; pass --corpus or set NEWS_ETL_CORPUS")
    yield first
    yield from pages


def _default_corpus() -> Path:
    return Path(os.environ.get("NEWS_ETL_CORPUS", REPO.parent / "shared" / "corpus"))


@dataclass
class Page:
    label: LabelledPage
    site: str | None
    parsed: ParsedArticle | None
    body: str  # pipeline body without site learning ("" when rejected)


@dataclass
class Outcome:
    scores: dict[str, PageScore]
    snippets: SnippetRates
    removed: int = 0  # paragraphs removed as site boilerplate
    in_truth: int = 0  # of which occur in the labelled article text


def _build(page: Page, settings: CleanSettings) -> str:
    if page.parsed is None:
        return ""
    result = build_article(page.parsed, run_id="bench", ingested_at=INGESTED, settings=settings)
    return result.body if isinstance(result, Article) else ""


def _load(folder: Path, limit: int | None) -> list[Page]:
    pages = []
    for label in iter_pages(folder, limit):
        site = domain_of(label.url) if label.url else None
        parsed = extract_html(label.html, locator=label.name, hints=Metadata(url=label.url))
        kept = None if isinstance(parsed, Reject) else parsed
        page = Page(label, site, kept, "")
        page.body = _build(page, CleanSettings(default_source=site))
        pages.append(page)
    return pages


def _score(pages: Sequence[Page], bodies: dict[str, str], removed: dict[str, list[str]]) -> Outcome:
    outcome = Outcome({}, SnippetRates())
    for page in pages:
        name = page.label.name
        body = bodies.get(name, page.body)
        outcome.scores[name] = score_page(body, page.label.body)
        outcome.snippets += snippet_rates(body, with_=page.label.with_, without=page.label.without)
        for text in removed.get(name, []):
            outcome.removed += 1
            outcome.in_truth += _in_truth(text, page)
    return outcome


def _in_truth(text: str, page: Page) -> bool:
    """Whether `text` occurs in the labelled article text, quotes and spaces folded."""
    return snippet_rates(page.label.body, with_=[text], without=()).with_kept == 1


def _line(name: str, s: CorpusScore, snip: SnippetRates) -> str:
    kept = f"{snip.with_kept}/{snip.with_total}"
    left = f"{snip.without_left}/{snip.without_total}"
    return (
        f"  {name:<30} F1 {s.f1:.4f}  P {s.precision:.4f}  R {s.recall:.4f}"
        f"  with kept {kept:>9}  without left {left:>7}"
    )


def _anywhere(body: str, learned: frozenset[str], key: Callable[[str], str | None]) -> list[str]:
    return [p for p in body.split(PARAGRAPH_BREAK) if (k := key(p)) is not None and k in learned]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--share", type=float, default=0.6)
    parser.add_argument("--min-articles", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="first N pages by file name")
    parser.add_argument("--corpus", type=Path, default=_default_corpus())
    args = parser.parse_args()

    started = time.perf_counter()
    pages = _load(args.corpus / DATASET, args.limit)
    by_site: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.site:
            by_site[page.site].append(page)
    groups = {s: g for s, g in by_site.items() if len(g) >= args.min_articles}
    grouped = [p for g in groups.values() for p in g]

    if not grouped:
        sys.exit(
            f"no site has {args.min_articles} or more pages among the {len(pages)} read;"
            " raise --limit (the whole set has 21 such sites)"
        )
    counts = [
        count_articles(None, site, [observed_paragraphs(p.body) for p in group if p.body])
        for site, group in sorted(groups.items())
    ]
    learned = learn(counts, share=args.share, min_articles=args.min_articles)
    settings = CleanSettings(site_boilerplate=learned)

    bodies: dict[str, str] = {}
    removed: dict[str, list[str]] = {}
    for page in grouped:
        if page.parsed is None:
            continue
        result = build_article(
            page.parsed,
            run_id="bench",
            ingested_at=INGESTED,
            settings=replace(settings, default_source=page.site),
        )
        bodies[page.label.name] = result.body if isinstance(result, Article) else ""
        if isinstance(result, Article):
            removed[page.label.name] = [
                r.text for r in result.boilerplate_removed if r.kind == SITE_KIND
            ]

    before_all, after_all = _score(pages, {}, {}), _score(pages, bodies, removed)
    before_g, after_g = _score(grouped, {}, {}), _score(grouped, bodies, removed)
    print(
        f"{len(pages)} labelled pages; {len(groups)} sites with >= {args.min_articles} pages"
        f" ({len(grouped)} pages); share >= {args.share}; {time.perf_counter() - started:.0f} s"
    )
    print(
        f"learned {len(learned)} paragraphs in {sum(1 for _ in learned)} sites;"
        f" removed {after_g.removed} paragraphs from {sum(1 for r in removed.values() if r)} pages,"
        f" {after_g.in_truth} of them in the labelled article text"
    )
    for title, before, after in (
        (f"grouped pages ({len(grouped)})", before_g, after_g),
        (f"all pages ({len(pages)})", before_all, after_all),
    ):
        print(title)
        print(_line("pipeline", summarise(before.scores.values()), before.snippets))
        print(_line("pipeline + site-learned", summarise(after.scores.values()), after.snippets))

    print("ablations, on the grouped pages' bodies (paragraphs removed / of which in the truth):")
    design = _ablation(grouped, learned, head_tail=True)
    print(f"  head/tail runs, <= 80 words (design)  {design[0]:>4} / {design[1]}")
    anywhere = _ablation(grouped, learned, head_tail=False)
    print(f"  anywhere, <= 80 words                 {anywhere[0]:>4} / {anywhere[1]}")
    uncapped = _uncapped(grouped, groups, args.share, args.min_articles)
    print(f"  head/tail runs, no word cap           {uncapped[0]:>4} / {uncapped[1]}")
    print("learned paragraphs (site: text):")
    for site, fingerprints in learned:
        texts = sorted(
            {
                t
                for p in groups[site]
                for k, t in observed_paragraphs(p.body).items()
                if k in fingerprints
            }
        )
        for text in texts:
            print(f"  {site}: {text[:110]}")


def _ablation(
    pages: Sequence[Page], learned: LearnedBoilerplate, *, head_tail: bool
) -> tuple[int, int]:
    from transforms.boilerplate.site import fingerprint, strip_site_boilerplate

    removed = in_truth = 0
    for page in pages:
        keys = learned.for_source(page.site or "")
        if head_tail:
            texts = [r.text for r in strip_site_boilerplate(page.body, keys).removed]
        else:
            texts = _anywhere(page.body, keys, fingerprint)
        removed += len(texts)
        in_truth += sum(_in_truth(t, page) for t in texts)
    return removed, in_truth


def _uncapped(
    pages: Sequence[Page], groups: dict[str, list[Page]], share: float, min_articles: int
) -> tuple[int, int]:
    """The design without MAX_WORDS: every paragraph with a word is learnable."""
    import hashlib

    def key(text: str) -> str | None:
        folded = fold(text)
        return hashlib.sha256(folded.encode()).hexdigest()[:16] if folded else None

    counts = [
        count_articles(
            None,
            site,
            [{k: t for t in p.body.split(PARAGRAPH_BREAK) if (k := key(t))} for p in g if p.body],
        )
        for site, g in groups.items()
    ]
    learned = learn(counts, share=share, min_articles=min_articles)
    removed = in_truth = 0
    for page in pages:
        keys = learned.for_source(page.site or "")
        paragraphs = page.body.split(PARAGRAPH_BREAK) if page.body else []
        hits = [key(p) in keys for p in paragraphs]
        start, end = 0, len(hits)
        while start < end and hits[start]:
            start += 1
        while end > start and hits[end - 1]:
            end -= 1
        texts = paragraphs[:start] + paragraphs[end:]
        removed += len(texts)
        in_truth += sum(_in_truth(t, page) for t in texts)
    return removed, in_truth


if __name__ == "__main__":
    main()
