"""Language codes: the detector reads the body; declared codes serve short texts."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import transforms.language
from extractors.html import extract_html
from extractors.records import Metadata, ParsedArticle
from transforms.language import detect_language, language_code


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ("en-US", "en"),
        ("en_GB", "en"),
        ("DE", "de"),
        ("fr-FR-x-private", "fr"),
        ("english", None),
        ("", None),
        (None, None),
    ],
)
def test_language_code(declared: str | None, code: str | None) -> None:
    """Declared tags reduce to their ISO 639-1 part; anything else is None."""
    assert language_code(declared) == code


def test_detects_seed_as_english(seed_path: Path) -> None:
    """A long English body is detected as en, whatever a template declares."""
    assert detect_language(seed_path.read_text(encoding="utf-8"), declared="de") == "en"


def test_short_text_uses_declared() -> None:
    """Too little text to guess: the declared code is used."""
    assert detect_language("Kurz.", declared="de-DE") == "de"
    assert detect_language("Kurz.") is None


@given(st.text(), st.one_of(st.none(), st.text(max_size=12)))
def test_detect_never_raises(body: str, declared: str | None) -> None:
    """Any input gives None or a two-letter lower-case code."""
    code = detect_language(body, declared)
    assert code is None or (len(code) == 2 and code.islower())


def _corpus_pages(corpus: Path) -> list[Path]:
    """The shared corpus's saved news pages in a dozen languages, and a lorem-ipsum page."""
    html = corpus / "html"
    pages = sorted((html / "adbar__trafilatura" / "eval").glob("*.html"))
    pages += sorted((html / "AndyTheFactory__newspaper4k" / "html").glob("*.html"))
    return [*pages, corpus / "extraction-dev" / "html" / "wcxb-dev-0285.html.gz"]


@pytest.mark.slow
def test_prefix_gives_the_whole_bodys_language(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a bounded prefix answers as reading the whole body does, on every corpus page."""
    bodies = []
    for path in _corpus_pages(corpus):
        raw = path.read_bytes()
        page = gzip.decompress(raw) if path.suffix == ".gz" else raw
        parsed = extract_html(page, locator=path.name, hints=Metadata())
        if isinstance(parsed, ParsedArticle):
            bodies.append((path.name, parsed.body, parsed.metadata.language))
    assert len(bodies) >= 55
    # most bodies are longer than the prefix read, so the comparison means something
    assert sum(len(body) > 2_000 for _name, body, _declared in bodies) >= 40
    prefix = {name: detect_language(body, declared) for name, body, declared in bodies}
    monkeypatch.setattr(transforms.language, "_SAMPLE_CHARS", 10**9)
    assert prefix == {name: detect_language(body, declared) for name, body, declared in bodies}
