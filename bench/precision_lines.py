"""Line features and the weighted vote on trafilatura's lines: issue 14's precision experiment.

Not shipped: on the tune half the vote gained pipeline F1 +0.0008 (precision
+0.0016, recall unchanged), but on the validation half it lost 0.0005
(precision +0.0022, recall -0.0034, three pages more than 0.10 worse than
trafilatura), so the pipeline keeps trafilatura's lines. Kept here so the
figures can be printed again (`bench/precision_vote.py`). A small
gradient-boosted classifier over the same features (trained on the tune half,
5 folds grouped by site) did worse than the vote on tune (F1 +0.0003, recall
-0.0024), so it was never scored on validation and its script was dropped.

Each line of trafilatura's body is traced back to the element that holds
its text (the text of the page, in document order, is searched for the
line's opening), and described by that element's block: its tag, its link
density, its ancestors' tags and their class and id tokens, whether it lies
in the container holding most of the body, its container's link density,
how often the page prints it and whether as a link or a heading, plus the
line's own length, punctuation and position, and how much of it
resiliparse's main content has. `bench/line_classifier.py` trains models on
the same rows.

The vote drops a line only when resiliparse has less than `MAX_AGREEMENT` of
its shingles, it lies outside the main container, and its block is mostly
link text or sits under furniture-named or furniture-tagged elements.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from math import log1p
from typing import Final

from lxml.html import HtmlElement

from extractors.furniture import PageMarks, page_marks

_SKIP: Final = frozenset({"script", "style", "noscript", "template", "head", "title"})
_BLOCKS: Final = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "blockquote", "pre", "dd",
     "dt", "figcaption", "div", "section", "article", "header", "footer", "aside", "caption",
     "summary", "address", "main", "body"}
)  # fmt: skip
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ANCESTOR_TAGS: Final = ("nav", "header", "footer", "aside", "form", "figure", "ul", "table",
                         "article", "main", "button", "a", "time", "strong")  # fmt: skip
# Class and id tokens, grouped by what they usually mark (trafilatura's xpaths.py
# and jusText's link-density idea, as words a container's name is made of).
_NAME_GROUPS: Final = {
    "share": ("share", "social", "sharing", "facebook", "twitter", "whatsapp", "pinterest"),
    "related": ("related", "recommend", "recommended", "more", "read", "popular", "trending",
                "next", "prev", "previous", "teaser", "card", "promo", "outbrain", "taboola"),
    "subscribe": ("newsletter", "subscribe", "subscription", "signup", "paywall", "register",
                  "donate", "membership", "cta"),
    "ads": ("ad", "ads", "advert", "advertisement", "sponsor", "sponsored", "dfp", "banner"),
    "byline": ("author", "byline", "bio", "meta", "date", "time", "published", "dateline",
               "timestamp", "info", "details"),
    "media": ("caption", "credit", "figure", "image", "img", "photo", "gallery", "video",
              "media", "embed"),
    "nav": ("nav", "menu", "breadcrumb", "breadcrumbs", "footer", "header", "sidebar",
            "widget", "tags", "tag", "topics", "category", "categories", "pagination", "toc"),
    "comment": ("comment", "comments", "disqus", "reply", "respond"),
    "legal": ("copyright", "disclaimer", "legal", "cookie", "consent", "notice", "hidden",
              "modal", "popup", "alert", "note", "editor"),
    "content": ("article", "content", "body", "story", "post", "entry", "text", "prose",
                "main", "paragraph", "rich", "richtext", "blog", "detail"),
}  # fmt: skip
_NAME_TOKEN: Final = re.compile(r"[a-z]+")
_WORD: Final = re.compile(r"\w+")
_SENTENCE_END: Final = re.compile(r"[.!?…:\"”’)]$")
_KEY_CHARS: Final = 40  # the opening of a line searched for in the page's text
_MARKS: Final = re.compile(r"^(?:[-*#>]+ |\d+\. )")

FEATURE_NAMES: Final = (
    "bias", "log_tokens", "short", "sentence_end", "caps_share", "digit_share",
    "punct_share", "position", "first", "last", "tail3", "link_density", "in_link",
    "found", "tag_p", "tag_li", "tag_heading", "tag_td", "tag_quote", "tag_other",
    *(f"under_{tag}" for tag in _ANCESTOR_TAGS),
    *(f"name_{group}" for group in _NAME_GROUPS),
    "in_main", "block_words_ratio", "neighbour_links", "repeat",
    "page_repeat", "link_text", "heading_text", "container_links", "agree_other",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Source:
    """What a line was traced to: its block, the element owning the text, link density."""

    block: HtmlElement | None
    owner: HtmlElement | None
    link_density: float
    block_words: int


class PageText:
    """The page's visible text in document order, each piece with the element owning it."""

    def __init__(self, tree: HtmlElement) -> None:
        pieces: list[str] = []
        self._owners: list[HtmlElement] = []
        self._starts: list[int] = []
        length = 0
        for owner, text in _texts(tree):
            piece = " ".join(text.split())
            if not piece:
                continue
            self._starts.append(length)
            self._owners.append(owner)
            pieces.append(piece)
            length += len(piece) + 1
        self.text = " ".join(pieces)

    def owners(self, lines: Sequence[str]) -> list[HtmlElement | None]:
        """The element holding each line's opening (None when not found), in order.

        Each line is searched on from the previous one; a line found after the
        next one (a headline also printed in the navigation above it) is
        searched again between its neighbours.
        """
        keys = [_key(line) for line in lines]
        places: list[int] = []
        cursor = 0
        for key in keys:
            at = self.text.find(key, cursor) if key else -1
            if at < 0 and key:
                at = self.text.find(key)
            places.append(at)
            cursor = at + len(key) if at >= 0 else cursor
        for index in range(len(keys)):
            after = next((p for p in places[index + 1 :] if p >= 0), -1)
            if places[index] >= 0 and after >= 0 and places[index] > after:
                before = max((p for p in places[:index] if p >= 0), default=0)
                places[index] = self._rfind(keys[index], before, after, places[index])
            elif index == 0 and after >= 0 and keys[0]:
                places[0] = self._rfind(keys[0], 0, after + len(keys[0]), places[0])
        return [self._owners[bisect_right(self._starts, p) - 1] if p >= 0 else None for p in places]

    def _rfind(self, key: str, start: int, end: int, found: int) -> int:
        at = self.text.rfind(key, start, end)
        return at if at >= 0 else found


def _key(line: str) -> str:
    """The opening of a line as the page prints it: without trafilatura's list or table marks."""
    line = " ".join(line.split())
    if line.startswith("|"):
        line = next((cell.strip() for cell in line.split("|") if cell.strip()), "")
    return _MARKS.sub("", line)[:_KEY_CHARS]


def _texts(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    out: list[tuple[HtmlElement, str]] = []
    stack: list[tuple[HtmlElement, bool]] = [(tree, False)]
    while stack:
        element, closing = stack.pop()
        if closing:
            if element.tail:
                parent = element.getparent()
                if parent is not None:
                    out.append((parent, element.tail))
            continue
        stack.append((element, True))
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            continue
        if element.text:
            out.append((element, element.text))
        stack.extend((child, False) for child in reversed(element))
    return out


def _source(owner: HtmlElement | None, blocks: dict[int, _Source]) -> _Source:
    """The line's block and its densities; `blocks` caches them (a block holds many lines)."""
    if owner is None:
        return _Source(None, None, 0.0, 0)
    block: HtmlElement | None = owner
    while block is not None and block.tag not in _BLOCKS:
        block = block.getparent()
    if block is None:
        return _Source(None, owner, 0.0, 0)
    known = blocks.get(id(block))
    if known is None:
        text = block.text_content()
        chars = len("".join(text.split())) or 1
        linked = sum(len("".join(a.text_content().split())) for a in block.iter("a"))
        known = _Source(block, owner, min(1.0, linked / chars), len(_WORD.findall(text)))
        blocks[id(block)] = known
    return _Source(block, owner, known.link_density, known.block_words)


def _ancestors(element: HtmlElement | None, limit: int = 80) -> list[HtmlElement]:
    out: list[HtmlElement] = []
    while element is not None and len(out) < limit:
        out.append(element)
        element = element.getparent()
    return out


def _name_groups(chain: Sequence[HtmlElement]) -> Counter[str]:
    tokens: set[str] = set()
    for element in chain[:8]:
        names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        tokens.update(_NAME_TOKEN.findall(names))
    return Counter(group for group, words in _NAME_GROUPS.items() if tokens.intersection(words))


def line_features(tree: HtmlElement, lines: Sequence[str], other: str) -> list[list[float]]:
    """One row of `FEATURE_NAMES` values per line of trafilatura's body, in order.

    `other` is a second extractor's text for the same page (resiliparse's).
    """
    agreed = agreement(lines, other)
    return [
        [*row, share] for row, share in zip(structural_features(tree, lines), agreed, strict=True)
    ]


def agreement(lines: Sequence[str], other: str) -> list[float]:
    """The share of each line's 4-word shingles that `other` has (short lines: whole)."""
    other_tokens = _WORD.findall(other.lower())
    grams = {tuple(other_tokens[i : i + 4]) for i in range(len(other_tokens) - 3)}
    flat = " " + " ".join(other_tokens) + " "
    out = []
    for line in lines:
        tokens = _WORD.findall(line.lower())
        if len(tokens) < 4:
            out.append(float(bool(tokens) and f" {' '.join(tokens)} " in flat))
            continue
        shingles = [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]
        out.append(sum(1 for gram in shingles if gram in grams) / len(shingles))
    return out


def structural_features(tree: HtmlElement, lines: Sequence[str]) -> list[list[float]]:
    """`FEATURE_NAMES` but the last (agreement) for each line, read from the tree."""
    page = PageText(tree)
    blocks: dict[int, _Source] = {}
    sources = [_source(owner, blocks) for owner in page.owners(lines)]
    chains = [_ancestors(source.owner) for source in sources]
    words = [len(_WORD.findall(line)) for line in lines]
    main = _main_container(chains, words)
    counts = Counter(" ".join(line.split()).lower() for line in lines)
    marks, containers = page_marks(tree), dict[int, float]()
    rows = []
    for index, line in enumerate(lines):
        source, chain = sources[index], chains[index]
        before = sources[index - 1].link_density if index else 0.0
        after = sources[index + 1].link_density if index + 1 < len(lines) else 0.0
        rows.append(
            [
                *_text_features(line, words[index], index, len(lines)),
                *_block_features(source, chain),
                float(main is not None and any(element is main for element in chain)),
                min(1.0, words[index] / source.block_words) if source.block_words else 0.0,
                (before + after) / 2,
                float(counts[" ".join(line.split()).lower()] > 1),
                *_page_context(page, marks, line, source, containers),
            ]
        )
    return rows


def _page_context(
    page: PageText, marks: PageMarks, line: str, source: _Source, containers: dict[int, float]
) -> list[float]:
    """How often the page prints the line, whether as a link or heading, its container's links."""
    key = _key(line)
    repeats = page.text.count(key) if len(key) >= 12 else 1
    folded = " ".join(_MARKS.sub("", line.strip()).split()).casefold()
    container = source.block.getparent() if source.block is not None else None
    if container is not None and id(container) not in containers:
        containers[id(container)] = _link_density(container)
    return [
        min(3, max(0, repeats - 1)) / 3,
        float(folded in marks.links),
        float(folded in marks.headings),
        containers.get(id(container), 0.0) if container is not None else 0.0,
    ]


def _link_density(element: HtmlElement) -> float:
    chars = len("".join(element.text_content().split())) or 1
    linked = sum(len("".join(a.text_content().split())) for a in element.iter("a"))
    return min(1.0, linked / chars)


def _text_features(line: str, words: int, index: int, total: int) -> list[float]:
    tokens = _WORD.findall(line)
    chars = len(line) or 1
    caps = sum(1 for token in tokens if token[0].isupper()) / (len(tokens) or 1)
    digits = sum(1 for token in tokens if token.isdigit()) / (len(tokens) or 1)
    punct = sum(1 for char in line if not char.isalnum() and not char.isspace()) / chars
    return [
        1.0,
        log1p(words),
        float(words < 8),
        float(bool(_SENTENCE_END.search(line.strip()))),
        caps,
        digits,
        punct,
        index / max(1, total - 1),
        float(index == 0),
        float(index == total - 1),
        float(index >= total - 3),
    ]


def _block_features(source: _Source, chain: Sequence[HtmlElement]) -> list[float]:
    tag = source.block.tag if source.block is not None else ""
    tags = {element.tag for element in chain}
    groups = _name_groups(chain)
    kind = [tag == "p", tag == "li", tag in _HEADINGS, tag in {"td", "th"}, tag == "blockquote"]
    return [
        source.link_density,
        float("a" in tags),
        float(source.owner is not None),
        *(float(flag) for flag in kind),
        float(not any(kind)),
        *(float(name in tags) for name in _ANCESTOR_TAGS),
        *(float(groups[group] > 0) for group in _NAME_GROUPS),
    ]


def _main_container(chains: Sequence[Sequence[HtmlElement]], words: Sequence[int]) -> object:
    """The deepest element holding at least 60% of the body's words, or None."""
    total = sum(words) or 1
    held: Counter[int] = Counter()
    by_id: dict[int, tuple[int, HtmlElement]] = {}
    for chain, count in zip(chains, words, strict=True):
        for depth, element in enumerate(reversed(chain)):
            held[id(element)] += count
            by_id[id(element)] = (depth, element)
    deepest = [by_id[key] for key, count in held.items() if count >= 0.6 * total]
    return max(deepest, key=lambda item: item[0])[1] if deepest else None


MAX_AGREEMENT: Final = 0.5
MIN_LINK_DENSITY: Final = 0.5
_COLUMN: Final = {name: index for index, name in enumerate(FEATURE_NAMES)}
_FURNITURE: Final = tuple(
    _COLUMN[name]
    for name in (
        *(f"name_{group}" for group in ("share", "related", "subscribe", "ads", "nav",
                                        "comment", "legal")),
        *(f"under_{tag}" for tag in ("nav", "header", "footer", "aside", "form")),
    )
)  # fmt: skip


def is_furniture(row: Sequence[float]) -> bool:
    """Whether a line's features (`FEATURE_NAMES`) vote it out of the body."""
    if row[_COLUMN["agree_other"]] >= MAX_AGREEMENT or row[_COLUMN["in_main"]]:
        return False
    return row[_COLUMN["link_density"]] > MIN_LINK_DENSITY or any(row[i] for i in _FURNITURE)


def filter_lines(tree: HtmlElement, lines: Sequence[str], other: str) -> list[str]:
    """`lines` without those voted furniture; `other` is resiliparse's text (hold lxml_section)."""
    if not lines:
        return []
    rows = line_features(tree, lines, other)
    return [line for line, row in zip(lines, rows, strict=True) if not is_furniture(row)]
