"""A source's `schedule` and `schedule_timezone` are checked when the config loads."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.cron import cron_problem
from extractors.sources import ConfigError, parse_config


@pytest.mark.parametrize(
    "expression",
    [
        "*/30 * * * *",
        "0 * * * *",
        "0 6 * * mon-fri",
        "15 3,15 1-31/2 jan-dec SUN",
        "0 0 * * 7",
        "3/5 * * * *",
        "  0 6 * * *  ",
        "@hourly",
        "@daily",
    ],
)
def test_valid(expression: str) -> None:
    """Five classic fields, names, steps, lists and the @ aliases pass."""
    assert cron_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("", "needs 5 fields"),
        ("0 6 * *", "got 4"),
        ("0 0 6 * * *", "got 6"),  # a seconds field: croniter's extension, refused
        ("60 * * * *", "minute '60'"),
        ("0 24 * * *", "hour '24'"),
        ("0 0 0 * *", "day of month '0'"),
        ("0 0 * 13 *", "month '13'"),
        ("0 0 * * 8", "day of week '8'"),
        ("*/0 * * * *", "step '0'"),
        ("5-1 * * * *", "runs backwards"),
        ("mon * * * *", "minute 'mon'"),
        ("0 0 L * *", "day of month 'L'"),
        ("0 0 * * 1#2", "day of week '1#2'"),
        ("0 0 ? * *", "day of month '?'"),
        ("@every5m", "unknown alias"),
        ("@HOURLY", "unknown alias"),
    ],
)
def test_invalid(expression: str, problem: str) -> None:
    """Each mistake is named with its field."""
    found = cron_problem(expression)
    assert found is not None and problem in found


@given(st.text(max_size=40))
def test_never_raises(text: str) -> None:
    """Any text gets an answer, never an exception."""
    result = cron_problem(text)
    assert result is None or isinstance(result, str)


def _source(**keys: Any) -> dict[str, Any]:
    return {"sources": [{"name": "s", "urls": ["https://example.org/a"], **keys}]}


def test_schedule_with_timezone_loads() -> None:
    """The cron and its IANA time zone reach the Source."""
    config = parse_config(_source(schedule="0 6 * * *", schedule_timezone="Europe/Paris"))
    assert (config.sources[0].schedule, config.sources[0].schedule_timezone) == (
        "0 6 * * *",
        "Europe/Paris",
    )


@pytest.mark.parametrize(
    ("keys", "key", "text"),
    [
        ({"schedule": "every hour"}, "sources.s.schedule", "is not a cron expression"),
        ({"schedule": "0 6 * * *", "schedule_timezone": "Mars/Olympus"}, "schedule_timezone",
         "unknown time zone"),
        ({"schedule": "0 6 * * *", "schedule_timezone": "../etc/passwd"}, "schedule_timezone",
         "unknown time zone"),
        ({"schedule_timezone": "UTC"}, "sources.s.schedule_timezone", "without a schedule"),
        ({"schedule_timezone": 1}, "sources[0].schedule_timezone", "must be str"),
    ],
)  # fmt: skip
def test_schedule_errors_name_the_key(keys: dict[str, Any], key: str, text: str) -> None:
    """A bad schedule fails at load, naming the key."""
    with pytest.raises(ConfigError) as caught:
        parse_config(_source(**keys))
    assert key in str(caught.value) and text in str(caught.value)
