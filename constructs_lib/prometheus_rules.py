"""Amazon Managed Service for Prometheus for EMR Serverless: URL shape, names, Spark alert rules.

Pure module: imports nothing from ``aws_cdk``.

EMR Serverless (emr-7.1.0+) runs an agent beside each Spark job that reads Spark's
``PrometheusServlet`` sink and writes to the workspace's remote-write URL (guide
L5411-5509). With the guide's default configuration (L5491-5498) the driver serves
``/metrics/prometheus`` and each executor ``/metrics/executor/prometheus``, both from
Spark's ``PrometheusServlet``, which names every series
``metrics_<namespace>_<instance>_<source>_<metric>_<suffix>`` (:func:`spark_metric_name`).
``<namespace>`` is ``spark.metrics.namespace``, by default the Spark application id, which
changes with every job run, so the alert rules select series by the stable rest of the
name (``{__name__=~"metrics_(.+_)?driver_..."}``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from constructs_lib._checks import fullmatch
from constructs_lib._enums import LenientEnum
from constructs_lib.errors import EmrServerlessValidationError

#: The path of the remote-write API under a workspace's endpoint (guide L5446-5456).
REMOTE_WRITE_PATH = "api/v1/remote_write"

#: Reads a workspace's series, labels and metadata: what Amazon Managed Grafana (or any
#: Prometheus-compatible data source with SigV4) needs to query it.
QUERY_ACTIONS: tuple[str, ...] = (
    "aps:GetLabels",
    "aps:GetMetricMetadata",
    "aps:GetSeries",
    "aps:QueryMetrics",
)

#: The Spark properties EMR Serverless sets when a job sends metrics to a workspace, with
#: their defaults (guide L5491-5498). Setting one to ``""`` turns that part off.
SPARK_PROMETHEUS_DEFAULTS: dict[str, str] = {
    "spark.metrics.conf.*.sink.prometheusServlet.class": (
        "org.apache.spark.metrics.sink.PrometheusServlet"
    ),
    "spark.metrics.conf.*.source.jvm.class": "org.apache.spark.metrics.source.JvmSource",
    "spark.metrics.conf.driver.sink.prometheusServlet.path": "/metrics/prometheus",
    "spark.metrics.conf.executor.sink.prometheusServlet.path": "/metrics/executor/prometheus",
}

#: The namespace of rule groups :func:`spark_alert_rules` writes, unless named otherwise.
DEFAULT_RULES_NAMESPACE = "emr-serverless-spark"

_WORKSPACE_ID = re.compile(r"[0-9A-Za-z][-.0-9A-Z_a-z]{0,63}")
_NAMESPACE_NAME = re.compile(r"[0-9A-Za-z][-.0-9A-Z_a-z]{0,63}")
_MAX_ALIAS = 100


def remote_write_url(*, region: str, workspace_id: str, url_suffix: str = "amazonaws.com") -> str:
    """``https://aps-workspaces.<region>.<suffix>/workspaces/<id>/api/v1/remote_write``.

    Joins strings only, so tokens work (guide L5446-5456).
    """
    return f"https://aps-workspaces.{region}.{url_suffix}/workspaces/{workspace_id}/{REMOTE_WRITE_PATH}"


def check_workspace_id(workspace_id: str, *, argument: str = "workspace_id") -> str:
    """A workspace id: 1-64 characters of ``[-.0-9A-Z_a-z]``, starting with a letter or digit."""
    fullmatch(
        _WORKSPACE_ID,
        workspace_id,
        argument=argument,
        rule="a workspace id has 1-64 characters of letters, digits, '-', '.' and '_', "
        "starting with a letter or digit (Amazon Managed Service for Prometheus WorkspaceId)",
        fix="pass the id shown in the workspace's summary, e.g. ws-1234abcd-...",
    )
    return workspace_id


def check_workspace_alias(alias: str) -> str:
    """A workspace alias: 1-100 characters (CreateWorkspace alias)."""
    if not isinstance(alias, str) or not 1 <= len(alias) <= _MAX_ALIAS:
        raise EmrServerlessValidationError(
            argument="alias",
            value=alias,
            rule=f"a workspace alias has 1-{_MAX_ALIAS} characters (CreateWorkspace alias)",
            fix="shorten the alias, or omit it",
        )
    return alias


def check_rules_namespace_name(name: str) -> str:
    """A rule-groups namespace name: 1-64 characters of ``[-.0-9A-Z_a-z]``."""
    fullmatch(
        _NAMESPACE_NAME,
        name,
        argument="namespace_name",
        rule="a rule-groups namespace name has 1-64 characters of letters, digits, '-', '.' "
        "and '_', starting with a letter or digit (AWS::APS::RuleGroupsNamespace Name)",
        fix=f"use a name such as {DEFAULT_RULES_NAMESPACE!r}",
    )
    return name


# --- Spark's PrometheusServlet names --------------------------------------------------------


class SparkMetricKind(LenientEnum):
    """The suffix ``PrometheusServlet`` appends per Dropwizard metric type (one per line)."""

    GAUGE_VALUE = "Value"
    GAUGE_NUMBER = "Number"
    COUNTER = "Count"


def spark_metric_name(
    *, namespace: str, instance: str, source: str, metric: str, kind: SparkMetricKind
) -> str:
    """The series name Spark's ``PrometheusServlet`` gives one metric.

    The registry key ``<namespace>.<instance>.<source>.<metric>`` with every character
    other than ``[A-Za-z0-9]`` replaced by ``_``, prefixed ``metrics_`` and suffixed with
    the kind, e.g. ``metrics_spark_1_driver_DAGScheduler_stage_failedStages_Value``.

    :param instance: ``driver``, or the executor id (``1``, ``2``, ...).
    """
    key = ".".join(part for part in (namespace, instance, source, metric) if part)
    return f"metrics_{re.sub(r'[^a-zA-Z0-9]', '_', key)}_{kind.value}"


def driver_series(source: str, metric: str, kind: SparkMetricKind) -> str:
    """A selector regex for one driver metric, whatever the namespace (anchored by Prometheus)."""
    return f"metrics_(.+_)?driver_{_escaped(source, metric)}_{kind.value}"


def executor_series(source: str, metric: str, kind: SparkMetricKind) -> str:
    """A selector regex for one metric of every executor, whatever the namespace."""
    return f"metrics_(.+_)?[0-9]+_{_escaped(source, metric)}_{kind.value}"


def _escaped(source: str, metric: str) -> str:
    return re.sub(r"[^a-zA-Z0-9]", "_", f"{source}.{metric}")


def _select(name_regex: str) -> str:
    return f'{{__name__=~"{name_regex}"}}'


#: The label :func:`per_job` adds: ``<namespace>_<instance>`` from the series name. Alert
#: labels leave the name out, so without it the series of two jobs (or two executors)
#: could carry the same labels, which Prometheus refuses in one rule's result.
JOB_LABEL = "spark_job"


def per_job_regex(source: str) -> str:
    """The ``label_replace`` regex whose group 1 is ``<namespace>_<instance>`` of ``source``."""
    return f"metrics_(.+)_{source}_.+"


def per_job(name_regex: str, source: str) -> str:
    """``name_regex``'s series with :data:`JOB_LABEL` set from the name.

    The job (its namespace) and the instance are only in the name, which alerts and
    comparisons of two metrics leave out, so they are copied into a label first.
    """
    return (
        f'label_replace({_select(name_regex)}, "{JOB_LABEL}", "$1", "__name__", '
        f'"{per_job_regex(source)}")'
    )


# --- Alert rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparkAlertRule:
    """One Prometheus alerting rule over Spark's metrics.

    :param series: the selector regexes the expression reads, for tests and docs.
    """

    alert: str
    expr: str
    for_minutes: int
    summary: str
    description: str
    series: tuple[str, ...]
    severity: str = "warning"

    def render(self) -> dict[str, object]:
        """The rule as Prometheus's rule file holds it."""
        return {
            "alert": self.alert,
            "expr": self.expr,
            "for": f"{self.for_minutes}m",
            "labels": {"severity": self.severity, "service": "emr-serverless"},
            "annotations": {"summary": self.summary, "description": self.description},
        }


_ALLOCATION = "ExecutorAllocationManager"

#: A JVM's heap in use over its maximum (``JvmSource``'s ``heap.usage``), above which the
#: heap alerts fire.
DEFAULT_HEAP_USAGE_RATIO = 0.9


def spark_alert_rules(
    *, heap_usage_ratio: float = DEFAULT_HEAP_USAGE_RATIO
) -> tuple[SparkAlertRule, ...]:
    """A few alerts every Spark job on EMR Serverless benefits from.

    - failed stages waiting to be resubmitted (fetch failures, lost executors);
    - driver or executor heap above ``heap_usage_ratio`` for 5 minutes (out of memory next);
    - status events dropped by the driver's listener bus (the Spark UI goes stale);
    - executors needed by dynamic allocation but not running for 15 minutes (the
      application's maximum capacity or the account's vCPU quota is reached).

    :param heap_usage_ratio: in (0, 1]. Default: 0.9.
    """
    if not 0 < heap_usage_ratio <= 1:
        raise EmrServerlessValidationError(
            argument="heap_usage_ratio",
            value=heap_usage_ratio,
            rule="JvmSource's heap.usage is a ratio of the maximum heap, in (0, 1]",
            fix="use a ratio such as 0.9",
        )
    failed = driver_series("DAGScheduler", "stage.failedStages", SparkMetricKind.GAUGE_VALUE)
    dropped = driver_series(
        "LiveListenerBus", "queue.appStatus.numDroppedEvents", SparkMetricKind.COUNTER
    )
    needed = driver_series(
        _ALLOCATION, "executors.numberMaxNeededExecutors", SparkMetricKind.GAUGE_VALUE
    )
    running = driver_series(
        _ALLOCATION, "executors.numberAllExecutors", SparkMetricKind.GAUGE_VALUE
    )
    return (
        SparkAlertRule(
            alert="SparkStagesFailed",
            expr=f"{per_job(failed, 'DAGScheduler')} > 0",
            for_minutes=1,
            summary="Spark stages failed and wait to be resubmitted",
            description="{{ $value }} failed stage(s) in {{ $labels.spark_job }}: look for "
            "fetch failures or lost executors in the driver log.",
            series=(failed,),
        ),
        _heap_rule(
            "driver",
            driver_series("jvm", "heap.usage", SparkMetricKind.GAUGE_VALUE),
            heap_usage_ratio,
            fix="raise spark.driver.memory or collect less to the driver",
        ),
        _heap_rule(
            "executor",
            executor_series("jvm", "heap.usage", SparkMetricKind.GAUGE_VALUE),
            heap_usage_ratio,
            fix="raise spark.executor.memory or spark.sql.shuffle.partitions",
        ),
        SparkAlertRule(
            alert="SparkListenerEventsDropped",
            expr=f"increase({per_job(dropped, 'LiveListenerBus')}[5m:1m]) > 0",
            for_minutes=0,
            summary="The Spark driver dropped status events",
            description="The Spark UI and history of this job are incomplete: raise "
            "spark.scheduler.listenerbus.eventqueue.appStatus.capacity.",
            series=(dropped,),
        ),
        SparkAlertRule(
            alert="SparkExecutorsStarved",
            expr=f"{per_job(needed, _ALLOCATION)} > {per_job(running, _ALLOCATION)}",
            for_minutes=15,
            summary="A Spark job has waited 15 minutes for executors it needs",
            description="Dynamic allocation wants more executors than run: the application's "
            "maximum capacity or the account's vCPU quota is reached.",
            series=(needed, running),
        ),
    )


def _heap_rule(instance: str, series: str, ratio: float, *, fix: str) -> SparkAlertRule:
    return SparkAlertRule(
        alert=f"Spark{instance.title()}HeapNearlyFull",
        expr=f"{per_job(series, 'jvm')} > {ratio}",
        for_minutes=5,
        summary=f"A Spark {instance} has used over {ratio:.0%} of its heap for 5 minutes",
        description=f"Heap usage {{{{ $value | humanizePercentage }}}} in "
        f"{{{{ $labels.{JOB_LABEL} }}}}: {fix}.",
        series=(series,),
    )


def rules_yaml(
    rules: Sequence[SparkAlertRule], *, group_name: str = DEFAULT_RULES_NAMESPACE
) -> str:
    """A Prometheus rule file holding ``rules`` in one group (the namespace's ``Data``)."""
    document = {"groups": [{"name": group_name, "rules": [rule.render() for rule in rules]}]}
    return yaml.safe_dump(document, sort_keys=False, width=1000)
