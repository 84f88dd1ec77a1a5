"""Extraction quality on trafilatura's labelled real pages (evaldata.fixtures.json).

Each page lists text that must survive ("with") and must not ("without"),
and for most pages the expected title, author and date. No extractor gets
every page right, so the pins are corpus-wide rates, set from measurement
just below the figures measured (see the closing note of issue 2); a drop
fails CI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest

from extractors.html import extract_html
from extractors.records import Metadata, Reject
from tests.support.articles import INGESTED
from transforms.article import Article, CleanSettings, build_article

TRAFILATURA = Path("html/adbar__trafilatura")


@dataclass
class Rates:
    pages: int = 0
    rejected: list[str] = field(default_factory=list)
    with_kept: int = 0
    with_total: int = 0
    without_gone: int = 0
    without_total: int = 0
    title_ok: int = 0
    title_total: int = 0
    author_ok: int = 0
    author_total: int = 0
    date_ok: int = 0
    date_total: int = 0
    misses: list[str] = field(default_factory=list)


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def _local_date(article: Article) -> str | None:
    if article.published_at is None:
        return None
    offset = timedelta(minutes=article.published_utc_offset or 0)
    return (article.published_at + offset).date().isoformat()


@cache
def _measure(corpus: Path) -> Rates:
    entries = json.loads((corpus / TRAFILATURA / "evaldata.fixtures.json").read_text("utf-8"))
    rates = Rates()
    for url, entry in entries.items():
        path = next(
            p
            for folder in ("eval", "cache")
            if (p := corpus / TRAFILATURA / folder / entry["file"]).is_file()
        )
        parsed = extract_html(path.read_bytes(), locator=entry["file"], hints=Metadata(url=url))
        rates.pages += 1
        result = (
            parsed
            if isinstance(parsed, Reject)
            else build_article(
                parsed, run_id="eval", ingested_at=INGESTED, settings=CleanSettings()
            )
        )
        if isinstance(result, Reject):
            rates.rejected.append(f"{entry['file']}: {result.reason} {result.detail}")
            continue
        body = _flat(result.body)
        for snippet in entry.get("with", []):
            rates.with_total += 1
            kept = _flat(snippet) in body
            rates.with_kept += kept
            if not kept:
                rates.misses.append(f"with lost: {entry['file']}: {snippet[:60]}")
        for snippet in entry.get("without", []):
            rates.without_total += 1
            gone = _flat(snippet) not in body
            rates.without_gone += gone
            if not gone:
                rates.misses.append(f"without kept: {entry['file']}: {snippet[:60]}")
        if entry.get("title"):
            rates.title_total += 1
            rates.title_ok += _flat(result.title or "") == _flat(entry["title"])
        if entry.get("author"):
            rates.author_total += 1
            names = entry["author"]
            names = names.split(";") if isinstance(names, str) else names
            expected = {_flat(a) for a in names if a.strip()}
            rates.author_ok += {_flat(a) for a in result.authors} == expected
        if entry.get("date"):
            rates.date_total += 1
            rates.date_ok += _local_date(result) == entry["date"]
    return rates


@pytest.fixture(scope="module")
def rates(corpus: Path) -> Rates:
    measured = _measure(corpus)
    print(  # shown with -s or on failure: the figures for the closing note
        f"\npages {measured.pages}, rejected {len(measured.rejected)}"
        f"\nwith kept {measured.with_kept}/{measured.with_total}"
        f"\nwithout gone {measured.without_gone}/{measured.without_total}"
        f"\ntitle {measured.title_ok}/{measured.title_total}"
        f" author {measured.author_ok}/{measured.author_total}"
        f" date {measured.date_ok}/{measured.date_total}\n"
        + "\n".join(measured.rejected + measured.misses)
    )
    return measured


def test_no_labelled_page_is_rejected(rates: Rates) -> None:
    """Every labelled page is an article; none is lost as a reject."""
    assert rates.rejected == []


@pytest.mark.parametrize(
    ("ok", "total", "floor"),
    [
        # measured: 113/118 (bare trafilatura.extract: 113/118)
        ("with_kept", "with_total", 0.95),
        # measured: 120/123 with issue 5's leftover rules (bare trafilatura.extract: 108/123)
        ("without_gone", "without_total", 0.97),
        # measured: 17/30, 15/21, 26/29 (trafilatura's metadata: 16/30, 14/21, 25/29);
        # most title misses are og:title vs on-page headline variants, both legitimate
        ("title_ok", "title_total", 0.55),
        ("author_ok", "author_total", 0.70),
        ("date_ok", "date_total", 0.85),
    ],
)
def test_rates_do_not_drop(rates: Rates, ok: str, total: str, floor: float) -> None:
    """Snippet and metadata rates stay at or above the measured floor."""
    assert getattr(rates, total) > 0
    assert getattr(rates, ok) / getattr(rates, total) >= floor
