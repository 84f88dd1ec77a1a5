"""Real articles for the duplicate, cluster and version tests.

Stories come from the shared corpus's `extraction-dev` set: the original
page as published, and the same story as a wire service would syndicate it
(the labelled article text inside other chrome: a different site's
navigation, headline markup, two real footer lines from the boilerplate
catalogue and a copyright footer). Both go through the real extraction and
cleaning path, so their bodies differ the way syndicated copies do.
"""

from __future__ import annotations

import gzip
import html
import json
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path

from extractors.html import extract_html
from extractors.records import ExtractionMethod, Metadata, ParsedArticle
from tests.support.articles import INGESTED
from transforms.article import Article, CleanSettings, build_article

# Pages whose labelled text is a long news-style article (614 and 3655 words
# after cleaning); the original and the wire copy measure Jaccard 0.93 and
# 0.95 on 5-word shingles. 0003 is an unrelated story.
STORY = "wcxb-dev-0001"
OTHER_STORY = "wcxb-dev-0002"
UNRELATED = "wcxb-dev-0003"


@dataclass(frozen=True, slots=True)
class DevPage:
    page_id: str
    url: str
    title: str
    html: bytes
    labelled_body: str


@cache
def _ground_truth(corpus: Path) -> dict[str, dict[str, str]]:
    path = corpus / "extraction-dev" / "ground-truth.json"
    truth: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return truth


def dev_page(corpus: Path, page_id: str) -> DevPage:
    truth = _ground_truth(corpus)[page_id]
    raw = gzip.decompress((corpus / "extraction-dev" / "html" / f"{page_id}.html.gz").read_bytes())
    return DevPage(page_id, truth["url"], truth["title"], raw, truth["articleBody"])


def _footer_lines(corpus: Path) -> list[str]:
    path = corpus / "footers" / "boilerplate_catalogue.fixtures.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines[:4]]


def wire_copy_html(corpus: Path, page: DevPage) -> str:
    """The page's labelled story inside another site's chrome, as a syndicated copy."""
    paragraphs = "".join(
        f"<p>{html.escape(p)}</p>" for p in page.labelled_body.split("\n") if p.strip()
    )
    footers = "".join(f"<p>{html.escape(line)}</p>" for line in _footer_lines(corpus)[::3])
    title = html.escape(page.title)
    return (
        f"<html><head><title>{title} | Wire</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{title}</h1>{paragraphs}{footers}</article>"
        "<footer><p>Copyright 2025 Wire Syndicate. All rights reserved.</p>"
        "<ul><li><a href='/a'>Council votes on the budget</a></li></ul></footer>"
        "</body></html>"
    )


def from_html(page: str | bytes, url: str, *, at: datetime = INGESTED) -> Article:
    parsed = extract_html(page, locator=url, hints=Metadata(url=url, source="news"))
    assert isinstance(parsed, ParsedArticle), parsed
    return _built(parsed, at)


def from_text(body: str, url: str, *, at: datetime = INGESTED) -> Article:
    parsed = ParsedArticle(url, body, Metadata(url=url, source="news"), ExtractionMethod.PLAIN_TEXT)
    return _built(parsed, at)


def _built(parsed: ParsedArticle, at: datetime) -> Article:
    article = build_article(parsed, run_id="run-1", ingested_at=at, settings=CleanSettings())
    assert isinstance(article, Article), article
    return article


def original(corpus: Path, page_id: str = STORY) -> Article:
    page = dev_page(corpus, page_id)
    return from_html(page.html, page.url)


def wire_copy(corpus: Path, page_id: str = STORY) -> Article:
    page = dev_page(corpus, page_id)
    return from_html(wire_copy_html(corpus, page), f"https://wire.example.net/story/{page_id}")


def lightly_edited(article: Article, url: str) -> Article:
    """The body with its last paragraph dropped, a note added and one word changed (J ~0.9)."""
    paragraphs = article.body.split("\n\n")
    edited = paragraphs[:-1]
    edited[-1] = edited[-1].replace(" the ", " this ", 1)
    edited.insert(1, "Editor's note: this story was updated with comment from the company.")
    return from_text("\n\n".join(edited), url)


def moved_to(article: Article, url: str) -> Article:
    """The very same body under another URL (an exact copy)."""
    return from_text(article.body, url)


def with_run(article: Article, run_id: str) -> Article:
    return replace(article, run_id=run_id)
