"""Bytes -> text, the way a browser would read them, or a clear refusal.

Order of evidence, strongest first (WHATWG Encoding and HTML "determining the
character encoding"): a byte-order mark; a charset the caller was told (HTTP
header, sidecar); a charset the document declares (XML declaration or
`<meta>` prescan); valid UTF-8; the same declarations again, tolerating a
few stray bytes; then charset-normalizer's detection. A declaration is used
only if the bytes decode with it; otherwise the next kind of evidence decides.

beautifulsoup4's `bs4.dammit` sniffs the byte-order mark, finds the XML
declaration and repairs Windows-1252 bytes inside UTF-8 (`detwingle`: it
reads der-erfolg-gibt-recht.de.rinderleber.html's three latin-1 "ü" as "ü",
where the hand-written rule gave U+FFFD). Kept by hand, because
`UnicodeDammit` reads these corpus files wrong (bench/decoding_cost.py):

- labels resolved as browsers do: bs4 decodes `iso-8859-1` as latin-1
  (bummfilm.de.über.html: "Du \\x96 und" for "Du – und"), `gb2312` as GB2312
  (resiliparse's warcfile.warc.gz record 47: 18 U+FFFD) and accepts any
  Python codec a page names (`<meta charset=unicode_escape>`);
- the WHATWG `<meta>` prescan (three regexes and a loop): bs4's one regex
  misreads 31 of html5lib's prescan cases (tests1.dat: a meta in a comment,
  `content=` without `http-equiv`, a meta after an 8193-byte comment;
  tests2.dat: `charset=UTF-16`); html5lib's spec parser is private
  (`html5lib._inputstream`) and html5lib is no dependency of ours;
- the order: bs4 tries the caller's charset before the byte-order mark
  (W3C's HTTP-vs-UTF-8-BOM.html) and its detector before UTF-8, which turns
  7 undeclared UTF-8 pages into mojibake (cleveland.com1.html, wcxb-dev-4709);
- stray bytes in other encodings: `detwingle` is UTF-8 only, and without
  the rule xinhuanet's GB18030 page with one stray byte put in is refused;
- refusing binary: bs4 decodes a brotli body as text
  (compression/scrapy__scrapy/compressed/html-br.bin).

Detection stays with charset-normalizer: bs4 calls whichever of cchardet,
chardet or charset-normalizer is installed, and the one corpus page that
needs detection (nmb-media.de.ebay.html) reads the same either way.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import charset_normalizer

from extractors.errors import UndecodableError

__all__ = ["codec_for_label", "declared_encoding", "decode", "detect_encoding"]

# bs4's byte-order-mark names -> codecs that consume the mark themselves, so
# a streaming reader (extractors.tabular) can decode from the first byte.
_BOM_CODECS = {"utf-8": "utf-8-sig", "utf-16le": "utf-16", "utf-16be": "utf-16"}
_BOM_CODECS |= {"utf-32le": "utf-32", "utf-32be": "utf-32"}

# The spec's prescan reads 1024 bytes, but browsers still honour a later
# <meta> by re-parsing; html5lib's encoding/tests1.dat expects a meta after an
# 8193-character comment to win. 16 KB covers that and long inline <head>s.
_PRESCAN_BYTES = 16 * 1024
_SAMPLE_CHARS = 64 * 1024
_MAX_CONTROL_RATIO = 0.1  # more C0/C1 controls than this in a sample: not text

# WHATWG labels that Python's codec registry does not know, by codec.
_LABELS_BY_CODEC: dict[str, tuple[str, ...]] = {
    "cp874": ("windows-874", "dos-874"),
    "iso8859-8": ("iso-8859-8-i", "csiso88598i", "logical", "visual"),
    "mac-cyrillic": ("x-mac-cyrillic", "x-mac-ukrainian"),
    "mac-roman": ("x-mac-roman",),
    "cp932": ("x-sjis", "windows-31j", "ms_kanji", "csshiftjis"),
    "gb18030": ("x-gbk",),
    "euc_jp": ("x-euc-jp",),
    "utf-8": ("unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"),
    "utf-16-be": ("unicodefffe",),
    "utf-16-le": ("unicode", "csunicode", "ucs-2", "iso-10646-ucs-2"),
    "cp1252": ("x-user-defined",),  # HTML maps it to windows-1252 for documents
}
_EXTRA_LABELS = {label: codec for codec, labels in _LABELS_BY_CODEC.items() for label in labels}
_EXTRA_LABELS |= {f"x-cp{n}": f"cp{n}" for n in range(1250, 1259)}

# Python codec -> the codec that decodes that label as a browser does (WHATWG
# Encoding, "Names and labels": latin-1 and ascii are windows-1252, GB2312 is
# GBK, Shift_JIS is windows-31J, EUC-KR is windows-949, Big5 includes HKSCS).
_BROWSER_CODEC: dict[str, str] = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "big5": "big5hkscs",
    "utf-16": "utf-16-le",
}

# Only real text encodings a web page can be in: Python also registers
# codecs such as `unicode_escape`, `rot13` or `utf-7` that no page should
# be allowed to select by declaring them.
# fmt: off
_WEB_CODECS = (
    "utf-8", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
    "cp866", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874",
    "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
    "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "cp932", "cp949",
)
# fmt: on
_ALLOWED: frozenset[str] = frozenset(codecs.lookup(name).name for name in _WEB_CODECS)
# Detection candidates: the web's encodings under charset-normalizer's names,
# plus the subsets it detects better than their browser supersets.
_DETECTABLE: list[str] = sorted(
    {name.replace("-", "_") for name in _ALLOWED if not name.startswith("utf-")}
    | {"utf_8", "big5", "shift_jis", "euc_kr", "gb2312"}
)
_UTF16_FAMILY = frozenset({"utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})

_LABEL = re.compile(r"[a-z0-9][a-z0-9._:()+-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def decode(data: bytes, *, declared: str | None = None) -> str:
    """The text of `data`, without a byte-order mark.

    Raises `UndecodableError` for binary data or bytes in no detectable
    encoding, so the caller can reject the document with that reason.
    """
    text = _resolve(data, declared, complete=True)[1]  # BOM codecs drop the BOM
    _reject_control_characters(text)
    return text


def detect_encoding(data: bytes, *, declared: str | None = None, complete: bool = True) -> str:
    """The Python codec that decodes `data`, found as `decode` documents.

    `complete=False` says `data` is only the start of a stream (it may end
    inside a multi-byte character), so a streaming reader can pick a codec
    from a sample.
    """
    return _resolve(data, declared, complete)[0]


def _resolve(data: bytes, declared: str | None, complete: bool) -> tuple[str, str]:
    """(codec, text) by the order of evidence in the module docstring."""
    # bs4 is imported where used: importing it takes about 170 ms (soupsieve's
    # CSS parser, measured with python -X importtime), which a CLI command that
    # decodes nothing should not pay.
    from bs4.dammit import EncodingDetector

    if bom := EncodingDetector.strip_byte_order_mark(data)[1]:
        if (text := _strict(data, _BOM_CODECS[bom], complete)) is None:
            raise UndecodableError(f"starts with a {bom} byte-order mark but is not valid {bom}")
        return _BOM_CODECS[bom], text
    told = codec_for_label(declared) if declared else None
    if told in _UTF16_FAMILY and (text := _strict(data, told, complete)) is not None:
        return told, text
    if (nul := data.find(b"\x00")) >= 0:
        raise UndecodableError(
            f"binary data: NUL byte at offset {nul}; text files hold no NUL bytes "
            "unless they are UTF-16/32, which needs a byte-order mark or a declared charset"
        )
    candidates = [c for c in _declarations(data, told) if c]
    for candidate in candidates:
        if (text := _strict(data, candidate, complete)) is not None:
            return candidate, text
    # A page in its declared encoding with a few stray bytes is still in that
    # encoding, whereas a detector guessing from the rest picks a wrong codec
    # for the whole page, or none (xinhuanet's GB18030 page with one stray
    # byte put in is refused outright).
    for candidate in candidates:
        if (text := _nearly(data, candidate, complete)) is not None:
            return candidate, text
    return _detected(data, complete)


def _declarations(data: bytes, told: str | None) -> Iterator[str | None]:
    """Codecs to try before detection, strongest first."""
    yield told
    yield declared_encoding(data)
    yield "utf-8"  # the web's default and most common encoding


def declared_encoding(data: bytes) -> str | None:
    """The codec the document itself declares: XML declaration, else `<meta>`."""
    from bs4.dammit import EncodingDetector

    label = EncodingDetector.find_declared_encoding(data[:1024], is_html=False)
    if label and (codec := codec_for_label(label)) is not None:
        return "utf-8" if codec in _UTF16_FAMILY else codec
    return _prescan(data[:_PRESCAN_BYTES])


def codec_for_label(label: str) -> str | None:
    """The Python codec a browser would use for a charset label, or None if unknown."""
    key = label.strip(" \t\n\x0c\r").lower()
    if not _LABEL.fullmatch(key):  # Python's lookup would forgive `iso8859-2"`; browsers do not
        return None
    if key in _EXTRA_LABELS:
        return _EXTRA_LABELS[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    name = _BROWSER_CODEC.get(name, name)
    return name if name in _ALLOWED else None


def _strict(data: bytes, codec: str, complete: bool = True) -> str | None:
    """`data` decoded strictly, or None if it is not valid in `codec`."""
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(data, final=complete)
    except UnicodeDecodeError:
        return None


# At most one undecodable byte per this many bytes counts as "a few stray bytes".
_STRAY_BYTES_PER = 1_000
# ... and at most one in this many non-ASCII characters.
_STRAY_SHARE_OF_NON_ASCII = 20


def _nearly(data: bytes, codec: str, complete: bool) -> str | None:
    """`data` in `codec` despite a few stray bytes, or None if they are not few."""
    text = codecs.getincrementaldecoder(codec)("replace").decode(data, final=complete)
    stray = text.count("\ufffd")
    if stray > max(1, len(data) // _STRAY_BYTES_PER):
        return None
    # bs4 repairs Windows-1252 bytes inside UTF-8 (rinderleber's "ü"); it has
    # no repair for other codecs or other bytes, which stay U+FFFD.
    if codec == "utf-8":
        from bs4.dammit import UnicodeDammit

        repaired = _strict(UnicodeDammit.detwingle(data), codec, complete)
        if repaired is not None:
            return repaired
    # Stray bytes must be rare among the non-ASCII text too: a latin-1 page
    # declared UTF-8 (nmb-media.de) fails almost every accented letter,
    # however much ASCII markup surrounds them.
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7F)
    return text if stray * _STRAY_SHARE_OF_NON_ASCII <= non_ascii else None


def _detected(data: bytes, complete: bool) -> tuple[str, str]:
    """charset-normalizer's best guess, mapped to a browser codec and validated."""
    match = charset_normalizer.from_bytes(data, cp_isolation=_DETECTABLE).best()
    if match is None:
        raise UndecodableError(
            "no text encoding fits these bytes (charset-normalizer found no match); "
            "the file is binary or needs its charset declared, e.g. in a sidecar"
        )
    codec = codec_for_label(match.encoding) or match.encoding
    for candidate in (codec, match.encoding):
        if (text := _strict(data, candidate, complete)) is not None:
            return candidate, text
    raise UndecodableError(f"detected {match.encoding} but the bytes do not decode with it")


def _reject_control_characters(text: str) -> None:
    sample = text[:_SAMPLE_CHARS]
    controls = sum(1 for _ in _CONTROL.finditer(sample))
    if sample and controls / len(sample) > _MAX_CONTROL_RATIO:
        raise UndecodableError(
            f"{controls} of the first {len(sample)} characters are control characters; "
            "this looks like binary data, not text"
        )


# One step of the prescan at a "<" (WHATWG HTML "prescan a byte stream"): a
# comment (`<!-->` closes itself: the search for "-->" starts at its dashes),
# a <meta>, another tag's name, a markup declaration, end tag or processing
# instruction, or one of those left open, which ends the prescan empty.
_STEP = re.compile(
    rb"<!(?=--).*?-->|(?P<open><!--)|(?P<meta><meta[\t\n\x0c\r /])"
    rb"|(?P<tag></?[a-z][^\t\n\x0c\r >]*+)|<[!/?][^>]*>|(?P<open2><[!/?])",
    re.IGNORECASE | re.DOTALL,
)
# WHATWG "get an attribute": `>` ends the tag; a name may start with "=".
_ATTRIBUTE = re.compile(
    rb"[\t\n\x0c\r /]*+(?:(?P<end>>)|(?P<name>[^>][^\t\n\x0c\r /=>]*+)"
    rb"(?:[\t\n\x0c\r ]*=[\t\n\x0c\r ]*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?=>)"
    rb"|(?P<bare>[^\t\n\x0c\r >\"'][^\t\n\x0c\r >]*+)|(?P<open>[\"'])))?)",
    re.DOTALL,
)
# WHATWG "extracting a character encoding from a meta element" (`content=`).
_CONTENT_CHARSET = re.compile(
    rb"""charset[\t\n\x0c\r ]*=[\t\n\x0c\r ]*(?:"([^"]*)"|'([^']*)'|["']|([^\t\n\x0c\r ;]*))"""
)


def _prescan(data: bytes) -> str | None:
    """WHATWG HTML "prescan a byte stream to determine its encoding"."""
    pos = 0
    while (pos := data.find(b"<", pos)) >= 0:
        if (step := _STEP.match(data, pos)) is None:
            pos += 1
            continue
        if step["open"] or step["open2"] or step.end() == len(data):
            return None
        pos = step.end()
        if step["meta"] or step["tag"]:
            if (found := _attributes(data, pos)) is None:
                return None
            attributes, pos = found
            if step["meta"] and (codec := _meta_codec(attributes)) is not None:
                return codec
    return None


def _attributes(data: bytes, pos: int) -> tuple[list[tuple[bytes, bytes]], int] | None:
    """A tag's (name, value) pairs, lowercased, and where its `>` is; None at the window's end."""
    attributes: list[tuple[bytes, bytes]] = []
    while (found := _ATTRIBUTE.match(data, pos)) is not None and not found["open"]:
        if found["end"]:
            return attributes, found.start("end")
        if found.end() == len(data):
            return None
        value = found["dq"] if found["dq"] is not None else found["sq"] or found["bare"] or b""
        attributes.append((found["name"].lower(), value.lower()))
        pos = found.end()
    return None


def _meta_codec(attributes: list[tuple[bytes, bytes]]) -> str | None:
    """The codec a `<meta>` declares, if it declares a usable one."""
    seen: set[bytes] = set()
    got_pragma = False
    need_pragma: bool | None = None
    charset: str | None = None
    for name, value in attributes:
        if name in seen:
            continue
        seen.add(name)
        if name == b"http-equiv" and value == b"content-type":
            got_pragma = True
        elif name == b"content" and charset is None:
            if (found := _CONTENT_CHARSET.search(value)) is not None:
                label = next((g for g in found.groups() if g is not None), None)
                if label is not None:
                    charset, need_pragma = label.decode("latin-1"), True
        elif name == b"charset":
            charset, need_pragma = value.decode("latin-1"), False
    if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
        return None
    codec = codec_for_label(charset)
    return "utf-8" if codec in _UTF16_FAMILY else codec
