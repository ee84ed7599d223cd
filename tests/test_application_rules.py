"""The application's pure rules, exhaustively: every limit refuses past it and accepts at it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constructs_lib import application_rules as rules
from constructs_lib._advice import collecting
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import KNOWN_RELEASES, ReleaseLabel
from constructs_lib.runtime_configuration import hive_site, spark_defaults
from constructs_lib.workers import (
    WORKER_MEMORY,
    EngineType,
    InitialWorkers,
    WorkerConfiguration,
    WorkerType,
)

NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/#-"
TAG_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 /_.:=+@-"

sizes = st.sampled_from(
    [(cpu, memory) for cpu, r in WORKER_MEMORY.items() for memory in r.values()]
)
initial_workers = st.builds(
    lambda count, size, disk: InitialWorkers(count, WorkerConfiguration(size[0], size[1], disk)),
    st.integers(1, 200),
    sizes,
    st.one_of(st.none(), st.integers(20, 200)),
)
spark_worker_types = st.sampled_from([WorkerType.SPARK_DRIVER, WorkerType.SPARK_EXECUTOR])


@given(st.text(NAME_CHARS, min_size=1, max_size=64))
def test_names_of_allowed_characters_pass(name: str) -> None:
    rules.check_application_name(name)


@given(st.text(min_size=0, max_size=80))
def test_other_names_are_refused(name: str) -> None:
    if re.fullmatch(r"[A-Za-z0-9._/#-]{1,64}", name):
        rules.check_application_name(name)
    else:
        with pytest.raises(EmrServerlessValidationError, match="1-64 characters"):
            rules.check_application_name(name)


@given(
    st.dictionaries(
        st.text(TAG_CHARS, min_size=1, max_size=128).filter(
            lambda k: not k.lower().startswith("aws:")
        ),
        st.text(TAG_CHARS, max_size=256),
        max_size=50,
    )
)
def test_valid_tags_pass(tags: dict[str, str]) -> None:
    rules.check_tags(tags)


@pytest.mark.parametrize(
    ("tags", "match"),
    [
        ({f"k{i}": "" for i in range(51)}, "at most 50"),
        ({"": "v"}, "tag key has 1-128"),
        ({"k" * 129: "v"}, "tag key has 1-128"),
        ({"k!": "v"}, "tag key has 1-128"),
        ({"aws:owner": "v"}, "reserved"),
        ({"Aws:Owner": "v"}, "reserved"),
        ({"k": "v" * 257}, "tag value has 0-256"),
        ({"k": "v#"}, "tag value has 0-256"),
    ],
)
def test_bad_tags_are_refused(tags: dict[str, str], match: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match=match):
        rules.check_tags(tags)


@given(st.integers(-100, 20_000))
def test_idle_timeout_range(minutes: int) -> None:
    if 1 <= minutes <= 10_080:
        rules.check_idle_timeout(minutes)
    else:
        with pytest.raises(EmrServerlessValidationError, match=r"1-10,080 minutes"):
            rules.check_idle_timeout(minutes)


@given(st.integers(0, 10**6))
def test_whole_minutes(seconds: int) -> None:
    if seconds % 60:
        with pytest.raises(EmrServerlessValidationError, match="whole minutes"):
            rules.check_whole_minutes(seconds, argument="x")
    else:
        assert rules.check_whole_minutes(seconds, argument="x") == seconds // 60


@given(st.integers(-5, 1100), st.integers(-5, 800))
def test_scheduler_ranges(runs: int, queue: int) -> None:
    ok = 1 <= runs <= 1000 and 15 <= queue <= 720
    release = ReleaseLabel.EMR_7_0_0
    if ok:
        rules.check_scheduler(
            max_concurrent_runs=runs, queue_timeout_minutes=queue, release=release
        )
    else:
        with pytest.raises(EmrServerlessValidationError, match="applications-concurrency-queuing"):
            rules.check_scheduler(
                max_concurrent_runs=runs, queue_timeout_minutes=queue, release=release
            )


def test_scheduler_unset_needs_no_release() -> None:
    rules.check_scheduler(
        max_concurrent_runs=None, queue_timeout_minutes=None, release=ReleaseLabel.EMR_6_6_0
    )


@given(
    st.dictionaries(spark_worker_types, initial_workers, min_size=1),
    st.sampled_from(["vcpu", "memory_gb", "disk_gb"]),
)
def test_maximum_exactly_at_the_totals_passes_and_one_below_fails(
    initial: dict[WorkerType, InitialWorkers], limit: str
) -> None:
    totals = MaximumCapacity(
        vcpu=sum(w.vcpu for w in initial.values()),
        memory_gb=sum(w.memory_gb for w in initial.values()),
        disk_gb=sum(w.disk_gb for w in initial.values()),
    )
    rules.check_maximum_capacity(totals, initial)
    below = MaximumCapacity(**{**totals.__dict__, limit: getattr(totals, limit) - 1})
    with pytest.raises(
        EmrServerlessValidationError, match=r"must hold the initial capacity|positive"
    ) as error:
        rules.check_maximum_capacity(below, initial)
    assert error.value.argument == f"maximum_capacity.{limit}"


def test_maximum_capacity_renders_the_api_strings() -> None:
    assert MaximumCapacity(400, 1024).render() == {"cpu": "400vCPU", "memory": "1024GB"}
    assert MaximumCapacity(100, 800, 1000).render() == {
        "cpu": "100vCPU",
        "memory": "800GB",
        "disk": "1000GB",
    }


@given(st.integers(1, 16))
def test_worker_size_for_cores_is_the_smallest_that_holds_them(cores: int) -> None:
    vcpu = rules.worker_vcpu_for_cores(cores)
    assert vcpu >= cores
    assert vcpu in WORKER_MEMORY
    assert all(size < cores for size in WORKER_MEMORY if size < vcpu)


def test_smallest_worker_uses_engine_defaults_and_configuration() -> None:
    spark, hive = EngineType.SPARK, EngineType.HIVE
    assert rules.smallest_worker_vcpu(engine=spark, initial={}, runtime_configuration=[]) == 4
    assert rules.smallest_worker_vcpu(engine=hive, initial={}, runtime_configuration=[]) == 2
    three_cores = [spark_defaults({"spark.executor.cores": "3"})]
    assert (
        rules.smallest_worker_vcpu(engine=spark, initial={}, runtime_configuration=three_cores) == 4
    )
    one_core = [hive_site({"hive.tez.cpu.vcores": "1"})]
    assert rules.smallest_worker_vcpu(engine=hive, initial={}, runtime_configuration=one_core) == 1
    drivers = {WorkerType.SPARK_DRIVER: InitialWorkers(1, WorkerConfiguration(2, 4))}
    assert rules.smallest_worker_vcpu(engine=spark, initial=drivers, runtime_configuration=[]) == 2


account = st.from_regex(r"\d{12}", fullmatch=True)
region = st.sampled_from(
    ["eu-west-1", "us-east-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]
)
repository = st.from_regex(
    r"([a-z0-9]+([._-][a-z0-9]+)*/){0,2}[a-z0-9]+([._-][a-z0-9]+)*", fullmatch=True
)
reference = st.one_of(
    st.from_regex(r":[a-zA-Z0-9_][a-zA-Z0-9._-]{0,20}", fullmatch=True),
    st.from_regex(r"@sha256:[0-9a-f]{64}", fullmatch=True),
)


@given(account, region, repository, reference)
def test_private_ecr_uris_parse(account_id: str, region_name: str, repo: str, ref: str) -> None:
    uri = f"{account_id}.dkr.ecr.{region_name}.amazonaws.com/{repo}{ref}"
    parsed = rules.parse_image_uri(uri)
    assert (parsed.account, parsed.region, parsed.repository) == (account_id, region_name, repo)
    assert (parsed.tag or parsed.digest) == ref[1:]


def test_image_region_rule() -> None:
    rules.check_image_region("eu-west-1", "eu-west-1", argument="image")
    rules.check_image_region(None, "eu-west-1", argument="image")
    rules.check_image_region("eu-west-1", None, argument="image")
    with pytest.raises(EmrServerlessValidationError, match="Region"):
        rules.check_image_region("us-east-1", "eu-west-1", argument="image")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        (
            "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
            True,
        ),
        (
            "https://aps-workspaces.cn-north-1.amazonaws.com.cn/workspaces/ws-1/api/v1/remote_write",
            True,
        ),
        (
            "http://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write",
            False,
        ),
        ("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/query", False),
        ("https://example.com/workspaces/ws-1/api/v1/remote_write", False),
    ],
)
def test_prometheus_url(url: str, ok: bool) -> None:
    if ok:
        rules.check_prometheus_url(url)
    else:
        with pytest.raises(EmrServerlessValidationError, match="remote-write URL"):
            rules.check_prometheus_url(url)


@given(st.text(min_size=0, max_size=600))
def test_log_stream_prefix(prefix: str) -> None:
    if 1 <= len(prefix) <= 512 and ":" not in prefix and "*" not in prefix:
        rules.check_log_stream_prefix(prefix)
    else:
        with pytest.raises(EmrServerlessValidationError, match="log stream prefix"):
            rules.check_log_stream_prefix(prefix)


@given(st.text(min_size=0, max_size=600))
def test_log_group_name(name: str) -> None:
    if re.fullmatch(r"[.\-_/#A-Za-z0-9]{1,512}", name):
        rules.check_log_group_name(name)
    else:
        with pytest.raises(EmrServerlessValidationError, match="log group name"):
            rules.check_log_group_name(name)


@pytest.mark.parametrize(
    ("arn", "ok"),
    [
        ("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab", True),
        ("arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-1234", True),
        ("arn:aws:kms:eu-west-1:123456789012:alias/logs", False),
        ("1234abcd-12ab", False),
    ],
)
def test_kms_key_arn(arn: str, ok: bool) -> None:
    if ok:
        rules.check_kms_key_arn(arn, argument="key")
    else:
        with pytest.raises(EmrServerlessValidationError, match="not an alias"):
            rules.check_kms_key_arn(arn, argument="key")


@given(st.integers(-1, 20), st.integers(-1, 8))
def test_network_counts(subnets: int, groups: int) -> None:
    if 1 <= subnets <= 16 and 1 <= groups <= 5:
        rules.check_network_counts(subnets=subnets, security_groups=groups, argument="vpc_subnets")
    else:
        with pytest.raises(EmrServerlessValidationError, match=r"NetworkConfiguration"):
            rules.check_network_counts(
                subnets=subnets, security_groups=groups, argument="vpc_subnets"
            )


@pytest.mark.parametrize("source", ["0.0.0.0/0", "::/0"])
def test_ingress_from_anywhere_is_refused(source: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match=r"vpc-access\.html") as error:
        rules.check_ingress_sources(
            ["10.0.0.0/16", source], argument="security_groups", group="S/G"
        )
    assert source in error.value.value


def test_ingress_from_narrower_ranges_passes() -> None:
    rules.check_ingress_sources(
        ["10.0.0.0/8", "0.0.0.0/1", "::/1", "2001:db8::/32"], argument="x", group="g"
    )


def test_identity_center_arn() -> None:
    rules.IDENTITY_CENTER_INSTANCE_ARN.check("arn:aws:sso:::instance/ssoins-1234567890abcdef")
    rules.IDENTITY_CENTER_INSTANCE_ARN.check("arn:aws-us-gov:sso:::instance/ins-1234567890abcdef")
    with pytest.raises(EmrServerlessValidationError, match="instance ARN") as error:
        rules.IDENTITY_CENTER_INSTANCE_ARN.check("arn:aws:sso:::instance/ssoins-123")
    assert error.value.argument == "identity_center_instance_arn"


# --- interactive endpoints, Identity Center, Lake Formation (service-refused vs advised) ----

IMAGE_URI = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/spark"


@pytest.mark.parametrize(
    ("switch", "first"),
    [
        ("studio", "emr-6.14.0"),
        ("livy_endpoint", "emr-6.14.0"),
        ("interactive_sessions", "emr-7.13.0"),
    ],
)
def test_each_interactive_switch_has_its_own_release(switch: str, first: str) -> None:
    # Sources: guide L4168, L4255 (Studio, Livy); API_StartSession, spark-connect (sessions).
    release = ReleaseLabel.of(first)
    before = max(r for r in KNOWN_RELEASES if r < release)
    with pytest.raises(EmrServerlessValidationError, match=re.escape(f"needs {first}")) as error:
        rules.check_interactive({switch: True}, engine=EngineType.SPARK, release=before)
    assert error.value.argument == switch
    rules.check_interactive({switch: True}, engine=EngineType.SPARK, release=release)
    rules.check_interactive({switch: False}, engine=EngineType.SPARK, release=ReleaseLabel.MINIMUM)


def test_sessions_are_refused_on_the_previous_default() -> None:
    with pytest.raises(EmrServerlessValidationError, match="spark-connect"):
        rules.check_interactive(
            {"interactive_sessions": True}, engine=EngineType.SPARK, release=ReleaseLabel.EMR_7_12_0
        )


def test_identity_center_is_refused_on_hive() -> None:
    # Source: security-iam-service-trusted-prop-considerations-limitations ("only with
    # Apache Spark", through the Livy endpoint).
    with pytest.raises(EmrServerlessValidationError, match="only with Apache Spark") as error:
        rules.check_identity_center(engine=EngineType.HIVE, livy_endpoint=False)
    assert rules.IDENTITY_CENTER_PAGE in error.value.rule
    assert rules.check_identity_center(engine=EngineType.SPARK, livy_endpoint=True) is None


def test_identity_center_without_livy_is_a_warning() -> None:
    with collecting() as advice:
        warning = rules.check_identity_center(engine=EngineType.SPARK, livy_endpoint=False)
    assert warning is not None
    assert "Livy endpoint" in warning
    assert [a.id for a in advice] == ["identity-center-without-livy"]


def _lake_formation(release: ReleaseLabel, *, image: bool = False, drivers: int = 0) -> None:
    initial = (
        {WorkerType.SPARK_DRIVER: InitialWorkers(drivers, WorkerConfiguration(4, 16))}
        if drivers
        else {}
    )
    rules.check_lake_formation(
        engine=EngineType.SPARK,
        release=release,
        has_custom_image=image,
        initial=initial,
        public_subnets=False,
    )


def test_lake_formation_with_a_custom_image_from_7_14_0() -> None:
    # Source: emr-serverless-lf-enable-considerations ("Starting with Amazon EMR 7.14.0,
    # Lake Formation-enabled applications support custom images in user space only").
    with pytest.raises(EmrServerlessValidationError, match=r"needs emr-7\.14\.0") as error:
        _lake_formation(ReleaseLabel.EMR_7_13_0, image=True)
    assert "emr-serverless-lf-enable-considerations" in error.value.rule
    assert error.value.argument == "image"
    _lake_formation(ReleaseLabel.EMR_7_14_0, image=True)


@pytest.mark.parametrize(("drivers", "warned"), [(1, True), (2, False), (5, False)])
def test_one_pre_initialized_lake_formation_driver_is_a_warning(drivers: int, warned: bool) -> None:
    # The guide recommends two drivers (L8267): a recommendation, so never an error.
    with collecting() as advice:
        _lake_formation(ReleaseLabel.EMR_7_2_0, drivers=drivers)
    assert [a.id for a in advice] == (["lake-formation-drivers"] if warned else [])


def test_lake_formation_refuses_hive_and_public_subnets() -> None:
    # Sources: guide L8474 (Spark only), L1943 (public subnets do not support Lake Formation).
    with pytest.raises(EmrServerlessValidationError, match="lf-enable-considerations"):
        rules.check_lake_formation(
            engine=EngineType.HIVE,
            release=ReleaseLabel.EMR_7_2_0,
            has_custom_image=False,
            initial={},
            public_subnets=False,
        )
    with pytest.raises(EmrServerlessValidationError, match=r"vpc-access\.html"):
        rules.check_lake_formation(
            engine=EngineType.SPARK,
            release=ReleaseLabel.EMR_7_2_0,
            has_custom_image=False,
            initial={},
            public_subnets=True,
        )


def test_image_tags_up_to_300_characters() -> None:
    # Source: the CloudFormation schema's ImageUri pattern, [a-zA-Z0-9_][a-zA-Z0-9-._]{0,299}.
    assert rules.parse_image_uri(f"{IMAGE_URI}:{'t' * 300}").tag == "t" * 300
    with pytest.raises(EmrServerlessValidationError, match="ImageUri"):
        rules.parse_image_uri(f"{IMAGE_URI}:{'t' * 301}")
