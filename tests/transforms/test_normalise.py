"""Field normalisers: examples pin behaviour, hypothesis pins the invariants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from transforms.normalise import (
    canonical_url,
    domain_of,
    normalise_authors,
    normalise_body,
    normalise_line,
    parse_timestamp,
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
    ],
)
def test_parse_timestamp(raw: str, utc: datetime, offset: int | None) -> None:
    """Converted to UTC; the original offset is kept in minutes, None when absent."""
    parsed = parse_timestamp(raw)
    assert parsed is not None
    assert parsed.utc == utc
    assert parsed.utc_offset_minutes == offset


@pytest.mark.parametrize("raw", ["", "yesterday-ish", "0000-00-00", "9999-99-99T99", "x" * 200])
def test_parse_timestamp_rejects_garbage(raw: str) -> None:
    """Unparseable or absurd timestamps become None rather than an error."""
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
