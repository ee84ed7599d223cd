"""Engine defaults that size every job's driver and workers like the team's workers.

EMR Serverless sizes on-demand workers per job, from the engine's properties; the
application's worker configuration only shapes pre-initialized capacity. So that a
team's jobs use the worker sizes it declared, the platform puts those sizes into the
application's runtime configuration (``spark-defaults`` or ``hive-site``), where any job
can still override them.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from constructs_lib.runtime_configuration import Classification, hive_site, spark_defaults
from constructs_lib.workers import (
    DiskType,
    EngineType,
    SparkContainer,
    WorkerConfiguration,
    WorkerType,
)

#: Share of a Hive worker's memory given to the driver or a Tez container; the guide's
#: defaults (6 GB driver, 6,144 MB Tez containers on 8 GB workers, L3060-3075) use 3/4.
HIVE_MEMORY_SHARE = 0.75

#: The job-level value of a shuffle-optimized disk type (lower case, guide L2464, L2499).
SHUFFLE_OPTIMIZED = "shuffle_optimized"


def spark_heap_gb(worker_memory_gb: int) -> int:
    """The largest whole-GB Spark heap whose heap plus overhead fits ``worker_memory_gb``.

    Overhead as the application checks it: max(10% of the heap, 384 MiB) (guide L1337).
    """
    largest_mib = SparkContainer(role="executor").largest_memory_mib(worker_memory_gb * 1024)
    return largest_mib // 1024


def job_defaults(
    engine: EngineType, workers: Mapping[WorkerType, WorkerConfiguration]
) -> Classification:
    """``spark-defaults`` or ``hive-site`` properties sizing jobs like ``workers``."""
    properties: dict[str, str] = {}
    if engine is EngineType.SPARK:
        for worker_type, role in (
            (WorkerType.SPARK_DRIVER, "driver"),
            (WorkerType.SPARK_EXECUTOR, "executor"),
        ):
            size = workers.get(worker_type)
            if size is None:
                continue
            properties[f"spark.{role}.cores"] = str(size.vcpu)
            properties[f"spark.{role}.memory"] = f"{spark_heap_gb(size.memory_gb)}g"
            if size.disk_gb is not None:
                properties[f"spark.emr-serverless.{role}.disk"] = f"{size.disk_gb}g"
            if size.disk_type is DiskType.SHUFFLE_OPTIMIZED:
                properties[f"spark.emr-serverless.{role}.disk.type"] = SHUFFLE_OPTIMIZED
        return spark_defaults(properties)
    driver = workers.get(WorkerType.HIVE_DRIVER)
    if driver is not None:
        properties["hive.driver.cores"] = str(driver.vcpu)
        properties["hive.driver.memory"] = f"{math.floor(driver.memory_gb * HIVE_MEMORY_SHARE)}g"
        if driver.disk_gb is not None:
            properties["hive.driver.disk"] = f"{driver.disk_gb}g"
        if driver.disk_type is DiskType.SHUFFLE_OPTIMIZED:
            properties["hive.driver.disk.type"] = SHUFFLE_OPTIMIZED
    task = workers.get(WorkerType.TEZ_TASK)
    if task is not None:
        properties["hive.tez.cpu.vcores"] = str(task.vcpu)
        properties["hive.tez.container.size"] = str(
            math.floor(task.memory_gb * HIVE_MEMORY_SHARE * 1024)
        )
        if task.disk_gb is not None:
            properties["hive.tez.disk.size"] = f"{task.disk_gb}g"
        if task.disk_type is DiskType.SHUFFLE_OPTIMIZED:
            properties["hive.tez.disk.type"] = SHUFFLE_OPTIMIZED
    return hive_site(properties)
