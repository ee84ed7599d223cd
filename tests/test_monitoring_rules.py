"""The monitoring rules: alarm defaults and limits, job-state events, dashboard queries, logs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib import monitoring_rules as rules
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.metrics import (
    APPLICATION_CAPACITY_METRICS,
    JOB_STATE_METRICS,
    JOB_WORKER_METRICS,
    METRICS,
    MetricGroup,
)
from constructs_lib.monitoring_rules import JobRunState

#: The retention values CloudWatch Logs accepts (PutRetentionPolicy retentionInDays).
CLOUDWATCH_RETENTION_DAYS = {
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
}  # fmt: skip

APP = {"ApplicationId": "00fabcdef12525"}
NAMED_APP = {"ApplicationId": "00fabcdef12525", "ApplicationName": "etl"}


# --- Job-run state notifications ------------------------------------------------------------


def test_job_run_states_are_the_guides() -> None:
    assert [s.value for s in JobRunState] == [
        "SUBMITTED",
        "QUEUED",
        "PENDING",
        "SCHEDULED",
        "RUNNING",
        "SUCCESS",
        "FAILED",
        "CANCELLING",
        "CANCELLED",
    ]
    assert rules.DEFAULT_NOTIFIED_STATES == (JobRunState.FAILED, JobRunState.CANCELLED)


def test_event_pattern_selects_one_applications_state_changes() -> None:
    pattern = rules.job_run_state_pattern("00fabc", rules.DEFAULT_NOTIFIED_STATES)
    assert pattern == {
        "source": ["aws.emr-serverless"],
        "detail-type": ["EMR Serverless Job Run State Change"],
        "detail": {"applicationId": ["00fabc"], "state": ["FAILED", "CANCELLED"]},
    }


@given(st.lists(st.sampled_from(list(JobRunState)), unique=True, min_size=1))
def test_any_states_named_once_are_accepted_in_order(states: list[JobRunState]) -> None:
    assert rules.check_notified_states(states) == tuple(states)
    detail = rules.job_run_state_pattern("app", states)["detail"]
    assert detail == {"applicationId": ["app"], "state": [s.value for s in states]}


@given(st.lists(st.sampled_from(list(JobRunState)), min_size=1), st.data())
def test_a_state_named_twice_is_refused(states: list[JobRunState], data: st.DataObject) -> None:
    repeated = [*states, data.draw(st.sampled_from(states))]
    with pytest.raises(EmrServerlessValidationError, match="each named once"):
        rules.check_notified_states(repeated)


def test_no_states_or_strings_are_refused() -> None:
    with pytest.raises(EmrServerlessValidationError, match="at least one state"):
        rules.check_notified_states([])
    with pytest.raises(EmrServerlessValidationError, match="JobRunState members") as error:
        rules.check_notified_states(["FAILED"])  # type: ignore[list-item]
    assert error.value.argument == "states"


# --- Alarms ---------------------------------------------------------------------------------


def test_documented_defaults() -> None:
    assert (rules.FAILED_JOBS.threshold, rules.FAILED_JOBS.window_minutes) == (1, 5)
    assert (rules.APPLICATION_VCPU.threshold, rules.APPLICATION_VCPU.window_minutes) == (80, 15)
    assert (rules.ACCOUNT_VCPU.threshold, rules.ACCOUNT_VCPU.window_minutes) == (80, 15)
    assert rules.PENDING_CREATION.period_minutes == 1
    assert rules.PENDING_CREATION.window_minutes == 15
    assert rules.DEFAULT_ACCOUNT_VCPU_QUOTA == 16


@given(st.integers(1, 10_000))
def test_failed_job_thresholds_of_one_or_more_pass(threshold: int) -> None:
    assert rules.check_failed_jobs_threshold(threshold) == threshold


@pytest.mark.parametrize("threshold", [0, -1, 1.5, True])
def test_other_failed_job_thresholds_are_refused(threshold: object) -> None:
    with pytest.raises(EmrServerlessValidationError, match="whole number of at least 1"):
        rules.check_failed_jobs_threshold(threshold)  # type: ignore[arg-type]


@given(st.floats(min_value=0, max_value=100, exclude_min=True))
def test_percentages_up_to_100_pass(percent: float) -> None:
    assert rules.check_threshold_percent(percent, argument="p") == percent


@given(st.one_of(st.floats(max_value=0), st.floats(min_value=100, exclude_min=True)))
def test_percentages_outside_0_to_100_are_refused(percent: float) -> None:
    with pytest.raises(EmrServerlessValidationError, match="at most 100 percent") as error:
        rules.check_threshold_percent(percent, argument="application_vcpu_threshold_percent")
    assert error.value.argument == "application_vcpu_threshold_percent"


def test_percent_limits_and_nan() -> None:
    assert rules.check_threshold_percent(100, argument="p") == 100.0
    for refused in (0, float("nan"), True):
        with pytest.raises(EmrServerlessValidationError):
            rules.check_threshold_percent(refused, argument="p")


@given(st.integers(1, 100_000), st.floats(min_value=0.01, max_value=100))
def test_account_threshold_is_the_share_of_the_quota(quota: int, percent: float) -> None:
    threshold = rules.account_vcpu_threshold(quota, percent)
    assert threshold == pytest.approx(quota * percent / 100)
    assert 0 < threshold <= quota


def test_default_account_threshold() -> None:
    assert rules.account_vcpu_threshold(16, 80) == pytest.approx(12.8)


@pytest.mark.parametrize("quota", [0, -16, 16.5, True])
def test_quotas_below_one_are_refused(quota: object) -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"endpoints-quotas\.html") as error:
        rules.check_vcpu_quota(quota)  # type: ignore[arg-type]
    assert error.value.argument == "account_vcpu_quota"


@given(st.integers(1, 1440))
def test_pending_minutes_up_to_a_day_pass(minutes: int) -> None:
    assert rules.check_pending_minutes(minutes) == minutes


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=1441)))
def test_pending_minutes_beyond_a_day_are_refused(minutes: int) -> None:
    with pytest.raises(EmrServerlessValidationError, match="1-1,440 whole minutes"):
        rules.check_pending_minutes(minutes)


# --- Dashboard --------------------------------------------------------------------------------


def test_capacity_panels_pair_each_allocation_with_its_limit() -> None:
    limits = {m.name for m in APPLICATION_CAPACITY_METRICS if len(m.dimension_sets) == 1}
    assert [(p.value, p.reference) for p in rules.CAPACITY_PANELS] == [
        ("CPUAllocated", "MaxCPUAllowed"),
        ("MemoryAllocated", "MaxMemoryAllowed"),
        ("StorageAllocated", "MaxStorageAllowed"),
    ]
    assert {p.reference for p in rules.CAPACITY_PANELS} == limits


def test_job_panels_show_every_state_metric_once() -> None:
    shown = [*rules.JOBS_IN_PROGRESS, *rules.JOBS_ENDED]
    assert sorted(shown) == sorted(m.name for m in JOB_STATE_METRICS)


def test_worker_usage_panels_compare_worker_use_with_application_allocation() -> None:
    worker_metrics = {m.name for m in JOB_WORKER_METRICS}
    for panel in rules.WORKER_USAGE_PANELS:
        assert panel.value in worker_metrics
        assert METRICS[panel.reference].group is MetricGroup.APPLICATION_CAPACITY
    assert [p.value for p in rules.WORKER_USAGE_PANELS] == ["WorkerCpuUsed", "WorkerMemoryUsed"]


def test_schemas_follow_the_application_dimensions() -> None:
    assert rules.capacity_schema(list(APP)) == (
        "ApplicationId",
        "WorkerType",
        "CapacityAllocationType",
    )
    assert rules.job_worker_schema(list(APP)) == (
        "ApplicationId",
        "JobId",
        "WorkerType",
        "CapacityAllocationType",
    )
    assert rules.job_worker_schema(list(NAMED_APP)) == (
        "ApplicationId",
        "ApplicationName",
        "JobId",
        "JobName",
        "WorkerType",
        "CapacityAllocationType",
    )


def test_insights_queries() -> None:
    schema = rules.job_worker_schema(list(APP))
    assert rules.insights_query("SUM", "WorkerCpuUsed", schema=schema, where=APP) == (
        'SELECT SUM(WorkerCpuUsed) FROM SCHEMA("AWS/EMRServerless", ApplicationId, JobId, '
        "WorkerType, CapacityAllocationType) WHERE ApplicationId = '00fabcdef12525'"
    )
    top = rules.insights_query(
        "SUM", "WorkerCpuUsed", schema=schema, where=NAMED_APP, group_by=["JobId"], top=10
    )
    assert top.endswith(
        "WHERE ApplicationId = '00fabcdef12525' AND ApplicationName = 'etl' "
        "GROUP BY JobId ORDER BY SUM() DESC LIMIT 10"
    )


def test_search_expression() -> None:
    where = {**APP, "CapacityAllocationType": "PreInitCapacity"}
    expression = rules.search_expression(
        "RunningWorkerCount",
        schema=rules.capacity_schema(list(APP)),
        where=where,
        statistic="Average",
    )
    assert expression == (
        "SEARCH('{AWS/EMRServerless,ApplicationId,WorkerType,CapacityAllocationType} "
        'MetricName="RunningWorkerCount" ApplicationId="00fabcdef12525" '
        "CapacityAllocationType=\"PreInitCapacity\"', 'Average', 60)"
    )


def test_queries_refuse_what_they_cannot_express() -> None:
    with pytest.raises(ValueError, match="not a Metrics Insights function"):
        rules.insights_query("P90", "WorkerCpuUsed", schema=["JobId"], where={})
    with pytest.raises(ValueError, match="quotes"):
        rules.insights_query("SUM", "WorkerCpuUsed", schema=["JobId"], where={"JobId": "a'b"})
    with pytest.raises(ValueError, match="quotes"):
        rules.search_expression("X", schema=["JobId"], where={"JobId": 'a"b'}, statistic="Sum")


def test_sections_are_in_dashboard_order() -> None:
    assert list(rules.SECTIONS) == ["capacity", "workers", "jobs", "usage", "account"]
    assert all(text.startswith("### ") for text in rules.SECTIONS.values())


# --- Logs and notifications -------------------------------------------------------------------


def test_retention_days_are_cloudwatchs_and_increase() -> None:
    days = [d for d in rules.RETENTION_DAYS.values() if d is not None]
    assert set(days) == CLOUDWATCH_RETENTION_DAYS
    assert days == sorted(days)
    assert rules.expiration_days("ONE_YEAR") == 365
    assert rules.RETENTION_DAYS["INFINITE"] is None


@pytest.mark.parametrize("retention", ["INFINITE", "FOREVER"])
def test_unknown_or_endless_retention_is_refused(retention: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="require a log group retention"):
        rules.expiration_days(retention)


def test_arn_shapes() -> None:
    where = {"partition": "aws", "region": "eu-west-1", "account": "123456789012"}
    assert rules.applications_arn(**where) == (
        "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/*"
    )
    assert rules.log_group_context_arn(**where, name="/aws/emr-serverless/etl") == (
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/emr-serverless/etl"
    )
    assert rules.alarms_arn(**where) == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*"


def test_service_permissions_are_the_documented_ones() -> None:
    assert rules.EMR_SERVERLESS_LOG_KEY_ACTIONS == ("kms:Decrypt", "kms:GenerateDataKey")
    assert rules.CLOUDWATCH_LOGS_KEY_ACTIONS == ("kms:Decrypt", "kms:GenerateDataKey")
    assert rules.TOPIC_PUBLISHER_KEY_ACTIONS == ("kms:Decrypt", "kms:GenerateDataKey*")
    assert rules.QUEUE_PRODUCER_KEY_ACTIONS == ("kms:Decrypt", "kms:GenerateDataKey")
    assert (rules.PUBLISH_ACTIONS, rules.SEND_MESSAGE_ACTIONS) == (
        ("sns:Publish",),
        ("sqs:SendMessage",),
    )
    assert rules.DEAD_LETTER_RETENTION_DAYS == 14


def test_pure_modules_load_without_aws_cdk() -> None:
    code = (
        "import sys\n"
        "import constructs_lib.monitoring_rules, constructs_lib.prometheus_rules\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
