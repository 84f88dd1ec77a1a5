"""Metadata recovered from the bylines and datelines that boilerplate removal took out.

A page whose markup names no author or date often prints them as the body's
first lines ("By Jane Doe", "Published July 29, 2025"); the `byline.*` and
`dateline.*` rules (`transforms.boilerplate.leftovers`) remove those lines,
and these helpers read the names and the date back out of the removals so
`build_article` can fill `authors` and `published_at` when they are empty.
Only text is returned; `transforms.normalise` cleans and parses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from transforms.boilerplate import Removal
from transforms.boilerplate.leftovers import BYLINE_NAMES, DATELINE_DATE
from transforms.boilerplate.rules import BoilerplateKind

__all__ = ["byline_authors", "dateline_date", "dateline_modified"]

# Not the names of people: a byline rule credits these ("By Staff") but they are no author.
_REVISION: Final = re.compile(r"\b(?:updated|modified|reviewed|edited|revised)\b", re.IGNORECASE)
_BYLINE_RULES: Final = frozenset({"byline.by", "byline.label"})


def byline_authors(removed: Iterable[Removal]) -> tuple[str, ...]:
    """The names in the first removed "By ..." or "Author: ..." line (reviewers are no authors)."""
    for removal in removed:
        if removal.rule in _BYLINE_RULES and (found := BYLINE_NAMES.match(removal.text)):
            return (found["names"],)
    return ()


def dateline_date(removed: Iterable[Removal]) -> str | None:
    """The date of the first removed dateline that is not a revision ("Updated ...")."""
    return _first_date(removed, revision=False)


def dateline_modified(removed: Iterable[Removal]) -> str | None:
    """The date of the first removed "Updated ..." or "Last reviewed ..." dateline."""
    return _first_date(removed, revision=True)


def _first_date(removed: Iterable[Removal], *, revision: bool) -> str | None:
    for removal in removed:
        if removal.kind != BoilerplateKind.DATELINE.value:
            continue
        if bool(_REVISION.search(removal.text)) is not revision:
            continue
        if found := DATELINE_DATE.search(removal.text):
            return _plain_date(found["date"])
    return None


def _plain_date(text: str) -> str:
    # dateutil reads "September 16th, 2023 09:27 am" but not the "at" or the ordinal.
    text = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text, flags=re.IGNORECASE)
    return re.sub(r"\s*(?:,|\||·|\bat\b)\s*", " ", text).strip(" -")
