"""The one place that decides whether untrusted XML may reach a parser.

Feeds and sitemaps come from the open web, so their XML is hostile until
shown otherwise. Three attacks matter (defusedxml's README lists them):
entity expansion (billion laughs, quadratic blow-up), external entities and
DTDs (XXE: a `SYSTEM "file:///etc/passwd"` or `"http://169.254.169.254/"`
read into the document), and decompression bombs. The defence is two layers:

1. `check_xml` reads only the prolog, with the standard library's expat
   (the parser defusedxml itself wraps), and refuses a document that declares
   any entity or points its DOCTYPE at an external DTD. Handlers stop expat
   at the first entity declaration, before anything is expanded, and at the
   root element's start tag, after which no DTD can appear, so the check
   costs the length of the prolog. A document expat cannot read that far
   (ill-formed, or an encoding expat lacks, such as Big5 or UTF-32) is
   scanned lexically instead, over all of it and case-insensitively,
   because the lenient parsers behind it (lxml's recover mode, feedparser's
   SGML fallback) might still act on a declaration anywhere. That fallback
   can refuse an ill-formed feed that merely quotes `<!ENTITY` in CDATA;
   refusing a broken feed is the cheap side of that trade.
2. `xml_parser` builds lxml parsers that would not expand entities, load a
   DTD or touch the network even if the check were wrong, and keep
   libxml2's size limits (`huge_tree=False`).

Why not `defusedxml.ElementTree.fromstring(forbid_entities=True, ...)`:
it builds a whole ElementTree just to say yes or no, it fails on every
ill-formed feed (most of feedparser's test suite, and many real feeds with a
stray `&`) without saying whether it was unsafe, and `forbid_dtd` would also
refuse the harmless `<!DOCTYPE rss PUBLIC "-//Netscape ...">` that RSS 0.91
feeds carry. `defusedxml.lxml` is deprecated. The expat handlers below
apply the same rule defusedxml's do (refuse at the declaration).

A DOCTYPE is tolerated when it has no external identifier, or a PUBLIC one
from `_KNOWN_PUBLIC_IDS` (RSS 0.91, W3C DTDs): those name DTDs that nothing
here loads, and an XHTML page sent where a feed was expected should be
rejected as "not a feed", not as an attack. A SYSTEM identifier alone is a
pointer to fetch, which is what XXE uses, so it is refused.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from typing import Any, NoReturn
from xml.parsers import expat

from lxml import etree

from extractors.errors import ExtractError, TooLargeError, UnreadableError, UnsafeXmlError

__all__ = [
    "MAX_XML_BYTES",
    "check_xml",
    "gunzip_bounded",
    "parse_xml",
    "xml_parser",
]

# The sitemap protocol's own cap on an uncompressed file (sitemaps.org);
# feeds are far smaller in practice, so it bounds both.
MAX_XML_BYTES = 50 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
# Public identifiers of DTDs that every toolchain ships; naming one is a label.
_KNOWN_PUBLIC_IDS = ("-//Netscape Communications//DTD RSS 0.91//EN", "-//W3C//DTD ")
_LEXICAL_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)\b([^>\[]*)", re.IGNORECASE)
_LEXICAL_EXTERNAL_ID = re.compile(
    rb"""\b(SYSTEM|PUBLIC)\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE
)


class _RootReachedError(Exception):
    """Expat reached the root element: the prolog held nothing unsafe."""


class _RefusedError(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def check_xml(data: bytes) -> str | None:
    """Why `data` must not be parsed (entities, external DTD), or None if it may."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _on_doctype
    parser.EntityDeclHandler = _on_entity
    parser.UnparsedEntityDeclHandler = _on_unparsed_entity
    parser.StartElementHandler = _on_root
    try:
        parser.Parse(data, True)
    except _RootReachedError:
        return None
    except _RefusedError as refused:
        return refused.problem
    except (expat.ExpatError, ValueError, LookupError):
        # ValueError: "multi-byte encodings are not supported" (Big5, EUC-JP, ...)
        return _lexical_check(data)
    return None  # unreachable in practice: expat reports a document without a root


def _on_doctype(name: str, system_id: str | None, public_id: str | None, _subset: int) -> None:
    problem = _external_dtd_problem(name, system_id, public_id)
    if problem is not None:
        raise _RefusedError(problem)


def _on_entity(
    name: str, is_parameter: int, _value: Any, _base: Any, system_id: Any, *_: Any
) -> None:
    kind = "an external" if system_id else "an internal"
    marker = "%" if is_parameter else "&"
    raise _RefusedError(
        f"declares {kind} entity {marker}{name}; entity declarations are refused "
        "(billion laughs, quadratic blow-up and XXE all start with one)"
    )


def _on_unparsed_entity(name: str, *_: Any) -> None:
    raise _RefusedError(f"declares an unparsed external entity {name}; refused (XXE)")


def _on_root(*_: Any) -> NoReturn:
    raise _RootReachedError


def _external_dtd_problem(name: str, system_id: str | None, public_id: str | None) -> str | None:
    if public_id and public_id.strip().startswith(_KNOWN_PUBLIC_IDS):
        return None
    if system_id or public_id:
        target = system_id or public_id
        doctype = f"DOCTYPE {name}" if name else "DOCTYPE"
        return (
            f"{doctype} references an external DTD ({target!r}); external DTDs "
            "are refused (XXE), only well-known PUBLIC identifiers are tolerated"
        )
    return None


def _lexical_check(data: bytes) -> str | None:
    """The same rule by pattern, for documents expat cannot read as far as the root."""
    # UTF-16/32 put NULs between ASCII bytes; dropping them lets one pattern see
    # `<!ENTITY` in any of those encodings as well as in ASCII-compatible ones.
    text = data.replace(b"\x00", b"") if b"\x00" in data else data
    for match in _LEXICAL_DECLARATION.finditer(text):
        keyword = match.group(1).upper()
        rest = match.group(2)
        if keyword == b"ENTITY":
            name = rest.split()[0].decode("ascii", "replace") if rest.split() else "?"
            return (
                f"declares an entity ({name}), found by pattern in a document expat "
                "could not read; entity declarations are refused"
            )
        external = _LEXICAL_EXTERNAL_ID.search(rest)
        if external is not None:
            quoted: bytes = external.group(2) or external.group(3) or b""
            literal = quoted.decode("ascii", "replace")
            is_public = external.group(1).upper() == b"PUBLIC"
            problem = _external_dtd_problem(
                "", None if is_public else literal, literal if is_public else None
            )
            if problem is not None:
                return problem
    return None


def xml_parser(*, recover: bool = False) -> Any:
    """A fresh lxml parser that expands no entity, loads no DTD and never uses the network.

    A new one per document: lxml parsers keep state and are not shareable
    between threads.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        recover=recover,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data: bytes, *, recover: bool = False) -> Any:
    """The root element of `data`, after `check_xml` passed it.

    Raises `UnsafeXmlError` for refused documents and `ExtractError`
    (PARSE_ERROR) for XML that lxml cannot parse, or, with `recover`,
    from which it recovers no element at all.
    """
    problem = check_xml(data)
    if problem is not None:
        raise UnsafeXmlError(problem)
    try:
        root = etree.fromstring(data, xml_parser(recover=recover))
    except (etree.LxmlError, ValueError) as exc:  # XMLSyntaxError and encoding errors
        raise ExtractError(f"not well-formed XML: {_first_line(exc)}") from exc
    if root is None:
        raise ExtractError("not XML: no element could be recovered")
    return root


def gunzip_bounded(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> bytes:
    """`data` gunzipped if it starts with the gzip magic bytes, else as is; at most `max_bytes`.

    Detection is by content, not by name or header: sitemaps named `.gz` are
    often served plain (advertools' `regular_sitemap.xml.gz` is), and the
    fetcher undoes only Content-Encoding, not a gzip *file*. Reading stops
    one byte past the cap, so a bomb costs `max_bytes`, not its full size.
    """
    if not data.startswith(_GZIP_MAGIC):
        if len(data) > max_bytes:
            raise TooLargeError(f"{len(data)} bytes is over the {max_bytes}-byte cap")
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as unzipped:
            out = unzipped.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError
        raise UnreadableError(f"broken gzip data: {_first_line(exc)}") from exc
    if len(out) > max_bytes:
        raise TooLargeError(f"over the {max_bytes}-byte cap after gzip decompression")
    return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
