"""What a boilerplate rule is; the rules themselves are in `transforms.boilerplate.patterns`.

Each `Rule` describes one kind of line that is not article text: a paywall
prompt, a newsletter sign-up, a copyright notice. A rule's pattern must match
the *whole* line (the engine allows punctuation and whitespace around it), so
every wildcard in a pattern is bounded (`.{0,120}`) and every rule has a
`max_words` ceiling: a long paragraph that merely mentions "subscribe" can
never be removed. Patterns are matched case-insensitively against the line
after `FOLD` (homoglyphs and typographic quotes made plain), so `'` in a
pattern also matches `’`, and `-` also matches `–` and `—`. A rule whose
pattern opens with a wildcard names the literals it `needs`, so the engine
can skip it on the lines where it cannot match.

Order matters only for reporting: when two rules match a line, the earlier
one is named in `boilerplate_removed`, so specific rules come before general
ones of the same language. Every rule here is exercised by an example in
`tests/transforms/test_boilerplate.py`; add one there with a new rule.

Evidence for most rules is the shared corpus: `footers/boilerplate_catalogue`
and the "without" snippets of `html/adbar__trafilatura/evaldata.fixtures.json`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from transforms.errors import InvalidRuleError


class BoilerplateKind(StrEnum):
    """What a removed line was; analysts group `boilerplate_removed` by it."""

    SUBSCRIPTION = "subscription"  # paywalls, "subscribe now", "already a subscriber? log in"
    NEWSLETTER = "newsletter"  # e-mail newsletter sign-ups
    DONATION = "donation"  # donation and membership appeals
    SOCIAL = "social"  # "follow us", app and WhatsApp-channel promos
    COPYRIGHT = "copyright"  # copyright and reprint notices
    ADVERTISING = "advertising"  # ad labels, "advertise with us", ad-sales contacts
    AFFILIATE = "affiliate"  # affiliate-link disclosures
    SHARE = "share"  # share buttons and comment prompts
    RELATED = "related"  # "Read more", "Related stories", "Most popular"
    UGC = "ugc"  # calls for readers' photos, tips and letters
    HEADLINE = "headline"  # the title repeated as the body's first line
    BYLINE = "byline"  # "By Jane Doe" at the start; the names move to `authors`
    DATELINE = "dateline"  # "Updated March 3, 2024" at the start; moves to `published_at`
    CAPTION = "caption"  # image captions and photo credits
    DISCLAIMER = "disclaimer"  # "for informational purposes only" notices at the end


class Position(StrEnum):
    """Where in a body a rule may remove a line."""

    ANY = "any"  # anywhere: the line cannot be article text
    HEAD = "head"  # only in the leading run of boilerplate lines at the start of a body
    TAIL = "tail"  # only in the trailing run of boilerplate lines at the end of a body


DEFAULT_MAX_WORDS: Final = 40
_RECORD_KEYS: Final = frozenset({"name", "kind", "pattern", "where", "max_words", "needs"})
# Backreferences and named groups would change meaning once the engine joins
# all patterns into one alternation, so rules may not use them.
_UNSAFE_SYNTAX: Final = re.compile(r"\\[1-9]|\(\?P[<=]")


@dataclass(frozen=True, slots=True)
class Rule:
    """One named pattern for a kind of boilerplate line.

    `pattern` must match the whole line (after `FOLD`, around optional edge
    punctuation); `max_words` caps the line's length in whitespace-separated
    words as a second guard against removing article text. `needs`, when set,
    is a precondition: the rule applies only to a line whose folded, lower-cased
    text contains one of these literals. It lets the engine skip a pattern that
    opens with a wildcard (`.{0,160}?whatsapp`), the costly kind, on the many
    lines where it cannot match.
    """

    name: str
    kind: BoilerplateKind
    pattern: re.Pattern[str]
    where: Position = Position.ANY
    max_words: int = DEFAULT_MAX_WORDS
    needs: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        name: str,
        kind: BoilerplateKind,
        pattern: str,
        where: Position = Position.ANY,
        max_words: int = DEFAULT_MAX_WORDS,
        needs: tuple[str, ...] = (),
    ) -> Rule:
        """A rule from a pattern's source text, matched case-insensitively."""
        return cls(name, kind, re.compile(pattern, re.IGNORECASE), where, max_words, needs)

    def __post_init__(self) -> None:
        if not self.name or any(ch.isspace() for ch in self.name):
            raise InvalidRuleError(self.name, "a name must be non-empty and without spaces")
        if not isinstance(self.kind, BoilerplateKind):
            raise InvalidRuleError(self.name, f"kind must be a BoilerplateKind, not {self.kind!r}")
        if not isinstance(self.where, Position):
            raise InvalidRuleError(self.name, f"where must be a Position, not {self.where!r}")
        if self.max_words < 1:
            raise InvalidRuleError(self.name, "max_words must be at least 1")
        if _UNSAFE_SYNTAX.search(self.pattern.pattern):
            raise InvalidRuleError(self.name, "use no backreferences or named groups in a pattern")
        if self.pattern.fullmatch(""):
            raise InvalidRuleError(self.name, "the pattern matches an empty line; make it specific")
        if not isinstance(self.needs, tuple) or not all(
            isinstance(literal, str) and literal and literal == literal.lower()
            for literal in self.needs
        ):
            raise InvalidRuleError(
                self.name, "needs must be a tuple of non-empty lower-case strings"
            )

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> Rule:
        """Build a rule from plain data, e.g. one `[[boilerplate]]` table of `sources.toml`.

        Keys: `name`, `kind` (a `BoilerplateKind` value), `pattern` (a regex
        string, compiled case-insensitively), optional `where` ("any", "head"
        or "tail", default "any"), `max_words` (default 40) and `needs` (a list
        of lower-case literals, see the class).
        """
        name = str(record.get("name", "<unnamed>"))
        unknown = set(record) - _RECORD_KEYS
        if unknown:
            raise InvalidRuleError(
                name, f"unknown keys {sorted(unknown)}; use {sorted(_RECORD_KEYS)}"
            )
        pattern, kind, where = record.get("pattern"), record.get("kind"), record.get("where", "any")
        max_words = record.get("max_words", DEFAULT_MAX_WORDS)
        needs = record.get("needs", ())
        if not isinstance(pattern, str):
            raise InvalidRuleError(name, "pattern must be a regular-expression string")
        if not isinstance(max_words, int) or isinstance(max_words, bool):
            raise InvalidRuleError(name, "max_words must be an integer")
        if isinstance(needs, str) or not isinstance(needs, list | tuple):
            raise InvalidRuleError(name, "needs must be a list of strings")
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise InvalidRuleError(name, f"pattern does not compile: {exc}") from None
        try:
            kind_value = BoilerplateKind(str(kind).lower())
            where_value = Position(str(where).lower())
        except ValueError:
            raise InvalidRuleError(
                name,
                f"kind must be one of {[k.value for k in BoilerplateKind]} and where one of "
                f"{[p.value for p in Position]}; got kind={kind!r}, where={where!r}",
            ) from None
        return cls(name, kind_value, compiled, where_value, max_words, tuple(needs))


# Homoglyphs and typographic variants, folded one character to one before
# matching (the body itself is never changed). Breaking Belize News spells
# its ad line "Соntасt uѕ аt" with Cyrillic letters (catalogue note: "mixed
# Latin/Cyrillic homoglyphs in the real page"), defeating a plain regex.
FOLD: Final[Mapping[str, str]] = {
    # Cyrillic lower case that renders as Latin
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ѵ": "v", "ү": "y",
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y", "Ԛ": "Q",
    "Ԝ": "W",
    # Greek that renders as Latin
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
    # typographic apostrophes, quotes and dashes
    "’": "'", "‘": "'", "‛": "'", "ʼ": "'", "′": "'", "“": '"', "”": '"', "„": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
}  # fmt: skip
