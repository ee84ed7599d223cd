"""What EventBridge Scheduler accepts: each rule refused, and its valid neighbour."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.schedule_rules import (
    check_flexible_window,
    check_retry,
    check_schedule_expression,
    check_time_zone,
)


@pytest.mark.parametrize(
    ("expression", "kind"),
    [
        ("rate(1 minute)", "rate"),
        ("rate(5 minutes)", "rate"),
        ("rate(1 hour)", "rate"),
        ("rate(7 days)", "rate"),
        ("cron(0 2 * * ? *)", "cron"),
        ("cron(30 6 ? * MON-FRI *)", "cron"),
        ("cron(0/15 * ? * * 2026)", "cron"),
        ("at(2026-12-01T02:00:00)", "at"),
    ],
)
def test_accepted(expression: str, kind: str) -> None:
    assert check_schedule_expression(expression) == kind


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("rate(0 minutes)", "positive whole number"),
        ("rate(5 weeks)", "rate(...), cron(...) or at(...)"),
        ("rate(-1 hours)", "rate(...), cron(...) or at(...)"),
        ("cron(0 2 * * *)", "six fields"),
        ("cron(0 2 * * * * *)", "six fields"),
        ("cron(0 2 * * * *)", "cannot both be set"),
        ("cron(0 2 ? * ? *)", "cannot both be set"),
        ("0 2 * * *", "rate(...), cron(...) or at(...)"),
        ("at(2026-12-01 02:00)", "rate(...), cron(...) or at(...)"),
        ("", "1-256 characters"),
        ("cron(" + "1 " * 200 + ")", "1-256 characters"),
    ],
)
def test_refused(expression: str, fragment: str) -> None:
    with pytest.raises(EmrServerlessValidationError) as error:
        check_schedule_expression(expression)
    assert fragment in str(error.value)
    assert "schedule-types.html" in error.value.rule


def test_time_zones() -> None:
    for name in ("Europe/Paris", "America/New_York", "UTC"):
        check_time_zone(name)
    for name in ("Mars/Olympus", "europe/paris", "", "x" * 51):
        with pytest.raises(EmrServerlessValidationError, match="IANA"):
            check_time_zone(name)


@pytest.mark.parametrize(("minutes", "ok"), [(0, False), (1, True), (1440, True), (1441, False)])
def test_flexible_window(minutes: int, ok: bool) -> None:
    if ok:
        check_flexible_window(minutes)
    else:
        with pytest.raises(EmrServerlessValidationError, match="1-1,440 minutes"):
            check_flexible_window(minutes)


@pytest.mark.parametrize(
    ("attempts", "age", "fragment"),
    [(-1, 60, "0-185 attempts"), (186, 60, "0-185"), (0, 59, "60-86,400"), (0, 86_401, "86,400")],
)
def test_retry_refused(attempts: int, age: int, fragment: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match=fragment):
        check_retry(attempts, age)


@given(attempts=st.integers(0, 185), age=st.integers(60, 86_400))
def test_retry_accepted(attempts: int, age: int) -> None:
    check_retry(attempts, age)


@given(
    value=st.integers(1, 10_000),
    unit=st.sampled_from(["minute", "minutes", "hour", "hours", "day", "days"]),
)
def test_any_rate(value: int, unit: str) -> None:
    assert check_schedule_expression(f"rate({value} {unit})") == "rate"
