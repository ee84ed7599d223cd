"""The rules an EMR Serverless application must meet, checked before CloudFormation runs.

Each ``check_*`` raises :class:`~constructs_lib.errors.EmrServerlessValidationError`
naming the argument, the value, the rule (with the release or limit behind it) and the
fix, for what the service refuses only; what the guide only recommends is given as a
warning through :func:`constructs_lib._advice.advise`, which the construct records.
:class:`EmrServerlessApplication` translates its arguments and calls these.

Limits cite the CreateApplication API model (botocore's ``emr-serverless``), the
CloudFormation schema, or the *Amazon EMR Serverless User Guide* (``L<line>``).

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from constructs_lib._advice import advise
from constructs_lib._arguments import checked_fields
from constructs_lib._checks import PatternRule, check_at_most, check_range, fullmatch
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.image_references import IMAGE_DIGEST, IMAGE_TAG
from constructs_lib.releases import Feature, ReleaseLabel, require
from constructs_lib.runtime_configuration import (
    HIVE_SITE,
    LAKE_FORMATION,
    SPARK_DEFAULTS,
    Classification,
    top_level_properties,
)
from constructs_lib.sources import cite, user_guide
from constructs_lib.workers import (
    MAX_WORKER_COUNT,
    WORKER_MEMORY,
    EngineType,
    InitialWorkers,
    LogType,
    WorkerType,
    check_spark_fits,
    check_worker_configuration,
    spark_container,
)

# --- name and tags ------------------------------------------------------------------------

MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
_TAG_TEXT = re.compile(r"[A-Za-z0-9 /_.:=+@-]*")
#: The API's TagKey and TagValue shapes (the strictest of the services tags reach: ASCII).
TAG_RULES = "https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_TagResource.html"


@dataclass(frozen=True)
class TagProblem:
    """The rule one tag breaks: in its ``"key"`` or its ``"value"``, with the fix."""

    part: str
    rule: str
    fix: str


def tag_problem(key: str, value: str) -> TagProblem | None:
    """The first EMR Serverless tag rule ``key: value`` breaks (the key's first), or ``None``.

    Keys 1-128 and values 0-256 characters of letters, digits, spaces and ``_ . : / = + -
    @``; no key starting with ``aws:`` (any case). The one place these rules are written:
    :func:`check_tags`, the platform file and the jobs command use it. Rules cite pages.
    """
    if not 1 <= len(key) <= MAX_TAG_KEY or not _TAG_TEXT.fullmatch(key):
        return TagProblem(
            part="key",
            rule=cite(
                f"a tag key has 1-{MAX_TAG_KEY} characters of letters, digits, spaces and "
                f"_ . : / = + - @ (guide L5759-5762; TagKey, {TAG_RULES})"
            ),
            fix="shorten the key and drop other characters",
        )
    if key.lower().startswith("aws:"):
        return TagProblem(
            part="key",
            rule=cite("tag keys starting with 'aws:' are reserved for AWS (guide L5765)"),
            fix="use a key without the 'aws:' prefix",
        )
    if len(value) > MAX_TAG_VALUE or not _TAG_TEXT.fullmatch(value):
        return TagProblem(
            part="value",
            rule=cite(
                f"a tag value has 0-{MAX_TAG_VALUE} characters of letters, digits, spaces "
                f"and _ . : / = + - @ (guide L5760-5762; TagValue, {TAG_RULES})"
            ),
            fix="shorten the value and drop other characters",
        )
    return None


#: 1-64 characters of ``[A-Za-z0-9._/#-]`` (CreateApplication ApplicationName).
APPLICATION_NAME = PatternRule(
    re.compile(r"[A-Za-z0-9._/#-]{1,64}"),
    argument="application_name",
    rule="a name has 1-64 characters of A-Z, a-z, 0-9, '.', '_', '/', '#' and '-' "
    "(CreateApplication ApplicationName)",
    fix="shorten the name and replace other characters, e.g. spaces, with '-'",
)
check_application_name = APPLICATION_NAME.check


def check_tags(tags: Mapping[str, str], *, argument: str = "tags", tokens: int = 0) -> None:
    """At most 50 tags; keys 1-128 and values 0-256 characters; no ``aws:`` prefix.

    :param tokens: further tags whose key or value is a token (counted, not checked).
    """
    check_at_most(
        range(len(tags) + tokens),
        MAX_TAGS,
        argument=argument,
        rule=f"a resource has at most {MAX_TAGS} user tags (guide L5757)",
        fix="remove tags, or combine values into fewer tags",
    )
    for key, value in tags.items():
        problem = tag_problem(key, value)
        if problem is not None:
            in_key = problem.part == "key"
            raise EmrServerlessValidationError(
                argument=argument if in_key else f"{argument}[{key!r}]",
                value=key if in_key else value,
                rule=problem.rule,
                fix=problem.fix,
            )


# --- auto-stop, scheduler, interactive, Identity Center --------------------------------------

MIN_IDLE_TIMEOUT_MINUTES = 1
MAX_IDLE_TIMEOUT_MINUTES = 10_080
DEFAULT_IDLE_TIMEOUT_MINUTES = 15
MAX_CONCURRENT_RUNS = 1000
MIN_QUEUE_TIMEOUT_MINUTES = 15
MAX_QUEUE_TIMEOUT_MINUTES = 720


def check_whole_minutes(seconds: float, *, argument: str) -> int:
    """``seconds`` as whole minutes; refuse a fraction of a minute."""
    minutes, remainder = divmod(seconds, 60)
    if remainder:
        raise EmrServerlessValidationError(
            argument=argument,
            value=f"{seconds} seconds",
            rule="the API takes whole minutes (CreateApplication AutoStopConfig "
            "idleTimeoutMinutes, SchedulerConfiguration queueTimeoutMinutes)",
            fix=f"use Duration.minutes({int(minutes) or 1})",
        )
    return int(minutes)


def check_idle_timeout(minutes: int) -> None:
    """1-10,080 minutes (CreateApplication AutoStopConfig)."""
    check_range(
        minutes,
        MIN_IDLE_TIMEOUT_MINUTES,
        MAX_IDLE_TIMEOUT_MINUTES,
        argument="idle_timeout",
        unit="minutes",
        source="CreateApplication AutoStopConfig idleTimeoutMinutes",
    )


def check_scheduler(
    *,
    max_concurrent_runs: int | None,
    queue_timeout_minutes: int | None,
    release: ReleaseLabel,
) -> None:
    """Scheduler settings need emr-7.0.0; runs 1-1,000, queue timeout 15-720 minutes."""
    if max_concurrent_runs is not None:
        require(
            release, Feature.SCHEDULER, argument="max_concurrent_runs", value=max_concurrent_runs
        )
        check_range(
            max_concurrent_runs,
            1,
            MAX_CONCURRENT_RUNS,
            argument="max_concurrent_runs",
            unit="runs",
            source="guide L2153",
        )
    if queue_timeout_minutes is not None:
        require(release, Feature.SCHEDULER, argument="queue_timeout", value=queue_timeout_minutes)
        check_range(
            queue_timeout_minutes,
            MIN_QUEUE_TIMEOUT_MINUTES,
            MAX_QUEUE_TIMEOUT_MINUTES,
            argument="queue_timeout",
            unit="minutes",
            source="guide L2153",
        )


#: The release feature each interactive switch needs: Studio and Livy emr-6.14.0 (guide
#: L4168, L4255), sessions (the session APIs, Spark Connect) emr-7.13.0.
INTERACTIVE_FEATURES: Mapping[str, Feature] = {
    "studio": Feature.INTERACTIVE,
    "livy_endpoint": Feature.INTERACTIVE,
    "interactive_sessions": Feature.SESSIONS,
}


def check_interactive(
    enabled: Mapping[str, bool], *, engine: EngineType, release: ReleaseLabel
) -> None:
    """Studio and Livy need Spark on emr-6.14.0+, sessions Spark on emr-7.13.0+."""
    for argument, on in enabled.items():
        if not on:
            continue
        if engine is not EngineType.SPARK:
            raise EmrServerlessValidationError(
                argument=argument,
                value=True,
                rule="interactive applications (Studio, Livy, sessions) run Spark only "
                "(guide L4168, L4236, L4255)",
                fix="create a SPARK application for interactive use",
            )
        require(release, INTERACTIVE_FEATURES[argument], argument=argument, value=True)


#: Trusted identity propagation: Spark only, through the Livy endpoint only.
IDENTITY_CENTER_PAGE = user_guide("security-iam-service-trusted-prop-considerations-limitations")


def check_identity_center(*, engine: EngineType, livy_endpoint: bool) -> str | None:
    """Identity Center needs Spark (refused otherwise); without Livy it applies to nothing.

    :returns: the warning given (:func:`constructs_lib._advice.advise`) without the Livy
        endpoint; else ``None``.
    """
    if engine is not EngineType.SPARK:
        raise EmrServerlessValidationError(
            argument="identity_center_instance_arn",
            value=engine.value,
            rule="trusted identity propagation through IAM Identity Center is supported only "
            f"with Apache Spark ({IDENTITY_CENTER_PAGE}), and only through the Livy endpoint, "
            "which Hive applications do not have (guide L4255)",
            fix="create a SPARK application with livy_endpoint=True, or remove "
            "identity_center_instance_arn",
        )
    if livy_endpoint:
        return None
    return advise(
        "identity-center-without-livy",
        "identity_center_instance_arn: trusted identity propagation works only for interactive "
        "workloads through the Livy endpoint; batch jobs, streaming jobs and EMR Studio do not "
        f"use it ({IDENTITY_CENTER_PAGE}). Set livy_endpoint=True, or drop the setting",
    ).text


#: An IAM Identity Center instance ARN (CloudFormation IdentityCenterInstanceArn).
IDENTITY_CENTER_INSTANCE_ARN = PatternRule(
    re.compile(r"arn:(aws[a-zA-Z0-9-]*):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}"),
    argument="identity_center_instance_arn",
    rule="an IAM Identity Center instance ARN has the form "
    "arn:aws:sso:::instance/ssoins-<16 characters> (IdentityCenterInstanceArn)",
    fix="copy the instance ARN from the IAM Identity Center console (Settings)",
)


# --- capacity -------------------------------------------------------------------------------


@checked_fields
@dataclass(frozen=True)
class MaximumCapacity:
    """The most an application may hold at once, across all its workers.

    :param vcpu: vCPU limit.
    :param memory_gb: memory limit in GB.
    :param disk_gb: disk limit in GB. Default: no disk limit.
    """

    vcpu: int
    memory_gb: int
    disk_gb: int | None = None

    def render(self) -> dict[str, str]:
        """The API's ``maximumCapacity`` (``cpu``, ``memory``, ``disk``)."""
        rendered = {"cpu": f"{self.vcpu}vCPU", "memory": f"{self.memory_gb}GB"}
        if self.disk_gb is not None:
            rendered["disk"] = f"{self.disk_gb}GB"
        return rendered


def check_initial_capacity(
    initial: Mapping[WorkerType, InitialWorkers], *, engine: EngineType, release: ReleaseLabel
) -> None:
    """Worker types of the engine; 1-1,000,000 workers each; sizes from the guide's table."""
    for worker_type, workers in initial.items():
        argument = f"initial_capacity[{worker_type.name}]"
        if worker_type.engine is not engine:
            raise EmrServerlessValidationError(
                argument="initial_capacity",
                value=worker_type.name,
                rule=f"{engine.value} applications have the worker types "
                f"{_names(engine.worker_types)} (guide L1369-1431)",
                fix=f"use {_names(engine.worker_types)}",
            )
        if not 1 <= workers.count <= MAX_WORKER_COUNT:
            raise EmrServerlessValidationError(
                argument=f"{argument}.count",
                value=workers.count,
                rule=f"1-{MAX_WORKER_COUNT:,} pre-initialized workers per worker type "
                "(CreateApplication WorkerCounts)",
                fix="use at least 1, or leave the worker type out of initial_capacity",
            )
        check_worker_configuration(
            workers.configuration, argument=f"{argument}.configuration", release=release
        )


def check_maximum_capacity(
    maximum: MaximumCapacity, initial: Mapping[WorkerType, InitialWorkers]
) -> None:
    """Positive limits that hold every pre-initialized worker."""
    for name, value in (
        ("vcpu", maximum.vcpu),
        ("memory_gb", maximum.memory_gb),
        ("disk_gb", maximum.disk_gb),
    ):
        if value is not None and value < 1:
            raise EmrServerlessValidationError(
                argument=f"maximum_capacity.{name}",
                value=value,
                rule="a maximum capacity is a positive whole number (CreateApplication "
                "MaximumAllowedResources)",
                fix="use at least 1, or omit maximum_capacity to derive it",
            )
    totals = {
        "vcpu": sum(w.vcpu for w in initial.values()),
        "memory_gb": sum(w.memory_gb for w in initial.values()),
        "disk_gb": sum(w.disk_gb for w in initial.values()),
    }
    for name, limit in (
        ("vcpu", maximum.vcpu),
        ("memory_gb", maximum.memory_gb),
        ("disk_gb", maximum.disk_gb),
    ):
        if limit is not None and totals[name] > limit:
            raise EmrServerlessValidationError(
                argument=f"maximum_capacity.{name}",
                value=limit,
                rule=f"the maximum capacity must hold the initial capacity, which totals "
                f"{totals[name]:,} {name.removesuffix('_gb').replace('vcpu', 'vCPU')}"
                f"{' GB' if name.endswith('_gb') else ''}; otherwise the application cannot "
                "start its pre-initialized workers (guide L1349, L4130-4136)",
                fix=f"raise maximum_capacity.{name} to at least {totals[name]:,}, or shrink "
                "initial_capacity",
            )


def worker_vcpu_for_cores(cores: int) -> int:
    """The smallest worker size (vCPU) that holds ``cores`` cores."""
    return min((vcpu for vcpu in WORKER_MEMORY if vcpu >= cores), default=max(WORKER_MEMORY))


#: Engine defaults for the cores of each container (guide L2897-2949, L3060-3075).
_DEFAULT_CORES: Mapping[EngineType, Mapping[str, int]] = {
    EngineType.SPARK: {"spark.driver.cores": 4, "spark.executor.cores": 4},
    EngineType.HIVE: {"hive.driver.cores": 2, "hive.tez.cpu.vcores": 2},
}
_CORES_CLASSIFICATION = {EngineType.SPARK: SPARK_DEFAULTS, EngineType.HIVE: HIVE_SITE}


def smallest_worker_vcpu(
    *,
    engine: EngineType,
    initial: Mapping[WorkerType, InitialWorkers],
    runtime_configuration: Sequence[Classification],
) -> int:
    """The smallest worker (vCPU) this application is configured to run.

    The smaller of: the pre-initialized worker sizes, and the worker each container's
    cores need (from ``spark-defaults``/``hive-site``, else the engine defaults: Spark 4
    cores, Hive 2). The peak worker count is the maximum vCPU divided by this.
    """
    properties = top_level_properties(runtime_configuration, _CORES_CLASSIFICATION[engine])
    sizes = [w.configuration.vcpu for w in initial.values()]
    for key, default in _DEFAULT_CORES[engine].items():
        text = properties.get(key, "")
        cores = int(text) if text.strip().isdigit() and int(text) > 0 else default
        sizes.append(worker_vcpu_for_cores(cores))
    return min(sizes)


def check_spark_containers_fit(
    runtime_configuration: Sequence[Classification],
    initial: Mapping[WorkerType, InitialWorkers],
    *,
    engine: EngineType,
) -> None:
    """Warn when a Spark driver or executor set in ``spark-defaults`` misses its workers.

    The service accepts such a configuration: a job whose container does not fit the
    pre-initialized workers runs on on-demand workers instead (guide L1409, L2311), and a
    value Spark cannot read fails the job, not the application. So each problem is a
    warning (:func:`constructs_lib._advice.advise`), never an error.
    """
    if engine is not EngineType.SPARK:
        return
    properties = top_level_properties(runtime_configuration, SPARK_DEFAULTS)
    argument = "runtime_configuration[spark-defaults]"
    for role, worker_type in (
        ("driver", WorkerType.SPARK_DRIVER),
        ("executor", WorkerType.SPARK_EXECUTOR),
    ):
        workers = initial.get(worker_type)
        try:
            container = spark_container(properties, role, argument=argument)
            if workers is not None:
                check_spark_fits(container, worker_type, workers.configuration, argument=argument)
        except EmrServerlessValidationError as problem:
            advise(
                f"spark-{role}-fit",
                f"{problem} (EMR Serverless accepts this; jobs whose {role} does not fit the "
                "pre-initialized workers run on on-demand workers, guide L1409)",
            )


# --- images ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageUri:
    """A private Amazon ECR image URI, parsed."""

    account: str
    region: str
    repository: str
    tag: str | None
    digest: str | None


_IMAGE_URI = re.compile(
    r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)"
    rf"(?::(?P<tag>{IMAGE_TAG.pattern.pattern})|@(?P<digest>{IMAGE_DIGEST.pattern.pattern}))"
)


def parse_image_uri(uri: str, *, argument: str = "image") -> ImageUri:
    """Parse ``<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`` (or ``@sha256:``)."""
    match = _IMAGE_URI.fullmatch(uri)
    if match is not None:
        return ImageUri(
            account=match["account"],
            region=match["region"],
            repository=match["repository"],
            tag=match["tag"],
            digest=match["digest"],
        )
    if uri.startswith("public.ecr.aws/"):
        rule = (
            "an application runs images from a private Amazon ECR repository; public.ecr.aws "
            "base images are for the FROM line of your Dockerfile (guide L1663-1717)"
        )
        fix = "build FROM the base image, push to a private ECR repository, and pass that URI"
    else:
        rule = (
            "an image URI has the form <account>.dkr.ecr.<region>.amazonaws.com/<repository> "
            "followed by :<tag> or @sha256:<64 hex digits> (guide L1717, CreateApplication "
            "ImageUri)"
        )
        fix = (
            "pass the full private ECR URI with a tag or digest, or use "
            "ApplicationImage.from_ecr_repository"
        )
    raise EmrServerlessValidationError(argument=argument, value=uri, rule=rule, fix=fix)


def check_image_region(
    image_region: str | None, application_region: str | None, *, argument: str
) -> None:
    """The image repository is in the application's Region, when both are known (guide L1673)."""
    if image_region is None or application_region is None or image_region == application_region:
        return
    raise EmrServerlessValidationError(
        argument=argument,
        value=image_region,
        rule=f"the image repository must be in the application's Region ({application_region}) "
        "(guide L1673, L1895)",
        fix=f"push the image to a repository in {application_region} (ECR replication can copy it)",
    )


def check_worker_images(
    worker_types: Collection[WorkerType], *, engine: EngineType, has_image: bool = False
) -> None:
    """Per-worker-type images name worker types of the engine only (refused otherwise).

    A worker type without its own image runs the application's image (or the EMR image):
    the API accepts that, so a missing type is a warning, as is an application image that
    per-worker-type images override.
    """
    expected = set(engine.worker_types)
    given = set(worker_types)
    foreign = given - expected
    if foreign:
        raise EmrServerlessValidationError(
            argument="worker_images",
            value=_names(foreign),
            rule=f"{engine.value} applications have the worker types {_names(expected)} "
            "(guide L1805-1830, CloudFormation WorkerTypeSpecifications)",
            fix=f"give images for {_names(expected)} only",
        )
    missing = expected - given
    if missing:
        advise(
            "worker-images",
            f"worker_images: {_names(missing)} have no image of their own and run "
            f"{'the application image' if has_image else 'the EMR image'}; the driver and "
            "executors (Tez tasks) of one job must run compatible images",
        )


# --- monitoring -----------------------------------------------------------------------------

_KMS_KEY_ARN = re.compile(r"arn:(aws[a-zA-Z0-9-]*):kms:[a-zA-Z0-9-]*:(\d{12}):key/[a-zA-Z0-9-]+")


#: The remote-write URL of an Amazon Managed Service for Prometheus workspace.
PROMETHEUS_REMOTE_WRITE_URL = PatternRule(
    re.compile(
        r"https://aps-workspaces\.([a-z]{2}-[a-z-]{1,20}-[1-9])\.amazonaws(\.[0-9A-Za-z]{2,4})+"
        r"/workspaces/[-_.0-9A-Za-z]{1,100}/api/v1/remote_write"
    ),
    argument="monitoring.prometheus.remote_write_url",
    rule="the remote-write URL has the form https://aps-workspaces.<region>.amazonaws.com"
    "/workspaces/<workspace id>/api/v1/remote_write (guide L5446-5456, PrometheusUrlString)",
    fix="use the workspace's endpoint followed by api/v1/remote_write",
)
check_prometheus_url = PROMETHEUS_REMOTE_WRITE_URL.check

#: A CloudWatch log group name (CloudWatchLoggingConfiguration logGroupName).
LOG_GROUP_NAME = PatternRule(
    re.compile(r"[.\-_/#A-Za-z0-9]{1,512}"),
    argument="monitoring.cloudwatch_logging.log_group",
    rule="a log group name has 1-512 characters of letters, digits, '.', '-', '_', '/' "
    "and '#' (CloudWatchLoggingConfiguration logGroupName)",
    fix="use a log group whose name meets the rule, e.g. /aws/emr-serverless/my-app",
)
check_log_group_name = LOG_GROUP_NAME.check

#: A log stream name prefix (CloudWatchLoggingConfiguration logStreamNamePrefix).
LOG_STREAM_PREFIX = PatternRule(
    re.compile(r"[^:*]{1,512}"),
    argument="monitoring.cloudwatch_logging.log_stream_prefix",
    rule="a log stream prefix has 1-512 characters and no ':' or '*' "
    "(CloudWatchLoggingConfiguration logStreamNamePrefix)",
    fix="drop ':' and '*', or omit the prefix",
)
check_log_stream_prefix = LOG_STREAM_PREFIX.check


def check_kms_key_arn(arn: str, *, argument: str) -> None:
    """A KMS key ARN (not an alias) (CreateApplication EncryptionKeyArn)."""
    fullmatch(
        _KMS_KEY_ARN,
        arn,
        argument=argument,
        rule="log encryption takes a KMS key ARN, arn:<partition>:kms:<region>:<account>:"
        "key/<key id>, not an alias (CreateApplication EncryptionKeyArn)",
        fix="pass the kms.Key (or kms.Key.from_key_arn with the key ARN), not an alias",
    )


def check_log_types(
    log_types: Mapping[WorkerType, Sequence[LogType]], *, engine: EngineType
) -> None:
    """Log types valid for each worker type of the engine (guide L4813-4823)."""
    if not 1 <= len(log_types) <= len(engine.worker_types):
        raise EmrServerlessValidationError(
            argument="monitoring.cloudwatch_logging.log_types",
            value=_names(log_types),
            rule="log_types names 1 or more worker types (LogTypeMap); leave it out for the "
            "default, driver STDOUT and STDERR (guide L4811)",
            fix="name the worker types whose logs to send, or omit log_types",
        )
    for worker_type, types in log_types.items():
        argument = f"monitoring.cloudwatch_logging.log_types[{worker_type.name}]"
        if worker_type.engine is not engine:
            raise EmrServerlessValidationError(
                argument="monitoring.cloudwatch_logging.log_types",
                value=worker_type.name,
                rule=f"{engine.value} applications log the worker types "
                f"{_names(engine.worker_types)} (guide L4813-4823)",
                fix=f"use {_names(engine.worker_types)}",
            )
        wrong = [t.name for t in types if t not in worker_type.log_types]
        if wrong or not types or len(set(types)) != len(types):
            raise EmrServerlessValidationError(
                argument=argument,
                value=[t.name for t in types],
                rule=f"{worker_type.log_key} sends the distinct log types "
                f"{_names(worker_type.log_types)} (guide L4813-4823)",
                fix=f"choose one or more of {_names(worker_type.log_types)}",
            )


# --- network --------------------------------------------------------------------------------

MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
#: Sources EMR Serverless refuses in a security group's inbound rules (guide L1952).
OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0"})


def check_network_counts(*, subnets: int, security_groups: int, argument: str) -> None:
    """1-16 subnets and 1-5 security groups (CreateApplication NetworkConfiguration)."""
    check_range(
        subnets,
        1,
        MAX_SUBNETS,
        argument=f"{argument} (subnets)",
        unit="subnets",
        source="NetworkConfiguration subnetIds",
    )
    check_range(
        security_groups,
        1,
        MAX_SECURITY_GROUPS,
        argument=f"{argument} (security groups)",
        unit="security groups",
        source="NetworkConfiguration securityGroupIds",
    )


def open_ingress_error(argument: str, group: str, cidr: str) -> EmrServerlessValidationError:
    """The error for an inbound rule open to the internet on an application security group."""
    return EmrServerlessValidationError(
        argument=argument,
        value=f"{group} allows inbound traffic from {cidr}",
        rule="EMR Serverless will not create, update or start an application whose security "
        "groups allow inbound traffic from 0.0.0.0/0 or ::/0 (guide L1952)",
        fix="remove that inbound rule (workers need no inbound rule from the internet); allow "
        "only the sources that need access, e.g. another security group",
    )


def check_ingress_sources(sources: Sequence[str], *, argument: str, group: str) -> None:
    """Refuse an inbound rule whose source is 0.0.0.0/0 or ::/0."""
    for source in sources:
        if source in OPEN_CIDRS:
            raise open_ingress_error(argument, group, source)


# --- Lake Formation -------------------------------------------------------------------------

#: Pre-initialized drivers the guide recommends with Lake Formation: each job runs a user
#: and a system driver (guide L8267, L8467). A recommendation: fewer is a warning.
MIN_LAKE_FORMATION_DRIVERS = 2


def check_lake_formation(
    *,
    engine: EngineType,
    release: ReleaseLabel,
    has_custom_image: bool,
    initial: Mapping[WorkerType, InitialWorkers],
    public_subnets: bool,
) -> None:
    """Lake Formation constraints beyond its release (guide L8467-8487, L1943).

    Refused: a Hive application, a custom image before emr-7.14.0 (from it, custom images
    run in user space only), public subnets. Fewer than two pre-initialized drivers is a
    warning (the guide recommends two, L8267).
    """
    argument = f"runtime_configuration[spark-defaults][{LAKE_FORMATION!r}]"
    if engine is not EngineType.SPARK:
        raise EmrServerlessValidationError(
            argument=argument,
            value="true",
            rule="Lake Formation works with Spark jobs only (guide L8474)",
            fix="create a SPARK application",
        )
    if has_custom_image:
        require(
            release,
            Feature.LAKE_FORMATION_CUSTOM_IMAGES,
            argument="image",
            value="a custom image",
            fix=f"use {Feature.LAKE_FORMATION_CUSTOM_IMAGES.minimum} or later (the image then "
            "runs the user space only), remove the custom image, or turn Lake Formation off",
        )
    drivers = initial.get(WorkerType.SPARK_DRIVER)
    if drivers is not None and drivers.count < MIN_LAKE_FORMATION_DRIVERS:
        advise(
            "lake-formation-drivers",
            f"initial_capacity[SPARK_DRIVER].count={drivers.count}: each Lake Formation job "
            "runs a user and a system driver, so the guide recommends at least "
            f"{MIN_LAKE_FORMATION_DRIVERS} pre-initialized drivers (guide L8267, L8467); with "
            "fewer, the system driver starts on demand, which is slower",
        )
    if public_subnets:
        raise EmrServerlessValidationError(
            argument="network",
            value="public subnets",
            rule="Lake Formation does not support public subnets (guide L1943)",
            fix="select private subnets",
        )


def _names(
    items: Collection[WorkerType] | Collection[LogType] | Mapping[WorkerType, object],
) -> str:
    return ", ".join(sorted(item.name for item in items))
