"""Job defaults size every job like the team's workers; Spark heaps leave room for overhead."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.job_defaults import job_defaults, spark_heap_gb
from constructs_lib.workers import (
    DiskType,
    EngineType,
    SparkContainer,
    WorkerConfiguration,
    WorkerType,
)


def _fits(heap_gb: int, worker_gb: int) -> bool:
    """Heap plus overhead within the worker, as the application's spark-defaults check has it."""
    total_mib = SparkContainer(role="executor", memory_mib=heap_gb * 1024).total_mib
    assert total_mib is not None
    return total_mib <= worker_gb * 1024


@given(st.integers(min_value=2, max_value=120))
def test_spark_heap_is_the_largest_that_fits(worker_gb: int) -> None:
    heap = spark_heap_gb(worker_gb)
    assert _fits(heap, worker_gb)
    assert not _fits(heap + 1, worker_gb)


def test_the_guides_30_gb_worker_takes_a_27_gb_heap() -> None:
    # Guide L2311: "the maximum spark.executor.memory on a 30 GB worker must be 27 GB".
    assert spark_heap_gb(30) == 27


def test_spark_defaults_from_worker_sizes() -> None:
    classification = job_defaults(
        EngineType.SPARK,
        {
            WorkerType.SPARK_DRIVER: WorkerConfiguration(vcpu=2, memory_gb=4),
            WorkerType.SPARK_EXECUTOR: WorkerConfiguration(
                vcpu=4, memory_gb=16, disk_gb=50, disk_type=DiskType.SHUFFLE_OPTIMIZED
            ),
        },
    )
    assert classification.classification == "spark-defaults"
    assert classification.properties == {
        "spark.driver.cores": "2",
        "spark.driver.memory": "3g",
        "spark.executor.cores": "4",
        "spark.executor.memory": "14g",
        "spark.emr-serverless.executor.disk": "50g",
        "spark.emr-serverless.executor.disk.type": "shuffle_optimized",
    }


def test_hive_site_from_worker_sizes() -> None:
    classification = job_defaults(
        EngineType.HIVE,
        {
            WorkerType.HIVE_DRIVER: WorkerConfiguration(vcpu=2, memory_gb=8),
            WorkerType.TEZ_TASK: WorkerConfiguration(vcpu=2, memory_gb=8, disk_gb=40),
        },
    )
    assert classification.classification == "hive-site"
    assert classification.properties == {
        "hive.driver.cores": "2",
        "hive.driver.memory": "6g",
        "hive.tez.cpu.vcores": "2",
        "hive.tez.container.size": "6144",
        "hive.tez.disk.size": "40g",
    }


def test_unset_worker_types_add_nothing() -> None:
    assert job_defaults(EngineType.SPARK, {}).properties == {}
