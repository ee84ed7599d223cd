"""EmrServerlessApplication refuses each invalid argument and accepts its valid neighbour.

Refusals only construct (no synth); rules that settings added later can break are
checked at synth, where the message is still ours.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_image import ApplicationImage
from constructs_lib.application_rules import MaximumCapacity
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.metrics import WorkerTypeDimension
from constructs_lib.monitoring_configuration import (
    CloudWatchLogging,
    ManagedPersistence,
    MonitoringConfiguration,
    PrometheusRemoteWrite,
    S3Logs,
)
from constructs_lib.network import EmrServerlessNetwork
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_configuration import spark_defaults, spark_driver_log4j2
from constructs_lib.subnet_planning import Workload
from constructs_lib.workers import (
    Architecture,
    DiskType,
    EngineType,
    InitialWorkers,
    LogType,
    WorkerConfiguration,
    WorkerType,
)
from tests.application_examples import ACCOUNT, ENV, REGION
from tests.harness import new_app, synthesize

IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/spark:1"
WORKSPACE_URL = f"https://aps-workspaces.{REGION}.amazonaws.com/workspaces/ws-1/api/v1/remote_write"
IDENTITY_CENTER = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
LAKE_FORMATION = {"spark.emr-serverless.lakeformation.enabled": "true"}


class Builder:
    """Builds each application in a stack of its own in one shared app."""

    def __init__(self) -> None:
        self.app = new_app(compliance=False)
        self.count = 0

    def stack(self, env: cdk.Environment | None = ENV) -> cdk.Stack:
        self.count += 1
        return cdk.Stack(self.app, f"S{self.count}", env=env)

    def __call__(
        self, stack: cdk.Stack | None = None, **arguments: Any
    ) -> EmrServerlessApplication:
        return EmrServerlessApplication(stack or self.stack(), "App", **arguments)

    def refused(self, match: str, **arguments: Any) -> EmrServerlessValidationError:
        with pytest.raises(EmrServerlessValidationError, match=match) as error:
            self(**arguments)
        assert error.value.fix
        return error.value


def warnings(construct: Construct) -> list[str]:
    """The warnings recorded on ``construct`` (``Annotations.add_warning_v2``), as text."""
    return [str(m.data) for m in construct.node.metadata if m.type == "aws:cdk:warning"]


@pytest.fixture(scope="module")
def build() -> Builder:
    return Builder()


def workers(count: int, vcpu: int, memory_gb: int, **disk: Any) -> InitialWorkers:
    return InitialWorkers(count, WorkerConfiguration(vcpu, memory_gb, **disk))


# --- release, name, architecture -----------------------------------------------------------


@pytest.mark.parametrize("release", ["emr 7.9", "emr-6.5.0", "e" * 65])
def test_bad_release_labels(build: Builder, release: str) -> None:
    # Sources: CreateApplication releaseLabel (1-64 of [A-Za-z0-9._/-]); guide L9139.
    error = build.refused("release label is 1-64|emr-6.6.0 and later", release=release)
    assert error.argument == "release"


@pytest.mark.parametrize("release", ["emr-spark-8.0.0", "emr-spark-8.1.0", "emr-7.14.0"])
def test_current_releases_are_accepted_without_warning(build: Builder, release: str) -> None:
    app = build(release=release)
    assert app.release == ReleaseLabel.of(release)
    assert not any("emr-serverless:release" in w for w in warnings(app))


@pytest.mark.parametrize(
    ("release", "says"),
    [
        ("emr-7.15.0", "newer than the newest emr-7.x release"),
        ("emr-spark-8.0-preview", "preview release"),
        ("emr-7.9", "not a release label form"),
        ("custom/label", "not a release label form"),
    ],
)
def test_releases_this_library_cannot_vouch_for_are_accepted_with_a_warning(
    build: Builder, release: str, says: str
) -> None:
    app = build(release=release)
    assert app.release.label == release
    (warning,) = [w for w in warnings(app) if "emr-serverless:release]" in w]
    assert says in warning


def test_hive_is_refused_on_spark_4(build: Builder) -> None:
    # Source: the emr-spark-8.0.0 release (Release Guide) holds Spark, not Hive.
    error = build.refused("no Hive", engine=EngineType.HIVE, release="emr-spark-8.1.0")
    assert error.argument == "engine"
    build(engine=EngineType.HIVE, release="emr-7.14.0")


def test_regional_minimum_release(build: Builder) -> None:
    # Source: endpoints-quotas, Regional release support (mx-central-1: emr-7.10.0 and later).
    mexico = cdk.Environment(account=ACCOUNT, region="mx-central-1")
    with pytest.raises(
        EmrServerlessValidationError, match=r"emr-7\.10\.0 and later in mx-central-1"
    ):
        build(build.stack(mexico), release="emr-7.9.0")
    build(build.stack(mexico), release="emr-7.10.0")


def test_release_must_be_known_at_synth(build: Builder) -> None:
    stack = build.stack()
    token = cdk.CfnParameter(stack, "Release", default="emr-7.12.0").value_as_string
    with pytest.raises(EmrServerlessValidationError, match="must be known at synth"):
        build(stack, release=token)


@pytest.mark.parametrize("name", ["has space", "x" * 65, "", "name!"])
def test_bad_names(build: Builder, name: str) -> None:
    error = build.refused("a name has 1-64 characters", application_name=name or " ")
    assert error.argument == "application_name"


def test_name_with_every_allowed_character(build: Builder) -> None:
    assert build(application_name="a.b_c/d#e-" + "x" * 53).application_name.endswith("x")


def test_generated_name_is_valid_and_unique(build: Builder) -> None:
    first, second = build(), build()
    assert first.application_name != second.application_name
    assert len(first.application_name) <= 64


def test_arm64_follows_the_guides_graviton_example(build: Builder) -> None:
    # The example runs emr-6.8.0 with ARM64 (L2034); the 6.9.0 release note (L9310) is not
    # followed, so the guide's own example is accepted.
    build(release=ReleaseLabel.EMR_6_8_0, architecture=Architecture.ARM64)
    error = build.refused(
        r"ARM64.*needs emr-6\.8\.0", release="emr-6.7.0", architecture=Architecture.ARM64
    )
    assert error.argument == "architecture"


# --- capacity ------------------------------------------------------------------------------


def test_executor_key_on_hive_is_refused(build: Builder) -> None:
    # The guide's shuffle-optimized Hive example writes EXECUTOR for Tez tasks (L2601).
    error = build.refused(
        "HIVE applications have the worker types HIVE_DRIVER, TEZ_TASK",
        engine=EngineType.HIVE,
        initial_capacity={WorkerType.SPARK_EXECUTOR: workers(50, 4, 8)},
    )
    assert error.value == "SPARK_EXECUTOR"
    build(engine=EngineType.HIVE, initial_capacity={WorkerType.TEZ_TASK: workers(50, 4, 8)})


def test_worker_size_from_the_table(build: Builder) -> None:
    error = build.refused(
        "30 GB of memory", initial_capacity={WorkerType.SPARK_EXECUTOR: workers(1, 4, 31)}
    )
    assert error.argument == "initial_capacity[SPARK_EXECUTOR].configuration.memory_gb"
    build(initial_capacity={WorkerType.SPARK_EXECUTOR: workers(1, 4, 30)})


def test_worker_count_at_least_one(build: Builder) -> None:
    build.refused(
        "1-1,000,000 pre-initialized", initial_capacity={WorkerType.SPARK_DRIVER: workers(0, 2, 4)}
    )
    build(initial_capacity={WorkerType.SPARK_DRIVER: workers(1, 2, 4)})


SHUFFLE_EXAMPLE = {
    WorkerType.SPARK_DRIVER: workers(5, 2, 4, disk_gb=50, disk_type=DiskType.SHUFFLE_OPTIMIZED),
    WorkerType.SPARK_EXECUTOR: workers(50, 4, 8, disk_gb=500, disk_type=DiskType.SHUFFLE_OPTIMIZED),
}


def test_guides_shuffle_optimized_example_needs_7_1_0(build: Builder) -> None:
    maximum = MaximumCapacity(vcpu=400, memory_gb=1024)
    build(release="emr-7.1.0", initial_capacity=SHUFFLE_EXAMPLE, maximum_capacity=maximum)
    build.refused(
        r"shuffle-optimized disks needs emr-7\.1\.0",
        release="emr-7.0.0",
        initial_capacity=SHUFFLE_EXAMPLE,
        maximum_capacity=maximum,
    )


@pytest.mark.parametrize(
    ("limit", "smallest"),
    [
        ("vcpu", MaximumCapacity(210, 420)),
        ("memory_gb", MaximumCapacity(210, 420)),
        ("disk_gb", MaximumCapacity(210, 420, 1100)),
    ],
)
def test_maximum_capacity_holds_the_initial_capacity(
    build: Builder, limit: str, smallest: MaximumCapacity
) -> None:
    # The guide's example: 5 x 2 + 50 x 4 = 210 vCPU, 5 x 4 + 50 x 8 = 420 GB, 55 x 20 GB disk.
    initial = {
        WorkerType.SPARK_DRIVER: workers(5, 2, 4),
        WorkerType.SPARK_EXECUTOR: workers(50, 4, 8),
    }
    build(initial_capacity=initial, maximum_capacity=smallest)
    too_small = MaximumCapacity(
        **{**smallest.__dict__, limit: getattr(smallest, limit) - 1}  # one below the total
    )
    error = build.refused(
        "must hold the initial capacity", initial_capacity=initial, maximum_capacity=too_small
    )
    assert error.argument == f"maximum_capacity.{limit}"


def test_no_maximum_capacity_is_set_unless_given(build: Builder) -> None:
    # maximumCapacity is optional in the API and CloudFormation; without it the application
    # scales to the account's vCPU quota, so the library sets no ceiling of its own.
    app = build(initial_capacity={WorkerType.SPARK_EXECUTOR: workers(150, 4, 30)})
    assert app.maximum_capacity is None
    assert app.peak_workers is None
    given = build(maximum_capacity=MaximumCapacity(vcpu=400, memory_gb=3200))
    assert given.maximum_capacity == MaximumCapacity(vcpu=400, memory_gb=3200)
    assert given.peak_workers == 100


def test_maximum_capacity_is_positive(build: Builder) -> None:
    build.refused("positive whole number", maximum_capacity=MaximumCapacity(0, 8))
    build(maximum_capacity=MaximumCapacity(1, 1))


# --- auto-stop, scheduler, interactive, Identity Center --------------------------------------


@pytest.mark.parametrize(
    ("minutes", "ok"), [(0, False), (1, True), (10_080, True), (10_081, False)]
)
def test_idle_timeout_range(build: Builder, minutes: int, ok: bool) -> None:
    timeout = cdk.Duration.minutes(minutes)
    if ok:
        build(idle_timeout=timeout)
    else:
        assert build.refused("1-10,080 minutes", idle_timeout=timeout).argument == "idle_timeout"


def test_idle_timeout_in_whole_minutes(build: Builder) -> None:
    build.refused("whole minutes", idle_timeout=cdk.Duration.seconds(90))
    build(idle_timeout=cdk.Duration.seconds(120))


def test_token_durations_must_be_in_minutes(build: Builder) -> None:
    stack = build.stack()
    value = cdk.CfnParameter(stack, "Idle", type="Number", default=60).value_as_number
    with pytest.raises(EmrServerlessValidationError, match=r"Duration\.minutes"):
        build(stack, idle_timeout=cdk.Duration.seconds(value))
    build(stack=build.stack(), idle_timeout=cdk.Duration.minutes(30))


def test_idle_timeout_without_auto_stop_is_a_warning(build: Builder) -> None:
    # The API accepts an idle timeout with auto-stop off (AutoStopConfig); it is unused.
    app = build(auto_stop=False, idle_timeout=cdk.Duration.minutes(5))
    assert any("idle-timeout-without-auto-stop" in w for w in warnings(app))
    assert not any("idle-timeout" in w for w in warnings(build(auto_stop=False)))


@pytest.mark.parametrize(("runs", "ok"), [(0, False), (1, True), (1000, True), (1001, False)])
def test_max_concurrent_runs_range(build: Builder, runs: int, ok: bool) -> None:
    if ok:
        build(max_concurrent_runs=runs)
    else:
        build.refused("1-1,000 runs", max_concurrent_runs=runs)


@pytest.mark.parametrize(("minutes", "ok"), [(14, False), (15, True), (720, True), (721, False)])
def test_queue_timeout_range(build: Builder, minutes: int, ok: bool) -> None:
    if ok:
        build(queue_timeout=cdk.Duration.minutes(minutes))
    else:
        build.refused("15-720 minutes", queue_timeout=cdk.Duration.minutes(minutes))


def test_scheduler_needs_7_0_0(build: Builder) -> None:
    build.refused(r"needs emr-7\.0\.0", release="emr-6.15.0", max_concurrent_runs=10)
    build.refused(r"needs emr-7\.0\.0", release="emr-6.15.0", queue_timeout=cdk.Duration.hours(1))
    build(release="emr-7.0.0", max_concurrent_runs=10, queue_timeout=cdk.Duration.hours(1))


@pytest.mark.parametrize(
    ("switch", "before", "first"),
    [
        ("studio", "emr-6.13.0", "emr-6.14.0"),
        ("livy_endpoint", "emr-6.13.0", "emr-6.14.0"),
        ("interactive_sessions", "emr-7.12.0", "emr-7.13.0"),
    ],
)
def test_interactive_needs_spark_on_its_release(
    build: Builder, switch: str, before: str, first: str
) -> None:
    # Sources: guide L4168, L4236, L4255; API_StartSession ("emr-7.13.0 and later").
    build.refused("Spark only", engine=EngineType.HIVE, **{switch: True})
    build.refused(re.escape(f"needs {first}"), release=before, **{switch: True})
    build(release=first, **{switch: True})


def test_identity_center(build: Builder) -> None:
    build.refused(
        r"needs emr-7\.8\.0", release="emr-7.7.0", identity_center_instance_arn=IDENTITY_CENTER
    )
    build.refused(
        "instance ARN has the form", identity_center_instance_arn="arn:aws:sso:::instance/x"
    )
    app = build(release="emr-7.8.0", identity_center_instance_arn=IDENTITY_CENTER)
    assert any("identity-center-without-livy" in w for w in warnings(app))
    with_livy = build(identity_center_instance_arn=IDENTITY_CENTER, livy_endpoint=True)
    assert not any("identity-center" in w for w in warnings(with_livy))


def test_identity_center_is_refused_on_hive(build: Builder) -> None:
    # Source: security-iam-service-trusted-prop-considerations-limitations (Spark only).
    error = build.refused(
        "only with Apache Spark",
        engine=EngineType.HIVE,
        identity_center_instance_arn=IDENTITY_CENTER,
    )
    assert error.argument == "identity_center_instance_arn"


# --- runtime configuration -----------------------------------------------------------------


def test_log4j2_needs_6_8_0(build: Builder) -> None:
    configuration = [spark_driver_log4j2({"rootLogger.level": "warn"})]
    build.refused(r"needs emr-6\.8\.0", release="emr-6.7.0", runtime_configuration=configuration)
    build(release="emr-6.8.0", runtime_configuration=configuration)


def test_spark_memory_that_misses_the_pre_initialized_workers_is_a_warning(
    build: Builder,
) -> None:
    # The service accepts it; such jobs run on on-demand workers (guide L1409): a warning.
    initial = {WorkerType.SPARK_EXECUTOR: workers(2, 4, 8)}
    app = build(
        initial_capacity=initial,
        runtime_configuration=[spark_defaults({"spark.executor.memory": "8g"})],
    )
    (warning,) = [w for w in warnings(app) if "spark-executor-fit" in w]
    assert "must fit the worker's memory" in warning
    assert "at most 7447m" in warning
    fits = build(
        initial_capacity=initial,
        runtime_configuration=[spark_defaults({"spark.executor.memory": "7g"})],
    )
    assert not any("spark-executor-fit" in w for w in warnings(fits))


def test_spark_cores_that_miss_the_pre_initialized_workers_are_a_warning(build: Builder) -> None:
    initial = {WorkerType.SPARK_DRIVER: workers(1, 2, 8)}
    app = build(
        initial_capacity=initial,
        runtime_configuration=[spark_defaults({"spark.driver.cores": "4"})],
    )
    assert any("at most the vCPU of its worker" in w for w in warnings(app))
    fits = build(
        initial_capacity=initial,
        runtime_configuration=[spark_defaults({"spark.driver.cores": "2"})],
    )
    assert not any("spark-driver-fit" in w for w in warnings(fits))


def test_unset_spark_memory_uses_on_demand_workers(build: Builder) -> None:
    # Spark's defaults (14G + overhead) do not fit the guide's 4 GB drivers; jobs that keep
    # them start on-demand workers, which the service allows.
    build(initial_capacity={WorkerType.SPARK_DRIVER: workers(5, 2, 4)})


# --- images --------------------------------------------------------------------------------


def test_custom_images_need_6_9_0(build: Builder) -> None:
    error = build.refused(
        r"custom images needs emr-6\.9\.0",
        release="emr-6.8.0",
        image=ApplicationImage.from_uri(IMAGE),
    )
    assert error.argument == "image"
    build(release="emr-6.9.0", image=ApplicationImage.from_uri(IMAGE))


def test_worker_images_name_worker_types_of_the_engine(build: Builder) -> None:
    # A worker type of the other engine is refused; one left out runs the application
    # image or the EMR image, which the API accepts (a warning).
    image = ApplicationImage.from_uri(IMAGE)
    build.refused(
        "HIVE applications have the worker types",
        engine=EngineType.HIVE,
        worker_images={WorkerType.HIVE_DRIVER: image, WorkerType.SPARK_EXECUTOR: image},
    )
    partial = build(engine=EngineType.HIVE, worker_images={WorkerType.HIVE_DRIVER: image})
    assert any("emr-serverless:worker-images" in w and "TEZ_TASK" in w for w in warnings(partial))
    every = build(
        engine=EngineType.HIVE,
        worker_images={WorkerType.HIVE_DRIVER: image, WorkerType.TEZ_TASK: image},
    )
    assert not any("worker-images" in w for w in warnings(every))


def test_image_and_worker_images_together(build: Builder) -> None:
    # The API takes imageConfiguration and workerTypeSpecifications together.
    image = ApplicationImage.from_uri(IMAGE)
    app = build(image=image, worker_images={WorkerType.SPARK_DRIVER: image})
    assert any("run the application image" in w for w in warnings(app))
    every = {WorkerType.SPARK_DRIVER: image, WorkerType.SPARK_EXECUTOR: image}
    assert not any("worker-images" in w for w in warnings(build(image=image, worker_images=every)))


def test_image_in_another_region_is_refused(build: Builder) -> None:
    elsewhere = ApplicationImage.from_uri(IMAGE.replace(REGION, "us-east-1"))
    error = build.refused(r"application's Region \(eu-west-1\)", image=elsewhere)
    assert error.value == "us-east-1"
    build(stack=build.stack(env=None), image=elsewhere)  # Region unknown: not checked


@pytest.mark.parametrize(
    ("uri", "match"),
    [
        (
            "public.ecr.aws/emr-serverless/spark/emr-7.12.0:latest",
            "base images are for the FROM line",
        ),
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/spark", "followed by :<tag>"),
        (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/spark@sha256:abc", "followed by :<tag>"),
        (f"1234.dkr.ecr.{REGION}.amazonaws.com/spark:1", "<account>.dkr.ecr"),
        ("docker.io/library/spark:3", "<account>.dkr.ecr"),
    ],
)
def test_image_uris_are_private_ecr(uri: str, match: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match=match):
        ApplicationImage.from_uri(uri)


@pytest.mark.parametrize(
    "uri",
    [
        IMAGE,
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/spark-jobs@sha256:{'0' * 64}",
        f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn/spark:v1.2_3",
    ],
)
def test_private_ecr_uris_are_accepted(uri: str) -> None:
    assert ApplicationImage.from_uri(uri).region == uri.split(".")[3]


def test_repository_image_by_tag_or_digest(build: Builder) -> None:
    stack = build.stack()
    repository = ecr.Repository.from_repository_name(stack, "Repo", "spark")
    with pytest.raises(EmrServerlessValidationError, match="not both"):
        ApplicationImage.from_ecr_repository(repository, tag="1", digest="sha256:" + "0" * 64)
    with pytest.raises(EmrServerlessValidationError, match="sha256:<64 hex digits>"):
        ApplicationImage.from_ecr_repository(repository, digest="sha256:xyz")
    with pytest.raises(EmrServerlessValidationError, match="image tag"):
        ApplicationImage.from_ecr_repository(repository, tag="-bad")
    latest = ApplicationImage.from_ecr_repository(repository)
    assert stack.resolve(latest.image_uri)["Fn::Join"][1][-1] == "/spark:latest"


# --- monitoring ----------------------------------------------------------------------------


def test_prometheus_needs_7_1_0_and_the_amp_url(build: Builder) -> None:
    monitoring = MonitoringConfiguration(prometheus=PrometheusRemoteWrite(WORKSPACE_URL))
    build.refused(
        r"Prometheus remote write needs emr-7\.1\.0", release="emr-7.0.0", monitoring=monitoring
    )
    build(release="emr-7.1.0", monitoring=monitoring)
    bad = MonitoringConfiguration(
        prometheus=PrometheusRemoteWrite(WORKSPACE_URL.replace("/api/v1", ""))
    )
    build.refused("remote-write URL has the form", monitoring=bad)


@pytest.mark.parametrize(
    ("engine", "log_types", "match"),
    [
        (EngineType.SPARK, {WorkerType.SPARK_DRIVER: [LogType.HIVE_LOG]}, "SPARK_DRIVER sends"),
        (
            EngineType.SPARK,
            {WorkerType.TEZ_TASK: [LogType.STDOUT]},
            "SPARK applications have the worker types",
        ),
        (EngineType.HIVE, {WorkerType.TEZ_TASK: [LogType.TEZ_AM]}, "TEZ_TASK sends"),
        (EngineType.HIVE, {WorkerType.HIVE_DRIVER: []}, "HIVE_DRIVER sends"),
        (EngineType.SPARK, {WorkerType.SPARK_DRIVER: [LogType.STDOUT, LogType.STDOUT]}, "distinct"),
        (EngineType.SPARK, {}, "names 1 or more worker types"),
    ],
)
def test_log_types_per_worker_type(
    build: Builder, engine: EngineType, log_types: dict[WorkerType, list[LogType]], match: str
) -> None:
    monitoring = MonitoringConfiguration(cloudwatch_logging=CloudWatchLogging(log_types=log_types))
    build.refused(match, engine=engine, monitoring=monitoring)


@pytest.mark.parametrize(
    ("engine", "log_types"),
    [
        (EngineType.HIVE, {WorkerType.HIVE_DRIVER: list(WorkerType.HIVE_DRIVER.log_types)}),
        (EngineType.HIVE, {WorkerType.TEZ_TASK: [LogType.SYSTEM_LOGS]}),
        (EngineType.SPARK, {WorkerType.SPARK_EXECUTOR: [LogType.STDOUT]}),
    ],
)
def test_valid_log_types_are_accepted(
    build: Builder, engine: EngineType, log_types: dict[WorkerType, list[LogType]]
) -> None:
    build(
        engine=engine,
        monitoring=MonitoringConfiguration(
            cloudwatch_logging=CloudWatchLogging(log_types=log_types)
        ),
    )


def test_cloudwatch_names(build: Builder) -> None:
    stack = build.stack()
    bad_group = logs.LogGroup.from_log_group_name(stack, "Bad", "my logs")
    good_group = logs.LogGroup.from_log_group_name(stack, "Good", "/aws/emr-serverless/my-app")
    build.refused(
        "log group name",
        monitoring=MonitoringConfiguration(
            cloudwatch_logging=CloudWatchLogging(log_group=bad_group)
        ),
    )
    build.refused(
        "no ':' or '\\*'",
        monitoring=MonitoringConfiguration(
            cloudwatch_logging=CloudWatchLogging(log_stream_prefix="a:b")
        ),
    )
    build(
        stack,
        monitoring=MonitoringConfiguration(
            cloudwatch_logging=CloudWatchLogging(log_group=good_group, log_stream_prefix="app/jobs")
        ),
    )


def test_log_keys_are_keys_not_aliases(build: Builder) -> None:
    stack = build.stack()
    alias = kms.Alias.from_alias_name(stack, "Alias", "alias/logs")
    by_alias_arn = kms.Key.from_key_arn(
        stack, "AliasArn", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/logs"
    )
    key = kms.Key.from_key_arn(
        stack, "Key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    for wrong in (alias, by_alias_arn):
        build.refused(
            "not an alias",
            monitoring=MonitoringConfiguration(
                managed_persistence=ManagedPersistence(encryption_key=wrong)
            ),
        )
    build(
        stack,
        monitoring=MonitoringConfiguration(
            managed_persistence=ManagedPersistence(encryption_key=key)
        ),
    )


def test_managed_persistence_key_needs_it_on(build: Builder) -> None:
    stack = build.stack()
    key = kms.Key.from_key_arn(stack, "Key", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd")
    off = ManagedPersistence(enabled=False, encryption_key=key)
    # The API accepts a key with managed persistence off; it is unused, so a warning.
    app = build(stack, monitoring=MonitoringConfiguration(managed_persistence=off))
    assert any("managed-persistence-key" in w for w in warnings(app))
    plain = build(
        monitoring=MonitoringConfiguration(managed_persistence=ManagedPersistence(enabled=False)),
    )
    assert not any("managed-persistence-key" in w for w in warnings(plain))


def test_s3_logs_bucket_and_prefix(build: Builder) -> None:
    stack = build.stack()
    here = s3.Bucket.from_bucket_name(stack, "Here", "logs-here")
    elsewhere = s3.Bucket.from_bucket_attributes(
        stack, "There", bucket_name="logs-there", region="us-east-1"
    )
    # S3 accepts a key with an empty path segment, so a leading '/' is a warning.
    slashed = build(monitoring=MonitoringConfiguration(s3_logs=S3Logs(here, prefix="/logs")))
    assert any("s3-log-prefix" in w for w in warnings(slashed))
    build.refused(
        r"application's Region \(eu-west-1\)",
        monitoring=MonitoringConfiguration(s3_logs=S3Logs(elsewhere)),
    )
    app = build(stack, monitoring=MonitoringConfiguration(s3_logs=S3Logs(here, prefix="logs")))
    assert not any("s3-log-prefix" in w for w in warnings(app))
    assert app.monitoring is not None
    assert app.monitoring.s3_logs is not None
    assert app.monitoring.s3_logs.log_uri == "s3://logs-here/logs/"


# --- network -------------------------------------------------------------------------------


def imported_vpc(
    stack: cdk.Stack, cidrs: list[str], *, public: list[str] | None = None
) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=[f"{REGION}{'abcdefghijklmnopq'[i]}" for i in range(len(cidrs))],
        private_subnet_ids=[f"subnet-{i:04d}" for i in range(len(cidrs))],
        private_subnet_ipv4_cidr_blocks=cidrs,
        public_subnet_ids=public,
        public_subnet_ipv4_cidr_blocks=["10.1.0.0/24"] * len(public) if public else None,
    )


def test_subnets_and_groups_need_a_vpc(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc)
    build.refused("belong to a VPC", security_groups=[group])
    build.refused(
        "belong to a VPC",
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
    )
    build(stack, vpc=vpc, security_groups=[group])


def test_at_least_one_and_at_most_five_security_groups(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])
    groups = [ec2.SecurityGroup(stack, f"G{i}", vpc=vpc) for i in range(6)]
    build.refused("1-5 security groups", vpc=vpc, security_groups=[])
    build.refused("1-5 security groups", vpc=vpc, security_groups=groups)
    build(stack, vpc=vpc, security_groups=groups[:5])


def test_at_most_sixteen_subnets(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, [f"10.0.{4 * i}.0/22" for i in range(17)])
    build.refused("1-16 subnets", vpc=vpc)
    subnets = ec2.SubnetSelection(subnets=vpc.private_subnets[:16])
    assert len(build(stack, vpc=vpc, vpc_subnets=subnets).security_groups) == 1


@pytest.mark.parametrize("peer", [ec2.Peer.any_ipv4(), ec2.Peer.any_ipv6()], ids=["ipv4", "ipv6"])
def test_ingress_from_the_internet_is_refused(build: Builder, peer: ec2.IPeer) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])
    group = ec2.SecurityGroup(stack, "Open", vpc=vpc)
    group.add_ingress_rule(peer, ec2.Port.tcp(22))
    error = build.refused("0.0.0.0/0 or ::/0", vpc=vpc, security_groups=[group])
    assert error.argument == "security_groups"


def test_ingress_from_the_vpc_and_egress_to_anywhere_are_accepted(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc, allow_all_outbound=True)
    group.add_ingress_rule(ec2.Peer.ipv4("10.0.0.0/16"), ec2.Port.tcp(443))
    build(stack, vpc=vpc, security_groups=[group])


def test_ingress_rule_on_an_imported_group_is_refused(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])
    group = ec2.SecurityGroup.from_security_group_id(
        stack, "Imported", "sg-0123456789", mutable=True
    )
    group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    build.refused("0.0.0.0/0", vpc=vpc, security_groups=[group])


@pytest.fixture(scope="module")
def late_problems() -> str:
    """One synthesis with both kinds of late change: the error lists every problem."""
    builder = Builder()
    stack = builder.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])
    app = builder(stack, vpc=vpc)
    app.connections.allow_from_any_ipv4(ec2.Port.tcp(8080))
    # A rule of its own (AWS::EC2::SecurityGroupIngress) on a group the app was given.
    later = builder.stack()
    imported = ec2.SecurityGroup.from_security_group_id(
        later, "ImportedLater", "sg-0abcdef0123456789", mutable=True
    )
    builder(later, vpc=imported_vpc(later, ["10.0.0.0/22"]), security_groups=[imported])
    imported.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    tagged = builder.stack()
    builder(tagged)
    cdk.Tags.of(tagged).add("owner", "x" * 257)
    with pytest.raises(RuntimeError) as failure:
        synthesize(builder.app, require_clean=False)
    return str(failure.value)


def test_ingress_added_after_construction_fails_synth_with_our_message(late_problems: str) -> None:
    assert re.search(
        r"security_groups=.*allows inbound traffic from 0\.0\.0\.0/0.*Fix: remove", late_problems
    )


def test_a_separate_ingress_rule_added_after_construction_fails_synth(late_problems: str) -> None:
    assert re.search(r"ImportedLater allows inbound traffic from 0\.0\.0\.0/0", late_problems)


def test_tags_added_by_aspects_are_checked_at_synth(late_problems: str) -> None:
    assert re.search(r"tags\['owner'\]=.*0-256 characters", late_problems)


def test_subnets_too_small_for_the_peak_are_a_warning(build: Builder) -> None:
    # The service accepts small subnets; the guide asks for enough IP addresses (L1940).
    small = imported_vpc(build.stack(), ["10.0.0.0/24", "10.0.1.0/24"])  # 251 usable each
    maximum = MaximumCapacity(vcpu=4000, memory_gb=16000)  # 1,000 workers of 4 vCPU
    app = build(cdk.Stack.of(small), vpc=small, maximum_capacity=maximum)
    (warning,) = [w for w in warnings(app) if "emr-serverless:subnet-capacity]" in w]
    assert "1000 workers" in warning
    # Every subnet too small is named in the one warning, not only the first.
    assert "(10.0.0.0/24" in warning
    assert "(10.0.1.0/24" in warning
    large = imported_vpc(build.stack(), ["10.0.0.0/22", "10.0.4.0/22"])  # 1,019 usable each
    fits = build(cdk.Stack.of(large), vpc=large, maximum_capacity=maximum)
    assert fits.peak_workers == 1000
    assert not any("subnet-capacity" in w for w in warnings(fits))


def test_subnets_without_a_maximum_capacity_are_unchecked_with_a_warning(build: Builder) -> None:
    vpc = imported_vpc(build.stack(), ["10.0.0.0/22", "10.0.4.0/22"])
    app = build(cdk.Stack.of(vpc), vpc=vpc)
    assert any("subnet-capacity-unchecked" in w for w in warnings(app))


def test_selection_without_matching_subnets_is_our_error(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])
    error = build.refused(
        "must match subnets of the VPC",
        vpc=vpc,
        vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
    )
    assert error.argument == "vpc_subnets"


def test_network_or_vpc(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"])

    network = EmrServerlessNetwork(
        stack, "Network", workloads=[Workload(max_vcpu=16, worker_vcpu=4)], vpc=vpc
    )
    build.refused("either as network", network=network, vpc=vpc)
    app = build(stack, network=network)
    assert app.security_groups == (network.security_group,)


# --- Lake Formation ------------------------------------------------------------------------


def test_lake_formation_needs_7_2_0(build: Builder) -> None:
    configuration = [spark_defaults(LAKE_FORMATION)]
    build.refused(r"needs emr-7\.2\.0", release="emr-7.1.0", runtime_configuration=configuration)
    build(release="emr-7.2.0", runtime_configuration=configuration)


def test_lake_formation_with_custom_images_from_7_14_0(build: Builder) -> None:
    # Source: emr-serverless-lf-enable-considerations (custom images in user space from
    # emr-7.14.0; not supported before).
    configuration = [spark_defaults(LAKE_FORMATION)]
    error = build.refused(
        r"needs emr-7\.14\.0",
        release="emr-7.13.0",
        runtime_configuration=configuration,
        image=ApplicationImage.from_uri(IMAGE),
    )
    assert "emr-serverless-lf-enable-considerations" in error.rule
    build(
        release="emr-7.14.0",
        runtime_configuration=configuration,
        image=ApplicationImage.from_uri(IMAGE),
    )


def test_one_pre_initialized_lake_formation_driver_is_a_warning(build: Builder) -> None:
    # The guide recommends at least two drivers (L8267); the service accepts one.
    configuration = [spark_defaults(LAKE_FORMATION)]
    one = build(
        runtime_configuration=configuration,
        initial_capacity={WorkerType.SPARK_DRIVER: workers(1, 4, 16)},
    )
    assert any("lake-formation-drivers" in w for w in warnings(one))
    two = build(
        runtime_configuration=configuration,
        initial_capacity={WorkerType.SPARK_DRIVER: workers(2, 4, 16)},
    )
    assert not any("lake-formation-drivers" in w for w in warnings(two))


def test_lake_formation_refuses_public_subnets(build: Builder) -> None:
    stack = build.stack()
    vpc = imported_vpc(stack, ["10.0.0.0/22"], public=["subnet-public"])
    configuration = [spark_defaults(LAKE_FORMATION)]
    public = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC)
    build.refused(
        "does not support public subnets",
        vpc=vpc,
        vpc_subnets=public,
        runtime_configuration=configuration,
    )
    build(stack, vpc=vpc, runtime_configuration=configuration)


# --- tags, metrics, importers ----------------------------------------------------------------


def test_tags(build: Builder) -> None:
    build.refused("at most 50 user tags", tags={f"k{i}": "v" for i in range(51)})
    build.refused("reserved for AWS", tags={"AWS:team": "x"})
    build.refused("tag key has 1-128", tags={"k" * 129: "x"})
    build(tags={f"k{i}": "v" for i in range(50)})


def test_tags_with_tokens_are_counted_not_checked(build: Builder) -> None:
    stack = build.stack()
    owner = cdk.CfnParameter(stack, "Owner", default="data").value_as_string
    build.refused(
        "at most 50 user tags", tags={**{f"k{i}": "v" for i in range(50)}, "owner": owner}
    )
    app = build(stack, tags={"owner": owner})
    (warning,) = [m for m in app.node.metadata if "unchecked:tags" in str(m.data)]
    assert "guide L" not in str(warning.data)
    assert "/EMR-Serverless-UserGuide/" in str(warning.data)


def test_metric_names_are_checked(build: Builder) -> None:
    app = build()
    with pytest.raises(EmrServerlessValidationError, match="capacity and job-state metrics"):
        app.metric("StorageAlllocated")
    with pytest.raises(EmrServerlessValidationError, match="per job run"):
        app.metric("WorkerCpuUsed")
    with pytest.raises(EmrServerlessValidationError, match="MaxCPUAllowed is published per"):
        app.metric_max_cpu_allowed(worker_type=WorkerTypeDimension.SPARK_DRIVER)
    assert app.metric_max_cpu_allowed().metric_name == "MaxCPUAllowed"


def test_importers(build: Builder) -> None:
    stack = build.stack()
    with pytest.raises(EmrServerlessValidationError, match="by its id or its ARN"):
        EmrServerlessApplication.from_application_attributes(stack, "None")
    arn = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/00abc"
    by_arn = EmrServerlessApplication.from_application_attributes(
        stack, "ByArn", application_arn=arn
    )
    assert by_arn.application_id == "00abc"
    token_arn = cdk.CfnParameter(stack, "Arn", default=arn).value_as_string
    by_token = EmrServerlessApplication.from_application_attributes(
        stack, "ByToken", application_arn=token_arn
    )
    assert stack.resolve(by_token.application_id) == {
        "Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "Arn"}]}]
    }
    named = EmrServerlessApplication.from_application_attributes(
        stack, "Named", application_arn=arn, application_name="etl", release=ReleaseLabel.EMR_7_12_0
    )
    assert stack.resolve(named.metric_running_jobs().dimensions) == {
        "ApplicationId": "00abc",
        "ApplicationName": "etl",
    }
