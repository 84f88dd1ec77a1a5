"""Guarded fallbacks (issue 14): a replacement body is taken on evidence, never for its length."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from lxml.html import HtmlElement

from extractors.decoding import decode
from extractors.evidence import added_support, shingles
from extractors.fallback import (
    MIN_RATIO,
    Witnesses,
    _justext,
    _readability,
    second_opinion,
    supported_replacement,
)
from extractors.html import extract_html
from extractors.htmlparse import lxml_section, parse_html
from extractors.jsonld import article_body_from_jsonld
from extractors.records import ExtractionMethod, Metadata, ParsedArticle
from extractors.resili import resiliparse_text

DEV = Path("extraction-dev")


def _dev_page(corpus: Path, key: str) -> tuple[bytes, dict[str, Any]]:
    truth = json.loads((corpus / DEV / "ground-truth.json").read_text("utf-8"))
    return gzip.decompress((corpus / DEV / "html" / f"{key}.html.gz").read_bytes()), truth[key]


def _opinions(corpus: Path, key: str) -> tuple[HtmlElement, str, dict[ExtractionMethod, str]]:
    """The page's tree, trafilatura's body and the two fallback extractors' bodies."""
    html, truth = _dev_page(corpus, key)
    plain = extract_html(html, locator=key, hints=Metadata(url=truth["url"]), fallbacks=False)
    assert isinstance(plain, ParsedArticle)
    tree = parse_html(decode(html))
    assert tree is not None
    with lxml_section():
        candidates = {
            ExtractionMethod.READABILITY: _readability(tree),
            ExtractionMethod.JUSTEXT: _justext(tree, "en"),
        }
    return tree, plain.body, candidates


def test_shingle_support_counts_only_what_the_candidate_adds() -> None:
    """Support is the share of the candidate's new shingles that a witness also has."""
    current = "the dam opened on monday after years of work"
    candidate = current + " and the river rose by two metres overnight"
    assert added_support(current, current, [candidate]).added == 0
    found = added_support(candidate, current, ["the river rose by two metres overnight"])
    assert found.added == len(shingles(candidate) - shingles(current))
    assert 0.5 <= found.share < 1.0  # the shingles across the join are new to both
    assert added_support(candidate, current, ["cookie settings and newsletter"]).share == 0.0


def test_a_longer_body_without_a_witness_is_refused(corpus: Path) -> None:
    """jusText's page furniture, twice trafilatura's right body, is no evidence of a miss."""
    # wcxb-dev-0362: trafilatura keeps the 97-word story (page F1 0.94); jusText
    # finds 268 words of furniture (F1 0.24) that readability does not have.
    _tree, body, candidates = _opinions(corpus, "wcxb-dev-0362")
    justext_words = len(candidates[ExtractionMethod.JUSTEXT].split())
    assert justext_words >= MIN_RATIO * len(body.split())  # long enough to be asked
    assert supported_replacement(body, candidates) is None


@pytest.mark.parametrize(
    ("key", "method"),
    [
        # trafilatura keeps 474 words of a 1,400-word post; readability has what jusText adds
        ("wcxb-dev-0061", ExtractionMethod.JUSTEXT),
        # trafilatura keeps 127 words (page F1 0.00); jusText has what readability adds
        ("wcxb-dev-0113", ExtractionMethod.READABILITY),
    ],
)
def test_a_replacement_a_second_extractor_backs_is_taken(
    corpus: Path, key: str, method: ExtractionMethod
) -> None:
    """A fallback body is taken when another extractor holds most of what it adds."""
    _tree, body, candidates = _opinions(corpus, key)
    found = supported_replacement(body, candidates)
    assert found is not None and found[1] is method
    other = next(text for m, text in candidates.items() if m is not method)
    assert added_support(found[0], body, [other]).share >= 0.5


def test_the_declared_body_needs_the_page_to_show_it(corpus: Path) -> None:
    """The JSON-LD body replaces trafilatura's only when resiliparse finds its text on the page."""
    # wcxb-dev-0344: trafilatura keeps 422 words; the page declares 743 and shows them
    html, _truth = _dev_page(corpus, "wcxb-dev-0344")
    text = decode(html)
    tree = parse_html(text)
    assert tree is not None
    with lxml_section():
        declared = article_body_from_jsonld(tree) or ""
    _tree, body, _candidates = _opinions(corpus, "wcxb-dev-0344")
    shown = Witnesses(declared=declared, resiliparse=resiliparse_text(text))
    with lxml_section():
        found = second_opinion(tree, body, language="en", witnesses=shown)
        hidden = second_opinion(tree, body, language="en", witnesses=Witnesses(declared=declared))
    assert found is not None and found[1] is ExtractionMethod.JSONLD
    assert hidden is None
