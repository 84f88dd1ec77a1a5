"""Bytes -> text, the way a browser would read them, or a clear refusal.

Order of evidence, strongest first (WHATWG Encoding and HTML "determining the
character encoding"): a byte-order mark; a charset the caller was told (HTTP
header, sidecar); a charset the document declares (`<meta>` prescan or an XML
declaration); valid UTF-8; the same declarations again, tolerating a few
stray bytes (one per thousand); then charset-normalizer's detection. A
declaration is used only if the bytes decode with it; otherwise the next kind
of evidence decides. Labels are resolved as browsers do, so `iso-8859-1` and
`us-ascii` decode as windows-1252: pages labelled latin-1 routinely contain
curly quotes in 0x80-0x9F, and only windows-1252 turns those into text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import charset_normalizer

from extractors.errors import UndecodableError

__all__ = ["codec_for_label", "declared_encoding", "decode", "detect_encoding"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# The spec's prescan reads 1024 bytes, but browsers still honour a later
# <meta> by re-parsing; html5lib's encoding/tests1.dat expects a meta after an
# 8193-character comment to win. 16 KB covers that and long inline <head>s.
_PRESCAN_BYTES = 16 * 1024
_SAMPLE_CHARS = 64 * 1024
_MAX_CONTROL_RATIO = 0.1  # more C0/C1 controls than this in a sample: not text

# WHATWG labels that Python's codec registry does not know.
_EXTRA_LABELS: dict[str, str] = {
    "windows-874": "cp874",
    "dos-874": "cp874",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
    "logical": "iso8859-8",
    "visual": "iso8859-8",
    "x-mac-cyrillic": "mac-cyrillic",
    "x-mac-ukrainian": "mac-cyrillic",
    "x-mac-roman": "mac-roman",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "x-gbk": "gb18030",
    "x-euc-jp": "euc_jp",
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "unicodefffe": "utf-16-be",
    "unicode": "utf-16-le",
    "csunicode": "utf-16-le",
    "ucs-2": "utf-16-le",
    "iso-10646-ucs-2": "utf-16-le",
    "x-user-defined": "cp1252",  # HTML maps it to windows-1252 for documents
    **{f"x-cp{n}": f"cp{n}" for n in range(1250, 1259)},
}

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

_XML_DECLARATION = re.compile(
    rb"""\A\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE
)
_LABEL = re.compile(r"[a-z0-9][a-z0-9._:()+-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SPACE = b"\t\n\x0c\r "


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
    boms = [codec for bom, codec in _BOMS if data.startswith(bom)]
    for codec in boms:
        if (text := _strict(data, codec, complete)) is not None:
            return codec, text
    if boms:
        raise UndecodableError(
            f"starts with a {boms[-1]} byte-order mark but is not valid {boms[-1]}"
        )
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
    # A page in its declared encoding with a few stray bytes (a latin-1 "ü"
    # pasted into a UTF-8 page, seen in trafilatura's eval pages) is still in
    # that encoding: browsers show U+FFFD for the stray bytes, whereas a
    # detector guessing from the rest picks a wrong codec for the whole page.
    for candidate in candidates:
        if (text := _nearly(data, candidate, complete)) is not None:
            return candidate, text
    return _detected(data, complete)


def _declarations(data: bytes, told: str | None) -> Iterator[str | None]:
    """Codecs to try before detection, strongest first; the prescan runs only if needed."""
    yield told
    yield declared_encoding(data)
    yield "utf-8"  # the web's default and most common encoding


def declared_encoding(data: bytes) -> str | None:
    """The codec the document itself declares: XML declaration, else `<meta>`."""
    if match := _XML_DECLARATION.match(data[:1024]):
        codec = codec_for_label(match.group(1).decode("ascii"))
        if codec is not None:
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


def _nearly(data: bytes, codec: str, complete: bool = True) -> str | None:
    """`data` decoded with U+FFFD for bad bytes, if there are only a few of them."""
    decoder = codecs.getincrementaldecoder(codec)("replace")
    text = decoder.decode(data, final=complete)
    stray = text.count("\ufffd")
    if stray > max(1, len(data) // _STRAY_BYTES_PER):
        return None
    # Stray bytes must be rare among the non-ASCII text too: a latin-1 page
    # declared UTF-8 (nmb-media.de in the same corpus) fails almost every
    # accented letter, however much ASCII markup surrounds them.
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


class _EndOfInputError(Exception):
    """The prescan ran off the end of its window: per spec, no encoding."""


def _prescan(data: bytes) -> str | None:
    """WHATWG HTML "prescan a byte stream to determine its encoding"."""
    pos = 0
    try:
        while (pos := data.find(b"<", pos)) >= 0:
            if data.startswith(b"<!--", pos):
                end = data.find(b"-->", pos + 2)
                if end < 0:
                    return None
                pos = end + 3
            elif data[pos + 1 : pos + 5].lower() == b"meta" and _at(data, pos + 5) in (
                _SPACE + b"/"
            ):
                codec, pos = _meta(data, pos + 6)
                if codec is not None:
                    return codec
            elif _is_tag_start(data, pos):
                pos += 1
                while _at(data, pos) not in _SPACE + b">":
                    pos += 1
                while (found := _attribute(data, pos)) is not None:
                    pos = found[2]
            elif data[pos + 1 : pos + 2] in (b"!", b"/", b"?"):
                end = data.find(b">", pos)
                if end < 0:
                    return None
                pos = end + 1
            else:
                pos += 1
    except _EndOfInputError:
        return None
    return None


def _meta(data: bytes, pos: int) -> tuple[str | None, int]:
    """Read one `<meta>`'s attributes; its codec (if it declares a usable one)."""
    seen: set[bytes] = set()
    got_pragma = False
    need_pragma: bool | None = None
    charset: str | None = None
    while (found := _attribute(data, pos)) is not None:
        name, value, pos = found
        if name in seen:
            continue
        seen.add(name)
        if name == b"http-equiv" and value == b"content-type":
            got_pragma = True
        elif name == b"content" and charset is None:
            if (from_content := _charset_from_content(value)) is not None:
                charset, need_pragma = from_content, True
        elif name == b"charset":
            charset, need_pragma = value.decode("latin-1"), False
    if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
        return None, pos
    codec = codec_for_label(charset)
    if codec in _UTF16_FAMILY:
        codec = "utf-8"  # a page that parses as ASCII is not UTF-16, whatever it says
    return codec, pos


def _attribute(data: bytes, pos: int) -> tuple[bytes, bytes, int] | None:
    """WHATWG "get an attribute": (name, value, next position), or None at `>`."""
    while _at(data, pos) in _SPACE + b"/":
        pos += 1
    if _at(data, pos) == b">":
        return None
    name = bytearray()
    while True:
        byte = _at(data, pos)
        if byte == b"=" and name:
            pos += 1
            break
        if byte in _SPACE:
            while _at(data, pos) in _SPACE:
                pos += 1
            if _at(data, pos) != b"=":
                return bytes(name), b"", pos
            pos += 1
            break
        if byte in b"/>":
            return bytes(name), b"", pos
        name += byte.lower()
        pos += 1
    while _at(data, pos) in _SPACE:
        pos += 1
    quote = _at(data, pos)
    value = bytearray()
    if quote in (b'"', b"'"):
        pos += 1
        while (byte := _at(data, pos)) != quote:
            value += byte.lower()
            pos += 1
        return bytes(name), bytes(value), pos + 1
    if quote == b">":
        return bytes(name), b"", pos
    while (byte := _at(data, pos)) not in _SPACE + b">":
        value += byte.lower()
        pos += 1
    return bytes(name), bytes(value), pos


def _charset_from_content(value: bytes) -> str | None:
    """WHATWG "extracting a character encoding from a meta element"."""
    pos = 0
    while (pos := value.find(b"charset", pos)) >= 0:
        pos += len(b"charset")
        while value[pos : pos + 1] and value[pos : pos + 1] in _SPACE:
            pos += 1
        if value[pos : pos + 1] != b"=":
            continue
        pos += 1
        while value[pos : pos + 1] and value[pos : pos + 1] in _SPACE:
            pos += 1
        quote = value[pos : pos + 1]
        if quote in (b'"', b"'"):
            end = value.find(quote, pos + 1)
            return None if end < 0 else value[pos + 1 : end].decode("latin-1")
        if not quote:
            return None
        end = pos
        while end < len(value) and value[end : end + 1] not in _SPACE + b";":
            end += 1
        return value[pos:end].decode("latin-1")
    return None


def _is_tag_start(data: bytes, pos: int) -> bool:
    nxt = data[pos + 1 : pos + 2]
    if nxt == b"/":
        nxt = data[pos + 2 : pos + 3]
    return nxt.isalpha()


def _at(data: bytes, pos: int) -> bytes:
    """The byte at `pos`; running off the window ends the prescan."""
    if pos >= len(data):
        raise _EndOfInputError
    return data[pos : pos + 1]
