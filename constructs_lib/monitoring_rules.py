"""What the monitoring constructs decide: alarm defaults, job-state events, dashboard queries,
log retention and the service principals' permissions.

Pure module: imports nothing from ``aws_cdk``. The string builders only join strings, so
they work on CDK tokens (an application id) too. Line numbers (``L5540``) cite the
*Amazon EMR Serverless User Guide* digested in ``requirements.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from constructs_lib._enums import LenientEnum
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.metrics import NAMESPACE, PUBLISH_PERIOD_SECONDS, Dimension

# --- Job-run state notifications (guide L5540-5622) -------------------------------------------

#: The ``source`` of every EMR Serverless event (guide L5558).
EVENT_SOURCE = "aws.emr-serverless"

#: The ``detail-type`` of a job run's state change (guide L5600-5622).
JOB_RUN_STATE_CHANGE = "EMR Serverless Job Run State Change"


class JobRunState(LenientEnum):
    """The states of a job run, as events and the API spell them (guide L2278-2289)."""

    SUBMITTED = "SUBMITTED"
    QUEUED = "QUEUED"
    PENDING = "PENDING"
    SCHEDULED = "SCHEDULED"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"
    CANCELLING = "CANCELLING"
    CANCELLED = "CANCELLED"


#: The states worth a notification by default: the runs that ended without success.
DEFAULT_NOTIFIED_STATES: tuple[JobRunState, ...] = (JobRunState.FAILED, JobRunState.CANCELLED)


def check_notified_states(states: Sequence[JobRunState]) -> tuple[JobRunState, ...]:
    """At least one :class:`JobRunState`, each once."""
    states = tuple(states)
    wrong = [s for s in states if not isinstance(s, JobRunState)]
    if wrong:
        raise EmrServerlessValidationError(
            argument="states",
            value=wrong,
            rule="states are JobRunState members (the job run states of guide L2278-2289)",
            fix="use e.g. [JobRunState.FAILED, JobRunState.CANCELLED]",
        )
    if not states or len(set(states)) != len(states):
        raise EmrServerlessValidationError(
            argument="states",
            value=[s.value for s in states],
            rule="a notification needs at least one state, each named once",
            fix="name each state once; the default is FAILED and CANCELLED",
        )
    return states


def job_run_state_pattern(application_id: str, states: Sequence[JobRunState]) -> dict[str, Any]:
    """The EventBridge pattern of one application's job runs entering ``states``."""
    return {
        "source": [EVENT_SOURCE],
        "detail-type": [JOB_RUN_STATE_CHANGE],
        "detail": {
            "applicationId": [application_id],
            "state": [state.value for state in check_notified_states(states)],
        },
    }


# --- Alarms ---------------------------------------------------------------------------------

#: The default vCPU quota of EMR Serverless per account and Region (adjustable, guide L9071).
DEFAULT_ACCOUNT_VCPU_QUOTA = 16

#: CloudWatch evaluates at most one day of periods (EvaluationPeriods x Period <= 86,400 s).
MAX_EVALUATION_MINUTES = 24 * 60


@dataclass(frozen=True)
class AlarmDefault:
    """The documented default of one alarm.

    :param threshold: in the alarm's unit (job runs, percent, workers).
    :param period_minutes: the length of one evaluated period.
    :param evaluation_periods: periods that must breach in a row.
    """

    threshold: float
    period_minutes: int
    evaluation_periods: int

    @property
    def window_minutes(self) -> int:
        """How long the condition must hold before the alarm fires."""
        return self.period_minutes * self.evaluation_periods


#: One failed job run in 5 minutes.
FAILED_JOBS = AlarmDefault(threshold=1, period_minutes=5, evaluation_periods=1)

#: vCPU allocated at 80 % of the application's maximum for 15 minutes.
APPLICATION_VCPU = AlarmDefault(threshold=80, period_minutes=5, evaluation_periods=3)

#: The account's vCPU in use at 80 % of the quota for 15 minutes.
ACCOUNT_VCPU = AlarmDefault(threshold=80, period_minutes=5, evaluation_periods=3)

#: At least one worker pending creation in every minute for 15 minutes.
PENDING_CREATION = AlarmDefault(threshold=1, period_minutes=1, evaluation_periods=15)


def check_failed_jobs_threshold(threshold: int) -> int:
    """A whole number of failed job runs, at least 1."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise EmrServerlessValidationError(
            argument="failed_jobs_threshold",
            value=threshold,
            rule="the alarm counts failed job runs, a whole number of at least 1",
            fix=f"use {FAILED_JOBS.threshold:.0f} (any failure), or None for no alarm",
        )
    return threshold


def check_threshold_percent(percent: float, *, argument: str) -> float:
    """A share of a limit in percent, more than 0 and at most 100."""
    if isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 < percent <= 100:
        raise EmrServerlessValidationError(
            argument=argument,
            value=percent,
            rule="a share of a limit is more than 0 and at most 100 percent",
            fix="use e.g. 80 (the default)",
        )
    return float(percent)


def check_vcpu_quota(quota: int) -> int:
    """The account's vCPU quota: a whole number of at least 1."""
    if isinstance(quota, bool) or not isinstance(quota, int) or quota < 1:
        raise EmrServerlessValidationError(
            argument="account_vcpu_quota",
            value=quota,
            rule="the quota of concurrent vCPU per account and Region is a whole number "
            f"(default {DEFAULT_ACCOUNT_VCPU_QUOTA}, adjustable, guide L9071)",
            fix="pass the applied quota from Service Quotas (EMR Serverless, Max concurrent "
            "vCPUs per account), or None for no alarm",
        )
    return quota


def account_vcpu_threshold(quota: int, percent: float) -> float:
    """The vCPU count at ``percent`` of ``quota``."""
    return (
        check_vcpu_quota(quota)
        * check_threshold_percent(percent, argument="account_vcpu_threshold_percent")
        / 100
    )


def check_pending_minutes(minutes: int) -> int:
    """How long workers may wait to be created: 1-1,440 whole minutes (one period each)."""
    if (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 1 <= minutes <= MAX_EVALUATION_MINUTES
    ):
        raise EmrServerlessValidationError(
            argument="pending_creation_timeout",
            value=minutes,
            rule=f"1-{MAX_EVALUATION_MINUTES:,} whole minutes: the alarm evaluates one-minute "
            "periods and CloudWatch evaluates at most one day of periods",
            fix=f"use e.g. Duration.minutes({PENDING_CREATION.window_minutes})",
        )
    return minutes


# --- Dashboard ------------------------------------------------------------------------------

#: Width of a dashboard row in grid units.
GRID_WIDTH = 24
#: Height of a graph.
GRAPH_HEIGHT = 6
#: Height of a section heading.
HEADING_HEIGHT = 1


@dataclass(frozen=True)
class Panel:
    """A graph of one metric against another: an allocation against its limit, or use
    against an allocation."""

    title: str
    value: str
    reference: str
    unit: str


#: Capacity against the maximum (guide L5312-5327), one graph per resource.
CAPACITY_PANELS: tuple[Panel, ...] = (
    Panel("vCPU allocated / maximum", "CPUAllocated", "MaxCPUAllowed", "vCPU"),
    Panel("Memory allocated / maximum", "MemoryAllocated", "MaxMemoryAllowed", "GB"),
    Panel("Disk allocated / maximum", "StorageAllocated", "MaxStorageAllowed", "GB"),
)

#: Job runs still in progress and job runs that ended (guide L5331-5345).
JOBS_IN_PROGRESS: tuple[str, ...] = (
    "SubmittedJobs",
    "PendingJobs",
    "ScheduledJobs",
    "RunningJobs",
    "CancellingJobs",
)
JOBS_ENDED: tuple[str, ...] = ("SuccessJobs", "FailedJobs", "CancelledJobs")


#: Worker CPU and memory used (summed over the application's job workers) against the
#: application's allocation (guide L5359-5374).
WORKER_USAGE_PANELS: tuple[Panel, ...] = (
    Panel("Worker vCPU used / allocated", "WorkerCpuUsed", "CPUAllocated", "vCPU"),
    Panel("Worker memory used / allocated", "WorkerMemoryUsed", "MemoryAllocated", "GB"),
)

#: Markdown headings of the dashboard's sections, in order.
SECTIONS: Mapping[str, str] = {
    "capacity": "### Capacity against the application's maximum",
    "workers": "### Workers by type and allocation",
    "jobs": "### Job runs by state",
    "usage": "### Job workers: used against allocated (Metrics Insights, last two weeks)",
    "account": "### Account vCPU against the quota",
}


def capacity_schema(application_dimensions: Sequence[str]) -> tuple[str, ...]:
    """Dimensions of capacity series broken down by worker type and allocation type."""
    return (*application_dimensions, Dimension.WORKER_TYPE, Dimension.CAPACITY_ALLOCATION_TYPE)


def job_worker_schema(application_dimensions: Sequence[str]) -> tuple[str, ...]:
    """Dimensions of per-job worker series of one application.

    From emr-7.10.0 the series carry ApplicationName and JobName besides the ids (AWS's
    EMR Serverless dashboard template), so JobName joins when ApplicationName does.
    """
    names = (Dimension.JOB_NAME,) if Dimension.APPLICATION_NAME in application_dimensions else ()
    return (
        *application_dimensions,
        Dimension.JOB_ID,
        *names,
        Dimension.WORKER_TYPE,
        Dimension.CAPACITY_ALLOCATION_TYPE,
    )


def insights_query(
    function: str,
    metric: str,
    *,
    schema: Sequence[str],
    where: Mapping[str, str],
    group_by: Sequence[str] = (),
    top: int | None = None,
) -> str:
    """A CloudWatch Metrics Insights query over ``AWS/EMRServerless``.

    :param function: ``AVG``, ``COUNT``, ``MAX``, ``MIN`` or ``SUM``.
    :param schema: the exact dimension set of the series to read.
    :param where: dimension values to select (literal values must not hold quotes).
    :param top: keep the ``top`` series with the largest ``function()``.
    """
    if function not in {"AVG", "COUNT", "MAX", "MIN", "SUM"}:
        raise ValueError(f"not a Metrics Insights function: {function}")
    _no_quotes(where)
    query = f'SELECT {function}({metric}) FROM SCHEMA("{NAMESPACE}", {", ".join(schema)})'
    if where:
        query += " WHERE " + " AND ".join(f"{key} = '{value}'" for key, value in where.items())
    if group_by:
        query += " GROUP BY " + ", ".join(group_by)
    if top is not None:
        query += f" ORDER BY {function}() DESC LIMIT {top}"
    return query


def search_expression(
    metric: str,
    *,
    schema: Sequence[str],
    where: Mapping[str, str],
    statistic: str,
    period_seconds: int = PUBLISH_PERIOD_SECONDS,
) -> str:
    """A metric-math ``SEARCH`` for every ``metric`` series of ``schema`` matching ``where``."""
    _no_quotes(where)
    terms = " ".join(f'{key}="{value}"' for key, value in where.items())
    return (
        f"SEARCH('{{{NAMESPACE},{','.join(schema)}}} MetricName=\"{metric}\" {terms}', "
        f"'{statistic}', {period_seconds})"
    )


def _no_quotes(where: Mapping[str, str]) -> None:
    quoted = {k: v for k, v in where.items() if "'" in v or '"' in v}
    if quoted:
        raise ValueError(f"dimension values with quotes cannot be queried: {quoted}")


# --- Logs -----------------------------------------------------------------------------------

#: Days each ``aws_logs.RetentionDays`` member keeps log events (``None``: forever, which
#: :func:`expiration_days` refuses).
RETENTION_DAYS: Mapping[str, int | None] = {
    "ONE_DAY": 1,
    "THREE_DAYS": 3,
    "FIVE_DAYS": 5,
    "ONE_WEEK": 7,
    "TWO_WEEKS": 14,
    "ONE_MONTH": 30,
    "TWO_MONTHS": 60,
    "THREE_MONTHS": 90,
    "FOUR_MONTHS": 120,
    "FIVE_MONTHS": 150,
    "SIX_MONTHS": 180,
    "ONE_YEAR": 365,
    "THIRTEEN_MONTHS": 400,
    "EIGHTEEN_MONTHS": 545,
    "TWO_YEARS": 731,
    "THREE_YEARS": 1096,
    "FIVE_YEARS": 1827,
    "SIX_YEARS": 2192,
    "SEVEN_YEARS": 2557,
    "EIGHT_YEARS": 2922,
    "NINE_YEARS": 3288,
    "TEN_YEARS": 3653,
    "INFINITE": None,
}

#: The default log group of EMR Serverless; a log group of its own is named under it.
DEFAULT_LOG_GROUP_PREFIX = "/aws/emr-serverless"

#: On the log key, for ``emr-serverless.amazonaws.com``: encrypt managed-storage and S3 logs
#: (guide L4980-5004).
EMR_SERVERLESS_LOG_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")

#: On the log key, for ``logs.<region>.amazonaws.com``: encrypt the log group (guide
#: L5055-5078).
CLOUDWATCH_LOGS_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")


def applications_arn(*, partition: str, region: str, account: str) -> str:
    """Every EMR Serverless application (and job run) of one account and Region."""
    return f"arn:{partition}:emr-serverless:{region}:{account}:/applications/*"


def log_group_context_arn(*, partition: str, region: str, account: str, name: str) -> str:
    """A log group's ARN as CloudWatch Logs puts it in the KMS encryption context."""
    return f"arn:{partition}:logs:{region}:{account}:log-group:{name}"


def expiration_days(retention: str) -> int:
    """Days a ``RetentionDays`` member (by name) keeps logs; ``INFINITE`` is refused.

    Every log group has a retention: the NIST 800-53, HIPAA and PCI DSS packs require one
    (``CloudWatchLogGroupRetentionPeriod``), and the same time then applies to S3 logs.
    """
    days = RETENTION_DAYS.get(retention)
    if days is None:
        raise EmrServerlessValidationError(
            argument="retention",
            value=retention,
            rule="logs are kept for a set time (an aws_logs.RetentionDays member other than "
            "INFINITE): the compliance packs require a log group retention",
            fix="use e.g. RetentionDays.ONE_YEAR, or RetentionDays.TEN_YEARS to keep logs long",
        )
    return days


# --- Notifications --------------------------------------------------------------------------

#: The CloudWatch alarms service principal.
CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"
#: The EventBridge service principal.
EVENTS_PRINCIPAL = "events.amazonaws.com"

#: On a topic: publish a notification.
PUBLISH_ACTIONS: tuple[str, ...] = ("sns:Publish",)
#: On a queue: deliver an event that could not reach its target.
SEND_MESSAGE_ACTIONS: tuple[str, ...] = ("sqs:SendMessage",)

#: On a topic's key, for a service that publishes to it (SNS: "Enable compatibility between
#: event sources from AWS services and encrypted topics").
TOPIC_PUBLISHER_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey*")

#: On a queue's key, for a service that sends to it (SQS: "Enable compatibility between
#: AWS services and encrypted queues").
QUEUE_PRODUCER_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")

#: Days a dead-letter queue keeps an undelivered notification (the SQS maximum).
DEAD_LETTER_RETENTION_DAYS = 14


def alarms_arn(*, partition: str, region: str, account: str) -> str:
    """Every CloudWatch alarm of one account and Region."""
    return f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"
