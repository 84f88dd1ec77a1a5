"""Field normalisers: examples pin behaviour, hypothesis pins the invariants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.normalise import (
    canonical_url,
    clean_title,
    domain_of,
    normalise_authors,
    normalise_body,
    normalise_line,
    parse_timestamp,
    word_count,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b\t c", "a b c"),
        ("  lead and trail  ", "lead and trail"),
        ("e\u0301", "\u00e9"),  # NFC composes
        ("zero\u200bwidth", "zerowidth"),
        ("non\u00a0breaking", "non breaking"),
        ("“curly” — dash", "“curly” — dash"),
    ],
)
def test_normalise_line(raw: str, expected: str) -> None:
    """One paragraph: NFC, no zero-width characters, single spaces, stripped."""
    assert normalise_line(raw) == expected


def test_normalise_body_paragraphs() -> None:
    """Paragraphs end up separated by exactly one blank line; hard wraps become spaces."""
    raw = "First line\nwrapped here.\n\n\n\n  Second   para.  \r\n\r\nThird."
    assert normalise_body(raw) == "First line wrapped here.\n\nSecond para.\n\nThird."


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/a/b?utm_source=x&id=3#frag", "https://example.com/a/b?id=3"),
        ("https://example.com/story?fbclid=abc&gclid=def", "https://example.com/story"),
        ("http://example.com", "http://example.com/"),
        ("https://example.com/Path/Keeps/Case", "https://example.com/Path/Keeps/Case"),
        ("ftp://example.com/file", None),
        ("mailto:someone@example.com", None),
        ("not a url", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_url(url: str | None, expected: str | None) -> None:
    """Scheme and host lower-cased, fragment and tracking parameters dropped, non-web -> None."""
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.dw.com/fr/a", "dw.com"),
        ("https://news.bbc.co.uk/x", "news.bbc.co.uk"),
        (None, None),
        ("nonsense", None),
    ],
)
def test_domain_of(url: str | None, expected: str | None) -> None:
    """Host without www."""
    assert domain_of(url) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Ivan Penn", ("Ivan Penn",)),
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        (["Jane Doe, John Roe", "jane doe"], ("Jane Doe", "John Roe")),
        (("Leah C. Stokes",), ("Leah C. Stokes",)),
        (["www.facebook.com", "No Author", "Dana A. Ford"], ("Dana A. Ford",)),
        ("", ()),
        (None, ()),
    ],
)
def test_normalise_authors(
    raw: str | list[str] | tuple[str, ...] | None, expected: tuple[str, ...]
) -> None:
    """No "By", split on "and" and commas, de-duplicated case-insensitively."""
    assert normalise_authors(raw) == expected


@pytest.mark.parametrize(
    ("raw", "utc", "offset"),
    [
        ("2017-06-06T10:30:00+09:00", datetime(2017, 6, 6, 1, 30, tzinfo=UTC), 540),
        ("Wed, 02 Oct 2002 08:00:00 -0500", datetime(2002, 10, 2, 13, 0, tzinfo=UTC), -300),
        ("2020-08-16", datetime(2020, 8, 16, tzinfo=UTC), None),
        ("2020-08-16T12:00:00Z", datetime(2020, 8, 16, 12, tzinfo=UTC), 0),
        ("Mon, 06 Jan 2020 10:00:00 EST", datetime(2020, 1, 6, 15, tzinfo=UTC), -300),
        ("May 5, 2021 3:00 PM PDT", datetime(2021, 5, 5, 22, tzinfo=UTC), -420),
        ("2019-12-30T05:03-0500", datetime(2019, 12, 30, 10, 3, tzinfo=UTC), -300),
    ],
)
def test_parse_timestamp(raw: str, utc: datetime, offset: int | None) -> None:
    """Converted to UTC; the original offset is kept in minutes, None when absent."""
    parsed = parse_timestamp(raw)
    assert parsed is not None
    assert parsed.utc == utc
    assert parsed.utc_offset_minutes == offset


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "yesterday-ish",
        "0000-00-00",
        "9999-99-99T99",
        "x" * 200,
        "June 2019",  # no day: dateutil would take today's
        "2019",
        "10:30",
        "Friday",
        "2020-01-01T00:00:00+25:00",  # offset of a day or more
        "2021-05-05 15:00 Europe/Berlin",  # a zone name we do not guess
    ],
)
def test_parse_timestamp_rejects_garbage(raw: str) -> None:
    """Unparseable, partial or absurd timestamps become None, never today's date or an error."""
    assert parse_timestamp(raw) is None


@given(st.text())
def test_normalise_line_idempotent(text: str) -> None:
    """Normalising twice changes nothing and never raises."""
    once = normalise_line(text)
    assert normalise_line(once) == once
    assert "\n" not in once


@given(st.text())
def test_normalise_body_idempotent(text: str) -> None:
    """Normalising a body twice changes nothing; no paragraph is empty."""
    once = normalise_body(text)
    assert normalise_body(once) == once
    assert all(p.strip() for p in once.split("\n\n")) if once else True


@given(st.text())
def test_canonical_url_idempotent_on_text(text: str) -> None:
    """Any text gives None or a URL that canonicalises to itself."""
    once = canonical_url(text)
    assert once is None or canonical_url(once) == once


@given(
    st.builds(
        "{}://{}/{}?{}#{}".format,
        st.sampled_from(["http", "HTTPS", "Http"]),
        st.from_regex(r"[A-Za-z0-9]{1,10}\.(com|org|de)", fullmatch=True),
        st.from_regex(r"[A-Za-z0-9/_-]{0,20}", fullmatch=True),
        st.from_regex(r"(utm_[a-z]{1,6}=[a-z0-9]{1,5}&)?(id=[0-9]{1,4})?", fullmatch=True),
        st.text(max_size=5),
    )
)
def test_canonical_url_properties(url: str) -> None:
    """Web URLs canonicalise idempotently, lower-case host, no fragment, no utm_*."""
    once = canonical_url(url)
    assert once is not None
    assert canonical_url(once) == once
    assert "#" not in once
    assert "utm_" not in once
    host = once.split("/")[2]
    assert host == host.lower()


@given(st.one_of(st.text(), st.lists(st.text(), max_size=5)))
def test_normalise_authors_idempotent(raw: str | list[str]) -> None:
    """Author lists are stable under re-normalisation and never contain empty names."""
    once = normalise_authors(raw)
    assert all(once)
    assert normalise_authors(once) == once


@given(st.one_of(st.text(), st.datetimes(timezones=st.timezones()), st.datetimes()))
def test_parse_timestamp_never_raises(value: str | datetime) -> None:
    """Any string or datetime parses to an aware UTC time or None."""
    parsed = parse_timestamp(value)
    if parsed is not None:
        assert parsed.utc.utcoffset() is not None
        assert parsed.utc.tzinfo == UTC


_TIMESTAMPS = st.builds(
    "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 19),
    st.integers(0, 39),
    st.integers(0, 29),
    st.integers(0, 69),
    st.integers(0, 69),
    st.one_of(
        st.just(""),
        st.just("Z"),
        st.builds(
            "{}{:02d}:{:02d}".format, st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99)
        ),
    ),
)


@given(_TIMESTAMPS)
def test_parse_timestamp_shaped_input_never_raises(text: str) -> None:
    """ISO-shaped strings with impossible fields or offsets give None or a UTC time."""
    parsed = parse_timestamp(text)
    if parsed is not None:
        assert parsed.utc.tzinfo == UTC
        assert parsed.utc_offset_minutes is None or abs(parsed.utc_offset_minutes) < 24 * 60


@pytest.mark.parametrize(
    ("title", "site", "domain", "expected"),
    [
        ("Losing face | The Japan Times", "The Japan Times", "japantimes.co.jp", "Losing face"),
        ("La perte des terres | DW |", "DW.COM", "dw.com", "La perte des terres"),
        ("BBC News - Mass burials", "BBC News", "bbc.com", "Mass burials"),
        ("Coronavirus: New York ramps up", "BBC News", "bbc.com", "Coronavirus: New York ramps up"),
        (
            "Daten gehackt - Interne Unterlagen",
            "tagesschau.de",
            "tagesschau.de",
            "Daten gehackt - Interne Unterlagen",
        ),
        (None, "x", "x.org", None),
    ],
)
def test_clean_title(title: str | None, site: str, domain: str, expected: str | None) -> None:
    """Only a leading or trailing segment naming the site is dropped."""
    assert clean_title(title, site_name=site, domain=domain) == expected


@given(
    st.text(),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.text(max_size=20)),
)
def test_clean_title_properties(title: str, site: str | None, domain: str | None) -> None:
    """Never raises; the result is None or a non-empty part of the normalised title; idempotent."""
    once = clean_title(title, site_name=site, domain=domain)
    if once is not None:
        assert once and once in normalise_line(title)
        assert clean_title(once, site_name=site, domain=domain) == once


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Hello, world! 2020.", 3),
        ("東京で会談した", 7),
        ("mixed 日本 text", 4),
        ("", 0),
        ("— … “”", 0),
    ],
)
def test_word_count(text: str, count: int) -> None:
    """Words are runs of letters or digits; each CJK character counts as one."""
    assert word_count(text) == count


@given(st.text(), st.text())
def test_word_count_is_additive_over_spaces(left: str, right: str) -> None:
    """Counting never raises, and joining texts with a space never loses words."""
    assert word_count(left + " " + right) >= max(word_count(left), word_count(right))


@given(st.text())
def test_domain_of_never_raises(text: str) -> None:
    """Any text gives None or a lower-case host without a leading www."""
    domain = domain_of(text)
    assert domain is None or (domain == domain.lower() and not domain.startswith("www."))
