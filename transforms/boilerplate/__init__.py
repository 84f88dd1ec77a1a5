"""Boilerplate removal: the rule engine, its rule tables and the site-learned rules.

- `engine`: strips the lines a rule matches from an article body (`strip_boilerplate`).
- `rules`: what a rule is (`Rule`, `Position`, `BoilerplateKind`, the homoglyph fold).
- `patterns`: the rules themselves, named data grouped by concept.
- `leftovers`: rules for byline and dateline lines left at the head of a body.
- `site`: paragraphs repeated across a source's articles, learned and removed per source.
"""

from __future__ import annotations

from transforms.boilerplate.engine import (
    DEFAULT_RULES,
    HEADLINE_RULE,
    BoilerplateKind,
    Cleaned,
    InvalidRuleError,
    Position,
    Removal,
    Rule,
    RuleSet,
    strip_boilerplate,
)
from transforms.boilerplate.site import LearnedBoilerplate, strip_site_boilerplate

__all__ = [
    "DEFAULT_RULES",
    "HEADLINE_RULE",
    "BoilerplateKind",
    "Cleaned",
    "InvalidRuleError",
    "LearnedBoilerplate",
    "Position",
    "Removal",
    "Rule",
    "RuleSet",
    "strip_boilerplate",
    "strip_site_boilerplate",
]
