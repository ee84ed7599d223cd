"""Log retention in whole days, as aws-cdk-lib's ``RetentionDays``."""

from __future__ import annotations

from aws_cdk import aws_logs as logs

from constructs_lib.monitoring_rules import RETENTION_DAYS

#: ``RetentionDays`` by the days it keeps logs (the periods the platform config accepts).
_BY_DAYS: dict[int, logs.RetentionDays] = {
    days: logs.RetentionDays[name] for name, days in RETENTION_DAYS.items() if days is not None
}


def retention_days(days: int) -> logs.RetentionDays:
    """``RetentionDays`` for ``days`` (the config accepts only these periods)."""
    return _BY_DAYS[days]
