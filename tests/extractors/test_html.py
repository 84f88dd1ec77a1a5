"""HTML extraction: main text with paragraph breaks, metadata by trust, rejects for non-pages."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import justext.core  # type: ignore[import-untyped]
import pytest
import readability.readability  # type: ignore[import-untyped]
from lxml import html as lxml_html
from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata

import extractors.fallback
import extractors.html
from extractors.decoding import decode
from extractors.fallback import MAX_JUSTEXT_PARAGRAPHS, Witnesses, second_opinion
from extractors.html import extract_html
from extractors.htmlparse import nests_deeper_than, parse_html
from extractors.jsonld import article_metadata_from_jsonld
from extractors.metatags import metadata_from_meta_tags
from extractors.records import ExtractionMethod, Metadata, ParsedArticle, Reject, RejectReason
from extractors.resili import MAX_NESTING, MAX_UNCLOSED, resiliparse_text, unclosed_formatting

EVAL = Path("html/adbar__trafilatura/eval")
ROOT = Path(__file__).resolve().parents[2]


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
        # trafilatura keeps 127 of 1,400 words; jusText backs what readability adds
        ("wcxb-dev-0113", ExtractionMethod.READABILITY),
        # trafilatura keeps 474 of 1,400 words; readability backs what jusText adds
        ("wcxb-dev-0061", ExtractionMethod.JUSTEXT),
        # trafilatura keeps 339 words of a gallery story the page declares in JSON-LD
        ("wcxb-dev-0133", ExtractionMethod.JSONLD),
    ],
)
def test_fallback_extractor_rescues_a_page_trafilatura_misses(
    corpus: Path, key: str, method: ExtractionMethod
) -> None:
    """When trafilatura finds too little and a witness backs a second body, it is used and named."""
    html, truth = _dev_page(corpus, key)
    result = extract_html(html, locator=key, hints=Metadata(url=str(truth["url"])))
    assert isinstance(result, ParsedArticle), result
    assert result.extraction_method is method
    body = " ".join(result.body.split())
    with_ = [str(s) for s in truth["with"]]
    kept = [s for s in with_ if " ".join(s.split()) in body]
    assert len(kept) >= len(with_) // 2, (len(kept), len(with_))
    assert all(p.strip() == p and p for p in result.body.split("\n\n"))


def _record_calls(
    monkeypatch: pytest.MonkeyPatch, module: Any, names: tuple[str, ...]
) -> Counter[str]:
    """Replace `module`'s functions `names` by ones that count their calls, then run them."""
    calls: Counter[str] = Counter()
    for name in names:
        real = getattr(module, name)

        def probe(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, probe)
    return calls


def test_fallback_leaves_a_full_trafilatura_body_alone(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page trafilatura extracts well never reaches the slower fallbacks."""
    calls = _record_calls(monkeypatch, extractors.fallback, ("_readability", "_justext"))
    article = _parse(corpus, "theatlantic.com.disasters.html")
    assert article.extraction_method is ExtractionMethod.TRAFILATURA
    assert not calls


@pytest.mark.parametrize(
    ("key", "method"),
    [("wcxb-dev-0113", ExtractionMethod.READABILITY), ("wcxb-dev-0061", ExtractionMethod.JUSTEXT)],
)
def test_fallbacks_reuse_the_parsed_tree(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, key: str, method: ExtractionMethod
) -> None:
    """readability and jusText read a copy of the page's tree, never parse the page again."""
    parsers = _record_calls(monkeypatch, readability.readability, ("build_doc",))
    parsers.update(_record_calls(monkeypatch, justext.core, ("html_to_dom",)))
    html, truth = _dev_page(corpus, key)
    result = extract_html(html, locator=key, hints=Metadata(url=str(truth["url"])))
    assert isinstance(result, ParsedArticle) and result.extraction_method is method
    assert not parsers


def _tree(page: str) -> HtmlElement:
    tree = parse_html(page)
    assert tree is not None
    return tree


def test_fallback_needs_clearly_more_text() -> None:
    """A short page whose other extractors find no more is still trafilatura's (or a reject)."""
    page = "<html><body><article><p>" + "Word " * 30 + "</p></article></body></html>"
    tree = _tree(page)
    seen = Witnesses(resiliparse="Word " * 30)
    assert second_opinion(tree, "Word " * 30, language="en", witnesses=seen) is None
    assert second_opinion(tree, "Word " * 500, language="en", witnesses=seen) is None


def test_fallback_leaves_the_tree_unchanged(corpus: Path) -> None:
    """Both fallbacks edit the tree they read; the caller's tree is the same afterwards."""
    html, _truth = _dev_page(corpus, "wcxb-dev-0113")
    text = decode(html)
    tree = _tree(text)
    before = lxml_html.tostring(tree)
    seen = Witnesses(resiliparse=resiliparse_text(text))
    assert second_opinion(tree, "", language="en", witnesses=seen) is not None
    assert lxml_html.tostring(tree) == before


# --- resiliparse and deeply nested pages (a hostile server's) ---------------------
STORY = "A sentence of the story that goes on. " * 40


def _nested(levels: int) -> str:
    return f"<html><body>{'<div>' * levels}<p>{STORY}</p>{'</div>' * levels}</body></html>"


@pytest.mark.parametrize(
    ("levels", "deep"),
    # html and body are two levels: 197 divs put the story's <p> at 200
    [(10, False), (MAX_NESTING - 4, False), (MAX_NESTING - 3, True), (300, True), (100_000, True)],
)
def test_nests_deeper_than(levels: int, deep: bool) -> None:
    assert nests_deeper_than(_tree(_nested(levels)), MAX_NESTING) is deep


@pytest.mark.slow
def test_real_pages_are_not_too_deep_for_resiliparse(corpus: Path) -> None:
    """No labelled page comes near either limit (at most 46 levels, 58 tags left open)."""
    pages = sorted((corpus / DEV / "html").glob("*.html.gz"))
    assert len(pages) > 700
    for path in pages:
        text = decode(gzip.decompress(path.read_bytes()))
        assert not nests_deeper_than(_tree(text), MAX_NESTING // 2), path.name
        assert unclosed_formatting(text) < MAX_UNCLOSED // 2, path.name


@pytest.mark.parametrize(
    ("levels", "found"),
    [(MAX_NESTING, True), (100_000, False)],  # libxml2 keeps no element below 255 levels
)
def test_a_page_nested_too_deep_is_never_given_to_resiliparse(
    monkeypatch: pytest.MonkeyPatch, levels: int, found: bool
) -> None:
    """resiliparse's time grows with the square of the nesting (100,000 divs: minutes)."""
    calls = _record_calls(monkeypatch, extractors.html, ("resiliparse_text",))
    result = extract_html(_nested(levels), locator="deep", hints=Metadata())
    if found:
        assert isinstance(result, ParsedArticle) and "story that goes on" in result.body
    else:
        assert isinstance(result, Reject) and result.reason is RejectReason.NOT_AN_ARTICLE
    assert not calls


def _open_formatting(count: int) -> str:
    paragraphs = "".join(f'<p><b class="c{i}">word {i} of the story here</p>' for i in range(count))
    return f"<html><body>{paragraphs}</body></html>"


@pytest.mark.parametrize(
    ("page", "unclosed"),
    [
        ("<p><b>bold</b> <i>it</i> <a href=x>link</a> <br><body><blockquote>", 0),
        ("<p><B>left <FONT color=red>open <strong>too</strong>", 2),
        (_open_formatting(10), 10),
        ("</b></b><i>", -1),
    ],
)
def test_unclosed_formatting(page: str, unclosed: int) -> None:
    assert unclosed_formatting(page) == unclosed


@pytest.mark.parametrize(("count", "asked"), [(MAX_UNCLOSED, 1), (MAX_UNCLOSED + 1, 0), (3000, 0)])
def test_a_page_leaving_many_formatting_tags_open_is_not_given_to_resiliparse(
    monkeypatch: pytest.MonkeyPatch, count: int, asked: int
) -> None:
    """An HTML5 parser reopens each in every paragraph: 3,000 cost resiliparse 1.9 GB."""
    calls = _record_calls(monkeypatch, extractors.html, ("resiliparse_text",))
    result = extract_html(_open_formatting(count), locator="open", hints=Metadata())
    assert isinstance(result, ParsedArticle) and "of the story here" in result.body
    assert calls["resiliparse_text"] == asked


@pytest.mark.parametrize(("count", "revised"), [(100, 1), (MAX_JUSTEXT_PARAGRAPHS + 1, 0)])
def test_justext_gives_no_opinion_on_thousands_of_paragraphs(
    monkeypatch: pytest.MonkeyPatch, count: int, revised: int
) -> None:
    """Its revision pass is quadratic in runs of short paragraphs (7,000 cost 5 s)."""
    calls = _record_calls(monkeypatch, extractors.fallback, ("revise_paragraph_classification",))
    short = "".join(f"<p>ok {i}</p>" for i in range(count))
    page = f'<html><body><div class="comments">{short}</div></body></html>'
    assert extractors.fallback._justext(_tree(page), "en") == ""
    assert calls["revise_paragraph_classification"] == revised


def test_a_page_of_ordinary_depth_is(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _record_calls(monkeypatch, extractors.html, ("resiliparse_text",))
    assert isinstance(extract_html(_nested(10), locator="flat", hints=Metadata()), ParsedArticle)
    assert calls["resiliparse_text"] == 1


# --- trafilatura's metadata, field by field (issue 13) ---------------------------

# trafilatura's heuristics, one per field, as extract_html calls them
HEURISTICS = (
    "extract_title",
    "extract_author",
    "extract_url",
    "find_date",
    "extract_sitename",
    "extract_catstags",
)
ARTICLE = (
    "<article><p>" + "A sentence of the story that goes on for a while. " * 30 + "</p></article>"
)
FULL_MARKUP = {
    "@type": "NewsArticle",
    "headline": "Dam opens",
    "author": {"@type": "Person", "name": "Jane Doe"},
    "datePublished": "2024-05-02T10:00:00+02:00",
    "url": "https://example.org/news/dam",
    "description": "The dam opens.",
    "articleSection": "Local",
    "keywords": "dam, river",
    "image": "https://example.org/dam.jpg",
    "publisher": {"@type": "Organization", "name": "Example News"},
}


def _page_with(jsonld: dict[str, Any]) -> str:
    head = (
        '<title>Dam opens</title><meta property="og:url" content="https://example.org/news/dam">'
        f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
    )
    return f"<html><head>{head}</head><body>{ARTICLE}</body></html>"


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        ((), {}),
        (("datePublished",), {"find_date": 1}),
        (("author",), {"extract_author": 1}),
        (("headline", "datePublished"), {"extract_title": 1, "find_date": 1}),
        (("author", "articleSection"), {"extract_author": 1, "extract_catstags": 1}),
    ],
)
def test_trafilatura_heuristics_run_only_for_missing_fields(
    monkeypatch: pytest.MonkeyPatch, missing: tuple[str, ...], expected: dict[str, int]
) -> None:
    """A page whose markup lacks only its date costs htmldate and nothing else."""
    calls = _record_calls(monkeypatch, extractors.html, HEURISTICS)
    markup = {key: value for key, value in FULL_MARKUP.items() if key not in missing}
    result = extract_html(_page_with(markup), locator="p", hints=Metadata())
    assert isinstance(result, ParsedArticle)
    assert dict(calls) == expected


def test_a_page_without_an_article_costs_no_heuristics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Metadata is guessed only for a page that has a body: a reject costs none of it."""
    calls = _record_calls(monkeypatch, extractors.html, HEURISTICS)
    page = "<html><head><title>Index</title></head><body/></html>"
    result = extract_html(page, locator="p", hints=Metadata())
    assert isinstance(result, Reject) and result.reason is RejectReason.NOT_AN_ARTICLE
    assert not calls


def _evaldata_pages(corpus: Path) -> list[tuple[str, bytes]]:
    root = corpus / EVAL.parent
    entries = json.loads((root / "evaldata.fixtures.json").read_text("utf-8"))
    return [
        (url, path.read_bytes())
        for url, entry in entries.items()
        for path in (root / "eval" / entry["file"], root / "cache" / entry["file"])
        if path.is_file()
    ]


def _full_metadata(tree: HtmlElement, url: str | None, known: Metadata) -> Metadata:
    """What extract_html did before issue 13: trafilatura's whole `extract_metadata`."""
    if known.title and known.published and known.authors:
        return Metadata()
    return extractors.html._trafilatura_metadata(extract_metadata(tree, url))


def test_field_by_field_metadata_equals_extract_metadata(corpus: Path) -> None:
    """On trafilatura's labelled pages, the metadata is what a full extract_metadata gave."""
    pages = _evaldata_pages(corpus)
    assert len(pages) >= 40
    for url, page in pages:
        tree = _tree(decode(page))
        known = metadata_from_meta_tags(tree).overridden_by(article_metadata_from_jsonld(tree))
        ours = extractors.html._trafilatura_guesses(tree, url, known)
        full = _full_metadata(tree, url, known)
        assert ours.overridden_by(known) == full.overridden_by(known), url


def test_a_page_with_its_date_never_loads_dateparser(corpus: Path) -> None:
    """dateparser's warm-up (seconds) is paid only by a process that needs a date guessed."""
    page = corpus / EVAL / "theatlantic.com.disasters.html"  # JSON-LD has title, date, author
    script = (
        "import sys; from extractors.html import extract_html; "
        "from extractors.records import Metadata, ParsedArticle; "
        f"r = extract_html(open({str(page)!r}, 'rb').read(), locator='p', hints=Metadata()); "
        "assert isinstance(r, ParsedArticle); print('dateparser' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
