"""ApplicationAlarms: CloudWatch alarms on one application's job runs and capacity."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child
from constructs_lib.application import EmrServerlessApplicationBase, account_vcpu_usage_metric
from constructs_lib.application_rules import check_whole_minutes
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.monitoring_rules import (
    ACCOUNT_VCPU,
    APPLICATION_VCPU,
    DEFAULT_ACCOUNT_VCPU_QUOTA,
    FAILED_JOBS,
    PENDING_CREATION,
    AlarmDefault,
    account_vcpu_threshold,
    check_failed_jobs_threshold,
    check_pending_minutes,
    check_threshold_percent,
)
from constructs_lib.notification_topic import NotificationTopic, allow_alarm_notifications

_AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
_PENDING_CREATION_TIMEOUT = Duration.minutes(PENDING_CREATION.window_minutes)


class ApplicationAlarms(Construct):
    """Alarms for one EMR Serverless application, each notifying one SNS topic.

    Every alarm is on by default with the threshold below; pass ``None`` to leave one out.
    Missing data (a stopped application publishes nothing) never breaches.

    ========================  =============================================  ==============
    Alarm                     Fires when                                     Default
    ========================  =============================================  ==============
    ``failed_jobs``           job runs fail (``FailedJobs``, sum)            1 in 5 minutes
    ``application_vcpu``      ``CPUAllocated`` / ``MaxCPUAllowed``           80 % for 15 min
    ``account_vcpu``          ``AWS/Usage`` vCPU / the account's quota       80 % of 16, 15 min
    ``pending_creation``      a worker is pending creation in every minute   for 15 minutes
    ========================  =============================================  ==============
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application: EmrServerlessApplicationBase,
        topic: sns.ITopic | None = None,
        failed_jobs_threshold: int | None = int(FAILED_JOBS.threshold),
        application_vcpu_threshold_percent: float | None = APPLICATION_VCPU.threshold,
        account_vcpu_quota: int | None = DEFAULT_ACCOUNT_VCPU_QUOTA,
        account_vcpu_threshold_percent: float = ACCOUNT_VCPU.threshold,
        pending_creation_timeout: Duration | None = _PENDING_CREATION_TIMEOUT,
    ) -> None:
        """Create the alarms.

        :param application: the application to watch (defined or imported).
        :param topic: where alarms notify. Default: a new :class:`NotificationTopic`.
        :param failed_jobs_threshold: failed job runs in 5 minutes that raise the alarm.
            Default: 1. ``None``: no alarm.
        :param application_vcpu_threshold_percent: vCPU allocated, in percent of the
            application's maximum, held for 15 minutes. Default: 80. ``None``: no alarm.
        :param account_vcpu_quota: the account's EMR Serverless vCPU quota in this Region
            (Service Quotas, "Max concurrent vCPUs per account"). Default: 16, the default
            quota (guide L9071); pass yours if it was raised. ``None``: no alarm (the usage
            is per account, so one application's alarms should carry it).
        :param account_vcpu_threshold_percent: vCPU in use, in percent of the quota, held
            for 15 minutes. Default: 80.
        :param pending_creation_timeout: how long workers may wait to be created before the
            alarm fires (whole minutes, 1-1,440). Default: 15 minutes. ``None``: no alarm.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        self._application = application
        #: Where the alarms notify.
        self.topic: sns.ITopic = topic or NotificationTopic(self, "Topic")
        #: Job runs failed (``None`` when left out).
        self.failed_jobs: cloudwatch.Alarm | None = None
        #: vCPU allocated near the application's maximum (``None`` when left out).
        self.application_vcpu: cloudwatch.Alarm | None = None
        #: The account's vCPU near its quota (``None`` when left out).
        self.account_vcpu: cloudwatch.Alarm | None = None
        #: Workers pending creation for too long (``None`` when left out).
        self.pending_creation: cloudwatch.Alarm | None = None

        if failed_jobs_threshold is not None:
            self.failed_jobs = self._failed_jobs(check_failed_jobs_threshold(failed_jobs_threshold))
        if application_vcpu_threshold_percent is not None:
            self.application_vcpu = self._application_vcpu(
                check_threshold_percent(
                    application_vcpu_threshold_percent,
                    argument="application_vcpu_threshold_percent",
                )
            )
        if account_vcpu_quota is not None:
            self.account_vcpu = self._account_vcpu(
                account_vcpu_quota, account_vcpu_threshold_percent
            )
        if pending_creation_timeout is not None:
            self.pending_creation = self._pending_creation(pending_creation_timeout)
        allow_alarm_notifications(self.topic, self.alarms, reporter=self)

    @property
    def alarms(self) -> tuple[cloudwatch.Alarm, ...]:
        """The alarms created, in the order of the table above."""
        made = (self.failed_jobs, self.application_vcpu, self.account_vcpu, self.pending_creation)
        return tuple(alarm for alarm in made if alarm is not None)

    def _failed_jobs(self, threshold: int) -> cloudwatch.Alarm:
        period = Duration.minutes(FAILED_JOBS.period_minutes)
        return self._alarm(
            "FailedJobs",
            self._application.metric_failed_jobs(period=period),
            threshold=threshold,
            default=FAILED_JOBS,
            description=f"{threshold} or more job runs of EMR Serverless application "
            f"{self._application.application_id} failed within {FAILED_JOBS.period_minutes} "
            "minutes. Open the job run in EMR Studio (or get-dashboard-for-job-run) for its "
            "Spark UI and logs.",
        )

    def _application_vcpu(self, percent: float) -> cloudwatch.Alarm:
        period = Duration.minutes(APPLICATION_VCPU.period_minutes)
        usage = cloudwatch.MathExpression(
            expression="100 * allocated / maximum",
            using_metrics={
                "allocated": self._application.metric_cpu_allocated(period=period),
                "maximum": self._application.metric_max_cpu_allowed(period=period),
            },
            label="vCPU allocated (% of maximum)",
            period=period,
        )
        return self._alarm(
            "ApplicationVcpu",
            usage,
            threshold=percent,
            default=APPLICATION_VCPU,
            description=f"EMR Serverless application {self._application.application_id} has "
            f"held {percent:g}% or more of its maximum vCPU for "
            f"{APPLICATION_VCPU.window_minutes} minutes: new workers will wait. Raise "
            "maximum_capacity, or spread jobs over time.",
        )

    def _account_vcpu(self, quota: int, percent: float) -> cloudwatch.Alarm:
        threshold = account_vcpu_threshold(quota, percent)
        period = Duration.minutes(ACCOUNT_VCPU.period_minutes)
        return self._alarm(
            "AccountVcpu",
            account_vcpu_usage_metric(period=period),
            threshold=threshold,
            default=ACCOUNT_VCPU,
            description=f"EMR Serverless has used {threshold:g} vCPU or more ({percent:g}% of "
            f"the {quota} vCPU quota of this account and Region) for "
            f"{ACCOUNT_VCPU.window_minutes} minutes: jobs of every application will wait. "
            "Request a higher quota in Service Quotas.",
        )

    def _pending_creation(self, timeout: Duration) -> cloudwatch.Alarm:
        if timeout.is_unresolved():
            raise EmrServerlessValidationError(
                argument="pending_creation_timeout",
                value=timeout.to_string(),
                rule="the timeout sets the alarm's number of evaluation periods, so it must be "
                "known at synth",
                fix="pass Duration.minutes(<number>)",
            )
        minutes = check_pending_minutes(
            check_whole_minutes(timeout.to_seconds(), argument="pending_creation_timeout")
        )
        metric = self._application.metric_pending_creation_worker_count(
            statistic="Minimum", period=Duration.minutes(PENDING_CREATION.period_minutes)
        )
        return self._alarm(
            "PendingCreation",
            metric,
            threshold=PENDING_CREATION.threshold,
            default=AlarmDefault(
                PENDING_CREATION.threshold, PENDING_CREATION.period_minutes, minutes
            ),
            description=f"Workers of EMR Serverless application "
            f"{self._application.application_id} have waited to be created for {minutes} "
            "minutes: check the subnets' free IP addresses, the account's vCPU quota and the "
            "application's maximum capacity.",
        )

    def _alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        default: AlarmDefault,
        description: str,
    ) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            comparison_operator=_AT_LEAST,
            evaluation_periods=default.evaluation_periods,
            datapoints_to_alarm=default.evaluation_periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        return alarm
