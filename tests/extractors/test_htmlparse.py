"""Parsing safe under threads (issue 12): a parser per thread, one thread at a time in lxml."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import trafilatura
import trafilatura.utils

from extractors.html import extract_html
from extractors.htmlparse import html_parser, lxml_section, parse_html
from extractors.records import Metadata, ParsedArticle, Reject, RejectReason

EVAL = Path("html/adbar__trafilatura/eval")
PAGES = ("theatlantic.com.disasters.html", "nytimes.com.blackouts.html")


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    results: list[Any] = [None] * count
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_each_thread_has_its_own_parser() -> None:
    """Two threads never get the same parser object; one thread always gets the same one."""
    parsers = _in_threads(2, lambda _: (html_parser(), html_parser()))
    (a1, a2), (b1, b2) = parsers
    assert a1 is a2 and b1 is b2
    assert a1 is not b1


def test_extraction_never_uses_trafilaturas_shared_parser(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """trafilatura's module-level parser can be broken without changing any result."""
    page = (corpus / EVAL / PAGES[0]).read_bytes()
    before = extract_html(page, locator="p", hints=Metadata())
    monkeypatch.setattr(trafilatura.utils, "HTML_PARSER", object())  # any use would fail
    after = extract_html(page, locator="p", hints=Metadata())
    assert isinstance(after, ParsedArticle) and after == before


def test_extraction_runs_one_thread_at_a_time(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four threads extracting at once never overlap inside trafilatura, yet all finish."""
    inside, most, calls = 0, 0, 0
    guard = threading.Lock()
    real = trafilatura.bare_extraction

    def probe(*args: Any, **kwargs: Any) -> Any:
        nonlocal inside, most, calls
        with guard:
            inside += 1
            calls += 1
            most = max(most, inside)
        time.sleep(0.02)  # releases the GIL: without the section, threads would overlap here
        try:
            return real(*args, **kwargs)
        finally:
            with guard:
                inside -= 1

    monkeypatch.setattr(trafilatura, "bare_extraction", probe)
    pages = [(corpus / EVAL / name).read_bytes() for name in PAGES]
    results = _in_threads(
        4, lambda i: [extract_html(p, locator=f"{i}", hints=Metadata()) for p in pages]
    )
    assert all(isinstance(r, ParsedArticle) for batch in results for r in batch)
    assert (calls, most) == (4 * len(PAGES), 1)


def test_section_is_reentrant() -> None:
    """Code inside the section may call code that takes it again (extraction -> fallbacks)."""
    with lxml_section(), lxml_section():
        assert parse_html("<html><body><p>x</p><p>y</p></body></html>") is not None


def _story_fragment(corpus: Path) -> tuple[str, list[str]]:
    """A saved fragment shaped like readability's test pages, from a real page's paragraphs."""
    root = lxml.html.fromstring((corpus / EVAL / PAGES[0]).read_bytes())
    paragraphs = [p for p in root.iter("p") if len(p.text_content().split()) > 20][:8]
    inner = "".join(lxml.html.tostring(p, encoding="unicode") for p in paragraphs)
    texts = [" ".join(p.text_content().split()) for p in paragraphs]
    return f'<div id="page-1" class="page"><div>{inner}</div></div>', texts


def test_single_child_fragment_is_extracted(corpus: Path) -> None:
    """A fragment without html/body whose root has one child is extracted, not PARSE_ERROR."""
    fragment, texts = _story_fragment(corpus)
    assert trafilatura.utils.load_html(fragment) is None  # what trafilatura alone does
    result = extract_html(fragment, locator="f", hints=Metadata())
    assert isinstance(result, ParsedArticle), result
    body = " ".join(result.body.split())
    assert texts[0] in body and texts[-1] in body


@pytest.mark.parametrize(
    "page", ["<!-- only a comment -->", "<div></div>", "<div><span> </span></div>"]
)
def test_fragments_without_text_stay_rejected(page: str) -> None:
    """A fragment with no text is still not an HTML document worth extracting."""
    result = extract_html(page, locator="f", hints=Metadata())
    assert isinstance(result, Reject) and result.reason is RejectReason.PARSE_ERROR


STORY_P = "<p>" + "A sentence of the story. " * 30 + "</p>"


@pytest.mark.parametrize(
    ("page", "repaired"),
    [
        # a real (faulty) doctype: trafilatura's repair still runs on it
        ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"/>\n<html><body>', True),
        # a first line of slashes and no `>`: its regex would backtrack for minutes
        ("<!DOCTYPE html " + "/" * 80_000 + "\n<html><body>", False),
    ],
)
def test_the_doctype_repair_runs_only_on_a_doctype_of_real_length(
    monkeypatch: pytest.MonkeyPatch, page: str, repaired: bool
) -> None:
    beginnings: list[str] = []

    def record(text: str, beginning: str) -> str:
        beginnings.append(beginning)
        return trafilatura.utils.repair_faulty_html(text, beginning)

    monkeypatch.setattr("extractors.htmlparse.repair_faulty_html", record)
    tree = parse_html(page + STORY_P + "</body></html>")
    assert tree is not None and "sentence of the story" in tree.text_content()
    assert [("doctype" in b) for b in beginnings] == [repaired]
