"""Every limit of the pure rule modules at its edge: the exact limit accepted, one past refused.

Limits come from the service (API, CloudFormation, IAM, the User Guide), so these
survive refactoring of the modules; ``make mutation`` shows which comparisons they pin.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from constructs_lib import application_rules as rules
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.platform_config import (
    IDLE_TIMEOUT_MINUTES,
    MAX_AVAILABILITY_ZONES,
    MAX_ENVIRONMENT_NAME,
    MAX_PLATFORM_NAME,
    MAX_TEAM_NAME,
    PlatformConfigError,
    is_bucket_name,
    parse_platform_config,
)
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_permissions import GLUE_MAX_NAME_LENGTH, check_glue_name
from constructs_lib.subnet_planning import MIN_AZS, SubnetGroup, SubnetPlanningError, parse_vpc_cidr
from constructs_lib.workers import (
    MAX_SHUFFLE_OPTIMIZED_DISK_GB,
    MAX_STANDARD_DISK_GB,
    MIN_DISK_GB,
    MIN_OVERHEAD_MIB,
    WORKER_MEMORY,
    DiskType,
    SparkContainer,
    WorkerConfiguration,
    WorkerType,
    check_spark_fits,
    spark_container,
)
from tests.hostile_configs import VALID

RELEASE = ReleaseLabel.of("emr-7.6.0")


def refused() -> Any:
    return pytest.raises(EmrServerlessValidationError)


# ---------------------------------------------------------------- workers


def worker(vcpu: int, memory_gb: int, disk_gb: int | None = None, **kw: Any) -> None:
    WorkerConfiguration(vcpu=vcpu, memory_gb=memory_gb, disk_gb=disk_gb, **kw).check(
        argument="w", release=RELEASE
    )


@pytest.mark.parametrize("vcpu", sorted(WORKER_MEMORY))
def test_worker_memory_range_edges(vcpu: int) -> None:
    memory = WORKER_MEMORY[vcpu]
    worker(vcpu, memory.min_gb)
    worker(vcpu, memory.max_gb)
    with refused():
        worker(vcpu, memory.min_gb - 1)
    with refused():
        worker(vcpu, memory.max_gb + 1)
    if memory.step_gb > 1:
        with refused():
            worker(vcpu, memory.min_gb + 1)
        worker(vcpu, memory.min_gb + memory.step_gb)


def test_worker_vcpu_sizes() -> None:
    for vcpu in (3, 5, 32, 0):
        with refused():
            worker(vcpu, 8)


def test_standard_disk_edges() -> None:
    worker(4, 16, MIN_DISK_GB)  # 20 GB: the smallest disk
    worker(4, 16, MAX_STANDARD_DISK_GB)
    with refused():
        worker(4, 16, MIN_DISK_GB - 1)
    with refused() as caught:
        worker(4, 16, MAX_STANDARD_DISK_GB + 1)
    assert "SHUFFLE_OPTIMIZED" in caught.value.fix


def test_shuffle_optimized_disk_edges() -> None:
    shuffle = {"disk_type": DiskType.SHUFFLE_OPTIMIZED}
    worker(4, 16, MIN_DISK_GB, **shuffle)
    worker(4, 16, MAX_SHUFFLE_OPTIMIZED_DISK_GB, **shuffle)
    with refused():
        worker(4, 16, MIN_DISK_GB - 1, **shuffle)
    with refused() as caught:
        worker(4, 16, MAX_SHUFFLE_OPTIMIZED_DISK_GB + 1, **shuffle)
    assert f"{MIN_DISK_GB}-{MAX_SHUFFLE_OPTIMIZED_DISK_GB} GB" in caught.value.fix


def test_spark_cores_edges() -> None:
    container = spark_container({"spark.executor.cores": "1"}, "executor", argument="c")
    assert container.cores == 1
    for bad in ("0", "-1", "1.5", ""):
        with refused():
            spark_container({"spark.executor.cores": bad}, "executor", argument="c")
    four = WorkerConfiguration(vcpu=4, memory_gb=16)
    check_spark_fits(
        SparkContainer(role="executor", cores=4), WorkerType.SPARK_EXECUTOR, four, argument="a"
    )
    with refused():
        check_spark_fits(
            SparkContainer(role="executor", cores=5), WorkerType.SPARK_EXECUTOR, four, argument="a"
        )


@pytest.mark.parametrize("memory_gb", [1, 4, 16, 30, 120])
def test_spark_memory_fits_to_the_mib(memory_gb: int) -> None:
    worker_mib = memory_gb * 1024
    container = SparkContainer(role="executor")
    largest = container.largest_memory_mib(worker_mib)
    configuration = WorkerConfiguration(vcpu=16, memory_gb=memory_gb)
    fits = SparkContainer(role="executor", memory_mib=largest)
    check_spark_fits(fits, WorkerType.SPARK_EXECUTOR, configuration, argument="a")
    with refused():
        check_spark_fits(
            SparkContainer(role="executor", memory_mib=largest + 1),
            WorkerType.SPARK_EXECUTOR,
            configuration,
            argument="a",
        )
    assert largest + container.overhead_for(largest) <= worker_mib
    assert largest + 1 + container.overhead_for(largest + 1) > worker_mib


def test_spark_overhead_is_at_least_384_mib() -> None:
    container = SparkContainer(role="driver")
    assert container.overhead_for(3840) == MIN_OVERHEAD_MIB  # 10% of 3,840 is 384
    assert container.overhead_for(3839) == MIN_OVERHEAD_MIB
    assert container.overhead_for(3850) == pytest.approx(385)
    assert container.largest_memory_mib(1024) == 1024 - MIN_OVERHEAD_MIB
    assert container.largest_memory_mib(1023) == 1023 - MIN_OVERHEAD_MIB


# ---------------------------------------------------------------- application rules


def test_tags_edges() -> None:
    rules.check_tags({f"k{i}": "v" for i in range(rules.MAX_TAGS)})
    rules.check_tags({"k": "v"}, tokens=rules.MAX_TAGS - 1)
    with refused():
        rules.check_tags({f"k{i}": "v" for i in range(rules.MAX_TAGS + 1)})
    with refused():
        rules.check_tags({"k": "v"}, tokens=rules.MAX_TAGS)
    rules.check_tags({"k" * rules.MAX_TAG_KEY: "v" * rules.MAX_TAG_VALUE})
    rules.check_tags({"k": ""})
    for bad in ({"k" * (rules.MAX_TAG_KEY + 1): "v"}, {"": "v"}, {"k": "v" * 257}):
        with refused():
            rules.check_tags(bad)
    with refused():
        rules.check_tags({"aws:team": "x"})
    rules.check_tags({"awsteam": "x"})


def test_application_name_edges() -> None:
    rules.check_application_name("a" * 64)
    rules.check_application_name("a")
    for bad in ("a" * 65, ""):
        with refused():
            rules.check_application_name(bad)


def test_idle_timeout_edges() -> None:
    rules.check_idle_timeout(rules.MIN_IDLE_TIMEOUT_MINUTES)
    rules.check_idle_timeout(rules.MAX_IDLE_TIMEOUT_MINUTES)
    for bad in (rules.MIN_IDLE_TIMEOUT_MINUTES - 1, rules.MAX_IDLE_TIMEOUT_MINUTES + 1):
        with refused():
            rules.check_idle_timeout(bad)


def test_scheduler_edges() -> None:
    release = ReleaseLabel.of("emr-7.0.0")
    for runs in (1, rules.MAX_CONCURRENT_RUNS):
        rules.check_scheduler(max_concurrent_runs=runs, queue_timeout_minutes=None, release=release)
    for runs in (0, rules.MAX_CONCURRENT_RUNS + 1):
        with refused():
            rules.check_scheduler(
                max_concurrent_runs=runs, queue_timeout_minutes=None, release=release
            )
    for minutes in (rules.MIN_QUEUE_TIMEOUT_MINUTES, rules.MAX_QUEUE_TIMEOUT_MINUTES):
        rules.check_scheduler(
            max_concurrent_runs=None, queue_timeout_minutes=minutes, release=release
        )
    for minutes in (rules.MIN_QUEUE_TIMEOUT_MINUTES - 1, rules.MAX_QUEUE_TIMEOUT_MINUTES + 1):
        with refused():
            rules.check_scheduler(
                max_concurrent_runs=None, queue_timeout_minutes=minutes, release=release
            )


def test_network_count_edges() -> None:
    rules.check_network_counts(subnets=1, security_groups=1, argument="n")
    rules.check_network_counts(
        subnets=rules.MAX_SUBNETS, security_groups=rules.MAX_SECURITY_GROUPS, argument="n"
    )
    for subnets, groups in ((0, 1), (1, 0), (rules.MAX_SUBNETS + 1, 1)):
        with refused():
            rules.check_network_counts(subnets=subnets, security_groups=groups, argument="n")
    with refused():
        rules.check_network_counts(
            subnets=1, security_groups=rules.MAX_SECURITY_GROUPS + 1, argument="n"
        )


def test_whole_minutes() -> None:
    assert rules.check_whole_minutes(60, argument="t") == 1
    with refused():
        rules.check_whole_minutes(61, argument="t")
    with refused():
        rules.check_whole_minutes(59, argument="t")


def test_worker_size_for_cores() -> None:
    assert [rules.worker_vcpu_for_cores(c) for c in (1, 2, 3, 4, 5, 8, 9, 16, 17)] == [
        1,
        2,
        4,
        4,
        8,
        8,
        16,
        16,
        16,
    ]


# ---------------------------------------------------------------- Glue, S3 and VPC names


def test_glue_name_edges() -> None:
    for kind in ("database", "table"):
        check_glue_name("a" * GLUE_MAX_NAME_LENGTH, argument="g", kind=kind)
        check_glue_name("a", argument="g", kind=kind)
        for bad in ("a" * (GLUE_MAX_NAME_LENGTH + 1), ""):
            with refused():
                check_glue_name(bad, argument="g", kind=kind)


def test_bucket_name_edges() -> None:
    assert is_bucket_name("a" * 63)
    assert is_bucket_name("abc")
    assert not is_bucket_name("a" * 64)
    assert not is_bucket_name("ab")
    assert not is_bucket_name("a..b")
    assert is_bucket_name("a.b")
    assert not is_bucket_name("192.168.0.1")
    assert is_bucket_name("192.168.0.1a")
    assert not is_bucket_name("xn--abc")
    assert not is_bucket_name("sthree-abc")
    assert is_bucket_name("xn-abc")


def test_vpc_for_the_planner_edges() -> None:
    assert str(parse_vpc_cidr("10.0.0.0/28")) == "10.0.0.0/28"
    with pytest.raises(SubnetPlanningError):
        parse_vpc_cidr("10.0.0.0/29")


def test_subnet_group_prefix_edges() -> None:
    SubnetGroup("p", prefix=16)
    SubnetGroup("p", prefix=28)
    for bad in (15, 29):
        with pytest.raises(SubnetPlanningError):
            SubnetGroup("p", prefix=bad)


# ---------------------------------------------------------------- the platform file

BASE: dict[str, Any] = {**yaml.safe_load(VALID), "environments": {"dev": {}}}


def config_with(**changes: Any) -> Any:
    document = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = document
        *parents, last = path.split("__")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[last] = value
    return parse_platform_config(yaml.safe_dump(document))


def refused_config(**changes: Any) -> str:
    with pytest.raises(PlatformConfigError) as caught:
        config_with(**changes)
    return str(caught.value)


def test_platform_and_team_name_edges() -> None:
    assert config_with(platform__name="p" * MAX_PLATFORM_NAME).name == "p" * MAX_PLATFORM_NAME
    assert "platform.name" in refused_config(platform__name="p" * (MAX_PLATFORM_NAME + 1))
    team = "t" * MAX_TEAM_NAME
    assert config_with(teams__0__name=team).environments[0].teams[0].name == team
    assert "teams[0].name" in refused_config(teams__0__name="t" * (MAX_TEAM_NAME + 1))


def test_environment_name_edges() -> None:
    name = "e" * MAX_ENVIRONMENT_NAME
    assert config_with(environments={name: {}}).environments[0].name == name
    assert "environments." in refused_config(environments={"e" * (MAX_ENVIRONMENT_NAME + 1): {}})


def test_vpc_prefix_edges() -> None:
    for cidr in ("10.0.0.0/16", "10.0.0.0/28"):
        assert config_with(platform__network={"vpc_cidr": cidr}).environments
    for cidr in ("10.0.0.0/15", "10.0.0.0/29"):
        assert "network.vpc_cidr" in refused_config(platform__network={"vpc_cidr": cidr})


def test_availability_zone_edges() -> None:
    for azs in (MIN_AZS, MAX_AVAILABILITY_ZONES):
        network = {"vpc_cidr": "10.0.0.0/16", "availability_zones": azs}
        assert config_with(platform__network=network).environments[0].network.availability_zones
    for azs in (MIN_AZS - 1, MAX_AVAILABILITY_ZONES + 1):
        network = {"vpc_cidr": "10.0.0.0/16", "availability_zones": azs}
        assert "availability_zones" in refused_config(platform__network=network)


def test_idle_timeout_in_the_file_edges() -> None:
    low, high = IDLE_TIMEOUT_MINUTES
    for minutes in (low, high):
        application = {**BASE["teams"][0]["application"], "idle_timeout_minutes": minutes}
        assert config_with(teams__0__application=application).environments
    for minutes in (low - 1, high + 1):
        application = {**BASE["teams"][0]["application"], "idle_timeout_minutes": minutes}
        assert "idle_timeout_minutes" in refused_config(teams__0__application=application)


def test_glue_database_name_in_the_file_edges() -> None:
    name = "g" * GLUE_MAX_NAME_LENGTH
    config = config_with(teams__0__glue_databases={"read": [name]})
    assert config.environments[0].teams[0].glue_databases.read == (name,)
    too_long = "g" * (GLUE_MAX_NAME_LENGTH + 1)
    assert "glue_databases.read[0]" in refused_config(teams__0__glue_databases={"read": [too_long]})


def test_bucket_name_in_the_file_edges() -> None:
    for name in ("b" * 63, "bbb"):
        data = {"input": {"bucket": name, "prefix": "in/"}}
        assert config_with(teams__0__data=data).environments[0].teams[0].data.input.bucket == name
    for name in ("b" * 64, "bb"):
        data = {"input": {"bucket": name, "prefix": "in/"}}
        assert "data.input.bucket" in refused_config(teams__0__data=data)


def test_alarm_threshold_edges() -> None:
    for percent in (1, 100):
        alarms = {"capacity_threshold_percent": percent, "failed_jobs_threshold": 1}
        team = config_with(teams__0__alarms=alarms).environments[0].teams[0]
        assert team.alarms.capacity_threshold_percent == percent
    for percent in (0, 101):
        alarms = {"capacity_threshold_percent": percent}
        assert "capacity_threshold_percent" in refused_config(teams__0__alarms=alarms)
    assert "failed_jobs_threshold" in refused_config(teams__0__alarms={"failed_jobs_threshold": 0})


def test_worker_numbers_in_the_file_edges() -> None:
    application = copy.deepcopy(BASE["teams"][0]["application"])
    application["workers"]["driver"].update(pre_initialized=0, disk_gb=1)
    assert config_with(teams__0__application=application).environments
    application["workers"]["driver"]["pre_initialized"] = -1
    assert "pre_initialized" in refused_config(teams__0__application=application)
    application["workers"]["driver"].update(pre_initialized=0, disk_gb=0)
    assert "disk_gb" in refused_config(teams__0__application=application)
