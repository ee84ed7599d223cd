"""Classifications render to the API shape; every runtime-configuration rule refuses and accepts."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib._advice import collecting
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import DEFAULT_RELEASE, ReleaseLabel
from constructs_lib.runtime_configuration import (
    DRIVER_JAVA_HOME,
    EXECUTOR_JAVA_HOME,
    FIXED_LOG4J2_KEYS,
    INTERNODE_TLS,
    LAKE_FORMATION,
    S3_ACCESS_GRANTS,
    Classification,
    check_runtime_configuration,
    hive_site,
    java17,
    java17_properties,
    lake_formation_enabled,
    spark_defaults,
    spark_driver_log4j2,
    spark_executor_log4j2,
    top_level_properties,
)
from constructs_lib.workers import Architecture, EngineType


def check(
    classifications: list[Classification],
    *,
    engine: EngineType = EngineType.SPARK,
    release: ReleaseLabel = DEFAULT_RELEASE,
    architecture: Architecture = Architecture.X86_64,
) -> None:
    check_runtime_configuration(
        classifications, engine=engine, release=release, architecture=architecture
    )


def test_helpers_render_the_api_shape() -> None:
    nested = Classification("hadoop-env", configurations=(Classification("export", {"A": "1"}),))
    assert nested.render() == {
        "classification": "hadoop-env",
        "configurations": [{"classification": "export", "properties": {"A": "1"}}],
    }
    assert spark_defaults({"spark.driver.cores": "4"}).render() == {
        "classification": "spark-defaults",
        "properties": {"spark.driver.cores": "4"},
    }
    assert hive_site({}).classification == "hive-site"
    assert spark_driver_log4j2({}).classification == "spark-driver-log4j2"
    assert spark_executor_log4j2({}).classification == "spark-executor-log4j2"


def test_classification_copies_its_properties() -> None:
    properties = {"a": "1"}
    classification = spark_defaults(properties)
    properties["b"] = "2"
    assert dict(classification.properties) == {"a": "1"}


def test_java17_matches_the_guide_per_architecture() -> None:
    assert java17(Architecture.X86_64).render() == {
        "classification": "spark-defaults",
        "properties": {
            DRIVER_JAVA_HOME: "/usr/lib/jvm/java-17-amazon-corretto.x86_64/",
            EXECUTOR_JAVA_HOME: "/usr/lib/jvm/java-17-amazon-corretto.x86_64/",
        },
    }
    assert set(java17_properties(Architecture.ARM64).values()) == {
        "/usr/lib/jvm/java-17-amazon-corretto.aarch64/"
    }


@pytest.mark.parametrize("architecture", list(Architecture))
def test_java17_for_the_architecture_is_accepted(architecture: Architecture) -> None:
    check([java17(architecture)], architecture=architecture)


@pytest.mark.parametrize("architecture", list(Architecture))
def test_java17_for_the_other_architecture_is_refused(architecture: Architecture) -> None:
    other = next(a for a in Architecture if a is not architecture)
    with pytest.raises(
        EmrServerlessValidationError, match="JAVA_HOME must be the JVM built"
    ) as error:
        check([java17(other)], architecture=architecture)
    assert architecture.java17_home in error.value.fix


def test_java17_needs_6_11_0() -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"Java 17 runtime needs emr-6\.11\.0"):
        check([java17(Architecture.X86_64)], release=ReleaseLabel.EMR_6_10_0)
    check([java17(Architecture.X86_64)], release=ReleaseLabel.EMR_6_11_0)


def test_other_java_home_values_are_left_alone() -> None:
    check([spark_defaults({DRIVER_JAVA_HOME: "/opt/my-jdk"})], release=ReleaseLabel.EMR_6_6_0)


@pytest.mark.parametrize("helper", [spark_driver_log4j2, spark_executor_log4j2])
def test_log4j2_classifications_need_6_8_0(
    helper: Callable[[Mapping[str, str]], Classification],
) -> None:
    classification = helper({"rootLogger.level": "error"})
    with pytest.raises(
        EmrServerlessValidationError, match=r"log4j2 classifications needs emr-6\.8\.0"
    ):
        check([classification], release=ReleaseLabel.EMR_6_7_0)
    check([classification], release=ReleaseLabel.EMR_6_8_0)


@pytest.mark.parametrize("key", sorted(FIXED_LOG4J2_KEYS))
def test_fixed_log4j2_keys_are_refused(key: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="does not let Spark change"):
        check([spark_driver_log4j2({key: "x", "rootLogger.level": "info"})])


@pytest.mark.parametrize(
    "classification", ["spark-defaults", "spark-driver-log4j2", "spark-executor-log4j2"]
)
def test_spark_classifications_are_refused_on_hive(classification: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="configures Spark"):
        check([Classification(classification, {"a": "b"})], engine=EngineType.HIVE)
    check([Classification(classification, {"a": "b"})], engine=EngineType.SPARK)


def test_hive_site_is_accepted_on_hive() -> None:
    check([hive_site({"hive.exec.scratchdir": "s3://b/scratch"})], engine=EngineType.HIVE)


@pytest.mark.parametrize(
    ("key", "first"),
    [
        (INTERNODE_TLS, "emr-6.15.0"),
        (S3_ACCESS_GRANTS, "emr-6.15.0"),
        (LAKE_FORMATION, "emr-7.2.0"),
    ],
)
def test_gated_switches(key: str, first: str) -> None:
    release = ReleaseLabel.of(first)
    previous = ReleaseLabel.EMR_6_14_0 if first == "emr-6.15.0" else ReleaseLabel.EMR_7_1_0
    with pytest.raises(EmrServerlessValidationError, match=f"needs {first}") as error:
        check([spark_defaults({key: "true"})], release=previous)
    assert key in error.value.argument
    check([spark_defaults({key: "TRUE"})], release=release)
    check([spark_defaults({key: "false"})], release=previous)


def test_lake_formation_keeps_dynamic_allocation() -> None:
    with pytest.raises(EmrServerlessValidationError, match="cannot turn off dynamic allocation"):
        check(
            [spark_defaults({LAKE_FORMATION: "true", "spark.dynamicAllocation.enabled": "false"})]
        )
    check([spark_defaults({LAKE_FORMATION: "true", "spark.dynamicAllocation.enabled": "true"})])
    check([spark_defaults({"spark.dynamicAllocation.enabled": "false"})])


@pytest.mark.parametrize(
    ("ratio", "ok"), [("0.9", True), ("1", True), ("0", False), ("1.1", False), ("x", False)]
)
def test_lake_formation_executor_ratio(ratio: str, ok: bool) -> None:
    classification = spark_defaults(
        {LAKE_FORMATION: "true", "spark.dynamicAllocation.maxExecutorsRatio": ratio}
    )
    if ok:
        check([classification])
    else:
        with pytest.raises(EmrServerlessValidationError, match="between 0 and 1"):
            check([classification])


def test_lake_formation_enabled_reads_spark_defaults() -> None:
    assert lake_formation_enabled([spark_defaults({LAKE_FORMATION: "True"})])
    assert not lake_formation_enabled([hive_site({LAKE_FORMATION: "true"})])
    assert not lake_formation_enabled([])


def test_a_classification_twice_is_a_warning() -> None:
    # The API takes it; which value wins is undocumented, so a warning, never an error.
    mine = spark_defaults({"spark.executor.cores": "4"})
    with collecting() as advice:
        check([mine, java17(Architecture.X86_64)])
    (warning,) = advice
    assert warning.id == "duplicate-classification"
    assert "runtime_configuration[1].classification" in warning.text
    with collecting() as merged:
        check([spark_defaults({**mine.properties, **java17_properties(Architecture.X86_64)})])
    assert merged == []


def test_identical_classifications_are_refused() -> None:
    # Source: the CloudFormation schema (RuntimeConfiguration uniqueItems).
    inner = Classification("export", {"A": "1"})
    with pytest.raises(EmrServerlessValidationError, match="uniqueItems"):
        check([Classification("hadoop-env", configurations=(inner, inner))])
    check(
        [Classification("hadoop-env", configurations=(inner, Classification("export", {"B": "1"})))]
    )


@given(st.from_regex(r"[a-zA-Z]+[-a-zA-Z0-9_.]{0,30}", fullmatch=True))
def test_cloudformation_property_keys_are_accepted(key: str) -> None:
    check([Classification("core-site", {key: "v"})])


@pytest.mark.parametrize("key", ["1abc", "spark.metrics.conf.*.sink", "has space", "", "_x"])
def test_other_property_keys_are_refused(key: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="a property key starts with a letter"):
        check([Classification("core-site", {key: "v"})])


@pytest.mark.parametrize("value", ["", "   ", "x" * 1025])
def test_empty_or_long_values_are_refused(value: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="a property value is text of 1-1024"):
        check([Classification("core-site", {"k": value})])
    check([Classification("core-site", {"k": "x" * 1024})])


@pytest.mark.parametrize("name", ["", "  ", "x" * 1025])
def test_classification_names_need_text(name: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="classification name has 1-1024"):
        check([Classification(name)])


def test_list_and_property_limits() -> None:
    many = [Classification(f"c{i}") for i in range(101)]
    with pytest.raises(EmrServerlessValidationError, match="at most 100 classifications"):
        check(many)
    check(many[:100])
    with pytest.raises(EmrServerlessValidationError, match="at most 100 properties"):
        check([Classification("core-site", {f"k{i}": "v" for i in range(101)})])
    check([Classification("core-site", {f"k{i}": "v" for i in range(100)})])


def test_top_level_properties_merge_by_name() -> None:
    classifications = [spark_defaults({"a": "1"}), hive_site({"b": "2"})]
    assert top_level_properties(classifications, "spark-defaults") == {"a": "1"}
    assert top_level_properties(classifications, "tez-site") == {}
