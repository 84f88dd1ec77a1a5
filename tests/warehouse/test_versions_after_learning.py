"""A pattern learned between two fetches of an unchanged page adds no version.

Learning a source's boilerplate changes the cleaned body (and `content_hash`)
of every later copy of a page, though the page itself did not change. The
writer compares `extracted_hash` (the body before site-learned removal), so
the refetch is a duplicate, not version 2, with or without a URL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.records import ExtractionMethod, Metadata, ParsedArticle
from transforms.article import Article, CleanSettings, build_article
from transforms.boilerplate.site import count_articles, learn, observed_paragraphs
from warehouse import BatchWriter, Warehouse

AT = datetime(2026, 11, 30, tzinfo=UTC)


def _build(parsed: ParsedArticle, settings: CleanSettings) -> Article:
    article = build_article(parsed, run_id="r", ingested_at=AT, settings=settings)
    assert isinstance(article, Article), article
    return article


@pytest.mark.parametrize("url", ["https://news.example/story", None])
def test_refetch_after_learning_is_a_duplicate(
    seed_path: Path, tmp_path: Path, url: str | None
) -> None:
    text = seed_path.read_text(encoding="utf-8")
    parsed = ParsedArticle(
        locator=str(seed_path),
        body=text,
        metadata=Metadata(url=url, title="Seed", source="site"),
        extraction_method=ExtractionMethod.PLAIN_TEXT,
    )
    plain = CleanSettings()
    before = _build(parsed, plain)
    # Pretend the site's articles all end with this story's last paragraph.
    last = before.body.split("\n\n")[-1]
    counts = count_articles(None, "site", [observed_paragraphs(last)] * 20)
    learned = CleanSettings(site_boilerplate=learn([counts], share=0.5, min_articles=10))
    after = _build(parsed, learned)
    assert after.content_hash != before.content_hash  # the learned paragraph went
    assert after.extracted_hash == before.extracted_hash == before.content_hash
    assert after.article_id == before.article_id

    store = Warehouse(tmp_path / "warehouse")
    first = BatchWriter.for_run(store, run_id="run-1").write("b1", [before], [], seen_at=AT)
    second = BatchWriter.for_run(store, run_id="run-2").write("b1", [after], [], seen_at=AT)
    assert (first.articles_written, second.articles_written) == (1, 0)
    assert (second.duplicates_skipped, second.new_versions) == (1, 0)
