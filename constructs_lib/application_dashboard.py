"""ApplicationDashboard: a CloudWatch dashboard of one application's capacity, workers and jobs."""

from __future__ import annotations

import re

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._checks import fullmatch
from constructs_lib._stack_facts import remember_child
from constructs_lib.application import EmrServerlessApplicationBase, account_vcpu_usage_metric
from constructs_lib.metrics import CapacityAllocationType, Dimension
from constructs_lib.monitoring_rules import (
    CAPACITY_PANELS,
    DEFAULT_ACCOUNT_VCPU_QUOTA,
    GRAPH_HEIGHT,
    GRID_WIDTH,
    HEADING_HEIGHT,
    JOBS_ENDED,
    JOBS_IN_PROGRESS,
    SECTIONS,
    WORKER_USAGE_PANELS,
    capacity_schema,
    check_vcpu_quota,
    insights_query,
    job_worker_schema,
    search_expression,
)
from constructs_lib.tokens import is_unresolved

_ONE_MINUTE = Duration.minutes(1)
_DASHBOARD_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_TOP_JOBS = 10
_DEFAULT_INTERVAL = Duration.hours(3)


class ApplicationDashboard(cloudwatch.Dashboard):
    """A CloudWatch dashboard for one EMR Serverless application.

    Sections, top to bottom:

    - capacity: vCPU, memory and disk allocated against the application's maximum
      (``MaxCPUAllowed``, ``MaxMemoryAllowed``, ``MaxStorageAllowed``);
    - workers: running workers by worker type and capacity allocation type, the share of
      pre-initialized workers in use, and workers pending creation, idle and in total;
    - job runs by state, in progress and ended;
    - job workers: vCPU and memory used (Metrics Insights over every job's workers)
      against allocated, and the jobs using the most vCPU;
    - the account's vCPU in use against its quota.

    Every graph reads one-minute periods (``PeriodOverride.INHERIT``), the resolution
    EMR Serverless publishes at, so sums stay exact at any zoom. Add your own widgets
    with :meth:`add_widgets`.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application: EmrServerlessApplicationBase,
        dashboard_name: str | None = None,
        account_vcpu_quota: int | None = DEFAULT_ACCOUNT_VCPU_QUOTA,
        default_interval: Duration = _DEFAULT_INTERVAL,
    ) -> None:
        """Create the dashboard.

        :param application: the application to show (defined or imported).
        :param dashboard_name: 1-255 characters of ``[A-Za-z0-9_-]``. Default: generated.
        :param account_vcpu_quota: drawn as a line on the account's vCPU graph. Default: 16,
            the default quota (guide L9071). ``None``: no line.
        :param default_interval: the time range shown on opening. Default: 3 hours.
        """
        if dashboard_name is not None and not is_unresolved(dashboard_name):
            fullmatch(
                _DASHBOARD_NAME,
                dashboard_name,
                argument="dashboard_name",
                rule="a dashboard name has 1-255 characters of A-Z, a-z, 0-9, '-' and '_' "
                "(PutDashboard DashboardName)",
                fix="replace other characters, e.g. '/' or spaces, with '-'",
            )
        if account_vcpu_quota is not None:
            check_vcpu_quota(account_vcpu_quota)
        super().__init__(
            scope,
            construct_id,
            dashboard_name=dashboard_name,
            default_interval=default_interval,
            period_override=cloudwatch.PeriodOverride.INHERIT,
        )
        remember_child(self, scope, construct_id)
        self._application = application
        #: The dimensions that select this application's series (ApplicationId, and
        #: ApplicationName from emr-7.10.0).
        self.application_dimensions: dict[str, str] = dict(
            application.metric_cpu_allocated().dimensions or {}
        )
        self._heading("capacity")
        self.add_widgets(*self._capacity())
        self._heading("workers")
        self.add_widgets(*self._workers())
        self._heading("jobs")
        self.add_widgets(*self._jobs())
        self._heading("usage")
        self.add_widgets(*self._usage())
        self._heading("account")
        self.add_widgets(self._account(account_vcpu_quota))

    def _heading(self, section: str) -> None:
        self.add_widgets(
            cloudwatch.TextWidget(
                markdown=SECTIONS[section], width=GRID_WIDTH, height=HEADING_HEIGHT
            )
        )

    def _capacity(self) -> list[cloudwatch.IWidget]:
        width = GRID_WIDTH // len(CAPACITY_PANELS)
        return [
            self._graph(
                panel.title,
                [
                    self._application.metric(panel.value, label="allocated"),
                    self._application.metric(panel.reference, label="maximum"),
                ],
                width=width,
                unit=panel.unit,
            )
            for panel in CAPACITY_PANELS
        ]

    def _workers(self) -> list[cloudwatch.IWidget]:
        dimensions = self.application_dimensions
        schema = capacity_schema(list(dimensions))
        by_type = cloudwatch.MathExpression(
            expression=insights_query(
                "SUM",
                "RunningWorkerCount",
                schema=schema,
                where=dimensions,
                group_by=(Dimension.WORKER_TYPE, Dimension.CAPACITY_ALLOCATION_TYPE),
            ),
            label="",
            period=_ONE_MINUTE,
        )
        pre_initialized = {
            **dimensions,
            Dimension.CAPACITY_ALLOCATION_TYPE: CapacityAllocationType.PRE_INITIALIZED.value,
        }
        running, total = (
            search_expression(name, schema=schema, where=pre_initialized, statistic="Average")
            for name in ("RunningWorkerCount", "TotalWorkerCount")
        )
        in_use = cloudwatch.MathExpression(
            expression=f"100 * SUM({running}) / SUM({total})",
            label="pre-initialized workers in use (%)",
            period=_ONE_MINUTE,
        )
        app = self._application
        return [
            self._graph("Running workers by type and allocation", [by_type], width=12),
            cloudwatch.GraphWidget(
                title="Pre-initialized workers in use",
                left=[in_use],
                left_y_axis=cloudwatch.YAxisProps(min=0, max=100, label="%", show_units=False),
                width=6,
                height=GRAPH_HEIGHT,
            ),
            self._graph(
                "Workers pending creation, idle, total",
                [
                    app.metric_pending_creation_worker_count(label="pending creation"),
                    app.metric_idle_worker_count(label="idle"),
                    app.metric_total_worker_count(label="total"),
                ],
                width=6,
            ),
        ]

    def _jobs(self) -> list[cloudwatch.IWidget]:
        return [
            self._graph(
                title,
                [self._application.metric(name, label=name.removesuffix("Jobs")) for name in names],
                width=GRID_WIDTH // 2,
            )
            for title, names in (
                ("Job runs in progress", JOBS_IN_PROGRESS),
                ("Job runs ended", JOBS_ENDED),
            )
        ]

    def _usage(self) -> list[cloudwatch.IWidget]:
        dimensions = self.application_dimensions
        schema = job_worker_schema(list(dimensions))
        widgets: list[cloudwatch.IWidget] = [
            self._graph(
                panel.title,
                [
                    cloudwatch.MathExpression(
                        expression=insights_query(
                            "SUM", panel.value, schema=schema, where=dimensions
                        ),
                        label="used",
                        period=_ONE_MINUTE,
                    ),
                    self._application.metric(panel.reference, label="allocated"),
                ],
                width=GRID_WIDTH // 2,
                unit=panel.unit,
            )
            for panel in WORKER_USAGE_PANELS
        ]
        top_jobs = cloudwatch.MathExpression(
            expression=insights_query(
                "SUM",
                "WorkerCpuUsed",
                schema=schema,
                where=dimensions,
                group_by=(Dimension.JOB_ID,),
                top=_TOP_JOBS,
            ),
            label="",
            period=_ONE_MINUTE,
        )
        widgets.append(
            self._graph(
                f"vCPU used by job (top {_TOP_JOBS})", [top_jobs], width=GRID_WIDTH, unit="vCPU"
            )
        )
        return widgets

    def _account(self, quota: int | None) -> cloudwatch.IWidget:
        annotations = (
            []
            if quota is None
            else [cloudwatch.HorizontalAnnotation(value=quota, label=f"quota ({quota} vCPU)")]
        )
        return cloudwatch.GraphWidget(
            title="EMR Serverless vCPU in use in this account and Region",
            left=[account_vcpu_usage_metric(period=_ONE_MINUTE)],
            left_annotations=annotations,
            left_y_axis=cloudwatch.YAxisProps(min=0, label="vCPU", show_units=False),
            width=GRID_WIDTH,
            height=GRAPH_HEIGHT,
        )

    def _graph(
        self,
        title: str,
        metrics: list[cloudwatch.IMetric],
        *,
        width: int,
        unit: str | None = None,
    ) -> cloudwatch.GraphWidget:
        return cloudwatch.GraphWidget(
            title=title,
            left=metrics,
            left_y_axis=cloudwatch.YAxisProps(min=0, label=unit, show_units=False),
            width=width,
            height=GRAPH_HEIGHT,
        )
