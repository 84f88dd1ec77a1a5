"""Metadata from JSON-LD and meta tags on real pages, and their order of trust."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from extractors.jsonld import article_body_from_jsonld, article_metadata_from_jsonld
from extractors.metatags import metadata_from_meta_tags

EVAL = Path("html/adbar__trafilatura/eval")


def _tree(corpus: Path, name: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring((corpus / EVAL / name).read_bytes())


def test_jsonld_keeps_offset_and_authors(corpus: Path) -> None:
    """JSON-LD gives the full timestamp with its UTC offset, which trafilatura's date drops."""
    meta = article_metadata_from_jsonld(_tree(corpus, "theatlantic.com.disasters.html"))
    assert meta.published == "2020-08-23T07:30:00-04:00"
    assert meta.authors == ("Leah C. Stokes",)
    assert meta.title and meta.title.startswith("California’s Disasters")


def test_jsonld_resolves_graph_references(corpus: Path) -> None:
    """An author given as an @id reference inside @graph resolves to the person's name."""
    meta = article_metadata_from_jsonld(_tree(corpus, "citylimits.org-Nycha.html"))
    assert meta.authors == ("Tatyana Turner",)
    assert meta.site_name == "City Limits"


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("nytimes.com.blackouts.html", "title", "Rolling Blackouts in California"),
        (
            "bbc.com.52241221.html",
            "canonical_url",
            "https://www.bbc.com/news/world-us-canada-52241221",
        ),
        ("tagesschau.de.rheinmetall.html", "language", "de"),
    ],
)
def test_meta_tags(corpus: Path, name: str, field: str, expected: str) -> None:
    """OpenGraph, <html lang> and <link rel=canonical> are read."""
    value = getattr(metadata_from_meta_tags(_tree(corpus, name)), field)
    assert value is not None and value.startswith(expected)


def test_no_jsonld_gives_empty_metadata() -> None:
    """A page without JSON-LD (or with broken JSON) yields empty metadata, not an error."""
    tree = lxml_html.document_fromstring(
        '<html><head><script type="application/ld+json">{broken</script></head>'
        "<body>x</body></html>"
    )
    meta = article_metadata_from_jsonld(tree)
    assert meta.title is None and meta.authors == ()


@pytest.mark.parametrize(
    "script",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than json's recursion limit
        '{"@graph": ' * 5_000 + "{}" + "}" * 5_000,
        '{"@type": "NewsArticle", "headline": "Bad \\ud800 title"}',
    ],
    ids=["deep-list", "deep-graph", "lone-surrogate"],
)
def test_hostile_jsonld_never_raises(script: str) -> None:
    """Deeply nested or surrogate-laden JSON-LD yields metadata or nothing, never an error."""
    tree = lxml_html.document_fromstring(
        f'<html><head><script type="application/ld+json">{script}</script></head>'
        "<body>x</body></html>"
    )
    meta = article_metadata_from_jsonld(tree)
    assert meta.title in (None, "Bad \ud800 title")


def _script(value: object) -> lxml_html.HtmlElement:
    data = json.dumps({"@type": "NewsArticle", "articleBody": value})
    page = f'<html><head><script type="application/ld+json">{data}</script></head></html>'
    return lxml_html.document_fromstring(page)


def test_jsonld_article_body_from_a_real_page(corpus: Path) -> None:
    """elledecor.com declares its whole story in JSON-LD; the labelled sentences are there."""
    page = corpus / "extraction-dev" / "html" / "wcxb-dev-0133.html.gz"
    body = article_body_from_jsonld(
        lxml_html.document_fromstring(gzip.decompress(page.read_bytes()))
    )
    assert body is not None
    assert "Consider, then, enlisting the help of an online interior design service." in body
    assert len(body.split()) > 1000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("First line.\nSecond &amp; last.", "First line.\n\nSecond & last."),
        ("<p>One <b>bold</b> claim.</p><p>Two.</p>", "One bold claim.\n\nTwo."),
        ("   ", None),
        (["not", "a string"], None),
    ],
)
def test_jsonld_article_body_is_plain_paragraphs(value: object, expected: str | None) -> None:
    """Entities are decoded, HTML reduced to its blocks' text, blank values are no body."""
    assert article_body_from_jsonld(_script(value)) == expected
