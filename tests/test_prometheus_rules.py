"""The Prometheus rules: the AMP URL shape, names, and Spark alert rules over real Spark names."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib import prometheus_rules as rules
from constructs_lib.application_rules import PROMETHEUS_REMOTE_WRITE_URL
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.prometheus_rules import SparkMetricKind, spark_metric_name

ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._"
workspace_ids = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"),
    st.text(ID_CHARS, max_size=63),
)
#: Spark application ids as ``spark.metrics.namespace`` defaults to (``spark.app.id``),
#: including EMR Serverless job run ids, and an empty namespace.
namespaces = st.one_of(
    st.just(""),
    st.from_regex(r"spark-[0-9a-f]{32}", fullmatch=True),
    st.from_regex(r"00f[0-9a-z]{13}", fullmatch=True),
    st.from_regex(r"application_[0-9]{13}_[0-9]{4}", fullmatch=True),
)
executor_ids = st.integers(1, 5000).map(str)

#: The metrics the rules read, as Spark registers them: (source, metric, kind, instances).
SPARK_METRICS = {
    "DAGScheduler.stage.failedStages": ("DAGScheduler", "stage.failedStages"),
    "jvm.heap.usage": ("jvm", "heap.usage"),
    "LiveListenerBus.queue.appStatus.numDroppedEvents": (
        "LiveListenerBus",
        "queue.appStatus.numDroppedEvents",
    ),
    "ExecutorAllocationManager.executors.numberMaxNeededExecutors": (
        "ExecutorAllocationManager",
        "executors.numberMaxNeededExecutors",
    ),
    "ExecutorAllocationManager.executors.numberAllExecutors": (
        "ExecutorAllocationManager",
        "executors.numberAllExecutors",
    ),
}


def test_remote_write_url_is_the_guides_shape() -> None:
    url = rules.remote_write_url(region="eu-west-1", workspace_id="ws-1234abcd")
    assert (
        url
        == "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234abcd/api/v1/remote_write"
    )


@given(
    workspace_ids, st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1"])
)
def test_every_remote_write_url_passes_the_applications_check(
    workspace_id: str, region: str
) -> None:
    PROMETHEUS_REMOTE_WRITE_URL.check(
        rules.remote_write_url(region=region, workspace_id=workspace_id)
    )


@given(workspace_ids)
def test_workspace_ids_pass(workspace_id: str) -> None:
    assert rules.check_workspace_id(workspace_id) == workspace_id


@pytest.mark.parametrize("workspace_id", ["", "-ws", "ws/1", "ws 1", "w" * 65])
def test_other_workspace_ids_are_refused(workspace_id: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="1-64 characters") as error:
        rules.check_workspace_id(workspace_id)
    assert error.value.argument == "workspace_id"


@given(st.text(min_size=1, max_size=100))
def test_aliases_of_1_to_100_characters_pass(alias: str) -> None:
    assert rules.check_workspace_alias(alias) == alias


@pytest.mark.parametrize("alias", ["", "a" * 101])
def test_other_aliases_are_refused(alias: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="1-100 characters"):
        rules.check_workspace_alias(alias)


@given(workspace_ids)
def test_namespace_names_pass(name: str) -> None:
    assert rules.check_rules_namespace_name(name) == name


@pytest.mark.parametrize("name", ["", "_spark", "spark alerts", "spark/alerts", "n" * 65])
def test_other_namespace_names_are_refused(name: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="RuleGroupsNamespace Name"):
        rules.check_rules_namespace_name(name)


def test_spark_properties_are_the_guides_defaults() -> None:
    assert rules.SPARK_PROMETHEUS_DEFAULTS == {
        "spark.metrics.conf.*.sink.prometheusServlet.class": (
            "org.apache.spark.metrics.sink.PrometheusServlet"
        ),
        "spark.metrics.conf.*.source.jvm.class": "org.apache.spark.metrics.source.JvmSource",
        "spark.metrics.conf.driver.sink.prometheusServlet.path": "/metrics/prometheus",
        "spark.metrics.conf.executor.sink.prometheusServlet.path": "/metrics/executor/prometheus",
    }


def test_prometheus_servlet_names() -> None:
    assert (
        spark_metric_name(
            namespace="spark-1a2b",
            instance="driver",
            source="DAGScheduler",
            metric="stage.failedStages",
            kind=SparkMetricKind.GAUGE_VALUE,
        )
        == "metrics_spark_1a2b_driver_DAGScheduler_stage_failedStages_Value"
    )
    assert (
        spark_metric_name(
            namespace="",
            instance="7",
            source="jvm",
            metric="heap.usage",
            kind=SparkMetricKind.GAUGE_NUMBER,
        )
        == "metrics_7_jvm_heap_usage_Number"
    )


# --- The alert rules ------------------------------------------------------------------------

RULES = rules.spark_alert_rules()
DOCUMENT = yaml.safe_load(rules.rules_yaml(RULES))
_SELECTOR = re.compile(r'\{__name__=~"([^"]+)"\}')


def test_rule_file_parses_as_one_group_of_alerting_rules() -> None:
    (group,) = DOCUMENT["groups"]
    assert group["name"] == "emr-serverless-spark"
    assert [rule["alert"] for rule in group["rules"]] == [
        "SparkStagesFailed",
        "SparkDriverHeapNearlyFull",
        "SparkExecutorHeapNearlyFull",
        "SparkListenerEventsDropped",
        "SparkExecutorsStarved",
    ]
    for rule in group["rules"]:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}
        assert re.fullmatch(r"\d+m", rule["for"])
        assert rule["labels"] == {"severity": "warning", "service": "emr-serverless"}
        assert set(rule["annotations"]) == {"summary", "description"}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.alert)
def test_expressions_are_well_formed_promql(rule: rules.SparkAlertRule) -> None:
    expr = rule.expr
    for opening, closing in ("()", "{}", "[]"):
        assert expr.count(opening) == expr.count(closing)
    assert re.search(r" > ", expr)
    assert _SELECTOR.findall(expr) == list(rule.series)
    for regex in rule.series:
        re.compile(regex)  # RE2, as Prometheus uses, accepts this subset too


_PER_JOB = re.compile(
    r'label_replace\(\{__name__=~"([^"]+)"\}, "spark_job", "\$1", "__name__", "([^"]+)"\)'
)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.alert)
def test_every_series_is_labelled_with_its_job(rule: rules.SparkAlertRule) -> None:
    found = _PER_JOB.findall(rule.expr)
    assert [series for series, _ in found] == list(rule.series)
    for _, job_regex in found:
        assert re.fullmatch(r"metrics_\(\.\+\)_[A-Za-z]+_\.\+", job_regex)


@given(namespaces, namespaces, executor_ids)
def test_job_labels_tell_jobs_and_executors_apart(first: str, second: str, executor: str) -> None:
    job_regex = rules.per_job_regex("jvm")

    def label(namespace: str, instance: str) -> str:
        name = spark_metric_name(
            namespace=namespace,
            instance=instance,
            source="jvm",
            metric="heap.usage",
            kind=SparkMetricKind.GAUGE_VALUE,
        )
        match = re.fullmatch(job_regex, name)
        assert match is not None
        return match.group(1)

    assert (label(first, "driver") == label(second, "driver")) == (first == second)
    assert label(first, "driver") != label(first, executor)


def _rule(alert: str) -> rules.SparkAlertRule:
    (found,) = [r for r in RULES if r.alert == alert]
    return found


def _matches(regex: str, name: str) -> bool:
    return re.fullmatch(regex, name) is not None  # Prometheus anchors label regexes


@given(namespaces, executor_ids)
def test_driver_rules_match_the_drivers_real_names_only(namespace: str, executor: str) -> None:
    for alert, key, kind in (
        ("SparkStagesFailed", "DAGScheduler.stage.failedStages", SparkMetricKind.GAUGE_VALUE),
        ("SparkDriverHeapNearlyFull", "jvm.heap.usage", SparkMetricKind.GAUGE_VALUE),
        (
            "SparkListenerEventsDropped",
            "LiveListenerBus.queue.appStatus.numDroppedEvents",
            SparkMetricKind.COUNTER,
        ),
    ):
        source, metric = SPARK_METRICS[key]
        (regex,) = _rule(alert).series

        def name(instance: str, k: SparkMetricKind = kind, s: str = source, m: str = metric) -> str:
            return spark_metric_name(
                namespace=namespace, instance=instance, source=s, metric=m, kind=k
            )

        assert _matches(regex, name("driver"))
        assert not _matches(regex, name(executor))
        assert not _matches(regex, name("driver", SparkMetricKind.GAUGE_NUMBER))


@given(namespaces, executor_ids)
def test_executor_heap_rule_matches_every_executor_not_the_driver(
    namespace: str, executor: str
) -> None:
    (regex,) = _rule("SparkExecutorHeapNearlyFull").series

    def name(instance: str) -> str:
        return spark_metric_name(
            namespace=namespace,
            instance=instance,
            source="jvm",
            metric="heap.usage",
            kind=SparkMetricKind.GAUGE_VALUE,
        )

    assert _matches(regex, name(executor))
    assert not _matches(regex, name("driver"))


@given(namespaces, namespaces.filter(bool))
def test_starvation_compares_needed_with_running_executors_per_job(
    namespace: str, other: str
) -> None:
    rule = _rule("SparkExecutorsStarved")
    needed, running = rule.series
    job_regex = rules.per_job_regex("ExecutorAllocationManager")
    assert rule.expr.count(f'"{rules.JOB_LABEL}", "$1", "__name__", "{job_regex}"') == 2

    def real(ns: str, key: str) -> str:
        source, metric = SPARK_METRICS[key]
        return spark_metric_name(
            namespace=ns,
            instance="driver",
            source=source,
            metric=metric,
            kind=SparkMetricKind.GAUGE_VALUE,
        )

    jobs = set()
    for regex, key in (
        (needed, "ExecutorAllocationManager.executors.numberMaxNeededExecutors"),
        (running, "ExecutorAllocationManager.executors.numberAllExecutors"),
    ):
        assert _matches(regex, real(namespace, key))
        jobs.add(re.fullmatch(job_regex, real(namespace, key)).group(1))  # type: ignore[union-attr]
    assert len(jobs) == 1  # both sides carry the same job label, so they pair up
    if other != namespace:
        key = "ExecutorAllocationManager.executors.numberAllExecutors"
        assert re.fullmatch(job_regex, real(other, key)).group(1) not in jobs  # type: ignore[union-attr]


@given(st.floats(min_value=0, max_value=1, exclude_min=True))
def test_heap_ratio_sets_both_heap_rules(ratio: float) -> None:
    tuned = {r.alert: r for r in rules.spark_alert_rules(heap_usage_ratio=ratio)}
    for alert in ("SparkDriverHeapNearlyFull", "SparkExecutorHeapNearlyFull"):
        assert tuned[alert].expr.endswith(f"> {ratio}")


@pytest.mark.parametrize("ratio", [0, -0.5, 1.01, 90])
def test_heap_ratios_outside_0_to_1_are_refused(ratio: float) -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"in \(0, 1\]") as error:
        rules.spark_alert_rules(heap_usage_ratio=ratio)
    assert error.value.argument == "heap_usage_ratio"


def test_group_takes_the_namespace_name() -> None:
    document = yaml.safe_load(rules.rules_yaml(RULES, group_name="team-a"))
    assert document["groups"][0]["name"] == "team-a"


def test_query_actions_read_only() -> None:
    assert rules.QUERY_ACTIONS == (
        "aps:GetLabels",
        "aps:GetMetricMetadata",
        "aps:GetSeries",
        "aps:QueryMetrics",
    )
