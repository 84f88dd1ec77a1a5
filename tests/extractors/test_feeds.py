"""Feeds -> discovered URLs with hints, or a reject saying why not, for every corpus feed."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.records import DiscoveredUrl, Reject, RejectReason
from extractors.web.feeds import parse_feed, utc_datetime

FEEDS = "feeds"
RSS_PARSER = "feeds/rbren__rss-parser/input"
FEED_URL = "https://example.org/feeds/news.xml"
# Every folder under feeds/; the coverage test below keeps this list complete.
FOLDERS = [
    "AndyTheFactory__newspaper4k/html",
    "adbar__trafilatura/resources",
    "crawler-commons__crawler-commons/rss",
    "kurtmckee__feedparser/encoding",
    "kurtmckee__feedparser/entities",
    "kurtmckee__feedparser/illformed",
    "kurtmckee__feedparser/json",
    "kurtmckee__feedparser/wellformed",
    "rbren__rss-parser/input",
    "scrapy__scrapy/compressed",
    "scrapy__scrapy/feeds",
]
# Our policy, not feedparser's: these two declare entities, so they are UNSAFE_XML.
ENTITY_DECLARING = {"rss/entity_in_doctype.xml", "rdf/doctype_contains_entity_decl.xml"}


def _parse(path: Path) -> list[DiscoveredUrl] | Reject:
    return parse_feed(path.read_bytes(), url=FEED_URL, source="test")


def _first(path: Path) -> DiscoveredUrl:
    result = _parse(path)
    assert isinstance(result, list) and result, result
    return result[0]


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_folder_list_covers_the_corpus(corpus: Path) -> None:
    """FOLDERS names every folder holding feeds, so no corpus feed goes untested."""
    holding = {p.parent.relative_to(corpus / FEEDS).parts[:2] for p in _files(corpus / FEEDS)}
    assert {tuple(f.split("/")) for f in FOLDERS} == holding


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_corpus_document_gives_urls_or_a_reject(corpus: Path, folder: str) -> None:
    """Each of the ~2,100 corpus documents gives valid DiscoveredUrls or a Reject, never raising."""
    files = _files(corpus / FEEDS / folder)
    assert files
    for path in files:
        result = _parse(path)
        if isinstance(result, Reject):
            assert result.detail and result.source == "test", path
        else:
            assert all(item.url.startswith(("http://", "https://")) for item in result), path
            assert len({item.url for item in result}) == len(result), path


def test_feedparser_wellformed_documents_are_read_as_feeds(corpus: Path) -> None:
    """Every well-formed feedparser case is read as a feed: urls, or a 'no link' reject.

    Exceptions are the CDF channel-only files (no items, a dead format) and
    the two that declare entities, which our safety policy refuses.
    """
    root = corpus / FEEDS / "kurtmckee__feedparser/wellformed"
    outcomes: dict[str, str] = {}
    for path in _files(root):
        result = _parse(path)
        name = path.relative_to(root).as_posix()
        if isinstance(result, Reject) and "none with an http(s) link" not in result.detail:
            outcomes[name] = result.reason
    unsafe = {name for name, reason in outcomes.items() if reason == RejectReason.UNSAFE_XML}
    assert unsafe == ENTITY_DECLARING
    assert {name.split("/")[0] for name in set(outcomes) - unsafe} == {"cdf"}


@pytest.mark.parametrize(
    ("name", "count", "first_title", "first_url", "published", "language"),
    [
        (
            "guardian.rss",
            55,
            "Trump State of the Union address promised unity but emphasized discord",
            "https://www.theguardian.com/us-news/2018/jan/31/"
            "donald-trump-state-of-the-union-address-unity-discord",
            "Wed, 31 Jan 2018 07:26:05 GMT",
            "en-gb",
        ),
        (
            "heise.atom",
            15,
            "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei",
            "http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10"
            "-frei-3088438.html?wt_mc=rss.developer.beitrag.atom",
            "2016-02-01T17:22:00+01:00",
            None,
        ),
        (
            "uolNoticias.rss",
            15,
            "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
            "https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/"
            "ibope-bolsonaro-perde-de-haddad-ciro-e-alckmin-em-simulacoes-de-2-turno.htm",
            "Seg, 24 Set 2018 19:42:40 -0300",
            None,
        ),
    ],
    ids=["guardian", "heise", "uol-latin1"],
)
def test_real_news_feeds(
    corpus: Path,
    name: str,
    count: int,
    first_title: str,
    first_url: str,
    published: str,
    language: str | None,
) -> None:
    """Real feeds give every entry, in order, with the title, link and date string as published."""
    result = _parse(corpus / RSS_PARSER / name)
    assert not isinstance(result, Reject)
    assert len(result) == count
    first = result[0]
    assert (first.url, first.hints.title, first.hints.published) == (
        first_url,
        first_title,
        published,
    )
    assert first.hints.language == language
    assert first.source == "test" and first.found_in == FEED_URL
    text = " ".join(f"{d.hints.title} {d.hints.description}" for d in result)
    assert "Ã" not in text and "\ufffd" not in text  # no mojibake


def test_guardian_hints_are_complete(corpus: Path) -> None:
    """Authors, tags, a tag-free summary and a UTC lastmod come through from the feed."""
    first = _first(corpus / RSS_PARSER / "guardian.rss")
    assert first.hints.authors == ("David Smith in Washington",)
    assert first.hints.tags[:2] == ("Donald Trump", "State of the Union address")
    assert first.hints.description is not None
    assert first.hints.description.startswith("The president’s ‘new American moment’ speech")
    assert "<" not in first.hints.description
    assert first.lastmod == datetime(2018, 1, 31, 7, 26, 5, tzinfo=UTC)


def test_heise_keeps_the_offset_and_the_update(corpus: Path) -> None:
    """Atom `published` keeps its +01:00; `updated` becomes `modified` and a UTC lastmod."""
    first = _first(corpus / RSS_PARSER / "heise.atom")
    assert (first.hints.published, first.hints.modified) == (
        "2016-02-01T17:22:00+01:00",
        "2016-02-01T17:54:50+01:00",
    )
    assert first.lastmod == datetime(2016, 2, 1, 16, 54, 50, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "count", "first_url", "authors"),
    [
        (
            "adbar__trafilatura/resources/feed.json",
            25,
            "https://www.npr.org/2021/10/29/1050315385/keller-rinaudo-how-can-delivery-drones"
            "-save-lives?utm_medium=JSONFeed&utm_campaign=technology",
            ("Manoush Zomorodi",),
        ),
        ("kurtmckee__feedparser/json/example.json", 2, "https://example.org/second-item", ()),
    ],
    ids=["npr-1.0", "feedparser-example"],
)
def test_json_feeds(
    corpus: Path, name: str, count: int, first_url: str, authors: tuple[str]
) -> None:
    """JSON Feed items become URLs with authors and a summary (feedparser 6 cannot read them)."""
    result = _parse(corpus / FEEDS / name)
    assert not isinstance(result, Reject)
    assert len(result) == count
    assert (result[0].url, result[0].hints.authors) == (first_url, authors)
    assert result[0].hints.description


def test_json_feed_html_content_becomes_text(corpus: Path) -> None:
    """An item with only `content_html` gets its text as description, the script dropped."""
    result = _parse(corpus / FEEDS / "kurtmckee__feedparser/json/example.json")
    assert isinstance(result, list)
    assert result[1].hints.description == "Hello, world!"
    assert result[1].hints.authors == ("you",)


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        (f"{RSS_PARSER}/unrecognized.rss", "not a feed: looks like HTML"),
        ("feeds/scrapy__scrapy/feeds/feed-sample1.xml", "root element <products>"),
        ("feeds/scrapy__scrapy/compressed/feed-sample1.xml.gz", "root element <products>"),
        ("feeds/scrapy__scrapy/compressed/feed-sample1.xml.bz2", "a bzip2 archive"),
        ("feeds/scrapy__scrapy/compressed/feed-sample1.zip", "a zip archive"),
        ("feeds/scrapy__scrapy/compressed/feed-sample1.tar", "a tar archive"),
        ("feeds/kurtmckee__feedparser/illformed/rss_empty_document.xml", "no root element"),
        (f"{RSS_PARSER}/missing-fields.atom", "none with an http(s) link"),
    ],
    ids=[
        "redirect-page",
        "product-xml",
        "product-xml-gz",
        "bz2",
        "zip",
        "tar",
        "empty",
        "no-links",
    ],
)
def test_non_feeds_are_rejected_with_a_clear_detail(corpus: Path, path: str, detail: str) -> None:
    """A redirect page, other XML, archives, empty or linkless feeds: PARSE_ERROR saying which."""
    result = parse_feed((corpus / path).read_bytes(), url=FEED_URL, source="test")
    assert isinstance(result, Reject)
    assert (result.reason, result.locator) == (RejectReason.PARSE_ERROR, FEED_URL)
    assert detail in result.detail


def test_gzipped_feed_equals_the_plain_one(corpus: Path) -> None:
    """A gzip file is inflated by its magic bytes: same result as the plain feed."""
    data = (corpus / RSS_PARSER / "guardian.rss").read_bytes()
    plain = parse_feed(data, url=FEED_URL, source="test")
    assert parse_feed(gzip.compress(data), url=FEED_URL, source="test") == plain


@pytest.mark.parametrize(
    "name", ["xmlbomb.xml", "quadratic.xml", "external.xml"], ids=lambda n: n.split(".")[0]
)
def test_xml_attacks_are_unsafe(corpus: Path, name: str) -> None:
    """Entity attacks reach feedparser never: UNSAFE_XML."""
    result = _parse(corpus / "xml-attacks/tiran__defusedxml/xmltestdata" / name)
    assert isinstance(result, Reject) and result.reason is RejectReason.UNSAFE_XML


RELATIVE = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><language>de</language>
<item><title>One</title><link>/2024/one.html</link></item>
<item><title>Two</title><link> two.html </link></item>
<item><title>No link</title></item>
<item><title>Mail</title><link>mailto:desk@example.org</link></item>
<item><title>One again</title><link>https://example.org/2024/one.html</link></item>
</channel></rss>"""


def test_relative_links_resolve_and_unusable_entries_are_skipped() -> None:
    """Relative links resolve against the feed URL; linkless and mailto entries are skipped."""
    result = parse_feed(RELATIVE, url=FEED_URL, source="test")
    assert isinstance(result, list)
    assert [(d.url, d.hints.title, d.hints.language) for d in result] == [
        ("https://example.org/2024/one.html", "One", "de"),
        ("https://example.org/feeds/two.html", "Two", "de"),
    ]


def test_atom_xml_base_wins_over_the_feed_url() -> None:
    """Atom's xml:base decides relative links (feedparser resolves it)."""
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://cdn.example.net/news/">'
        b'<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; news</title>'
        b'<link href="a.html"/></entry></feed>'
    )
    result = parse_feed(data, url=FEED_URL, source="test")
    assert isinstance(result, list)
    assert [(d.url, d.hints.title) for d in result] == [
        ("https://cdn.example.net/news/a.html", "Bold news")
    ]


def test_bytes_naming_a_local_file_are_not_opened(tmp_path: Path) -> None:
    """A body that is a file path is parsed as data, not opened (feedparser.parse would open it)."""
    local = tmp_path / "feed.xml"
    local.write_bytes(
        b'<rss version="2.0"><channel><item><link>https://leak.example/</link>'
        b"</item></channel></rss>"
    )
    result = parse_feed(str(local).encode(), url=FEED_URL, source="test")
    assert isinstance(result, Reject) and result.reason is RejectReason.PARSE_ERROR


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-10-29T10:26:00-04:00", datetime(2021, 10, 29, 14, 26, tzinfo=UTC)),
        ("2005-01-01", datetime(2005, 1, 1, tzinfo=UTC)),
        ("2005-01", datetime(2005, 1, 1, tzinfo=UTC)),
        ("not a date", None),
        ("9999-12-31T23:59:59-05:00", None),
    ],
)
def test_utc_datetime(value: str, expected: datetime | None) -> None:
    """W3C/RFC 3339 strings become aware UTC; junk and out-of-range values become None."""
    assert utc_datetime(value) == expected


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
JSON_ITEMS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            key: JSON_VALUES | st.just("https://example.org/x")
            for key in (
                "url",
                "title",
                "authors",
                "author",
                "tags",
                "date_published",
                "content_html",
            )
        },
    ),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=2048)
    | st.text(max_size=300).map(
        lambda t: f"<rss><channel><item>{t}</item></channel></rss>".encode()
    )
    | JSON_ITEMS.map(
        lambda items: json.dumps(
            {"version": "https://jsonfeed.org/version/1.1", "items": items}
        ).encode()
    )
)
def test_parse_feed_never_raises(data: bytes) -> None:
    """Arbitrary bytes, RSS-shaped text and JSON-Feed-shaped JSON give a list or a Reject."""
    result = parse_feed(data, url=FEED_URL, source="fuzz")
    assert isinstance(result, (list, Reject))
