"""HTML extraction: main text with paragraph breaks, metadata by trust, rejects for non-pages."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from extractors.fallback import fallback_body
from extractors.html import extract_html
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason

EVAL = Path("html/adbar__trafilatura/eval")


def _parse(corpus: Path, name: str, hints: Metadata | None = None) -> ParsedArticle:
    result = extract_html(
        (corpus / EVAL / name).read_bytes(), locator=name, hints=hints or Metadata()
    )
    assert isinstance(result, ParsedArticle), result
    return result


def test_real_page_body_and_metadata(corpus: Path) -> None:
    """A real page gives its main text in paragraphs and JSON-LD metadata with the offset."""
    article = _parse(corpus, "theatlantic.com.disasters.html")
    assert article.extraction_method is ExtractionMethod.TRAFILATURA
    assert "When I moved to California five years ago" in article.body
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) > 10
    assert all(p.strip() == p and p for p in paragraphs)
    assert article.metadata.published == "2020-08-23T07:30:00-04:00"
    assert article.metadata.authors == ("Leah C. Stokes",)


def test_page_metadata_beats_hints(corpus: Path) -> None:
    """Hints only fill fields the page does not state (callers wanting hints to win override)."""
    article = _parse(
        corpus,
        "nytimes.com.blackouts.html",
        Metadata(title="hint title", section="hint section", source="nyt"),
    )
    assert article.metadata.title == "Rolling Blackouts in California Have Power Experts Stumped"
    assert article.metadata.source == "nyt"


XHTML = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>'
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>T</title></head>'
    "<body><article><p>{}</p></article></body></html>"
).format("A sentence of an article body that goes on. " * 12)


@pytest.mark.parametrize("page", [XHTML, XHTML.encode("utf-8")], ids=["str", "bytes"])
def test_xhtml_with_xml_declaration(page: str | bytes) -> None:
    """An XML declaration (which lxml refuses on str input) does not make a page unparseable."""
    assert isinstance(extract_html(page, locator="x.xhtml", hints=Metadata()), ParsedArticle)


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (b"", RejectReason.EMPTY_BODY),
        ("   \n ", RejectReason.EMPTY_BODY),
        ("<!-- only a comment -->", RejectReason.PARSE_ERROR),
        ("<html><head><title>Index</title></head><body/></html>", RejectReason.NOT_AN_ARTICLE),
        (b"\x00\x01\x02binary", RejectReason.UNDECODABLE),
    ],
)
def test_non_pages_are_rejected(page: str | bytes, reason: RejectReason) -> None:
    """Empty, binary or article-less input is a reject with a reason, never an exception."""
    result = extract_html(page, locator="p", hints=Metadata(source="s"))
    assert isinstance(result, Reject)
    assert (result.reason, result.source) == (reason, "s")


# --- fallback extractors (issue 5) ----------------------------------------------

DEV = Path("extraction-dev")


def _dev_page(corpus: Path, key: str) -> tuple[bytes, dict[str, Any]]:
    truth = json.loads((corpus / DEV / "ground-truth.json").read_text("utf-8"))
    return gzip.decompress((corpus / DEV / "html" / f"{key}.html.gz").read_bytes()), truth[key]


@pytest.mark.parametrize(
    ("key", "method"),
    [
        # trafilatura 2.3.1 returns nothing on this ecocult.com shopping guide
        ("wcxb-dev-4111", ExtractionMethod.READABILITY),
        # trafilatura keeps 89 words of a 5,400-word post; readability finds no more either
        ("wcxb-dev-4340", ExtractionMethod.JUSTEXT),
        # trafilatura keeps 339 words of a gallery story the page declares in JSON-LD
        ("wcxb-dev-0133", ExtractionMethod.JSONLD),
    ],
)
def test_fallback_extractor_rescues_a_page_trafilatura_misses(
    corpus: Path, key: str, method: ExtractionMethod
) -> None:
    """When trafilatura finds nothing or too little, a second extractor's body is used and named."""
    html, truth = _dev_page(corpus, key)
    result = extract_html(html, locator=key, hints=Metadata(url=str(truth["url"])))
    assert isinstance(result, ParsedArticle), result
    assert result.extraction_method is method
    body = " ".join(result.body.split())
    with_ = [str(s) for s in truth["with"]]
    kept = [s for s in with_ if " ".join(s.split()) in body]
    assert len(kept) >= len(with_) // 2, (len(kept), len(with_))
    assert all(p.strip() == p and p for p in result.body.split("\n\n"))


def test_fallback_leaves_a_full_trafilatura_body_alone(corpus: Path) -> None:
    """A page trafilatura extracts well never reaches the slower fallbacks."""
    article = _parse(corpus, "theatlantic.com.disasters.html")
    assert article.extraction_method is ExtractionMethod.TRAFILATURA


def test_fallback_needs_clearly_more_text() -> None:
    """A short page whose other extractors find no more is still trafilatura's (or a reject)."""
    page = "<html><body><article><p>" + "Word " * 30 + "</p></article></body></html>"
    assert fallback_body(page, found_words=30, language="en") is None
    assert fallback_body(page, found_words=500, language="en") is None
