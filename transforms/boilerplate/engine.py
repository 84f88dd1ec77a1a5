"""Remove boilerplate lines (paywall prompts, sign-ups, notices) from an article body.

A body keeps paragraphs apart with blank lines, but a publisher's footer is
often a few single lines inside the last block (the seed article's two-line
subscription footer is one), so the unit here is the line. A line goes only
when a rule in `transforms.boilerplate.patterns` matches all of it; every other
line comes out byte-identical, whitespace included (`transforms.normalise`
normalises later). Afterwards only the blank lines the removal disturbed are
tidied: two gaps that became one keep the first, and a gap left at the start
or end of the body is dropped.

`Position.TAIL` rules apply only inside the trailing run of the body: walking
back from the end, the lines (blank lines aside) that some rule matches. A
paragraph that discusses subscriptions in the middle of a story is therefore
safe from them; `Position.ANY` rules are for lines that are never article text.
`Position.HEAD` rules mirror them at the start (bylines, datelines): only in
the leading run, which also drops a first line that repeats the page's title
(`HEADLINE_RULE`, reported as `headline.repeated`).

Speed: a line longer than any rule allows (most article paragraphs) costs one
`split`; otherwise the rules without `needs` are one precompiled alternation,
so one `fullmatch`, and each rule with `needs` costs a few substring tests
unless its literal is present. ASCII lines skip the homoglyph fold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from transforms.boilerplate.leftovers import LEFTOVER_RULES
from transforms.boilerplate.patterns import RULES
from transforms.boilerplate.rules import FOLD, BoilerplateKind, Position, Rule
from transforms.errors import InvalidRuleError

__all__ = [
    "DEFAULT_RULES",
    "HEADLINE_RULE",
    "BoilerplateKind",
    "Cleaned",
    "InvalidRuleError",
    "Position",
    "Removal",
    "Rule",
    "RuleSet",
    "strip_boilerplate",
]

# Punctuation and whitespace a rule's pattern need not mention: bullets, "»",
# quotes, a closing full stop, a trailing "\r" of a CRLF body. The head is
# bounded because the engine retries every rule at each head length: a line
# of 1,790 "!" took 8.5 ms unbounded.
_EDGE_HEAD: Final = r"[\W_]{0,16}?"
_EDGE_TAIL: Final = r"[\W_]*"
_FLAG_LETTERS: Final = (
    (re.ASCII, "a"),
    (re.IGNORECASE, "i"),
    (re.MULTILINE, "m"),
    (re.DOTALL, "s"),
    (re.VERBOSE, "x"),
)
_GLOBAL_FLAGS: Final = re.compile(r"\A\(\?[aiLmsux]+\)")
# A line longer than this many characters for each word the set allows is
# taken for article text without splitting it: 30 is five times the average
# English word, so no real prompt is that long.
_CHARS_PER_WORD: Final = 30
_LOOSE_SPACE: Final = re.compile(r"\s\s|[^\S ]")  # whitespace other than single spaces
_FOLD_TABLE: Final = str.maketrans(dict(FOLD))


@dataclass(frozen=True, slots=True)
class Removal:
    """One removed line and the rule that removed it, for the `boilerplate_removed` audit."""

    rule: str  # the rule's name, e.g. "subscription.help_us_get_it_right"
    kind: str  # a `BoilerplateKind` value, e.g. "subscription"
    text: str  # the line as it was in the body, without surrounding whitespace


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A body with its boilerplate lines removed, and what was removed in body order."""

    body: str
    removed: tuple[Removal, ...] = ()


def _scoped(pattern: re.Pattern[str]) -> str:
    """A pattern's source wrapped in a group carrying its own flags, ready to join."""
    letters = "".join(letter for flag, letter in _FLAG_LETTERS if pattern.flags & flag)
    source = _GLOBAL_FLAGS.sub("", pattern.pattern)
    if pattern.flags & re.VERBOSE:
        source += "\n"  # a trailing comment must not swallow the closing parenthesis
    return f"(?{letters}:{source})" if letters else f"(?:{source})"


def _edged(source: str) -> re.Pattern[str]:
    return re.compile(f"{_EDGE_HEAD}(?:{source}){_EDGE_TAIL}")


_Indexed = tuple[int, Rule, re.Pattern[str]]  # a rule, its place in the set, its own matcher

# The positions each scan admits: the leading run, the middle, the trailing run.
_ADMITS: Final[Mapping[Position, frozenset[Position]]] = {
    Position.ANY: frozenset({Position.ANY}),
    Position.HEAD: frozenset({Position.ANY, Position.HEAD}),
    Position.TAIL: frozenset({Position.ANY, Position.TAIL}),
}

# The repeated-headline check is not a pattern (it compares the first line
# with the page's title), but it is named and reported like a rule.
HEADLINE_RULE: Final = Rule(
    "headline.repeated", BoilerplateKind.HEADLINE, re.compile(r"(?!)"), Position.HEAD
)
# A line that repeats the title may add a site name after it ("Title | Site"),
# or drop it: this many trailing title tokens may be missing from the line.
_HEADLINE_SUFFIX_TOKENS: Final = 6
_TOKEN: Final = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Scan:
    """The precompiled matchers of one position class (see `_ADMITS`)."""

    plain: re.Pattern[str] | None  # rules without `needs`, one alternation
    gated: tuple[_Indexed, ...]  # rules with `needs`, tried one by one
    needs: tuple[str, ...]  # the literals that open the gate


@dataclass(frozen=True, slots=True)
class RuleSet:
    """An immutable, precompiled set of rules; build variants with `extended` and `without`.

    `DEFAULT_RULES` is the set for every source; a source with its own footer
    gets `DEFAULT_RULES.extended(RuleSet.from_records(table))`. When several
    rules match a line, the earliest in the set is the one reported.
    `headline` switches the repeated-headline check (`HEADLINE_RULE`) on;
    `without("headline.repeated")` switches it off.
    """

    rules: tuple[Rule, ...]
    headline: bool = True
    _scans: dict[Position, _Scan] = field(init=False, repr=False, compare=False)
    _plain_each: tuple[_Indexed, ...] = field(init=False, repr=False, compare=False)
    _by_group: dict[str, tuple[int, Rule]] = field(init=False, repr=False, compare=False)
    _max_words: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rules = tuple(self.rules)
        seen: set[str] = {HEADLINE_RULE.name}
        for rule in rules:
            if not isinstance(rule, Rule):
                raise InvalidRuleError(repr(rule), "a RuleSet holds Rule objects only")
            if rule.name in seen:
                raise InvalidRuleError(rule.name, "the name is used twice; names must be unique")
            seen.add(rule.name)
        sources = [_scoped(rule.pattern) for rule in rules]
        indexed = tuple((i, rule, _edged(sources[i])) for i, rule in enumerate(rules))
        plain = [(i, rule) for i, rule in enumerate(rules) if not rule.needs]

        def scan(admitted: frozenset[Position]) -> _Scan:
            parts = [f"(?P<_r{i}>{sources[i]})" for i, rule in plain if rule.where in admitted]
            gated = tuple(e for e in indexed if e[1].needs and e[1].where in admitted)
            return _Scan(_edged("|".join(parts)) if parts else None, gated, _literals(gated))

        fields: dict[str, object] = {
            "rules": rules,
            "_scans": {where: scan(admitted) for where, admitted in _ADMITS.items()},
            "_plain_each": tuple(entry for entry in indexed if not entry[1].needs),
            "_by_group": {f"_r{i}": (i, rule) for i, rule in plain},
            "_max_words": max((rule.max_words for rule in rules), default=0),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, object]]) -> RuleSet:
        """Rules from plain data (dicts with name, kind, pattern, where, max_words, needs)."""
        return cls(tuple(Rule.from_record(record) for record in records))

    @property
    def names(self) -> tuple[str, ...]:
        """Every rule name this set can report, the headline check first when it is on."""
        head = (HEADLINE_RULE.name,) if self.headline else ()
        return (*head, *(rule.name for rule in self.rules))

    def extended(self, more: Iterable[Rule]) -> RuleSet:
        """This set plus `more` (a `RuleSet` or rules), which come after and must add new names."""
        return RuleSet((*self.rules, *more), self.headline)

    def without(self, *names: str) -> RuleSet:
        """This set minus the named rules, for a source where a default rule misfires."""
        unknown = set(names) - set(self.names)
        if unknown:
            raise InvalidRuleError(", ".join(sorted(unknown)), "no rule of that name in this set")
        return RuleSet(
            tuple(rule for rule in self.rules if rule.name not in names),
            self.headline and HEADLINE_RULE.name not in names,
        )

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def match(self, line: str, *, at_tail: bool = False, at_head: bool = False) -> Rule | None:
        """The rule that removes `line`, or None.

        `at_head` admits `Position.HEAD` rules and `at_tail` `Position.TAIL`
        rules (the caller knows whether the line is in the leading or the
        trailing run); neither admits only `Position.ANY` rules. Runs of
        whitespace count as one space: rules read words, and a `<pre>` line of
        thousands of spaces made the edge patterns backtrack (25 ms a line).
        """
        if _LOOSE_SPACE.search(line):
            line = " ".join(line.split())
        if len(line) > self._max_words * _CHARS_PER_WORD:
            return None
        words = len(line.split())
        if words > self._max_words:
            return None  # most article paragraphs end here, before any regex
        where = Position.TAIL if at_tail else Position.HEAD if at_head else Position.ANY
        scan = self._scans[where]
        text = line if line.isascii() else line.translate(_FOLD_TABLE)
        best = self._first_plain(text, words, scan, _ADMITS[where])
        low = text.lower()
        if _contains_any(low, scan.needs):
            for index, rule, edged in scan.gated:
                if best is not None and index > best[0]:
                    break
                if (
                    words <= rule.max_words
                    and any(literal in low for literal in rule.needs)
                    and edged.fullmatch(text)
                ):
                    return rule
        return None if best is None else best[1]

    def _first_plain(
        self, text: str, words: int, scan: _Scan, admitted: frozenset[Position]
    ) -> tuple[int, Rule] | None:
        found = None if scan.plain is None else scan.plain.fullmatch(text)
        if found is None or found.lastgroup is None:
            return None
        index, rule = self._by_group[found.lastgroup]
        if words <= rule.max_words:
            return index, rule
        # Rare: the first matching rule allows fewer words than the line has;
        # a later rule that allows more may still accept it.
        for index, rule, edged in self._plain_each:
            if rule.where in admitted and words <= rule.max_words and edged.fullmatch(text):
                return index, rule
        return None


def _literals(entries: Iterable[_Indexed]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(literal for _, rule, _ in entries for literal in rule.needs))


def _contains_any(text: str, literals: tuple[str, ...]) -> bool:
    # Substring tests, not one regex alternation of the literals: measured
    # 3.4 µs against 6.4 µs per line for the default set's 31 literals.
    return any(literal in text for literal in literals)


DEFAULT_RULES: Final = RuleSet((*RULES, *LEFTOVER_RULES))


def _is_blank(line: str) -> bool:
    return not line or line.isspace()


def strip_boilerplate(
    body: str, rules: RuleSet = DEFAULT_RULES, *, title: str | None = None
) -> Cleaned:
    """Remove the lines of `body` that `rules` match; everything else stays byte-identical.

    Three scans: the leading run (the first line when it repeats `title`,
    then `Position.HEAD` and `ANY` rules, until a line matches none), the
    trailing run (`TAIL` and `ANY`, walking back from the end), and the
    lines between them (`ANY` only).
    """
    terminated = body.endswith("\n")
    lines = (body[:-1] if terminated else body).split("\n")
    verdicts: list[Rule | None] = [None] * len(lines)
    first = 0
    checked_headline = not (rules.headline and title)
    while first < len(lines):
        line = lines[first]
        if not _is_blank(line):
            rule = None
            if not checked_headline:
                checked_headline = True
                rule = HEADLINE_RULE if _repeats_title(line, title or "") else None
            rule = rule or rules.match(line, at_head=True)
            if rule is None:
                break
            verdicts[first] = rule
        first += 1
    # The trailing run, from the end back to the first line no rule matches.
    last = len(lines) - 1
    while last >= first:  # lines[first] matched no HEAD rule but may be a TAIL line
        line = lines[last]
        if not _is_blank(line):
            rule = rules.match(line, at_tail=True)
            if rule is None:
                break
            verdicts[last] = rule
        last -= 1
    # lines[last] matched no rule of the trailing run; after lines[first], ANY rules.
    for index in range(first + 1, last):
        line = lines[index]
        if not _is_blank(line):
            verdicts[index] = rules.match(line)
    if not any(verdicts):
        return Cleaned(body)
    removed = tuple(
        Removal(rule.name, rule.kind.value, lines[index].strip())
        for index, rule in enumerate(verdicts)
        if rule is not None
    )
    return Cleaned(_reassemble(lines, verdicts, terminated=terminated), removed)


def _repeats_title(line: str, title: str) -> bool:
    """Whether `line` is the page's title again, case aside, perhaps without its site suffix."""
    said = [token.casefold() for token in _TOKEN.findall(line)]
    expected = [token.casefold() for token in _TOKEN.findall(title)]
    if not said or len(said) > len(expected):
        return False
    if said == expected:
        return True
    return (
        len(said) >= 3
        and expected[: len(said)] == said
        and (len(expected) - len(said) <= _HEADLINE_SUFFIX_TOKENS)
    )


def _reassemble(lines: list[str], verdicts: list[Rule | None], *, terminated: bool) -> str:
    """Join the kept lines, tidying only the blank-line gaps that a removal touched."""
    out: list[str] = []
    gap: list[list[str]] = [[]]  # blank lines since the last kept line, split at removals
    for line, verdict in zip(lines, verdicts, strict=True):
        if verdict is not None:
            gap.append([])
        elif _is_blank(line):
            gap[-1].append(line)
        else:
            out.extend(_tidy(gap, at_edge=not out))
            out.append(line)
            gap = [[]]
    out.extend(_tidy(gap, at_edge=True))
    text = "\n".join(out)
    return f"{text}\n" if terminated and out else text


def _tidy(gap: list[list[str]], *, at_edge: bool) -> list[str]:
    if len(gap) == 1:
        return gap[0]  # no removal in this gap: leave it exactly as it was
    if at_edge:
        return []  # a gap left at the start or end of the body by a removal
    return next((blanks for blanks in gap if blanks), [])
