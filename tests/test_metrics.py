"""The metric table holds the guide's metrics with the real names, units and dimensions."""

from __future__ import annotations

import pytest

from constructs_lib.metrics import (
    APPLICATION_CAPACITY_METRICS,
    JOB_STATE_METRICS,
    JOB_WORKER_METRICS,
    METRICS,
    NAMESPACE,
    USAGE_NAMESPACE,
    VCPU_USAGE_METRIC,
    CapacityAllocationType,
    Dimension,
    MetricGroup,
    MetricSpec,
    Unit,
    WorkerTypeDimension,
    application_dimensions,
)
from constructs_lib.releases import ReleaseLabel

#: Metric names as listed in the guide (L5312-5374), with its typo corrected.
GUIDE_CAPACITY = [
    "CPUAllocated",
    "IdleWorkerCount",
    "MaxCPUAllowed",
    "MaxMemoryAllowed",
    "MaxStorageAllowed",
    "MemoryAllocated",
    "PendingCreationWorkerCount",
    "RunningWorkerCount",
    "StorageAllocated",
    "TotalWorkerCount",
]
GUIDE_JOB_STATES = [
    "SubmittedJobs",
    "PendingJobs",
    "ScheduledJobs",
    "RunningJobs",
    "SuccessJobs",
    "FailedJobs",
    "CancellingJobs",
    "CancelledJobs",
]
GUIDE_WORKER = {
    "WorkerCpuAllocated": Unit.NONE,
    "WorkerCpuUsed": Unit.NONE,
    "WorkerMemoryAllocated": Unit.GIGABYTES,
    "WorkerMemoryUsed": Unit.GIGABYTES,
    "WorkerEphemeralStorageAllocated": Unit.GIGABYTES,
    "WorkerEphemeralStorageUsed": Unit.GIGABYTES,
    "WorkerStorageReadBytes": Unit.BYTES,
    "WorkerStorageWriteBytes": Unit.BYTES,
}


def test_groups_hold_the_guides_metrics() -> None:
    assert [m.name for m in APPLICATION_CAPACITY_METRICS] == GUIDE_CAPACITY
    assert [m.name for m in JOB_STATE_METRICS] == GUIDE_JOB_STATES
    assert {m.name: m.unit for m in JOB_WORKER_METRICS} == GUIDE_WORKER
    assert len(METRICS) == len(GUIDE_CAPACITY) + len(GUIDE_JOB_STATES) + len(GUIDE_WORKER) + 1


def test_the_guides_misspelling_is_not_used() -> None:
    assert "StorageAllocated" in METRICS
    assert "StorageAlllocated" not in METRICS


@pytest.mark.parametrize("spec", APPLICATION_CAPACITY_METRICS, ids=lambda s: s.name)
def test_capacity_metrics_are_per_application(spec: MetricSpec) -> None:
    assert spec.namespace == NAMESPACE
    assert spec.group is MetricGroup.APPLICATION_CAPACITY
    assert spec.primary_dimensions == (Dimension.APPLICATION_ID,)


def test_limits_have_no_secondary_dimensions_and_others_do() -> None:
    for spec in APPLICATION_CAPACITY_METRICS:
        limit = spec.name.startswith("Max")
        assert (len(spec.dimension_sets) == 1) == limit, spec.name
        assert spec.statistic == ("Maximum" if limit else "Average")
    breakdown = (
        Dimension.APPLICATION_ID,
        Dimension.WORKER_TYPE,
        Dimension.CAPACITY_ALLOCATION_TYPE,
    )
    assert breakdown in METRICS["CPUAllocated"].dimension_sets


def test_job_state_metrics_count_per_application() -> None:
    for spec in JOB_STATE_METRICS:
        assert "Queued" not in spec.name
        assert (spec.unit, spec.statistic, spec.dimension_sets) == (
            Unit.COUNT,
            "Sum",
            ((Dimension.APPLICATION_ID,),),
        )


def test_worker_metrics_are_per_job() -> None:
    for spec in JOB_WORKER_METRICS:
        assert spec.primary_dimensions == (Dimension.JOB_ID,)
        assert Dimension.APPLICATION_ID in spec.dimension_sets[1]


def test_vcpu_usage_metric() -> None:
    assert VCPU_USAGE_METRIC.namespace == USAGE_NAMESPACE == "AWS/Usage"
    assert dict(VCPU_USAGE_METRIC.fixed_dimensions) == {
        "Service": "EMR Serverless",
        "Type": "Resource",
        "Resource": "vCPU",
        "Class": "None",
    }
    assert VCPU_USAGE_METRIC.primary_dimensions == tuple(VCPU_USAGE_METRIC.fixed_dimensions)


def test_every_metric_is_documented() -> None:
    for spec in METRICS.values():
        assert spec.description.endswith(".")
        assert spec.measures
        assert spec.source.startswith("guide L")
        assert spec.statistic in {"Average", "Maximum", "Sum"}


def test_dimension_values() -> None:
    assert [v.value for v in WorkerTypeDimension] == [
        "Spark_Driver",
        "Spark_Executor",
        "Spark_Kernel",
    ]
    assert [v.value for v in CapacityAllocationType] == ["PreInitCapacity", "OnDemandCapacity"]


def test_application_name_joins_the_dimensions_from_7_10_0() -> None:
    before = application_dimensions("app1", "etl", ReleaseLabel.EMR_7_9_0)
    after = application_dimensions("app1", "etl", ReleaseLabel.EMR_7_10_0)
    assert before == {"ApplicationId": "app1"}
    assert after == {"ApplicationId": "app1", "ApplicationName": "etl"}
    assert application_dimensions("app1", None, ReleaseLabel.EMR_7_10_0) == before
    assert application_dimensions("app1", "etl", None) == before
