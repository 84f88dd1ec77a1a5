"""Cron expressions of `sources.toml`, checked when the config is loaded.

Prefect validates a deployment's cron only when the deployment is
registered, with the croniter it vendors; the core may not import Prefect,
and croniter is not installed on its own. So a source's `schedule` is
checked here against the classic five-field syntax (minute, hour, day of
month, month, day of week: `*`, numbers, `a-b` ranges, `/step`, lists,
`jan`-`dec` and `sun`-`sat`, day of week 0-7) or one of the `@hourly`-style
aliases. This is a subset of what croniter accepts (tested against it in
`tests/flows/test_serve.py`), so a config that loads never fails to deploy;
croniter extras (`L`, `#`, `?`, a seconds field) are refused with the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALIASES", "cron_problem"]

ALIASES = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[i] means low + i

    def value(self, text: str) -> int | None:
        if text.isdigit() and text.isascii():
            number = int(text)
            return number if self.low <= number <= self.high else None
        lowered = text.lower()
        if lowered in self.names:
            return self.low + self.names.index(lowered)
        return None


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, _MONTHS),
    _Field("day of week", 0, 7, _DAYS),  # 0 and 7 are both Sunday
)


def cron_problem(expression: str) -> str | None:
    """What is wrong with a cron expression, or None when it is valid."""
    text = expression.strip()
    if text.startswith("@"):
        return None if text in ALIASES else f"unknown alias (use {', '.join(sorted(ALIASES))})"
    parts = text.split()
    if len(parts) != len(_FIELDS):
        return f"needs 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}"
    for part, spec in zip(parts, _FIELDS, strict=True):
        for item in part.split(","):
            problem = _item_problem(item, spec)
            if problem:
                return f"{spec.name} {part!r}: {problem}"
    return None


def _item_problem(item: str, spec: _Field) -> str | None:
    base, slash, step = item.partition("/")
    if slash and not (step.isdigit() and step.isascii() and 1 <= int(step) <= spec.high):
        return f"step {step!r} must be a number from 1 to {spec.high}"
    if base == "*":
        return None
    first, dash, last = base.partition("-")
    low = spec.value(first)
    if low is None:
        return f"{first!r} is not a value from {spec.low} to {spec.high}" + (
            f" or {spec.names[0]}-{spec.names[-1]}" if spec.names else ""
        )
    if dash:
        high = spec.value(last)
        if high is None:
            return f"{last!r} is not a value from {spec.low} to {spec.high}"
        if high < low:
            return f"range {base!r} runs backwards; write it low-high"
    return None
