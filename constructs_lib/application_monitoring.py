"""ApplicationMonitoring: the dashboard, alarms and job-state notifications of one application."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import RemovalPolicy
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child
from constructs_lib.application import EmrServerlessApplicationBase
from constructs_lib.application_alarms import ApplicationAlarms
from constructs_lib.application_dashboard import ApplicationDashboard
from constructs_lib.job_state_notifications import JobStateNotifications
from constructs_lib.monitoring_rules import (
    APPLICATION_VCPU,
    DEFAULT_ACCOUNT_VCPU_QUOTA,
    DEFAULT_NOTIFIED_STATES,
    FAILED_JOBS,
    GRAPH_HEIGHT,
    GRID_WIDTH,
    JobRunState,
)
from constructs_lib.notification_topic import NotificationTopic


class ApplicationMonitoring(Construct):
    """Everything operators watch for one application, created after it, on one topic.

    - an :class:`ApplicationDashboard`, ending with the alarms' states;
    - :class:`ApplicationAlarms` with their default thresholds (opt out with
      ``alarms=False``, tune them with :class:`ApplicationAlarms` directly);
    - :class:`JobStateNotifications` for FAILED and CANCELLED job runs (or ``job_states``).

    Alarms and notifications go to ``topic``, or to one new :class:`NotificationTopic`::

        monitoring = ApplicationMonitoring(self, "Monitoring", application=app)
        monitoring.topic.add_subscription(subscriptions.EmailSubscription("ops@example.com"))

    Log destinations and the Prometheus workspace are inputs of the application, so they
    are created before it: see :class:`~constructs_lib.application_logs.ApplicationLogs`
    and :class:`~constructs_lib.prometheus_workspace.PrometheusWorkspace`.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application: EmrServerlessApplicationBase,
        topic: sns.ITopic | None = None,
        alarms: bool = True,
        failed_jobs_threshold: int | None = int(FAILED_JOBS.threshold),
        application_vcpu_threshold_percent: float | None = APPLICATION_VCPU.threshold,
        job_states: Sequence[JobRunState] = DEFAULT_NOTIFIED_STATES,
        account_vcpu_quota: int | None = DEFAULT_ACCOUNT_VCPU_QUOTA,
        dashboard_name: str | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the dashboard, alarms and notifications.

        :param application: the application to watch (defined or imported).
        :param topic: where alarms and notifications go. Default: a new
            :class:`NotificationTopic`.
        :param alarms: create :class:`ApplicationAlarms`. Default: ``True``.
        :param failed_jobs_threshold: failed job runs in 5 minutes that alarm; ``None``: no
            such alarm. Default: 1.
        :param application_vcpu_threshold_percent: vCPU allocated, in percent of the
            application's maximum, that alarms; ``None``: no such alarm. Default: 80.
        :param job_states: the job-run states that notify. Default: FAILED and CANCELLED.
        :param account_vcpu_quota: the account's vCPU quota, for the dashboard and the
            account alarm. Default: 16 (guide L9071). ``None``: neither.
        :param dashboard_name: Default: generated.
        :param removal_policy: what happens to the keys and queue this creates when they
            leave the stack. Default: ``RETAIN``.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        #: Where alarms and notifications go.
        self.topic: sns.ITopic = topic or NotificationTopic(
            self, "Topic", removal_policy=removal_policy
        )
        #: The dashboard.
        self.dashboard = ApplicationDashboard(
            self,
            "Dashboard",
            application=application,
            dashboard_name=dashboard_name,
            account_vcpu_quota=account_vcpu_quota,
        )
        #: The alarms (``None`` with ``alarms=False``).
        self.alarms: ApplicationAlarms | None = None
        if alarms:
            self.alarms = ApplicationAlarms(
                self,
                "Alarms",
                application=application,
                topic=self.topic,
                failed_jobs_threshold=failed_jobs_threshold,
                application_vcpu_threshold_percent=application_vcpu_threshold_percent,
                account_vcpu_quota=account_vcpu_quota,
            )
            self.dashboard.add_widgets(
                cloudwatch.AlarmStatusWidget(
                    title="Alarms",
                    alarms=list(self.alarms.alarms),
                    width=GRID_WIDTH,
                    height=GRAPH_HEIGHT // 2,
                )
            )
        #: The job-state notifications.
        self.notifications = JobStateNotifications(
            self,
            "JobStates",
            application=application,
            states=job_states,
            topic=self.topic,
            removal_policy=removal_policy,
        )
