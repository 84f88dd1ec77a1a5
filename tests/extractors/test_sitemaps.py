"""Sitemaps -> URLs with lastmod and Google News hints, child sitemaps, or a reject."""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.records import Reject, RejectReason
from extractors.web.sitemaps import SitemapResult, parse_sitemap

SITEMAP_URL = "https://example.org/sitemap.xml"
ADVERTOOLS = "sitemaps/eliasdabbas__advertools/sitemap_testing"
CRAWLER_COMMONS = "sitemaps/crawler-commons__crawler-commons/sitemaps"
TRAFILATURA = "sitemaps/adbar__trafilatura/resources"
NYT = f"{ADVERTOOLS}/news_sitemap.xml"

# (path, URLs, child sitemaps, first URL or child): every file under sitemaps/ but the rejects.
READ = [
    (f"{ADVERTOOLS}/news_sitemap.xml", 6, 0, "https://www.nytimes.com/interactive/2020/05/11/magazine/quarantine-insanity.html"),
    (f"{ADVERTOOLS}/regular_sitemap.xml", 5, 0, "http://www.example.com/"),
    (f"{ADVERTOOLS}/regular_sitemap.xml.gz", 5, 0, "http://www.example.com/"),  # fake gzip
    (f"{ADVERTOOLS}/zipped_sitemap.xml.gz", 5, 0, "http://www.gzipped.com/"),
    (f"{ADVERTOOLS}/sitemap_index.xml", 0, 4, "https://advertools.readthedocs.io/sitemap.xml"),
    (f"{ADVERTOOLS}/image_sitemap.xml", 2, 0, "http://example.com/sample.html"),
    (f"{ADVERTOOLS}/video_sitemap.xml", 6, 0, "https://www.washingtonpost.com/politics/trump-indonesia-trees/2020/05/05/62db5abb-8139-4f0d-a10e-748ecdac17e9_video.html"),
    (f"{CRAWLER_COMMONS}/extension/hebdenbridgetimes-articles-sitemap.xml", 74, 0, "http://www.hebdenbridgetimes.co.uk/news/local/video-tour-de-yorkshire-in-calderdale-1-7242580"),
    (f"{CRAWLER_COMMONS}/extension/shinpaideshou-news-sitemap.xml", 3, 0, "https://shinpaideshou.wordpress.com/2017/04/25/job-opening-reischauer-policy-research-fellow/"),
    (f"{CRAWLER_COMMONS}/extension/sitemap-news.xml", 2, 0, "http://www.example.org/business/article55.html"),
    (f"{CRAWLER_COMMONS}/extension/pagemaps-sitemap.xml", 2, 0, "http://www.example.com/foo"),
    (f"{CRAWLER_COMMONS}/extension/sitemap-images.xml", 1, 0, "http://www.example.com/images/some_image_landing_page.html"),
    (f"{CRAWLER_COMMONS}/extension/sitemap-links.xml", 3, 0, "http://www.example.com/english/"),
    (f"{CRAWLER_COMMONS}/extension/sitemap-mobile.xml", 3, 0, "http://www.example.com/mobile-friendly-1/"),
    (f"{CRAWLER_COMMONS}/extension/sitemap-videos.xml", 3, 0, "http://www.example.com/videos/some_video_landing_page.html"),
    (f"{CRAWLER_COMMONS}/extension/sitemap-videos-tvshow.xml", 1, 0, "https://example.org/my-tv-show/23/13/"),
    (f"{CRAWLER_COMMONS}/sitemap.badns.xml", 2, 0, "http://www.example.com/1"),  # wrong namespace
    (f"{CRAWLER_COMMONS}/sitemap.ns.xml", 2, 0, "http://www.example.com/1"),  # sit: prefix
    # <sitemap> holding a bare URL, no <loc>:
    (f"{CRAWLER_COMMONS}/sitemap.index.xml", 0, 15, "https://example.com/sitemap.jss?portalCode=10260&lang=en"),
    (f"{CRAWLER_COMMONS}/sitemap.txt", 2, 0, "http://www.domain.com/page1.html"),
    (f"{CRAWLER_COMMONS}/sitemap-with-bom.txt", 2, 0, "http://www.domain.com/page1.html"),
    (f"{CRAWLER_COMMONS}/sitemap.txt.gz", 5, 0, "http://www.example.com/"),
    (f"{CRAWLER_COMMONS}/do-not-visit.txt", 1, 0, "http://www.example.com/do-not-visit-here"),
    (f"{CRAWLER_COMMONS}/xmlSitemap.gz", 5, 0, "http://www.example.com/"),
    (f"{TRAFILATURA}/sitemap.xml", 84, 0, "https://www.sitemaps.org/"),
    (f"{TRAFILATURA}/sitemap.xml.gz", 84, 0, "https://www.sitemaps.org/"),
    (f"{TRAFILATURA}/sitemap2.xml", 0, 2, "http://www.example.com/sitemap1.xml.gz"),  # CDATA loc
    (f"{TRAFILATURA}/sitemap-hreflang.xml", 3, 1, "http://www.example.com/english/page.html"),
]  # fmt: skip
REJECTED = [
    (f"{ADVERTOOLS}/error_sitemap.xml", "broken XML"),
    (f"{ADVERTOOLS}/robots.txt", "neither XML nor a list of URLs"),
    (f"{CRAWLER_COMMONS}/atom.xml", "root element <feed>; list it under `feeds`"),
]


def _parse(corpus: Path, path: str) -> SitemapResult | Reject:
    return parse_sitemap((corpus / path).read_bytes(), url=SITEMAP_URL, source="test")


def test_tables_cover_every_sitemap_file(corpus: Path) -> None:
    """READ and REJECTED name every file under sitemaps/, so none goes untested."""
    on_disk = {p.relative_to(corpus).as_posix() for p in (corpus / "sitemaps").rglob("*")}
    on_disk = {p for p in on_disk if (corpus / p).is_file()}
    assert on_disk == {row[0] for row in READ} | {row[0] for row in REJECTED}


@pytest.mark.parametrize(
    ("path", "urls", "children", "first"), READ, ids=[Path(r[0]).name for r in READ]
)
def test_corpus_sitemaps(corpus: Path, path: str, urls: int, children: int, first: str) -> None:
    """Each corpus sitemap gives its exact URL and child-sitemap counts, first entry first."""
    result = _parse(corpus, path)
    assert isinstance(result, SitemapResult)
    assert (len(result.urls), len(result.sitemaps)) == (urls, children)
    assert (result.urls[0].url if urls else result.sitemaps[0]) == first
    assert all(item.found_in == SITEMAP_URL and item.source == "test" for item in result.urls)


@pytest.mark.parametrize(("path", "detail"), REJECTED, ids=[Path(r[0]).name for r in REJECTED])
def test_corpus_non_sitemaps_are_rejected(corpus: Path, path: str, detail: str) -> None:
    """Unrecoverable XML, a robots.txt and an Atom feed are PARSE_ERROR saying which."""
    result = _parse(corpus, path)
    assert isinstance(result, Reject)
    assert (result.reason, result.locator, result.source) == (
        RejectReason.PARSE_ERROR,
        SITEMAP_URL,
        "test",
    )
    assert detail in result.detail


def test_nyt_news_hints(corpus: Path) -> None:
    """The NYT Google News entry keeps title, date string with its offset, language, keywords."""
    result = _parse(corpus, NYT)
    assert isinstance(result, SitemapResult)
    first = result.urls[0]
    assert first.hints.title == (
        "Quarantine Was Driving Me Crazy — So I Decided to Lose My Mind on Purpose"
    )
    assert first.hints.published == "2020-05-11T09:00:01Z"
    assert (first.hints.language, first.hints.site_name) == ("en-US", "The New York Times")
    assert first.hints.tags == ("Coronavirus (2019-nCoV)", "Quarantines", "Writing and Writers")
    assert first.lastmod == datetime(2020, 5, 19, 21, 57, 45, tzinfo=UTC)
    assert result.urls[1].hints.title == "I Didn’t Feel Parisian Until I Escaped Paris"


def test_lastmod_offsets_become_utc(corpus: Path) -> None:
    """A +01:00 lastmod (Hebden Bridge Times) becomes that instant in UTC; a bare date is UTC."""
    local = _parse(corpus, f"{CRAWLER_COMMONS}/extension/hebdenbridgetimes-articles-sitemap.xml")
    assert isinstance(local, SitemapResult)
    assert local.urls[0].lastmod == datetime(2015, 5, 3, 17, 51, 50, tzinfo=UTC)
    regular = _parse(corpus, f"{ADVERTOOLS}/regular_sitemap.xml")
    assert isinstance(regular, SitemapResult)
    assert [u.lastmod for u in regular.urls[:2]] == [datetime(2005, 1, 1, tzinfo=UTC), None]


def test_whitespace_padded_loc_is_trimmed(corpus: Path) -> None:
    """`<loc>` text padded with newlines and tabs gives the bare URL."""
    result = _parse(corpus, f"{CRAWLER_COMMONS}/sitemap.badns.xml")
    assert isinstance(result, SitemapResult)
    assert [u.url for u in result.urls] == ["http://www.example.com/1", "http://www.example.com/2"]


def test_truncated_download_keeps_what_arrived(corpus: Path) -> None:
    """A sitemap cut off mid-file is recovered: the complete entries before the cut are kept."""
    data = (corpus / NYT).read_bytes()
    cut = data[: data.index(b"quarantine-family")]
    result = parse_sitemap(cut, url=SITEMAP_URL, source="test")
    assert isinstance(result, SitemapResult)
    assert len(result.urls) >= 3
    assert result.urls[0].hints.title is not None


def test_stray_ampersand_is_recovered() -> None:
    """One unescaped `&` (not well-formed) does not cost the other URLs."""
    data = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://example.org/a?x=1&y=2</loc></url>"
        b"<url><loc>https://example.org/b</loc></url></urlset>"
    )
    result = parse_sitemap(data, url=SITEMAP_URL, source="test")
    assert isinstance(result, SitemapResult)
    assert "https://example.org/b" in [u.url for u in result.urls]


def test_relative_invalid_and_duplicate_urls_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    """Relative, non-http and repeated locs are dropped (and counted in the log), the rest kept."""
    data = (
        b"<urlset><url><loc>/relative.html</loc></url><url><loc>ftp://example.org/f</loc></url>"
        b"<url><loc>javascript:alert(1)</loc></url><url><loc>http://[::1</loc></url>"
        b"<url><loc>https://example.org/ok</loc></url><url><loc>https://example.org/ok</loc></url>"
        b"<url><lastmod>2020-01-01</lastmod></url></urlset>"
    )
    with caplog.at_level(logging.WARNING, logger="extractors.web.sitemaps"):
        result = parse_sitemap(data, url=SITEMAP_URL, source="test")
    assert isinstance(result, SitemapResult)
    assert [u.url for u in result.urls] == ["https://example.org/ok"]
    assert "skipped 5 relative or invalid URLs" in caplog.text


def test_url_count_is_capped(caplog: pytest.LogCaptureFixture) -> None:
    """Past `max_urls` the rest is dropped with a warning; the first ones are kept in order."""
    entries = b"".join(b"<url><loc>https://example.org/%d</loc></url>" % i for i in range(12))
    with caplog.at_level(logging.WARNING, logger="extractors.web.sitemaps"):
        result = parse_sitemap(
            b"<urlset>" + entries + b"</urlset>", url=SITEMAP_URL, source="test", max_urls=10
        )
    assert isinstance(result, SitemapResult)
    assert [u.url for u in result.urls][-1] == "https://example.org/9"
    assert len(result.urls) == 10
    assert "dropped the last 2" in caplog.text


def test_oversize_sitemap_is_too_large(corpus: Path) -> None:
    """Over `max_bytes` after decompression (the gzip bomb at a 1 MB cap) is TOO_LARGE."""
    bomb = (corpus / "compression/scrapy__scrapy/compressed/bomb-gzip.bin").read_bytes()
    result = parse_sitemap(bomb, url=SITEMAP_URL, source="test", max_bytes=1_000_000)
    assert isinstance(result, Reject) and result.reason is RejectReason.TOO_LARGE


@pytest.mark.parametrize(
    "name", ["xmlbomb.xml", "quadratic.xml", "external.xml"], ids=lambda n: n.split(".")[0]
)
def test_xml_attacks_are_unsafe(corpus: Path, name: str) -> None:
    """Entity attacks are UNSAFE_XML, also when gzipped, and never reach recover mode."""
    data = (corpus / "xml-attacks/tiran__defusedxml/xmltestdata" / name).read_bytes()
    for body in (data, gzip.compress(data)):
        result = parse_sitemap(body, url=SITEMAP_URL, source="test")
        assert isinstance(result, Reject) and result.reason is RejectReason.UNSAFE_XML


def test_utf16_sitemap_with_bom() -> None:
    """A UTF-16 XML sitemap with a BOM is read as XML, not as a text sitemap."""
    text = '<?xml version="1.0" encoding="UTF-16"?><urlset><url><loc>https://example.org/ü</loc></url></urlset>'
    result = parse_sitemap(text.encode("utf-16"), url=SITEMAP_URL, source="test")
    assert isinstance(result, SitemapResult)
    assert [u.url for u in result.urls] == ["https://example.org/ü"]


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=2048)
    | st.text(max_size=300).map(lambda t: f"<urlset><url><loc>{t}</loc></url></urlset>".encode())
    | st.text(max_size=300).map(lambda t: f"<sitemapindex><sitemap>{t}".encode())
    | st.binary(max_size=512).map(gzip.compress)
)
def test_parse_sitemap_never_raises(data: bytes) -> None:
    """Arbitrary bytes, sitemap-shaped text and gzip give a SitemapResult or a Reject."""
    result = parse_sitemap(data, url=SITEMAP_URL, source="fuzz")
    assert isinstance(result, (SitemapResult, Reject))
