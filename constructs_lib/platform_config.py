"""Team onboarding: the platform config file (``platform.yaml``), validated into frozen dataclasses.

The file describes one platform (name, network, log retention), its environments
(``dev``, ``prod``, ... each may override platform and team settings) and its teams,
each with one EMR Serverless application, data locations, Glue databases, alarms and
Prometheus. :func:`load_platform_config` checks shape, types and simple ranges and
refuses unknown keys; every problem names the file, the key path and the fix, e.g.
``platform.yaml: teams[1].application.workers.executor.memory_gb=0: ...``. Domain rules
(valid worker sizes, release gates) are the constructs' job; :meth:`TeamConfig.blame`
re-raises their errors with the key path of the setting behind them.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from constructs_lib._advice import Advice, advise, collecting
from constructs_lib._enums import LenientEnum
from constructs_lib.application_rules import MAX_TAGS, tag_problem
from constructs_lib.availability_zones import (
    EMR_SERVERLESS_REGIONS,
    ENDPOINTS_PAGE,
    REGION_CODE,
    check_az_ids,
    supported_az_ids,
    unknown_region_warning,
)
from constructs_lib.config_reader import (
    MAX_LISTED,
    MAX_PROBLEMS,
    MISSING,
    Context,
    Node,
    Problem,
    TooManyProblemsError,
    did_you_mean,
    is_under,
    load_yaml,
    merge,
    origin,
    read_text,
)
from constructs_lib.errors import EmrServerlessValidationError, show
from constructs_lib.image_references import IMAGE_TAG
from constructs_lib.job_outputs import job_request_output_key, job_state_machine_output_key
from constructs_lib.monitoring_rules import RETENTION_DAYS
from constructs_lib.releases import ReleaseLabel
from constructs_lib.schedule_rules import check_schedule_expression, check_time_zone
from constructs_lib.stack_outputs import (
    images_stack_name,
    network_stack_name,
    pascal_case,
    platform_stack_name,
    team_stack_name,
)
from constructs_lib.subnet_planning import MIN_AZS, Workload
from constructs_lib.subnet_planning._record import MAX_HEADROOM, MIN_HEADROOM
from constructs_lib.workers import (
    Architecture,
    DiskType,
    EngineType,
    WorkerConfiguration,
    WorkerType,
)

#: The shipped example, at the repository root; ``make synth`` uses it.
DEFAULT_CONFIG_FILE = "platform.yaml"

#: The ``cdk.json`` context key that holds the config file's path.
CONTEXT_KEY = "emr-serverless:platformConfig"

#: Retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days.
LOG_RETENTION_DAYS: tuple[int, ...] = tuple(
    days for days in RETENTION_DAYS.values() if days is not None
)

#: Auto-stop idle timeout range, minutes (CreateApplication ``idleTimeoutMinutes``).
IDLE_TIMEOUT_MINUTES = (1, 10_080)
DEFAULT_IDLE_TIMEOUT_MINUTES = 15

#: VPC CIDR block sizes Amazon VPC allows (prefix lengths).
VPC_PREFIX_LENGTHS = (16, 28)
MAX_AVAILABILITY_ZONES = 6
#: ``network.headroom``: new worker subnets hold this many times today's peak, so that
#: teams can be onboarded (and peaks raised) without adding subnets.
DEFAULT_HEADROOM = 4

#: The ids of the warnings a config file may get (:attr:`PlatformConfig.warnings`): what
#: the services accept, but this library cannot check or the file probably did not mean.
UNKNOWN_REGION_WARNING = "config:unknown-region"
TIME_ZONE_WITHOUT_SCHEDULE_WARNING = "config:time-zone-without-schedule"

#: Environments in one config file (a limit of the config file: each environment is read
#: with every team, so the reading time grows with environments times teams).
MAX_ENVIRONMENTS = 50

MAX_PLATFORM_NAME = 24
MAX_TEAM_NAME = 24
MAX_ENVIRONMENT_NAME = 12

#: Tag keys the platform puts on every resource (``team`` on a team's stack only).
PLATFORM_TAG = "platform"
ENVIRONMENT_TAG = "environment"
TEAM_TAG = "team"
#: The tag the platform adds to a declared job's runs (the job's name), besides the team's.
JOB_TAG = "job"
PLATFORM_TAG_KEYS = (PLATFORM_TAG, ENVIRONMENT_TAG, TEAM_TAG, JOB_TAG)
#: The most tags aws-cdk-lib adds to one resource of a network stack itself (a subnet:
#: ``Name``, ``aws-cdk:subnet-name``, ``aws-cdk:subnet-type``); they count towards the 50.
NETWORK_TAGS_FROM_CONSTRUCTS = 3
#: The most tags aws-cdk-lib and our constructs add to one resource of a team stack
#: themselves, beyond the platform's (the application's ``team`` tag is the platform's).
TEAM_TAGS_FROM_CONSTRUCTS = 0
#: The most tags ``platform.tags`` may give (with an environment's overrides): 50 less
#: ``platform`` and ``environment`` less aws-cdk-lib's own on a subnet.
MAX_ENVIRONMENT_TAGS = MAX_TAGS - 2 - NETWORK_TAGS_FROM_CONSTRUCTS
#: The most tags ``platform.tags`` and a team's ``tags`` may give together (distinct keys):
#: 50 less ``platform``, ``environment``, ``team`` and ``job`` (on a declared job's runs),
#: and less what constructs add to a team stack's resources themselves.
MAX_TEAM_STACK_TAGS = MAX_TAGS - len(PLATFORM_TAG_KEYS) - TEAM_TAGS_FROM_CONSTRUCTS
#: :data:`MAX_ENVIRONMENT_TAGS` in an environment that uses an existing VPC: the platform
#: creates no subnet there, and every team stack's resources carry ``platform.tags`` too.
MAX_ENVIRONMENT_TAGS_EXISTING_VPC = min(MAX_TAGS - 2, MAX_TEAM_STACK_TAGS)
#: Where the tag count comes from: the User Guide's tagging page (50 tags). Keys and values
#: are checked by ``application_rules.tag_problem`` (the EMR Serverless API's rules, the
#: strictest of the services the tags reach: ASCII only).
TAG_LIMITS = "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/tagging.html"

#: An AWS account id: 12 digits (AWS Account Management, "View AWS account identifiers").
ACCOUNT_IDS = "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html"
_ACCOUNT = re.compile(r"\d{12}")
#: EC2 resource ids: a prefix and 8 or 17 hexadecimal characters.
RESOURCE_IDS = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html"
_VPC_ID = re.compile(r"vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?")
_SUBNET_ID = re.compile(r"subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?")
#: Availability Zone ids, e.g. ``use1-az1`` (the same zone in every account, unlike names).
AZ_IDS = "https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html"
_AZ_ID = re.compile(r"[a-z]+[0-9]+(?:-[a-z0-9]+)*-az[0-9]+")
#: EMR Serverless takes at most 16 subnets (CreateApplication networkConfiguration.subnetIds).
MAX_SUBNETS = 16
NETWORK_CONFIGURATION = (
    "https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_NetworkConfiguration.html"
)
#: Subnet sizes Amazon VPC allows.
SUBNET_SIZING = "https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html"

_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_ENVIRONMENT = re.compile(r"[a-z][a-z0-9]*")
_GLUE_DATABASE = re.compile(r"[a-z0-9_]{1,255}")
_PREFIX = re.compile(r"[^/*?\s][^*?\s]*/")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
#: What :func:`is_bucket_name` checks.
BUCKET_NAME_RULE = (
    "S3 bucket names are 3-63 lower-case letters, digits, hyphens and single periods, start "
    "and end with a letter or digit, are not IP addresses and do not start with xn-- or sthree-"
)
_IP_ADDRESS = re.compile(r"\d+\.\d+\.\d+\.\d+")
_GLUE_RULE = (
    "Glue database names are lower-case letters, digits and underscores (no wildcards: "
    "name each database)"
)


class NatGateways(LenientEnum):
    """How many NAT gateways the VPC gets: none, one shared, or one per Availability Zone."""

    NONE = 0
    ONE = 1
    PER_AZ = "per-az"

    def count(self, availability_zones: int) -> int:
        """The number of NAT gateways for a VPC spanning ``availability_zones``."""
        return availability_zones if self is NatGateways.PER_AZ else int(self.value)


#: The worker types of each application type, by their key under ``application.workers``.
WORKER_TYPES: Mapping[EngineType, Mapping[str, WorkerType]] = {
    EngineType.SPARK: {"driver": WorkerType.SPARK_DRIVER, "executor": WorkerType.SPARK_EXECUTOR},
    EngineType.HIVE: {"driver": WorkerType.HIVE_DRIVER, "tez_task": WorkerType.TEZ_TASK},
}

#: Data locations every team has, and the prefix each gets in the team's own bucket by default.
DATA_LOCATIONS: Mapping[str, str] = {"input": "input/", "output": "output/", "scripts": "scripts/"}


# --------------------------------------------------------------------------- results


#: Tags as ``((key, value), ...)``, in the order written (hashable, unlike a dict).
Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ExistingSubnet:
    """A private subnet of an existing VPC, as the file names it."""

    subnet_id: str
    cidr: str
    availability_zone_id: str


@dataclass(frozen=True)
class ExistingNetwork:
    """An existing VPC (owned elsewhere) and the private subnets the workers use."""

    vpc_id: str
    subnets: tuple[ExistingSubnet, ...]

    @property
    def availability_zone_ids(self) -> tuple[str, ...]:
        """The distinct Availability Zone ids of the subnets, in the order written."""
        return tuple(dict.fromkeys(subnet.availability_zone_id for subnet in self.subnets))


@dataclass(frozen=True)
class NetworkConfig:
    """The VPC the platform's applications run in: planned by the platform, or existing.

    For an :attr:`existing` VPC, ``vpc_cidr`` is empty, ``availability_zones`` counts the
    subnets' zones and ``nat_gateways`` is ``NONE`` (the platform creates neither).
    """

    vpc_cidr: str
    availability_zones: int
    nat_gateways: NatGateways
    #: ``make plan`` plans new worker subnets for this many times today's peak.
    headroom: int = DEFAULT_HEADROOM
    #: Zone ids the planned subnets are placed in (``AvailabilityZoneId``); empty: the
    #: Region's first zones by name at deploy time (``Fn::GetAZs``).
    availability_zone_ids: tuple[str, ...] = ()
    #: The existing VPC and subnets to use instead of planning a VPC.
    existing: ExistingNetwork | None = None

    @property
    def nat_gateway_count(self) -> int:
        """How many NAT gateways the VPC has (0, 1 or one per Availability Zone)."""
        return self.nat_gateways.count(self.availability_zones)


@dataclass(frozen=True)
class WorkerConfig:
    """The size of one worker type, and how many of it stay pre-initialized.

    ``disk_gb`` and ``disk_type`` are ``None`` when not set (the service's 20 GB standard disk).
    """

    worker_type: WorkerType
    config_key: str
    vcpu: int
    memory_gb: int
    disk_gb: int | None = None
    disk_type: DiskType | None = None
    pre_initialized: int = 0

    @property
    def configuration(self) -> WorkerConfiguration:
        """The worker's size as ``constructs_lib.workers`` takes it (checked by the construct)."""
        return WorkerConfiguration(
            vcpu=self.vcpu, memory_gb=self.memory_gb, disk_gb=self.disk_gb, disk_type=self.disk_type
        )


@dataclass(frozen=True)
class MaximumCapacity:
    """The most an application may use at once; memory and disk are optional."""

    vcpu: int
    memory_gb: int | None = None
    disk_gb: int | None = None


@dataclass(frozen=True)
class ApplicationConfig:
    """A team's EMR Serverless application."""

    type: EngineType
    release_label: str
    architecture: Architecture
    workers: tuple[WorkerConfig, ...]
    maximum_capacity: MaximumCapacity
    idle_timeout_minutes: int = DEFAULT_IDLE_TIMEOUT_MINUTES
    image_tag: str | None = None

    def worker(self, worker_type: WorkerType) -> WorkerConfig:
        """The size of ``worker_type``'s workers."""
        for worker in self.workers:
            if worker.worker_type is worker_type:
                return worker
        raise KeyError(worker_type)

    @property
    def smallest_worker(self) -> WorkerConfig:
        """The worker with the fewest vCPU (the driver on a tie)."""
        return min(self.workers, key=lambda worker: worker.vcpu)


@dataclass(frozen=True)
class DataLocation:
    """An S3 prefix in an existing bucket, or in the team bucket the platform creates."""

    prefix: str
    bucket: str | None = None

    @property
    def created_by_platform(self) -> bool:
        """Whether the location is in the team bucket the platform creates."""
        return self.bucket is None


@dataclass(frozen=True)
class DataConfig:
    """Where a team's jobs read input and scripts and write output."""

    input: DataLocation
    output: DataLocation
    scripts: DataLocation

    @property
    def needs_team_bucket(self) -> bool:
        """Whether any location is in the team bucket the platform creates."""
        return any(loc.created_by_platform for loc in (self.input, self.output, self.scripts))


@dataclass(frozen=True)
class GlueDatabases:
    """Glue Data Catalog databases a team's jobs read, or read and write."""

    read: tuple[str, ...] = ()
    read_write: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlarmConfig:
    """A team's CloudWatch alarms."""

    enabled: bool = True
    failed_jobs_threshold: int = 1
    capacity_threshold_percent: int = 80


@dataclass(frozen=True)
class TeamConfig:
    """One team in one environment."""

    name: str
    index: int
    application: ApplicationConfig
    data: DataConfig
    glue_databases: GlueDatabases
    alarms: AlarmConfig
    prometheus: bool
    jobs: tuple[JobConfig, ...] = ()
    source: str = field(default=DEFAULT_CONFIG_FILE, compare=False)
    origins: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)
    #: The team's own cost-allocation tags (``teams[].tags``), as written.
    tags: Tags = ()

    @property
    def construct_id(self) -> str:
        """The team's name as a construct id (``data-science`` -> ``DataScience``)."""
        return pascal_case(self.name)

    @property
    def workload(self) -> Workload:
        """The team's peak on the shared worker subnets: maximum vCPU over its smallest worker.

        :raises PlatformConfigError: at the smallest worker's ``vcpu`` if the planner refuses it.
        """
        smallest = self.application.smallest_worker
        with self.blame(f"application.workers.{smallest.config_key}.vcpu"):
            return Workload(
                max_vcpu=self.application.maximum_capacity.vcpu,
                worker_vcpu=smallest.vcpu,
                name=self.name,
            )

    def key_path(self, setting: str) -> str:
        """``<file>: <key path>`` of ``setting`` (e.g. ``application.workers.executor``).

        A setting overridden in this environment points at the override.
        """
        return _key_path(self.source, self.origins, f"teams[{self.index}]", setting, _TEAM_KEYS)

    def blame(self, setting: str) -> AbstractContextManager[None]:
        """Re-raise a construct's validation error as a config error at ``setting``'s key path.

        ``with team.blame("application.workers.executor"): ...``
        """
        return _blame(self.key_path(setting))


@dataclass(frozen=True)
class EnvironmentConfig:
    """The platform in one environment, with that environment's overrides applied."""

    name: str
    platform_name: str
    network: NetworkConfig
    log_retention_days: int
    teams: tuple[TeamConfig, ...]
    source: str = field(default=DEFAULT_CONFIG_FILE, compare=False)
    origins: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)
    #: The AWS account the environment deploys to; ``None``: environment-agnostic.
    account: str | None = None
    #: The Region the environment deploys to; ``None``: environment-agnostic.
    region: str | None = None
    #: Cost-allocation tags of every resource here (``platform.tags`` with this
    #: environment's overrides), as written; see :meth:`resource_tags`.
    tags: Tags = ()

    @property
    def stage_id(self) -> str:
        """The id of the environment's ``cdk.Stage`` (``dev`` -> ``Dev``)."""
        return pascal_case(self.name)

    @property
    def target(self) -> tuple[str, str] | None:
        """``(account, region)`` when the file names them, else ``None``."""
        if self.account is None or self.region is None:
            return None
        return (self.account, self.region)

    def resource_tags(self) -> dict[str, str]:
        """The tags of every resource of this environment: the file's, then the platform's."""
        return {
            **dict(self.tags),
            PLATFORM_TAG: self.platform_name,
            ENVIRONMENT_TAG: self.name,
        }

    def team_tags(self, team: str) -> dict[str, str]:
        """The tags of every resource of ``team``'s stack here (the team's own win)."""
        found = self.team(team)
        return {**self.resource_tags(), **dict(found.tags), TEAM_TAG: found.name}

    @property
    def stack_name(self) -> str:
        """The shared platform stack's name in this environment (see ``stack_outputs``)."""
        return platform_stack_name(self.platform_name, self.name)

    @property
    def network_stack_name(self) -> str:
        """The network stack's name in this environment."""
        return network_stack_name(self.platform_name, self.name)

    def team_stack_name(self, team: str) -> str:
        """The name of the stack holding ``team``'s application in this environment."""
        return team_stack_name(self.platform_name, self.name, self.team(team).name)

    def key_path(self, setting: str) -> str:
        """``<file>: <key path>`` of platform ``setting`` (e.g. ``network.vpc_cidr``) here."""
        return _key_path(self.source, self.origins, "platform", setting, _PLATFORM_KEYS)

    def blame(self, setting: str) -> AbstractContextManager[None]:
        """Re-raise a construct's validation error as a config error at platform ``setting``.

        ``with env.blame("network.vpc_cidr"): plan_subnets(...)``
        """
        return _blame(self.key_path(setting))

    def team(self, name: str) -> TeamConfig:
        """The team called ``name``."""
        for team in self.teams:
            if team.name == name:
                return team
        raise KeyError(f"no team {show(name)}{did_you_mean(name, [t.name for t in self.teams])}")

    def workloads(self) -> tuple[Workload, ...]:
        """Every team's workload, for planning the subnets all teams share."""
        return tuple(team.workload for team in self.teams)


@dataclass(frozen=True)
class PlatformConfig:
    """A validated platform config file."""

    source: str
    name: str
    environments: tuple[EnvironmentConfig, ...]
    #: ``platform.tags`` without any environment's overrides.
    tags: Tags = ()
    #: ``teams[].tags`` without any environment's overrides, by team name.
    team_tags: tuple[tuple[str, Tags], ...] = ()
    #: What the file is accepted with but should be looked at (an unknown Region, ...):
    #: each names the file and key path. Also given to ``_advice.advise`` on loading.
    warnings: tuple[Advice, ...] = field(default=(), compare=False)

    @property
    def uses_stages(self) -> bool:
        """Whether each environment is a ``cdk.Stage`` (the file names accounts and Regions).

        Without accounts the stacks stay at the top of the app, as before stages: a stage
        adds its id to every construct path, and paths are part of some logical ids and
        descriptions, so staging an already deployed platform would replace resources.
        """
        return any(environment.target is not None for environment in self.environments)

    def images_holder(self, environment: EnvironmentConfig) -> EnvironmentConfig:
        """The environment whose stage holds the images stack ``environment`` pulls from.

        One images stack per account and Region, in the first environment deployed there.
        """
        return next(e for e in self.environments if e.target == environment.target)

    def stack_paths(self, environment: EnvironmentConfig) -> tuple[str, ...]:
        """What ``cdk deploy`` selects to deploy ``environment`` (``Dev/EmrAnalytics-Dev-Network``).

        The images stack of its account and Region when ``environment`` holds it, its network
        and shared stacks and one stack per team; prefixed with the stage id when
        :attr:`uses_stages`.
        """
        names = [
            environment.network_stack_name,
            environment.stack_name,
            *(environment.team_stack_name(team.name) for team in environment.teams),
        ]
        if self.images_holder(environment).name == environment.name:
            names.insert(0, images_stack_name(self.name))
        if not self.uses_stages:
            return tuple(names)
        return tuple(f"{environment.stage_id}/{name}" for name in names)

    def environment(self, name: str) -> EnvironmentConfig:
        """The environment called ``name``.

        :raises PlatformConfigError: naming the environments there are.
        """
        names = [env.name for env in self.environments]
        for env in self.environments:
            if env.name == name:
                return env
        raise PlatformConfigError(
            [
                Problem(
                    location=f"{self.source}: environments",
                    value=name,
                    rule=f"no such environment; the file defines {', '.join(names)}",
                    fix=f"use one of them{did_you_mean(name, names)}, or add it to the file",
                )
            ]
        )


# --------------------------------------------------------------------------- errors


def _key_path(
    source: str,
    origins: tuple[tuple[str, str], ...],
    prefix: str,
    setting: str,
    settings: Sequence[str],
) -> str:
    if re.sub(r"\[\d+\]$", "", setting.split(".", 1)[0]) not in settings:
        raise ValueError(f"{setting!r} is not one of the settings {', '.join(settings)}")
    return f"{source}: {origin(dict(origins), f'{prefix}.{setting}')}"


@contextmanager
def _blame(location: str) -> Iterator[None]:
    try:
        yield
    except PlatformConfigError:
        raise
    except EmrServerlessValidationError as error:
        problem = Problem(
            location=location,
            value=error.value,
            rule=f"{error.rule} (checked as {error.argument})",
            fix=error.fix,
        )
        raise PlatformConfigError([problem]) from error


class PlatformConfigError(EmrServerlessValidationError):
    """A platform config file with problems; each names the file, the key path and the fix.

    ``argument``, ``value``, ``rule`` and ``fix`` are those of the first problem;
    :attr:`problems` holds them all, and the message lists them all.
    """

    problems: tuple[Problem, ...]

    def __init__(self, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(argument=first.location, value=first.value, rule=first.rule, fix=first.fix)
        self.problems = tuple(problems)
        lines = [str(problem) for problem in self.problems[:MAX_LISTED]]
        count = f"{len(self.problems)}{'+' if len(self.problems) >= MAX_PROBLEMS else ''}"
        if len(self.problems) > MAX_LISTED:
            lines.append(f"... and {len(self.problems) - MAX_LISTED} more (fix these first)")
        many = f"{count} problems:\n  " + "\n  ".join(lines)
        self.args = (lines[0] if len(self.problems) == 1 else many,)


def load_platform_config(path: str | Path = DEFAULT_CONFIG_FILE) -> PlatformConfig:
    """Read and validate the platform config file at ``path``.

    Bounded in time and memory whatever the file holds (see ``config_reader``'s limits).

    :raises PlatformConfigError: for a file that cannot be read, and for every problem in it.
    """
    source = str(path)
    problems: list[Problem] = []
    text = read_text(
        Path(path),
        Context(source, problems),
        unreadable_fix=f"create it (see docs/onboarding.md), or set the cdk.json context key "
        f"{CONTEXT_KEY} to the config file's path",
    )
    if text is MISSING:
        raise PlatformConfigError(problems)
    return parse_platform_config(text, source=source)


def parse_platform_config(text: str, *, source: str = DEFAULT_CONFIG_FILE) -> PlatformConfig:
    """Validate the YAML document ``text``; ``source`` names it in error messages.

    :raises PlatformConfigError: listing every problem (reading stops at ``MAX_PROBLEMS``).
    """
    problems: list[Problem] = []
    config = None
    with collecting() as warnings:
        try:
            document = load_yaml(text, Context(source, problems))
            config = _read_document(document, source, problems) if not problems else None
        except TooManyProblemsError:
            pass
    if config is None or problems:
        raise PlatformConfigError(list({str(p): p for p in problems}.values()))
    for warning in warnings:  # on to the caller's collecting block, if any
        advise(warning.id, warning.text)
    return replace(config, warnings=tuple(warnings))


# --------------------------------------------------------------------------- the schema

_TOP_KEYS = ("platform", "environments", "teams")
_PLATFORM_REQUIRED = ("name", "network", "log_retention_days")
_PLATFORM_KEYS = (*_PLATFORM_REQUIRED, "tags")
_PLANNED_NETWORK_KEYS = (
    "vpc_cidr",
    "availability_zones",
    "nat_gateways",
    "headroom",
    "availability_zone_ids",
)
_EXISTING_NETWORK_KEYS = ("vpc_id", "subnets")
_SUBNET_KEYS = ("subnet_id", "cidr", "availability_zone_id")
_ENVIRONMENT_KEYS = ("account", "region", "platform", "teams")
_TEAM_REQUIRED = ("name", "application")
_TEAM_OPTIONAL = ("data", "glue_databases", "alarms", "prometheus", "jobs", "tags")
_TEAM_KEYS = (*_TEAM_REQUIRED, *_TEAM_OPTIONAL)
_APPLICATION_REQUIRED = ("type", "release_label", "workers", "maximum_capacity")
_APPLICATION_OPTIONAL = ("architecture", "idle_timeout_minutes", "image_tag")
_WORKER_REQUIRED = ("vcpu", "memory_gb")
_WORKER_OPTIONAL = ("disk_gb", "disk_type", "pre_initialized")
_ALARM_KEYS = ("enabled", "failed_jobs_threshold", "capacity_threshold_percent")


def _read_document(document: Any, source: str, problems: list[Problem]) -> PlatformConfig | None:
    if not isinstance(document, dict):
        problems.append(
            Problem(
                location=source,
                value=MISSING,
                rule="must be a YAML mapping with the keys platform, environments and teams",
                fix="start from the shipped platform.yaml (see docs/onboarding.md)",
            )
        )
        return None
    root = Node(Context(source, problems), "", document).mapping(required=_TOP_KEYS)
    name_node = root["platform"].mapping(required=_PLATFORM_REQUIRED, optional=("tags",))["name"]
    name = _name(name_node, MAX_PLATFORM_NAME, example="emr-analytics")
    # The base, checked once; an environment that leaves a team as it is reuses its reading.
    read: dict[tuple[int, int], TeamConfig] = {}
    base = _read_environment(Context(source, problems), document, "", name, read=read)
    nodes = _environment_nodes(root["environments"])
    environments = tuple(
        _read_environment(
            Context(source, problems), document, env_name, name, overrides=env, read=read
        )
        for env_name, env in nodes
    )
    _check_targets(environments, dict(nodes))
    return PlatformConfig(
        source=source,
        name=name,
        environments=environments,
        tags=base.tags,
        team_tags=tuple((team.name, team.tags) for team in base.teams),
    )


def _environment_nodes(node: Node) -> list[tuple[str, Node]]:
    entries = node.entries()
    if node.present and isinstance(node.value, dict) and not entries:
        node.fail("must name at least one environment", "add one, e.g. dev: {}")
    if len(entries) > MAX_ENVIRONMENTS:
        node.ctx.fail(
            node.path,
            MISSING,
            f"names {len(entries):,} environments; a config file holds at most "
            f"{MAX_ENVIRONMENTS} (a limit of the config file: each is read with every team)",
            "split the environments across config files",
        )
        return []
    for env_name, env in entries:
        if not _ENVIRONMENT.fullmatch(env_name) or len(env_name) > MAX_ENVIRONMENT_NAME:
            env.ctx.fail(
                env.path,
                MISSING,
                "environment names are lower-case letters and digits, starting with a letter, "
                f"at most {MAX_ENVIRONMENT_NAME} characters (they go into stack names)",
                "rename it, e.g. dev, staging or prod",
            )
    return entries


def _read_environment(
    ctx: Context,
    document: dict[str, Any],
    env_name: str,
    platform_name: str,
    *,
    overrides: Node | None = None,
    read: dict[tuple[int, int], TeamConfig],
) -> EnvironmentConfig:
    merged = _apply_overrides(ctx, document, overrides) if overrides else document
    root = Node(ctx, "", merged).mapping(required=_TOP_KEYS)
    platform = root["platform"].mapping(required=_PLATFORM_REQUIRED, optional=("tags",))
    account, region = _read_target(overrides) if overrides else (None, None)
    checked = bool(env_name)  # the base document is read once, without an environment
    network = _read_network(platform["network"], region=region, checked=checked)
    log_retention_days = platform["log_retention_days"].choice(
        {days: days for days in LOG_RETENTION_DAYS}, default=LOG_RETENTION_DAYS[0]
    )
    origins = sorted(ctx.origins.items())
    teams = _read_teams(root["teams"], read, origins, remember=overrides is None)
    environment = EnvironmentConfig(
        name=env_name,
        platform_name=platform_name,
        network=network,
        log_retention_days=log_retention_days,
        teams=teams,
        source=ctx.source,
        origins=_origins_under(origins, "platform"),
        account=account,
        region=region,
        tags=_read_tags(platform["tags"]),
    )
    if checked:
        _check_tag_count(environment, platform["tags"], root["teams"])
    return environment


def _apply_overrides(ctx: Context, document: dict[str, Any], overrides: Node) -> dict[str, Any]:
    """``document`` with one environment's overrides merged in, recording where each came from."""
    if not overrides.present:  # `dev:` or `dev: {}`: nothing overridden
        return document
    env = overrides.mapping(optional=_ENVIRONMENT_KEYS)
    merged = dict(document)
    platform = env["platform"]
    if platform.present:
        if isinstance(platform.value, dict) and "name" in platform.value:
            platform["name"].fail(
                "the platform's name is the same in every environment", "remove it here"
            )
        base = _without_other_network(document.get("platform"), platform.value)
        if base is not document.get("platform"):  # the network is replaced whole
            ctx.origins["platform.network"] = f"{platform.path}.network"
        merged["platform"] = merge(base, platform.value, "platform", platform.path, ctx.origins)
    base_teams = document.get("teams")
    if env["teams"].present and isinstance(base_teams, list):
        names = [team.get("name") if isinstance(team, dict) else None for team in base_teams]
        merged_teams = list(base_teams)
        for team_name, team in env["teams"].entries():
            if team_name not in names:
                known = [str(name) for name in names if name]
                team.fail(
                    f"no team named {show(team_name)}{did_you_mean(team_name, known)}",
                    "override a team listed under teams, by its name",
                )
            elif isinstance(team.value, dict) and "name" in team.value:
                team["name"].fail("a team's name is the same in every environment", "remove it")
            else:
                index = names.index(team_name)
                merged_teams[index] = merge(
                    base_teams[index], team.value, f"teams[{index}]", team.path, ctx.origins
                )
        merged["teams"] = merged_teams
    return merged


def _read_network(node: Node, *, region: str | None, checked: bool) -> NetworkConfig:
    """The planned or existing network.

    :param checked: run the checks that need the environment's Region; off for the base
        document, which is read once without an environment.
    """
    if _network_kind(node.value) == "existing":
        return _read_existing_network(node, region=region, checked=checked)
    network = node.mapping(required=("vpc_cidr",), optional=_PLANNED_NETWORK_KEYS[1:])
    count_node = network["availability_zones"]
    count = count_node.integer(minimum=MIN_AZS, maximum=MAX_AVAILABILITY_ZONES, default=MIN_AZS)
    zone_ids = _read_zone_ids(
        network["availability_zone_ids"], count_node, count, region=region, checked=checked
    )
    return NetworkConfig(
        vpc_cidr=_cidr(network["vpc_cidr"]),
        availability_zones=len(zone_ids) or count,
        nat_gateways=network["nat_gateways"].choice(
            {0: NatGateways.NONE, 1: NatGateways.ONE, "per-az": NatGateways.PER_AZ},
            default=NatGateways.ONE,
        ),
        headroom=network["headroom"].integer(
            minimum=MIN_HEADROOM, maximum=MAX_HEADROOM, default=DEFAULT_HEADROOM
        ),
        availability_zone_ids=zone_ids,
    )


def _cidr(node: Node) -> str:
    text = node.text(re.compile(r".+/\d+"), "must be an IPv4 CIDR block", example="10.0.0.0/16")
    if not text:
        return text
    low, high = VPC_PREFIX_LENGTHS
    try:
        network = ipaddress.IPv4Network(text)
    except ValueError as error:
        node.fail(
            f"is not an IPv4 network ({show(str(error))})",
            "write a network address like 10.0.0.0/16",
        )
        return text
    if not low <= network.prefixlen <= high:
        node.fail(
            f"a VPC's CIDR block is /{low} to /{high} (Amazon VPC)",
            f"use a prefix length from {low} to {high}",
        )
    return text


def _read_teams(
    node: Node,
    read: dict[tuple[int, int], TeamConfig],
    origins: Sequence[tuple[str, str]],
    *,
    remember: bool,
) -> tuple[TeamConfig, ...]:
    elements = node.elements()
    if node.present and isinstance(node.value, list) and not elements:
        node.fail("must list at least one team", "add a team (see docs/onboarding.md)")
    teams = []
    for index, element in enumerate(elements):
        # Only the base's readings are remembered: the base document stays alive while
        # it is read, so the id of a team's mapping there names that mapping only (an
        # environment's override makes a new mapping, which is read).
        key = (index, id(element.value))
        team = read.get(key)
        if team is None:
            team = _read_team(element, index, _origins_under(origins, element.path))
            if remember:
                read[key] = team
        teams.append(team)
    seen: dict[str, str] = {}
    for team, element in zip(teams, elements, strict=True):
        folded = team.construct_id.lower()
        if team.name and folded in seen:
            element["name"].fail(
                f"clashes with team {seen[folded]!r} (team names must stay distinct as "
                "construct ids and output keys)",
                "rename one of the teams",
            )
        seen.setdefault(folded, team.name)
    return tuple(teams)


def _read_team(node: Node, index: int, origins: tuple[tuple[str, str], ...]) -> TeamConfig:
    team = node.mapping(required=_TEAM_REQUIRED, optional=_TEAM_OPTIONAL)
    return TeamConfig(
        tags=_read_tags(team["tags"]),
        name=_name(team["name"], MAX_TEAM_NAME, example="data-science"),
        index=index,
        application=_read_application(team["application"]),
        data=_read_data(team["data"]),
        glue_databases=_read_glue(team["glue_databases"]),
        alarms=_read_alarms(team["alarms"]),
        prometheus=team["prometheus"].boolean(default=False),
        jobs=_read_jobs(team["jobs"], _application_type(team["application"])),
        source=node.ctx.source,
        origins=origins,
    )


def _origins_under(origins: Sequence[tuple[str, str]], path: str) -> tuple[tuple[str, str], ...]:
    """The entries of the sorted ``origins`` at or below ``path``."""
    start = bisect.bisect_left(origins, (path, ""))
    under = []
    for entry in origins[start:]:
        if not entry[0].startswith(path):
            break
        if is_under(entry[0], path):
            under.append(entry)
    return tuple(under)


def _read_application(node: Node) -> ApplicationConfig:
    app = node.mapping(required=_APPLICATION_REQUIRED, optional=_APPLICATION_OPTIONAL)
    app_type = app["type"].choice({t.value: t for t in EngineType}, default=EngineType.SPARK)
    workers = app["workers"]
    if app["type"].value not in [t.value for t in EngineType]:
        workers = workers.unusable()  # the type is wrong (and reported): worker keys are unknown
    return ApplicationConfig(
        type=app_type,
        release_label=_release_label(app["release_label"]),
        architecture=app["architecture"].choice(
            {a.value: a for a in Architecture}, default=Architecture.X86_64
        ),
        workers=_read_workers(workers, WORKER_TYPES[app_type]),
        maximum_capacity=_read_maximum_capacity(app["maximum_capacity"]),
        idle_timeout_minutes=app["idle_timeout_minutes"].integer(
            minimum=IDLE_TIMEOUT_MINUTES[0],
            maximum=IDLE_TIMEOUT_MINUTES[1],
            default=DEFAULT_IDLE_TIMEOUT_MINUTES,
        ),
        image_tag=app["image_tag"].text(IMAGE_TAG.pattern, IMAGE_TAG.rule, example="etl-2026.11.1")
        or None,
    )


def _release_label(node: Node) -> str:
    """A release label as ``ReleaseLabel.of`` takes it (the API's form, emr-6.6.0 or later)."""
    label = node.text(re.compile(".*", re.DOTALL), "must be text", example="emr-7.14.0")
    if node.present and isinstance(node.value, str):
        _domain(node, lambda: ReleaseLabel.of(label))
    return label


def _read_workers(node: Node, kinds: Mapping[str, WorkerType]) -> tuple[WorkerConfig, ...]:
    workers = node.mapping(required=tuple(kinds))
    return tuple(_read_worker(workers[key], key, worker_type) for key, worker_type in kinds.items())


def _read_worker(node: Node, key: str, worker_type: WorkerType) -> WorkerConfig:
    worker = node.mapping(required=_WORKER_REQUIRED, optional=_WORKER_OPTIONAL)
    disk_type: DiskType | None = None
    if worker["disk_type"].present:
        disk_type = worker["disk_type"].choice({d.value: d for d in DiskType}, default=None)
    return WorkerConfig(
        worker_type=worker_type,
        config_key=key,
        vcpu=worker["vcpu"].integer(minimum=1),
        memory_gb=worker["memory_gb"].integer(minimum=1),
        disk_gb=worker["disk_gb"].integer(minimum=1) if worker["disk_gb"].present else None,
        disk_type=disk_type,
        pre_initialized=worker["pre_initialized"].integer(minimum=0),
    )


def _read_maximum_capacity(node: Node) -> MaximumCapacity:
    capacity = node.mapping(required=("vcpu",), optional=("memory_gb", "disk_gb"))
    memory, disk = (
        capacity[key].integer(minimum=1) if capacity[key].present else None
        for key in ("memory_gb", "disk_gb")
    )
    return MaximumCapacity(vcpu=capacity["vcpu"].integer(minimum=1), memory_gb=memory, disk_gb=disk)


def _read_data(node: Node) -> DataConfig:
    data = node.mapping(optional=tuple(DATA_LOCATIONS)) if node.present else node
    return DataConfig(
        **{kind: _read_location(data[kind], prefix) for kind, prefix in DATA_LOCATIONS.items()}
    )


def _read_location(node: Node, default_prefix: str) -> DataLocation:
    if not node.present:
        return DataLocation(prefix=default_prefix)
    location = node.mapping(optional=("bucket", "prefix"))
    prefix = location["prefix"].text(
        _PREFIX,
        "a prefix is a folder: it ends with '/', does not start with '/', and has no spaces "
        "or wildcards (so that grants cover exactly this folder)",
        example=default_prefix,
        default=default_prefix,
    )
    bucket = location["bucket"]
    name = bucket.text(_BUCKET, BUCKET_NAME_RULE, example="my-existing-bucket") or None
    if name and not is_bucket_name(name):
        bucket.fail(BUCKET_NAME_RULE, "write the name of the existing bucket")
    return DataLocation(prefix=prefix, bucket=name)


def is_bucket_name(name: str) -> bool:
    """Whether ``name`` follows the S3 naming rules for general purpose buckets."""
    return bool(
        _BUCKET.fullmatch(name)
        and ".." not in name
        and not _IP_ADDRESS.fullmatch(name)
        and not name.startswith(("xn--", "sthree-"))
    )


def _read_glue(node: Node) -> GlueDatabases:
    glue = node.mapping(optional=("read", "read_write")) if node.present else node
    seen: set[str] = set()
    lists: dict[str, tuple[str, ...]] = {}
    for access in ("read", "read_write"):
        names = []
        for element in glue[access].elements():
            name = element.text(_GLUE_DATABASE, _GLUE_RULE, example="sales_curated")
            if name in seen:
                element.fail("is listed twice (read_write includes read)", "list it once")
            seen.add(name)
            names.append(name)
        lists[access] = tuple(names)
    return GlueDatabases(**lists)


def _read_alarms(node: Node) -> AlarmConfig:
    alarms = node.mapping(optional=_ALARM_KEYS) if node.present else node
    return AlarmConfig(
        enabled=alarms["enabled"].boolean(default=True),
        failed_jobs_threshold=alarms["failed_jobs_threshold"].integer(minimum=1, default=1),
        capacity_threshold_percent=alarms["capacity_threshold_percent"].integer(
            minimum=1, maximum=100, default=80
        ),
    )


def _name(node: Node, maximum: int, *, example: str) -> str:
    rule = (
        "names are lower-case letters, digits and single hyphens, starting with a letter, "
        f"at most {maximum} characters (they go into construct ids and resource names)"
    )
    name = node.text(_NAME, rule, example=example)
    if len(name) > maximum:
        node.fail(rule, f"shorten it to {maximum} characters or fewer")
    return name


# --------------------------------------------------------------------------- jobs
#
# A team's declared jobs (``teams[].jobs``): what each runs, with what, when and how long.
# Shapes are checked here; the job constructs check the rest (StartJobRun limits by
# release, worker sizes) and their errors are blamed at ``jobs[<i>].<key>``.

_JOB_OUTPUT_KEYS = (job_request_output_key, job_state_machine_output_key)
#: A job's name ends the name of its runs, ``<team>-<job>`` (StartJobRun ``name``: 1-256
#: characters), and its outputs' logical ids, ``<Team>Job<Job>StateMachineArn``, which
#: the jobs command reads back by name (CloudFormation: 255 characters; aws-cdk-lib
#: hashes a longer id): 213 with 24-character team names.
MAX_JOB_NAME = min(
    256 - MAX_TEAM_NAME - len("-"),
    255 - max(len(output_key("t" * MAX_TEAM_NAME, "")) for output_key in _JOB_OUTPUT_KEYS),
)
#: Workflow re-runs are the job's retry policy: attempts = retries + 1 (guide L3216).
MAX_JOB_RETRIES = 9
_JOB_KEYS = (
    "name",
    "entry_point",
    "project",
    "arguments",
    "spark_submit_parameters",
    "query",
    "init_query_file",
    "hive_parameters",
    "schedule",
    "time_zone",
    "flexible_window_minutes",
    "retries",
    "timeout_minutes",
)
_SPARK_JOB_ONLY = ("entry_point", "project", "arguments", "spark_submit_parameters")
_HIVE_JOB_ONLY = ("query", "init_query_file", "hive_parameters")
_ANY_TEXT = re.compile(r".*\S.*", re.DOTALL)


@dataclass(frozen=True)
class JobConfig:
    """One declared job of a team.

    A Spark job has ``entry_point`` (an ``s3://`` URI, a path in the image, or a key under
    the team's scripts location) or ``project`` (a PySpark folder, relative to the config
    file, packaged at synth). A Hive job has ``query`` (and ``init_query_file``), URIs or
    keys under the scripts location.
    """

    name: str
    index: int
    entry_point: str | None = None
    project: str | None = None
    arguments: tuple[str, ...] = ()
    spark_submit_parameters: str | None = None
    query: str | None = None
    init_query_file: str | None = None
    hive_parameters: str | None = None
    schedule: str | None = None
    time_zone: str | None = None
    flexible_window_minutes: int | None = None
    retries: int = 0
    timeout_minutes: int | None = None

    @property
    def setting(self) -> str:
        """The job's key path under its team, e.g. ``jobs[0]``."""
        return f"jobs[{self.index}]"

    def project_folder(self, source: str) -> Path | None:
        """``project`` resolved against the folder of the config file ``source``."""
        if self.project is None:
            return None
        return Path(source).resolve().parent / self.project


def _application_type(node: Node) -> EngineType | None:
    value = node.value.get("type") if isinstance(node.value, dict) else None
    return next((t for t in EngineType if t.value == value), None)


def _read_jobs(node: Node, engine: EngineType | None) -> tuple[JobConfig, ...]:
    jobs = tuple(_read_job(element, index, engine) for index, element in enumerate(node.elements()))
    seen: set[str] = set()
    for job, element in zip(jobs, node.elements(), strict=True):
        if job.name in seen:
            element["name"].fail("another job of the team has this name", "rename one of them")
        seen.add(job.name)
    return jobs


def _optional_text(node: Node, rule: str, example: str) -> str | None:
    return node.text(_ANY_TEXT, rule, example=example) or None


def _read_job(node: Node, index: int, engine: EngineType | None) -> JobConfig:
    job = node.mapping(required=("name",), optional=_JOB_KEYS[1:])
    name = job["name"].text(
        _NAME,
        "job names are lower-case letters, digits and single hyphens, starting with a letter, "
        f"at most {MAX_JOB_NAME} characters (they go into output keys and run names)",
        example="nightly-wordcount",
    )
    if len(name) > MAX_JOB_NAME:
        job["name"].fail(f"at most {MAX_JOB_NAME} characters", "shorten the name")
    if job.usable:
        _check_job_kind(job, engine)
    schedule = _optional_text(job["schedule"], "must be a schedule expression", "cron(0 2 * * ? *)")
    if schedule is not None:
        _domain(job["schedule"], lambda: check_schedule_expression(schedule))
    time_zone = _optional_text(job["time_zone"], "must be a time zone name", "Europe/Paris")
    if time_zone is not None:
        _domain(job["time_zone"], lambda: check_time_zone(time_zone))
        if schedule is None:  # harmless: nothing uses it
            job["time_zone"].warn(
                TIME_ZONE_WITHOUT_SCHEDULE_WARNING,
                "a time zone goes with a schedule, and this job has none: the time zone is "
                "not used (add schedule: ..., or remove time_zone)",
            )
    window = job["flexible_window_minutes"]
    arguments = [
        element.text(_ANY_TEXT, "arguments are text", example="s3://bucket/input/")
        if not isinstance(element.value, str)
        else element.value
        for element in job["arguments"].elements()
    ]
    return JobConfig(
        name=name,
        index=index,
        entry_point=_optional_text(job["entry_point"], "must be text", "s3://bucket/job.py"),
        project=_optional_text(job["project"], "must be a folder path", "jobs/wordcount"),
        arguments=tuple(arguments),
        spark_submit_parameters=_optional_text(
            job["spark_submit_parameters"], "must be text", "--conf spark.executor.cores=4"
        ),
        query=_optional_text(job["query"], "must be text", "s3://bucket/report.sql"),
        init_query_file=_optional_text(job["init_query_file"], "must be text", "init.sql"),
        hive_parameters=_optional_text(job["hive_parameters"], "must be text", "--hiveconf a=b"),
        schedule=schedule,
        time_zone=time_zone,
        flexible_window_minutes=window.integer(minimum=1, maximum=1440) if window.present else None,
        retries=job["retries"].integer(minimum=0, maximum=MAX_JOB_RETRIES, default=0),
        timeout_minutes=job["timeout_minutes"].integer(minimum=0)
        if job["timeout_minutes"].present
        else None,
    )


def _check_job_kind(job: Node, engine: EngineType | None) -> None:
    present = {key for key in _JOB_KEYS if job[key].present}
    if engine is EngineType.HIVE:
        for key in sorted(present & set(_SPARK_JOB_ONLY)):
            job[key].fail("the team runs a HIVE application: jobs are queries", "use query: ...")
        if "query" not in present:
            job["query"].fail("is required for a Hive job", "add query: s3://bucket/report.sql")
        return
    for key in sorted(present & set(_HIVE_JOB_ONLY)):
        job[key].fail("the team runs a SPARK application", "use entry_point: or project:")
    if ("entry_point" in present) == ("project" in present):
        job["entry_point"].fail(
            "a Spark job has one of entry_point (a script or JAR) and project (a PySpark folder)",
            "give one of them",
        )


def _domain(node: Node, check: Callable[[], object]) -> None:
    """Record a library rule's refusal of ``node``'s value at its key path."""
    try:
        check()
    except EmrServerlessValidationError as error:
        node.fail(error.rule, error.fix)


# --------------------------------------------------------------------------- accounts, Regions,
# existing networks and tags (an environment's place in an organisation)


def _read_target(node: Node) -> tuple[str | None, str | None]:
    """An environment's ``account`` and ``region``: both, or neither."""
    if not node.present:
        return None, None
    env = node.mapping(optional=_ENVIRONMENT_KEYS)
    account_node, region_node = env["account"], env["region"]
    account: str | None = None
    if account_node.present:
        if isinstance(account_node.value, int) and not isinstance(account_node.value, bool):
            account_node.fail(
                f"an AWS account id is 12 digits, written as text ({ACCOUNT_IDS}); YAML reads "
                "an unquoted number as a number (and 0123... as octal)",
                "write it in quotes, e.g. account: '123456789012'",
            )
        else:
            account = account_node.text(
                _ACCOUNT, f"an AWS account id is 12 digits ({ACCOUNT_IDS})", example="123456789012"
            )
    region: str | None = None
    if region_node.present:
        regions = sorted(EMR_SERVERLESS_REGIONS)
        written = region_node.value
        hint = did_you_mean(written, regions) if isinstance(written, str) else ""
        if isinstance(written, str) and written in EMR_SERVERLESS_REGIONS:
            region = written
        elif isinstance(written, str) and REGION_CODE.fullmatch(written):
            region = written  # perhaps a Region opened since the table: warned, not refused
            region_node.warn(UNKNOWN_REGION_WARNING, f"{unknown_region_warning(written)}{hint}")
        else:
            region_node.fail(
                f"is not a Region code (like eu-west-1); EMR Serverless runs in "
                f"{', '.join(regions)} ({ENDPOINTS_PAGE}){hint}",
                "name one of those Regions",
            )
    for present, missing, example in (
        (account_node, region_node, "region: eu-west-1"),
        (region_node, account_node, "account: '123456789012'"),
    ):
        if present.present and not missing.present:
            missing.fail(
                "an environment names its account and its Region together (a stack is bound "
                "to both, or to neither)",
                f"add {example}, or remove {present.path.rsplit('.', 1)[-1]}",
            )
    if account is None or region is None:
        return None, None
    return account, region


def _check_targets(environments: Sequence[EnvironmentConfig], nodes: Mapping[str, Node]) -> None:
    """Every environment names its account and Region, or none does."""
    named = [env.name for env in environments if env.target is not None]
    if not named:
        return
    for env in environments:
        node = nodes[env.name]
        written = isinstance(node.value, dict) and (
            "account" in node.value or "region" in node.value
        )
        if env.target is None and not written:
            node.fail(
                f"{', '.join(named)} name their account and Region and {env.name} does not: the "
                "platform cannot tell whether it shares an account with them (each account and "
                "Region gets one images stack, whose repository names would collide)",
                f"add account: and region: to environments.{env.name}, or remove them from "
                "every environment",
            )


def _network_kind(network: Any) -> str | None:
    if not isinstance(network, dict):
        return None
    if any(key in network for key in _EXISTING_NETWORK_KEYS):
        return "existing"
    if any(key in network for key in _PLANNED_NETWORK_KEYS):
        return "planned"
    return None


def _without_other_network(base: Any, override: Any) -> Any:
    """``base`` platform settings without their network when ``override`` switches its kind.

    An environment that names an existing VPC where the base plans one (or the other way
    round) replaces the network whole instead of merging key by key.
    """
    if not isinstance(base, dict) or not isinstance(override, dict):
        return base
    theirs, ours = _network_kind(base.get("network")), _network_kind(override.get("network"))
    if theirs is not None and ours is not None and theirs != ours:
        return {**base, "network": {}}
    return base


def _read_existing_network(node: Node, *, region: str | None, checked: bool) -> NetworkConfig:
    network = node.mapping(required=_EXISTING_NETWORK_KEYS, optional=_PLANNED_NETWORK_KEYS)
    for key in _PLANNED_NETWORK_KEYS:
        if network[key].present:
            network[key].fail(
                "it shapes a VPC the platform plans, and vpc_id names an existing VPC, which "
                "the platform uses as it is",
                f"remove {key} (or remove vpc_id and subnets to plan a VPC)",
            )
    vpc_id = network["vpc_id"].text(
        _VPC_ID,
        f"a VPC id is vpc- and 8 or 17 hexadecimal characters ({RESOURCE_IDS})",
        example="vpc-0123456789abcdef0",
    )
    if checked and region is None:
        network["vpc_id"].fail(
            "an existing VPC is in one account and Region, and this environment names neither",
            "add account: and region: to the environment (environments.<name>)",
        )
    subnets = _read_existing_subnets(network["subnets"], region=region if checked else None)
    existing = ExistingNetwork(vpc_id=vpc_id, subnets=subnets)
    return NetworkConfig(
        vpc_cidr="",
        availability_zones=len(existing.availability_zone_ids),
        nat_gateways=NatGateways.NONE,
        existing=existing,
    )


def _read_existing_subnets(node: Node, *, region: str | None) -> tuple[ExistingSubnet, ...]:
    elements = node.elements()
    if node.present and not 1 <= len(elements) <= MAX_SUBNETS:
        node.fail(
            f"EMR Serverless takes 1 to {MAX_SUBNETS} subnets ({NETWORK_CONFIGURATION})",
            f"list 1 to {MAX_SUBNETS} private subnets, one or more per Availability Zone",
        )
    subnets: list[ExistingSubnet] = []
    seen: set[str] = set()
    for element in elements:
        subnet = element.mapping(required=_SUBNET_KEYS)
        subnet_id = subnet["subnet_id"].text(
            _SUBNET_ID,
            f"a subnet id is subnet- and 8 or 17 hexadecimal characters ({RESOURCE_IDS})",
            example="subnet-0123456789abcdef0",
        )
        if subnet_id and subnet_id in seen:
            subnet["subnet_id"].fail("is listed twice", "list each subnet once")
        seen.add(subnet_id)
        zone = _zone_id(subnet["availability_zone_id"], region)
        subnets.append(
            ExistingSubnet(
                subnet_id=subnet_id,
                cidr=_subnet_cidr(subnet["cidr"]),
                availability_zone_id=zone,
            )
        )
    return tuple(subnets)


def _subnet_cidr(node: Node) -> str:
    text = node.text(re.compile(r".+/\d+"), "must be an IPv4 CIDR block", example="10.0.0.0/22")
    if not text:
        return text
    try:
        network = ipaddress.IPv4Network(text)
    except ValueError as error:
        node.fail(
            f"is not an IPv4 network ({error})", "write the subnet's CIDR block, e.g. 10.0.0.0/22"
        )
        return ""
    low, high = VPC_PREFIX_LENGTHS
    if not low <= network.prefixlen <= high:
        node.fail(
            f"a subnet's CIDR block is /{low} to /{high} ({SUBNET_SIZING})",
            "write the subnet's CIDR block as the VPC console shows it",
        )
        return ""
    return text


def _zone_id(node: Node, region: str | None) -> str:
    """One Availability Zone id, refused when EMR Serverless does not run there."""
    zone = node.text(
        _AZ_ID, f"an Availability Zone id looks like use1-az1 ({AZ_IDS})", example="use1-az1"
    )
    if zone and region is not None:
        try:
            check_az_ids(region, [zone], argument=node.path)
        except EmrServerlessValidationError as error:
            node.fail(error.rule, f"{error.fix} (or leave this zone out)")
    return zone


def _read_zone_ids(
    node: Node, count_node: Node, count: int, *, region: str | None, checked: bool
) -> tuple[str, ...]:
    """The zone ids planned subnets are placed in: pinned by the file, or chosen for the Region."""
    if node.present:
        elements = node.elements()
        zones = [_zone_id(element, region if checked else None) for element in elements]
        if not MIN_AZS <= len(elements) <= MAX_AVAILABILITY_ZONES:
            node.fail(
                f"the platform's VPC spans {MIN_AZS} to {MAX_AVAILABILITY_ZONES} Availability "
                "Zones (EMR Serverless moves jobs to a healthy zone only if there is one)",
                f"list {MIN_AZS} to {MAX_AVAILABILITY_ZONES} zone ids",
            )
        if len(set(zones)) < len(zones):
            node.fail("lists a zone twice", "list each zone id once")
        if count_node.present and count_node.value != len(zones):
            count_node.fail(
                f"availability_zone_ids lists {len(zones)} zones",
                f"write availability_zones: {len(zones)}, or remove it",
            )
        if checked and region is None:
            node.fail(
                "zone ids belong to one Region, and this environment names none (so they "
                "cannot be checked against the zones EMR Serverless supports)",
                "add account: and region: to the environment, or remove availability_zone_ids",
            )
        return tuple(zone for zone in zones if zone)
    supported = supported_az_ids(region) if checked and region is not None else None
    if supported is None:
        return ()
    if count > len(supported):
        count_node.fail(
            f"EMR Serverless supports only {len(supported)} Availability Zones in {region}: "
            f"{', '.join(sorted(supported))} ({ENDPOINTS_PAGE})",
            f"use availability_zones: {len(supported)} or fewer",
        )
        return ()
    return tuple(sorted(supported)[:count])


def _read_tags(node: Node) -> Tags:
    """Cost-allocation tags: ``{key: value}``, each checked against the AWS tag rules."""
    if not node.present:
        return ()
    tags: list[tuple[str, str]] = []
    for key, value in node.entries():
        problem = tag_problem(key, "")  # the key's rules (an empty value breaks none)
        if problem is not None:
            node.ctx.fail(value.path, MISSING, problem.rule, problem.fix)
            continue
        if key in PLATFORM_TAG_KEYS:
            node.ctx.fail(
                value.path,
                MISSING,
                f"the platform sets the {key} tag itself (platform name, environment and team "
                "on every resource, the job's name on a declared job's runs)",
                f"remove it, or use another key, e.g. cost-{key}",
            )
            continue
        if not isinstance(value.value, str):
            quoted = repr(str(value.value)) if value.present else "''"
            value.fail(
                "a tag value is text (it may be empty, not null)",
                f"write it in quotes, e.g. {key}: {quoted}",
            )
            continue
        problem = tag_problem(key, value.value)
        if problem is not None:
            value.fail(problem.rule, problem.fix)
            continue
        tags.append((key, value.value))
    return tuple(tags)


def _check_tag_count(environment: EnvironmentConfig, tags: Node, teams: Node) -> None:
    """The tags one resource gets stay within the 50 AWS allows, with the platform's own."""
    rule = (
        f"a resource or job run has at most {MAX_TAGS} tags ({TAG_LIMITS}): the platform adds "
        f"{', '.join(PLATFORM_TAG_KEYS)}"
    )
    if environment.network.existing is None:  # subnets the platform creates
        rule += (
            f" and aws-cdk-lib up to {NETWORK_TAGS_FROM_CONSTRUCTS} on a subnet (Name, "
            "aws-cdk:subnet-name, aws-cdk:subnet-type)"
        )
        room = MAX_ENVIRONMENT_TAGS
    else:
        room = MAX_ENVIRONMENT_TAGS_EXISTING_VPC
    if len(environment.tags) > room:
        tags.fail(
            f"{rule}, which leaves {room} for platform.tags; "
            f"{environment.name} has {len(environment.tags)}",
            f"remove {len(environment.tags) - room}",
        )
        return
    elements = teams.elements()
    for team in environment.teams:
        count = len({**dict(environment.tags), **dict(team.tags)})
        if count > MAX_TEAM_STACK_TAGS and team.index < len(elements):
            elements[team.index]["tags"].fail(
                f"{rule}, which leaves {MAX_TEAM_STACK_TAGS} for platform.tags and a team's "
                f"tags together; team {team.name} in {environment.name} has {count}",
                f"remove {count - MAX_TEAM_STACK_TAGS}, or use keys of platform.tags",
            )
