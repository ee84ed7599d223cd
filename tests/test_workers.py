"""Worker sizes follow the guide's table exactly; Spark containers must fit their workers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import ReleaseLabel
from constructs_lib.workers import (
    MAX_GB_PER_VCPU,
    WORKER_MEMORY,
    Architecture,
    DiskType,
    EngineType,
    InitialWorkers,
    LogType,
    SparkContainer,
    WorkerConfiguration,
    WorkerType,
    check_spark_fits,
    check_worker_configuration,
    parse_gb,
    parse_jvm_mib,
    parse_vcpu,
    spark_container,
)

NEW = ReleaseLabel.EMR_7_1_0
OLD = ReleaseLabel.EMR_7_0_0

#: The guide's table (L1328-1333), written out independently of the module's.
GUIDE_TABLE = {
    1: range(2, 9, 1),
    2: range(4, 17, 1),
    4: range(8, 31, 1),
    8: range(16, 61, 4),
    16: range(32, 121, 8),
}

valid_sizes = st.sampled_from(
    [(cpu, memory) for cpu, memories in GUIDE_TABLE.items() for memory in memories]
)


def check(configuration: WorkerConfiguration, release: ReleaseLabel = NEW) -> None:
    check_worker_configuration(configuration, argument="worker", release=release)


def test_table_matches_the_guide() -> None:
    assert {cpu: memory.values() for cpu, memory in WORKER_MEMORY.items()} == {
        cpu: tuple(memories) for cpu, memories in GUIDE_TABLE.items()
    }
    assert MAX_GB_PER_VCPU == 8


@given(valid_sizes)
def test_every_size_in_the_table_is_accepted(size: tuple[int, int]) -> None:
    check(WorkerConfiguration(vcpu=size[0], memory_gb=size[1]))


@given(st.integers(-4, 40).filter(lambda cpu: cpu not in GUIDE_TABLE), st.integers(1, 200))
def test_other_vcpu_counts_are_refused(cpu: int, memory: int) -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"1, 2, 4, 8 or 16 vCPU") as error:
        check(WorkerConfiguration(vcpu=cpu, memory_gb=memory))
    assert error.value.argument == "worker.vcpu"


@given(st.sampled_from(sorted(GUIDE_TABLE)), st.integers(0, 200))
def test_memory_outside_the_range_or_off_step_is_refused(cpu: int, memory: int) -> None:
    configuration = WorkerConfiguration(vcpu=cpu, memory_gb=memory)
    if memory in GUIDE_TABLE[cpu]:
        check(configuration)
        return
    with pytest.raises(EmrServerlessValidationError, match=rf"a {cpu} vCPU worker has") as error:
        check(configuration)
    assert error.value.argument == "worker.memory_gb"
    suggested = int(error.value.fix.split()[1])
    assert suggested in GUIDE_TABLE[cpu]


@pytest.mark.parametrize(("cpu", "memory"), [(4, 31), (8, 18), (16, 36), (1, 1), (2, 17)])
def test_memory_neighbours_of_the_table_are_refused(cpu: int, memory: int) -> None:
    with pytest.raises(EmrServerlessValidationError, match="GB steps"):
        check(WorkerConfiguration(vcpu=cpu, memory_gb=memory))


@given(st.integers(0, 3000))
def test_standard_disk_is_20_to_200_gb(disk: int) -> None:
    configuration = WorkerConfiguration(vcpu=4, memory_gb=16, disk_gb=disk)
    if 20 <= disk <= 200:
        check(configuration)
        return
    with pytest.raises(EmrServerlessValidationError, match="standard disk has 20-200 GB") as error:
        check(configuration)
    assert error.value.argument == "worker.disk_gb"
    expected_fix = "SHUFFLE_OPTIMIZED" if 200 < disk <= 2000 else "use 20-200 GB"
    assert expected_fix in error.value.fix


@given(st.integers(0, 3000))
def test_shuffle_optimized_disk_is_20_to_2000_gb(disk: int) -> None:
    configuration = WorkerConfiguration(4, 16, disk, DiskType.SHUFFLE_OPTIMIZED)
    if 20 <= disk <= 2000:
        check(configuration)
        return
    with pytest.raises(EmrServerlessValidationError, match="shuffle-optimized disk has 20-2000"):
        check(configuration)


def test_shuffle_optimized_disks_need_7_1_0() -> None:
    configuration = WorkerConfiguration(4, 8, 500, DiskType.SHUFFLE_OPTIMIZED)
    with pytest.raises(EmrServerlessValidationError, match=r"needs emr-7\.1\.0") as error:
        check(configuration, OLD)
    assert error.value.argument == "worker.disk_type"
    check(configuration, NEW)
    check(WorkerConfiguration(4, 8, 200, DiskType.STANDARD), OLD)


def test_render_uses_the_api_strings() -> None:
    assert WorkerConfiguration(2, 4).render() == {"cpu": "2vCPU", "memory": "4GB"}
    assert WorkerConfiguration(4, 8, 500, DiskType.SHUFFLE_OPTIMIZED).render() == {
        "cpu": "4vCPU",
        "memory": "8GB",
        "disk": "500GB",
        "diskType": "SHUFFLE_OPTIMIZED",
    }
    workers = InitialWorkers(50, WorkerConfiguration(4, 8))
    assert workers.render() == {
        "workerCount": 50,
        "workerConfiguration": {"cpu": "4vCPU", "memory": "8GB"},
    }
    assert (workers.vcpu, workers.memory_gb, workers.disk_gb) == (200, 400, 1000)


@given(
    st.integers(1, 10**6), st.sampled_from(["", " "]), st.sampled_from(["vCPU", "vcpu", "VCPU", ""])
)
def test_parse_vcpu_takes_the_api_forms(cpu: int, space: str, unit: str) -> None:
    assert parse_vcpu(f"{cpu}{space}{unit}", argument="cpu") == cpu


@given(
    st.integers(1, 10**6), st.sampled_from(["", " "]), st.sampled_from(["GB", "gb", "Gb", "gB", ""])
)
def test_parse_gb_takes_the_api_forms(size: int, space: str, unit: str) -> None:
    assert parse_gb(f"{size}{space}{unit}", argument="memory") == size


@pytest.mark.parametrize("text", ["0vCPU", "4 cores", "-1", "4.5vCPU", ""])
def test_parse_vcpu_refuses_other_text(text: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="whole number of vCPU"):
        parse_vcpu(text, argument="cpu")


@pytest.mark.parametrize("text", ["0GB", "16 GiB", "1.5GB", "16MB", ""])
def test_parse_gb_refuses_other_text(text: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="whole GB"):
        parse_gb(text, argument="memory")


def test_of_parses_every_field() -> None:
    parsed = WorkerConfiguration.of(
        cpu="4 vCPU", memory="16GB", disk="200GB", disk_type="shuffle_optimized"
    )
    assert parsed == WorkerConfiguration(4, 16, 200, DiskType.SHUFFLE_OPTIMIZED)
    with pytest.raises(EmrServerlessValidationError, match="STANDARD or SHUFFLE_OPTIMIZED"):
        WorkerConfiguration.of(cpu="4", memory="16", disk_type="fast")


def test_worker_types_per_engine_and_their_names() -> None:
    assert EngineType.SPARK.worker_types == (WorkerType.SPARK_DRIVER, WorkerType.SPARK_EXECUTOR)
    assert EngineType.HIVE.worker_types == (WorkerType.HIVE_DRIVER, WorkerType.TEZ_TASK)
    # The Hive driver's initialCapacity key is DRIVER (guide L1369, L1381, L2588); HIVE_DRIVER
    # is its CloudWatch log-type key (guide L4817-4823), a different name.
    assert [w.capacity_key for w in WorkerType] == ["DRIVER", "EXECUTOR", "DRIVER", "TEZ_TASK"]
    assert [w.log_key for w in WorkerType] == [
        "SPARK_DRIVER",
        "SPARK_EXECUTOR",
        "HIVE_DRIVER",
        "TEZ_TASK",
    ]
    assert [w.specification_key for w in WorkerType] == [
        "Driver",
        "Executor",
        "HiveDriver",
        "TezTask",
    ]
    assert WorkerType.TEZ_TASK.log_types == (LogType.STDERR, LogType.STDOUT, LogType.SYSTEM_LOGS)


def test_java17_home_per_architecture() -> None:
    assert Architecture.X86_64.java17_home == "/usr/lib/jvm/java-17-amazon-corretto.x86_64/"
    assert Architecture.ARM64.java17_home == "/usr/lib/jvm/java-17-amazon-corretto.aarch64/"


# --- Spark containers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mib"),
    [
        ("27g", 27 * 1024),
        ("27G", 27 * 1024),
        ("512m", 512),
        ("512mb", 512),
        ("2048", 2048),
        ("1t", 1024**2),
        ("1024k", 1),
    ],
)
def test_parse_jvm_sizes(text: str, mib: float) -> None:
    assert parse_jvm_mib(text, argument="x") == mib


@pytest.mark.parametrize("text", ["1.5g", "g", "-1g", "10 GiB"])
def test_parse_jvm_refuses_other_text(text: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="Spark memory size"):
        parse_jvm_mib(text, argument="x")


def fits(properties: dict[str, str], role: str, worker: WorkerConfiguration) -> None:
    worker_type = WorkerType.SPARK_DRIVER if role == "driver" else WorkerType.SPARK_EXECUTOR
    container = spark_container(properties, role, argument="spark-defaults")
    check_spark_fits(container, worker_type, worker, argument="spark-defaults")


def test_guides_example_27g_fits_a_30gb_worker_and_28g_does_not() -> None:
    worker = WorkerConfiguration(4, 30)
    fits({"spark.executor.memory": "27g"}, "executor", worker)  # 27 + 2.7 = 29.7 GB (L1339)
    with pytest.raises(EmrServerlessValidationError, match="must fit the worker's memory") as error:
        fits({"spark.executor.memory": "28g"}, "executor", worker)
    assert error.value.argument == "spark-defaults['spark.executor.memory']"
    assert "at most 27927m" in error.value.fix


def test_overhead_is_at_least_384_mib() -> None:
    worker = WorkerConfiguration(1, 2)  # 2048 MiB
    fits({"spark.driver.memory": "1664m"}, "driver", worker)  # 1664 + 384 = 2048
    with pytest.raises(EmrServerlessValidationError, match=r"1665 \+ 384 MiB"):
        fits({"spark.driver.memory": "1665m"}, "driver", worker)


def test_explicit_overhead_replaces_the_factor() -> None:
    worker = WorkerConfiguration(4, 8)  # 8192 MiB
    properties = {"spark.executor.memory": "7g", "spark.executor.memoryOverhead": "1024m"}
    fits(properties, "executor", worker)  # 7168 + 1024 = 8192
    with pytest.raises(EmrServerlessValidationError, match=r"7168 \+ 1025 MiB"):
        fits({**properties, "spark.executor.memoryOverhead": "1025"}, "executor", worker)


def test_role_factor_overrides_the_emr_serverless_factor() -> None:
    worker = WorkerConfiguration(4, 8)
    base = {"spark.executor.memory": "7g", "spark.emr-serverless.memoryOverheadFactor": "0.5"}
    with pytest.raises(EmrServerlessValidationError):
        fits(base, "executor", worker)
    fits({**base, "spark.executor.memoryOverheadFactor": "0.1"}, "executor", worker)


@pytest.mark.parametrize("factor", ["1", "-0.1", "ten", "1.5"])
def test_bad_overhead_factor_is_refused(factor: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="overhead factor"):
        spark_container(
            {"spark.emr-serverless.memoryOverheadFactor": factor}, "driver", argument="x"
        )


def test_cores_at_most_the_worker_vcpu() -> None:
    worker = WorkerConfiguration(2, 4)
    fits({"spark.driver.cores": "2"}, "driver", worker)
    with pytest.raises(
        EmrServerlessValidationError, match="at most the vCPU of its worker"
    ) as error:
        fits({"spark.driver.cores": "4"}, "driver", worker)
    assert error.value.argument == "spark-defaults['spark.driver.cores']"


@pytest.mark.parametrize("cores", ["0", "two", "-1", "2.5"])
def test_cores_must_be_positive_whole_numbers(cores: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="positive whole number"):
        spark_container({"spark.driver.cores": cores}, "driver", argument="x")


def test_unset_memory_is_not_checked() -> None:
    fits({}, "driver", WorkerConfiguration(1, 2))
    assert spark_container({}, "driver", argument="x").total_mib is None


@given(
    st.integers(1024, 122880),
    st.one_of(st.none(), st.integers(0, 4096)),
    st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.35]),
)
def test_largest_memory_is_the_exact_limit(
    worker_mib: int, explicit: int | None, factor: float
) -> None:
    container = SparkContainer("executor", explicit_overhead_mib=explicit, overhead_factor=factor)
    largest = container.largest_memory_mib(worker_mib)
    if largest > 0:
        assert largest + container.overhead_for(largest) <= worker_mib
    assert largest + 1 + container.overhead_for(largest + 1) > worker_mib
