"""extractors.decoding: W3C/golang charset cases, html5lib's meta prescan cases, properties."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.decoding import codec_for_label, declared_encoding, decode, detect_encoding
from extractors.errors import UndecodableError

GOLANG = Path("encodings/golang__net/testdata")
HTML5LIB = Path("encodings/html5lib__html5lib-tests/encoding")

# Each W3C test page holds the bytes C3 BD C3 A4 C3 A8 in the class of
# div#box; its notes say which reading is right. Read as ISO 8859-15 (or, in
# the UTF-16 pages, as their own code units) they show the first string, as
# UTF-8 the second. "HTTP-*" pages get their charset from an HTTP header,
# which `declared` stands for.
AS_8859_15 = "\u00c3\u0153\u00c3\u20ac\u00c3\u0161"
AS_UTF8 = "\u00fd\u00e4\u00e8"
GOLANG_CASES: dict[str, tuple[str | None, str]] = {
    "HTTP-charset.html": ("iso-8859-15", AS_8859_15),
    "HTTP-vs-UTF-8-BOM.html": ("iso-8859-15", AS_UTF8),
    "HTTP-vs-meta-charset.html": ("iso-8859-15", AS_8859_15),
    "HTTP-vs-meta-content.html": ("iso-8859-15", AS_8859_15),
    "No-encoding-declaration.html": (None, AS_UTF8),
    "UTF-16BE-BOM.html": (None, AS_8859_15),
    "UTF-16LE-BOM.html": (None, AS_8859_15),
    "UTF-8-BOM-vs-meta-charset.html": (None, AS_UTF8),
    "UTF-8-BOM-vs-meta-content.html": (None, AS_UTF8),
    "meta-charset-attribute.html": (None, AS_8859_15),
    "meta-content-attribute.html": (None, AS_8859_15),
}


def test_golang_table_covers_every_page(corpus: Path) -> None:
    """Every W3C page in the corpus has an expectation here, so none is skipped silently."""
    assert {p.name for p in (corpus / GOLANG).glob("*.html")} == set(GOLANG_CASES)


@pytest.mark.parametrize(
    ("name", "declared", "expected"), [(n, *c) for n, c in GOLANG_CASES.items()]
)
def test_w3c_page_decodes_as_its_notes_say(
    corpus: Path, name: str, declared: str | None, expected: str
) -> None:
    """BOM beats header beats meta; the box's class reads as the page's notes require."""
    text = decode((corpus / GOLANG / name).read_bytes(), declared=declared)
    box = re.search(r"""id=['"]box['"] class=['"]([^'"]*)['"]""", text)
    assert box is not None
    assert box.group(1) == expected
    assert text.lstrip().startswith("<!DOCTYPE html>")  # BOM gone, no mojibake before it
    title = re.search(r"<title>([^<]*)</title>", text)
    assert title is not None
    assert title.group(1).replace("-", " ") in text.replace("-", " ")


def _dat_cases(path: Path) -> list[tuple[str, bytes, str]]:
    """(id, data, expected encoding) of an html5lib encoding .dat file."""
    raw = path.read_bytes()
    cases = []
    for index, block in enumerate(raw.split(b"#data\n")[1:]):
        data, _, expected = block.partition(b"#encoding\n")
        cases.append((f"{path.name}-{index}", data.removesuffix(b"\n"), expected.strip().decode()))
    return cases


def _html5lib_cases() -> list[tuple[str, bytes, str]]:
    """The cases, read at collection time where fixtures are not available.

    Finds the corpus as the `corpus` fixture does; if it is missing this is
    empty and `test_html5lib_cases_are_all_read` fails loudly instead.
    scripted/tests1.dat is left out: it needs a script engine (document.write).
    """
    default = Path(__file__).resolve().parents[3] / "shared" / "corpus"
    root = Path(os.environ.get("NEWS_ETL_CORPUS", default)) / HTML5LIB
    names = ("tests1.dat", "tests2.dat")
    if not all((root / name).is_file() for name in names):
        return []
    return [case for name in names for case in _dat_cases(root / name)]


def test_html5lib_cases_are_all_read(corpus: Path) -> None:
    """All 81 prescan cases of tests1.dat and tests2.dat are parametrised below."""
    cases = [c for n in ("tests1.dat", "tests2.dat") for c in _dat_cases(corpus / HTML5LIB / n)]
    assert len(cases) == 81


@pytest.mark.parametrize(
    ("data", "expected"),
    [pytest.param(data, exp, id=case_id) for case_id, data, exp in _html5lib_cases()],
)
def test_html5lib_prescan(data: bytes, expected: str) -> None:
    """The meta prescan finds the charset html5lib expects (windows-1252 = none declared)."""
    if data.startswith(b"\xef\xbb\xbf"):
        assert detect_encoding(data) == "utf-8-sig"
    elif expected.lower() == "windows-1252":
        assert declared_encoding(data) in (None, "cp1252")
    else:
        assert declared_encoding(data) == codec_for_label(expected)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(data, id=case_id)
        for case_id, data, exp in _html5lib_cases()
        if exp == "iso-8859-2" and not data.startswith(b"\xef\xbb\xbf")
    ],
)
def test_meta_declared_latin2_decodes_as_latin2(data: bytes) -> None:
    """A byte after a meta declaring iso8859-2 decodes as Latin-2, not Latin-1."""
    assert decode(data + b"<p>\xb1</p>").endswith("<p>\u0105</p>")


def test_declaration_the_bytes_do_not_fit_is_ignored(corpus: Path) -> None:
    """html5lib's Yahoo! JAPAN page says euc-jp but is stored as UTF-8: UTF-8 wins."""
    ((_, data, expected),) = _dat_cases(corpus / HTML5LIB / "test-yahoo-jp.dat")
    assert declared_encoding(data) == codec_for_label(expected) == "euc_jp"
    assert "日本最大級のポータルサイト" in decode(data)


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("iso-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("US-ASCII", "cp1252"),
        (" utf8 ", "utf-8"),
        ("gb2312", "gb18030"),
        ("shift_jis", "cp932"),
        ("euc-kr", "cp949"),
        ("big5", "big5hkscs"),
        ("iso-8859-9", "cp1254"),
        ("windows-874", "cp874"),
        ("x-user-defined", "cp1252"),
        ("utf-16", "utf-16-le"),
        ("utf-7", None),
        ("unicode_escape", None),
        ("rot13", None),
        ("bogus", None),
        ('iso8859-2"', None),
    ],
)
def test_labels_resolve_as_browsers_do(label: str, codec: str | None) -> None:
    """WHATWG aliases map to browser codecs; non-web Python codecs are refused."""
    assert codec_for_label(label) == codec


def test_declared_latin1_decodes_curly_quotes() -> None:
    """A declared ISO-8859-1 decodes 0x93/0x94 as windows-1252 curly quotes."""
    assert decode(b"\x93Quoted\x94 text", declared="iso-8859-1") == "\u201cQuoted\u201d text"


def test_declared_charset_that_fails_falls_through() -> None:
    """A declared UTF-8 that is not UTF-8 does not raise: the next evidence decides."""
    data = "<meta charset=windows-1251><p>Привет</p>".encode("cp1251")
    assert decode(data, declared="utf-8") == "<meta charset=windows-1251><p>Привет</p>"


def test_xml_declaration_is_honoured() -> None:
    """An XML declaration's encoding is used when there is no BOM or declared charset."""
    assert decode(b'<?xml version="1.0" encoding="ISO-8859-2"?><a>\xb1</a>').endswith("\u0105</a>")


def test_declared_utf16_without_bom() -> None:
    """UTF-16 without a BOM decodes when declared, despite its NUL bytes."""
    assert decode("héllo".encode("utf-16-le"), declared="UTF-16LE") == "héllo"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x00\x01\x02binary", id="nul"),
        pytest.param(bytes(range(1, 32)) * 40, id="controls"),
        pytest.param(b"\xef\xbb\xbf\xff\xfe broken after a UTF-8 BOM", id="bad-bom"),
    ],
)
def test_binary_data_is_undecodable(data: bytes) -> None:
    """Binary-looking bytes raise UndecodableError with a detail saying why."""
    with pytest.raises(UndecodableError) as info:
        decode(data)
    assert info.value.detail


def test_brotli_body_is_undecodable(corpus: Path) -> None:
    """A compressed body mistaken for text is refused, naming the NUL byte."""
    data = (corpus / "compression/scrapy__scrapy/compressed/html-br.bin").read_bytes()
    with pytest.raises(UndecodableError, match="NUL byte"):
        decode(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_decode_or_raise_undecodable(data: bytes) -> None:
    """On any bytes, decode returns text or raises UndecodableError, nothing else."""
    try:
        assert isinstance(decode(data), str)
    except UndecodableError as exc:
        assert exc.detail


_PRINTABLE_TEXT = st.text(
    st.characters(exclude_categories=["Cc", "Cs"], exclude_characters="\ufeff")
    | st.sampled_from("\n\t\r"),
    max_size=500,
)


@settings(max_examples=300, deadline=None)
@given(_PRINTABLE_TEXT)
def test_utf8_round_trips(text: str) -> None:
    """Any text without control characters, encoded as UTF-8, decodes back to itself."""
    assert decode(text.encode("utf-8")) == text


@given(_PRINTABLE_TEXT)
def test_utf8_bom_is_stripped(text: str) -> None:
    """A UTF-8 BOM is removed from the output and nothing else is."""
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def test_declared_utf8_with_stray_bytes_stays_utf8(corpus: Path) -> None:
    """A UTF-8 page with three stray latin-1 bytes is read as UTF-8, the three repaired."""
    page = corpus / "html/adbar__trafilatura/eval/der-erfolg-gibt-recht.de.rinderleber.html"
    text = decode(page.read_bytes())
    assert "So schön winterlich ist es" in text
    assert 'alt="Küchenblogs"' in text
    assert text.count("Hosting für Profit") == 2
    assert "\ufffd" not in text


def test_legacy_page_with_a_stray_byte_keeps_its_encoding(corpus: Path) -> None:
    """A GB18030 page with one stray byte is read as GB18030 with one U+FFFD, not refused."""
    page = corpus / "html/adbar__trafilatura/eval/archive.org.he.xinhuanet.com.25340717.html"
    data = page.read_bytes()
    text = decode(data[:20_000] + b"\xff" + data[20_000:])
    assert "全体演员喊出铿锵誓言" in text
    assert text.count("\ufffd") == 1


def test_latin1_page_declared_utf8_is_redetected(corpus: Path) -> None:
    """A latin-1 page that wrongly declares UTF-8 fails most accented letters: detection decides."""
    page = corpus / "html/adbar__trafilatura/eval/nmb-media.de.ebay.html"
    text = decode(page.read_bytes())
    assert "sämtliche Dateien" in text
    assert "\ufffd" not in text
