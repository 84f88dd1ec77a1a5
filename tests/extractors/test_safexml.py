"""XML safety: entity tricks and external DTDs are refused before any parser runs."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from extractors.errors import ExtractError, TooLargeError, UnreadableError, UnsafeXmlError
from extractors.records import RejectReason
from extractors.web.safexml import (
    check_xml,
    gunzip_bounded,
    parse_xml,
    xml_parser,
)

ATTACKS = "xml-attacks/tiran__defusedxml/xmltestdata"
# MANIFEST.tsv: "billion laughs, external entity (http), quadratic blowup (103KB), benign control".
REFUSED = {"xmlbomb.xml": "internal entity", "quadratic.xml": "internal entity"}
REFUSED["external.xml"] = "external entity"
SECRET = "s3cret-passwd-line:x:0:0"


def test_attack_table_covers_every_file(corpus: Path) -> None:
    """Every file under xml-attacks/ is named here, so a new attack is not skipped silently."""
    assert {p.name for p in (corpus / ATTACKS).iterdir()} == {*REFUSED, "simple.xml"}


@pytest.mark.parametrize(("name", "kind"), sorted(REFUSED.items()))
def test_corpus_attacks_are_refused_quickly(corpus: Path, name: str, kind: str) -> None:
    """Billion laughs, quadratic blow-up and XXE are refused in under 2 s, naming the entity."""
    data = (corpus / ATTACKS / name).read_bytes()
    started = time.perf_counter()
    problem = check_xml(data)
    assert time.perf_counter() - started < 2.0
    assert problem is not None and kind in problem
    with pytest.raises(UnsafeXmlError) as raised:
        parse_xml(data)
    assert raised.value.reason is RejectReason.UNSAFE_XML


def test_benign_control_passes(corpus: Path) -> None:
    """defusedxml's benign `simple.xml` is not refused and parses."""
    data = (corpus / ATTACKS / "simple.xml").read_bytes()
    assert check_xml(data) is None
    assert parse_xml(data).tag == "root"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A local file standing in for /etc/passwd."""
    path = tmp_path / "passwd"
    path.write_text(SECRET + "\n")
    return path


@pytest.mark.parametrize(
    "template",
    [
        '<!DOCTYPE r [<!ENTITY x SYSTEM "{uri}">]><r>&x;</r>',
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "{uri}"> %p;]><r/>',
        '<!DOCTYPE r SYSTEM "{uri}"><r>&x;</r>',
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "{uri}">]><rss>&x;</rss>',
    ],
    ids=["general-entity", "parameter-entity", "external-dtd", "in-rss"],
)
def test_xxe_over_file_is_refused_and_reads_nothing(secret_file: Path, template: str) -> None:
    """XXE through file:// (entity, parameter entity, SYSTEM DTD) is refused; no file text leaks."""
    data = template.format(uri=secret_file.as_uri()).encode()
    with pytest.raises(UnsafeXmlError) as raised:
        parse_xml(data)
    assert SECRET not in raised.value.detail


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
        lambda text: text.encode("utf-32"),
        lambda text: b'<?xml version="1.0" encoding="big5"?>' + text.encode("ascii"),
        lambda text: b"  \n" + b'<?xml version="1.0"?>' + text.encode("ascii"),  # decl not first
        lambda text: text.encode("ascii").replace(b"<r>", b"<r><unclosed>"),  # ill-formed
    ],
    ids=["utf-16", "utf-32", "big5-declared", "misplaced-declaration", "ill-formed"],
)
def test_entities_are_found_in_any_encoding_or_shape(encode: Callable[[str], bytes]) -> None:
    """Documents expat cannot read to the root are scanned by pattern, so entities still refuse."""
    data = encode('<!DOCTYPE r [<!ENTITY a "1234567890">]><r>&a;&a;</r>')
    assert check_xml(data) is not None


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>',
        b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html/>',
        b"<!DOCTYPE html><html/>",
        b"<!DOCTYPE rss [<!ELEMENT rss ANY>]><rss/>",
        b"<rss><item><description><![CDATA[<!ENTITY a 'quoted, not declared'>]]>"
        b"</description></item></rss>",
    ],
    ids=["rss091-public-id", "xhtml-public-id", "html5-doctype", "element-decl", "entity-in-cdata"],
)
def test_harmless_doctypes_and_text_pass(data: bytes) -> None:
    """Well-known PUBLIC DTDs (never loaded), bare DOCTYPEs and quoted `<!ENTITY` text pass."""
    assert check_xml(data) is None


def test_tolerated_public_doctype_is_never_loaded(tmp_path: Path) -> None:
    """A known PUBLIC id with a file:// system id passes the check, but lxml never reads the DTD."""
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY x "{SECRET}">')
    data = (
        f'<!DOCTYPE r PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "{dtd.as_uri()}"><r>&x;</r>'
    ).encode()
    assert check_xml(data) is None
    root = parse_xml(data, recover=True)
    assert SECRET not in etree.tostring(root, encoding="unicode")


def test_parser_itself_expands_nothing(secret_file: Path) -> None:
    """Second layer: even unchecked, the lxml parser neither reads files nor expands entities."""
    data = f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret_file.as_uri()}">]><r>&x;</r>'.encode()
    root = etree.fromstring(data, xml_parser())
    assert SECRET not in etree.tostring(root, encoding="unicode")


def test_parse_xml_translates_syntax_errors() -> None:
    """Broken XML becomes an ExtractError with PARSE_ERROR, not an lxml exception."""
    with pytest.raises(ExtractError) as raised:
        parse_xml(b"<urlset><url></urlset>")
    assert raised.value.reason is RejectReason.PARSE_ERROR
    assert "not well-formed" in raised.value.detail


def test_gzip_bomb_is_cut_off_at_the_cap(corpus: Path) -> None:
    """The 28 KB -> 11.5 MB bomb is refused at a 1 MB cap without inflating it all."""
    data = (corpus / "compression/scrapy__scrapy/compressed/bomb-gzip.bin").read_bytes()
    with pytest.raises(TooLargeError) as raised:
        gunzip_bounded(data, max_bytes=1_000_000)
    assert raised.value.reason is RejectReason.TOO_LARGE


def test_truncated_gzip_is_unreadable(corpus: Path) -> None:
    """A gzip stream with a bad CRC or cut short is UNREADABLE."""
    data = (corpus / "compression/scrapy__scrapy/compressed/truncated-crc-error.gz").read_bytes()
    with pytest.raises(UnreadableError):
        gunzip_bounded(data)
    with pytest.raises(UnreadableError):
        gunzip_bounded(gzip.compress(b"<urlset/>" * 100)[:-12])


@pytest.mark.parametrize(
    ("data", "expected"),
    [(gzip.compress(b"<r/>"), b"<r/>"), (b"<r/> plain", b"<r/> plain")],
    ids=["gzip", "plain-named-gz"],
)
def test_gzip_is_recognised_by_magic_bytes(data: bytes, expected: bytes) -> None:
    """Gzip data is inflated; anything else (a 'fake gzip') passes through unchanged."""
    assert gunzip_bounded(data) == expected


def test_plain_data_over_the_cap_is_too_large() -> None:
    """Uncompressed data is held to the same cap."""
    with pytest.raises(TooLargeError):
        gunzip_bounded(b"x" * 101, max_bytes=100)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048) | st.text(max_size=512).map(lambda t: ("<!DOCTYPE " + t).encode()))
def test_check_never_raises(data: bytes) -> None:
    """check_xml answers (a reason or None) for any bytes, never an exception."""
    problem = check_xml(data)
    assert problem is None or problem
