"""HTML text -> lxml tree, safely from any thread.

Why this module exists (issue 12, "Crash-free under load"): runs with two
task threads died in native code (`free(): invalid pointer`, `double free or
corruption`, a bus error) with both threads inside lxml at once, one parsing
through trafilatura's `load_html`, the other pruning a tree in
`bare_extraction`. trafilatura, readability-lxml and `lxml.html` each parse
with one module-level parser object shared by every thread, and libxml2's
parser state and string dictionaries are not designed for concurrent use.
Two rules remove the cause rather than its symptoms:

1. Every thread parses with its own parser (`html_parser`), so no parser
   object, and no document built from one, is ever shared between threads;
   `parse_html` is the only way pages are parsed for extraction, and the tree
   is handed to trafilatura, whose shared parser is then never used.
2. Work that runs third-party lxml code we cannot give a parser to
   (trafilatura's extraction, htmldate, readability-lxml, jusText) runs inside
   `lxml_section()`: one thread of a process at a time. It costs nothing
   measurable: that work is pure-Python CPU under the GIL, which already let
   only one thread run at a time; process pools and Dask workers, which do
   run in parallel, each have their own lxml.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring, fromstring
from trafilatura.utils import repair_faulty_html

__all__ = ["html_parser", "lxml_section", "nests_deeper_than", "parse_html"]

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCTYPE_CHARS = 1024
_local = threading.local()
# Re-entrant: extraction calls the fallbacks, which take the section again.
_SECTION = threading.RLock()


def html_parser() -> HTMLParser:
    """This thread's parser, with trafilatura's options (comments and PIs dropped).

    trafilatura's extraction is tuned to trees from exactly these options; a
    tree from plain `lxml.html` lost whole paragraphs on some pages
    (extraction-dev F1 0.933 against 0.934).
    """
    parser: HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = HTMLParser(
            collect_ids=False,
            default_doctype=False,
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


@contextmanager
def lxml_section() -> Iterator[None]:
    """Hold while running third-party lxml code: one thread of the process at a time."""
    with _SECTION:
        yield


def parse_html(text: str) -> HtmlElement | None:
    """The page's tree, or None when it is not HTML.

    Follows trafilatura's `load_html` step by step (repair, parse the str,
    the bytes when lxml refuses an encoding declaration or finds nothing),
    with this thread's parser, so trafilatura sees the tree it would have
    built. Unlike `load_html` it keeps a saved fragment whose root has a single
    child (`<div class="page"><div>story</div></div>`, the shape
    readability's test pages have), which `load_html` refuses as dubious: such
    a fragment is parsed as the body of a document.
    """
    text = _XML_DECLARATION.sub("", text, count=1)
    beginning = text[:50].lower()
    text = repair_faulty_html(text, beginning if _short_doctype(text) else "")
    tree, refused_str = _parse_str(text)
    if (tree is None or len(tree) < 1) and not refused_str:
        tree = _parse_bytes(text)
    if tree is not None and "html" not in beginning and len(tree) < 2:
        return _fragment_document(text)  # load_html: "wrong data type or not valid HTML"
    return tree


def _short_doctype(text: str) -> bool:
    """Whether the page's first tag ends within `_DOCTYPE_CHARS`, as any real doctype does.

    trafilatura's doctype repair runs a regex over the first line that
    backtracks on a long doctype without its `>`: a first line of 80,000
    slashes cost 8 s, a megabyte would cost minutes. A longer one is no
    doctype worth repairing, so the repair is skipped (its other repairs
    still run).
    """
    return text.find(">", 0, _DOCTYPE_CHARS) >= 0


def _parse_str(text: str) -> tuple[HtmlElement | None, bool]:
    """(tree, whether lxml refused the str for its encoding declaration)."""
    try:
        return fromstring(text, parser=html_parser()), False
    except ValueError:  # "Unicode strings with encoding declaration are not supported."
        return _parse_bytes(text), True
    except etree.LxmlError:  # e.g. a document of nothing but a comment
        return None, False


def _parse_bytes(text: str) -> HtmlElement | None:
    try:
        return fromstring(text.encode("utf-8", "surrogatepass"), parser=html_parser())
    except (ValueError, etree.LxmlError):
        return None


def _fragment_document(text: str) -> HtmlElement | None:
    """A fragment holding text, as a whole document; None when it holds no text."""
    try:
        document = document_fromstring(text, parser=html_parser())
    except (ValueError, etree.LxmlError):
        return None
    return document if document.text_content().strip() else None


def nests_deeper_than(tree: HtmlElement, levels: int) -> bool:
    """Whether any element of the page lies `levels` elements down from its root.

    One absolute path of `levels` steps: libxml2 visits each level's elements
    once, so it costs about 0.2 ms on a real page and nothing on a deep one
    (whose tree libxml2 cut at 255 levels). Call inside `lxml_section()`.
    """
    return bool(tree.xpath("boolean(" + "/*" * levels + ")"))
