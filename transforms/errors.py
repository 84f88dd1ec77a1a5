"""Errors raised inside the transforms.

    InvalidRuleError      a boilerplate rule (often from plain data) cannot be used

Bad documents never raise here: they become `Reject`s. These errors are for
configuration that cannot work, raised before any document is touched.
"""

from __future__ import annotations

__all__ = ["InvalidRuleError"]


class InvalidRuleError(ValueError):
    """A rule (usually from plain data such as `sources.toml`) cannot be used.

    Carries the rule's name (or its index in the data) and the problem; the
    message says what to change.
    """

    def __init__(self, rule: str, problem: str) -> None:
        super().__init__(f"boilerplate rule {rule!r}: {problem}")
        self.rule = rule
        self.problem = problem
