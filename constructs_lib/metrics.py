"""The CloudWatch metrics EMR Serverless publishes: names, units, dimensions, meaning.

A data table for dashboards and alarms (guide L5286-5374 and L5513-5536). EMR Serverless
publishes every minute. Two corrections to the guide, both from AWS's own EMR Serverless
CloudWatch dashboard template (``aws-samples/emr-serverless-samples``):

- the storage metric is ``StorageAllocated`` (the guide prints ``StorageAlllocated``);
- ``WorkerType`` values are ``Spark_Driver``, ``Spark_Executor`` and ``Spark_Kernel``
  (the guide writes ``SPARK_DRIVER`` and ``SPARK_EXECUTORS``).

From emr-7.10.0 the metrics also carry the ``ApplicationName`` dimension (and job
metrics ``JobName``); the ApplicationId-only series are no longer updated for those
releases (EMR Serverless 7.10.0 release notes). :func:`application_dimensions` gives the
dimensions that select one application's series on a given release.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from constructs_lib._enums import LenientEnum
from constructs_lib.releases import Feature, ReleaseLabel

#: Namespace of the application, job and worker metrics.
NAMESPACE = "AWS/EMRServerless"
#: Namespace of the account's service-quota usage metrics.
USAGE_NAMESPACE = "AWS/Usage"
#: Seconds between two data points (guide L5286).
PUBLISH_PERIOD_SECONDS = 60


class Dimension:
    """Dimension names in ``AWS/EMRServerless`` (guide L5300-5304)."""

    APPLICATION_ID = "ApplicationId"
    APPLICATION_NAME = "ApplicationName"
    JOB_ID = "JobId"
    JOB_NAME = "JobName"
    WORKER_TYPE = "WorkerType"
    CAPACITY_ALLOCATION_TYPE = "CapacityAllocationType"


class WorkerTypeDimension(LenientEnum):
    """Values of the ``WorkerType`` dimension (AWS's dashboard template; guide L5294)."""

    SPARK_DRIVER = "Spark_Driver"
    SPARK_EXECUTOR = "Spark_Executor"
    SPARK_KERNEL = "Spark_Kernel"


class CapacityAllocationType(LenientEnum):
    """Values of the ``CapacityAllocationType`` dimension (guide L5304)."""

    PRE_INITIALIZED = "PreInitCapacity"
    ON_DEMAND = "OnDemandCapacity"


class MetricGroup(Enum):
    """Which table of the guide a metric comes from."""

    APPLICATION_CAPACITY = "application capacity"
    JOB_STATE = "job runs by state"
    JOB_WORKER = "job workers"
    ACCOUNT_USAGE = "account vCPU usage"


class Unit(Enum):
    """CloudWatch units the guide states for a metric."""

    COUNT = "Count"
    NONE = "None"
    GIGABYTES = "Gigabytes"
    BYTES = "Bytes"


@dataclass(frozen=True)
class MetricSpec:
    """One metric.

    :param unit: the CloudWatch unit the guide states; ``None`` where the guide is silent
        (then a metric query must not filter by unit).
    :param measures: what one unit of the value is, e.g. ``vCPU`` or ``GB``.
    :param dimension_sets: dimension combinations the metric is published with, the
        primary one first (releases before emr-7.10.0, see the module docstring).
    :param fixed_dimensions: dimensions with a single, fixed value (the usage metric).
    :param statistic: the statistic that reads the metric correctly over periods longer
        than a minute (gauges: Average or Maximum; per-minute counts: Sum).
    """

    name: str
    group: MetricGroup
    description: str
    measures: str
    unit: Unit | None
    statistic: str
    dimension_sets: tuple[tuple[str, ...], ...]
    source: str
    namespace: str = NAMESPACE
    fixed_dimensions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed_dimensions", MappingProxyType(dict(self.fixed_dimensions)))

    @property
    def primary_dimensions(self) -> tuple[str, ...]:
        """The dimensions of the primary series."""
        return self.dimension_sets[0]


_APP = (Dimension.APPLICATION_ID,)
_APP_BY_WORKER = (Dimension.APPLICATION_ID, Dimension.WORKER_TYPE)
_APP_BY_CAPACITY = (Dimension.APPLICATION_ID, Dimension.CAPACITY_ALLOCATION_TYPE)
_APP_BY_BOTH = (Dimension.APPLICATION_ID, Dimension.WORKER_TYPE, Dimension.CAPACITY_ALLOCATION_TYPE)
_CAPACITY_SETS = (_APP, _APP_BY_WORKER, _APP_BY_CAPACITY, _APP_BY_BOTH)
_JOB_WORKER_SETS = (
    (Dimension.JOB_ID,),
    (
        Dimension.JOB_ID,
        Dimension.APPLICATION_ID,
        Dimension.WORKER_TYPE,
        Dimension.CAPACITY_ALLOCATION_TYPE,
    ),
)


def _capacity(name: str, description: str, measures: str, *, limit: bool = False) -> MetricSpec:
    """An application capacity metric; a limit (Max*Allowed) has ApplicationId only."""
    return MetricSpec(
        name=name,
        group=MetricGroup.APPLICATION_CAPACITY,
        description=description,
        measures=measures,
        unit=None,
        statistic="Maximum" if limit else "Average",
        dimension_sets=(_APP,) if limit else _CAPACITY_SETS,
        source="guide L5318-5320" if limit else "guide L5312-5327",
    )


def _jobs(state: str) -> MetricSpec:
    return MetricSpec(
        name=f"{state}Jobs",
        group=MetricGroup.JOB_STATE,
        description=f"Job runs in the {state} state.",
        measures="job runs",
        unit=Unit.COUNT,
        statistic="Sum",
        dimension_sets=(_APP,),
        source="guide L5331-5345",
    )


def _worker(name: str, description: str, measures: str, unit: Unit, statistic: str) -> MetricSpec:
    return MetricSpec(
        name=name,
        group=MetricGroup.JOB_WORKER,
        description=description,
        measures=measures,
        unit=unit,
        statistic=statistic,
        dimension_sets=_JOB_WORKER_SETS,
        source="guide L5359-5374",
    )


#: Application capacity metrics (dimension ApplicationId, optionally WorkerType and
#: CapacityAllocationType; the Max*Allowed limits have ApplicationId only).
APPLICATION_CAPACITY_METRICS: tuple[MetricSpec, ...] = (
    _capacity("CPUAllocated", "vCPU allocated to workers.", "vCPU"),
    _capacity("IdleWorkerCount", "Workers that are idle.", "workers"),
    _capacity(
        "MaxCPUAllowed", "The application's maximum vCPU (maximum capacity).", "vCPU", limit=True
    ),
    _capacity(
        "MaxMemoryAllowed", "The application's maximum memory (maximum capacity).", "GB", limit=True
    ),
    _capacity(
        "MaxStorageAllowed", "The application's maximum disk (maximum capacity).", "GB", limit=True
    ),
    _capacity("MemoryAllocated", "Memory allocated to workers.", "GB"),
    _capacity("PendingCreationWorkerCount", "Workers being created.", "workers"),
    _capacity("RunningWorkerCount", "Workers in use by jobs.", "workers"),
    _capacity("StorageAllocated", "Disk allocated to workers.", "GB"),
    _capacity("TotalWorkerCount", "Workers available, idle or in use.", "workers"),
)

#: Job runs by state (dimension ApplicationId, unit Count). There is no QueuedJobs metric.
JOB_STATE_METRICS: tuple[MetricSpec, ...] = tuple(
    _jobs(state)
    for state in (
        "Submitted",
        "Pending",
        "Scheduled",
        "Running",
        "Success",
        "Failed",
        "Cancelling",
        "Cancelled",
    )
)

#: Per-job worker metrics (dimension JobId, optionally ApplicationId, WorkerType and
#: CapacityAllocationType). The guide gives GB for ephemeral storage although its
#: descriptions say bytes (guide L5368); GB is taken.
JOB_WORKER_METRICS: tuple[MetricSpec, ...] = (
    _worker(
        "WorkerCpuAllocated", "vCPU allocated to the job's workers.", "vCPU", Unit.NONE, "Average"
    ),
    _worker("WorkerCpuUsed", "vCPU the job's workers use.", "vCPU", Unit.NONE, "Average"),
    _worker(
        "WorkerMemoryAllocated",
        "Memory allocated to the job's workers.",
        "GB",
        Unit.GIGABYTES,
        "Average",
    ),
    _worker("WorkerMemoryUsed", "Memory the job's workers use.", "GB", Unit.GIGABYTES, "Average"),
    _worker(
        "WorkerEphemeralStorageAllocated",
        "Ephemeral disk allocated to the job's workers.",
        "GB",
        Unit.GIGABYTES,
        "Average",
    ),
    _worker(
        "WorkerEphemeralStorageUsed",
        "Ephemeral disk the job's workers use.",
        "GB",
        Unit.GIGABYTES,
        "Average",
    ),
    _worker(
        "WorkerStorageReadBytes",
        "Bytes the job's workers read from disk.",
        "bytes",
        Unit.BYTES,
        "Sum",
    ),
    _worker(
        "WorkerStorageWriteBytes",
        "Bytes the job's workers write to disk.",
        "bytes",
        Unit.BYTES,
        "Sum",
    ),
)

#: The account's concurrent vCPU in EMR Serverless, against its service quota
#: (default 16 vCPU per Region, guide L9071; metric L5513-5536).
VCPU_USAGE_METRIC = MetricSpec(
    name="ResourceCount",
    group=MetricGroup.ACCOUNT_USAGE,
    description="vCPU running in the account and Region (compare with the service quota).",
    measures="vCPU",
    unit=None,
    statistic="Maximum",
    dimension_sets=(("Service", "Type", "Resource", "Class"),),
    source="guide L5513-5536",
    namespace=USAGE_NAMESPACE,
    fixed_dimensions={
        "Service": "EMR Serverless",
        "Type": "Resource",
        "Resource": "vCPU",
        "Class": "None",
    },
)

#: Every metric, by name.
METRICS: Mapping[str, MetricSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            *APPLICATION_CAPACITY_METRICS,
            *JOB_STATE_METRICS,
            *JOB_WORKER_METRICS,
            VCPU_USAGE_METRIC,
        )
    }
)


def application_dimensions(
    application_id: str, application_name: str | None, release: ReleaseLabel | None
) -> dict[str, str]:
    """Dimensions that select one application's series on ``release``.

    ApplicationName is added from emr-7.10.0 on, when the name is known; with an
    unknown release only ApplicationId is used.
    """
    dimensions = {Dimension.APPLICATION_ID: application_id}
    if (
        application_name is not None
        and release is not None
        and release.supports(Feature.METRICS_BY_APPLICATION_NAME)
    ):
        dimensions[Dimension.APPLICATION_NAME] = application_name
    return dimensions
