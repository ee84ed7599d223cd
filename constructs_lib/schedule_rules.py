"""What EventBridge Scheduler accepts in a schedule: expressions, time zones and ranges.

Limits come from the CreateSchedule API (pinned botocore ``scheduler`` model) and the
Scheduler guide's schedule types page.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache

from constructs_lib._checks import check_range
from constructs_lib.errors import EmrServerlessValidationError

CREATE_SCHEDULE = (
    "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html"
)
SCHEDULE_TYPES = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html"

#: FlexibleTimeWindow.MaximumWindowInMinutes.
FLEXIBLE_WINDOW_MINUTES = (1, 1440)
#: RetryPolicy.MaximumRetryAttempts and MaximumEventAgeInSeconds.
RETRY_ATTEMPTS = (0, 185)
MAX_EVENT_AGE_SECONDS = (60, 86_400)
#: ScheduleExpression and ScheduleExpressionTimezone lengths.
MAX_EXPRESSION = 256
MAX_TIME_ZONE = 50

_RATE = re.compile(r"rate\((?P<value>\d+) (?P<unit>minutes?|hours?|days?)\)")
_CRON = re.compile(r"cron\((?P<fields>[^()]+)\)")
_AT = re.compile(r"at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)")
_CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_EXAMPLES = "e.g. 'cron(0 2 * * ? *)', 'rate(6 hours)' or 'at(2026-12-01T02:00:00)'"


def check_schedule_expression(expression: str, *, argument: str = "schedule") -> str:
    """Refuse an expression EventBridge Scheduler would refuse; return its kind.

    ``rate(<n> minute|minutes|hour|hours|day|days)`` with n at least 1;
    ``cron(<6 fields>)`` where exactly one of day-of-month and day-of-week is ``?``;
    ``at(yyyy-mm-ddThh:mm:ss)``.
    """

    def refuse(rule: str) -> EmrServerlessValidationError:
        return EmrServerlessValidationError(
            argument=argument,
            value=expression,
            rule=f"{rule} ({SCHEDULE_TYPES})",
            fix=f"write a Scheduler expression, {_EXAMPLES}",
        )

    if not isinstance(expression, str) or not 1 <= len(expression) <= MAX_EXPRESSION:
        raise refuse(f"a schedule expression has 1-{MAX_EXPRESSION} characters")
    rate = _RATE.fullmatch(expression)
    if rate is not None:
        if int(rate["value"]) < 1:
            raise refuse("a rate is a positive whole number of minutes, hours or days")
        return "rate"
    if _AT.fullmatch(expression):
        return "at"
    cron = _CRON.fullmatch(expression)
    if cron is None:
        raise refuse("a schedule is rate(...), cron(...) or at(...)")
    fields = cron["fields"].split()
    if len(fields) != len(_CRON_FIELDS):
        raise refuse(
            f"a cron expression has six fields ({' '.join(_CRON_FIELDS)}), not {len(fields)}"
        )
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise refuse(
            "one of day-of-month and day-of-week is '?' and the other is not: they cannot "
            "both be set, nor both be left out"
        )
    return "cron"


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_time_zone(name: str, *, argument: str = "time_zone") -> None:
    """Refuse a time zone that is not an IANA name (e.g. ``Europe/Paris``)."""
    known = _time_zones()
    if (
        not isinstance(name, str)
        or not 1 <= len(name) <= MAX_TIME_ZONE
        or (known and name not in known)
    ):
        raise EmrServerlessValidationError(
            argument=argument,
            value=name,
            rule=f"a schedule's time zone is an IANA time zone name of 1-{MAX_TIME_ZONE} "
            f"characters ({CREATE_SCHEDULE} ScheduleExpressionTimezone)",
            fix="use a name such as 'Europe/Paris' or 'America/New_York' (or UTC)",
        )


def check_flexible_window(minutes: int, *, argument: str = "flexible_window_minutes") -> None:
    """1-1,440 minutes."""
    check_range(
        minutes,
        *FLEXIBLE_WINDOW_MINUTES,
        argument=argument,
        unit="minutes",
        source=f"{CREATE_SCHEDULE} MaximumWindowInMinutes",
    )


def check_retry(attempts: int, max_event_age_seconds: int) -> None:
    """0-185 retry attempts, and events 60-86,400 seconds old at most."""
    check_range(
        attempts,
        *RETRY_ATTEMPTS,
        argument="retry_attempts",
        unit="attempts",
        source=f"{CREATE_SCHEDULE} MaximumRetryAttempts",
    )
    check_range(
        max_event_age_seconds,
        *MAX_EVENT_AGE_SECONDS,
        argument="max_event_age_seconds",
        unit="seconds",
        source=f"{CREATE_SCHEDULE} MaximumEventAgeInSeconds",
    )
