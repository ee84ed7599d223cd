"""The StartJobRun request: one renderer for every way this library starts a job run.

``emr-serverless-jobs submit``, the job definitions (:mod:`constructs_lib.job_definition`),
the Step Functions task and the EventBridge Scheduler target all build a
:class:`JobRunSpec` and render it with :func:`start_job_run_request`, so they send the
same request and refuse the same mistakes. :func:`parse_start_job_run_request` reads a
rendered request back (the jobs command reads a declared job from its stack output), and
:func:`pascal_case_parameters` writes a request in the member names Step Functions and
EventBridge Scheduler take.

Each limit comes from the StartJobRun API model (pinned botocore), the *EMR Serverless
User Guide* or a release page, cited in :data:`JOB_RUN_RULES`. A value that is a CDK
token (``${Token[...]}``) is not checked here: :func:`check_job_run` returns it, and the
construct that passed it records the skipped rule.

Pure module: imports nothing from ``aws_cdk``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from constructs_lib._arguments import checked_fields
from constructs_lib._enums import LenientEnum
from constructs_lib.application_rules import MAX_TAGS, TAG_RULES, tag_problem
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_configuration import SPARK_ONLY_CLASSIFICATIONS, Classification
from constructs_lib.sources import api_reference, user_guide
from constructs_lib.workers import EngineType

START_JOB_RUN = api_reference("StartJobRun")
#: The release that bounds batch timeouts (1-10,080 minutes, no 0) and its page.
BATCH_TIMEOUT_RELEASE = ReleaseLabel("emr-7.11.0")
RELEASE_7110 = user_guide("release-version-7110")
#: The first release with job retry policies and streaming jobs (guide L2654, L4708).
RETRY_RELEASE = ReleaseLabel("emr-7.1.0")
#: Where retry policies and streaming jobs are described (cited by guide line).
JOB_RESILIENCY = "guide L3216, L3237"
STREAMING_JOBS = "guide L2654-2656"


@dataclass(frozen=True)
class Limit:
    """One limit of the request, with where it comes from."""

    low: int
    high: int
    source: str


#: Every numeric limit, by the request member it bounds.
JOB_RUN_RULES: Mapping[str, Limit] = MappingProxyType(
    {
        "applicationId": Limit(1, 64, START_JOB_RUN),
        "clientToken": Limit(1, 64, START_JOB_RUN),
        "executionRoleArn": Limit(20, 2048, START_JOB_RUN),
        "name": Limit(1, 256, START_JOB_RUN),
        "entryPoint": Limit(1, 4096, START_JOB_RUN),
        "entryPointArguments": Limit(0, 1024, START_JOB_RUN),
        "sparkSubmitParameters": Limit(1, 102_400, START_JOB_RUN),
        "query": Limit(1, 10_280, START_JOB_RUN),
        "initQueryFile": Limit(1, 256, START_JOB_RUN),
        "parameters": Limit(1, 102_400, START_JOB_RUN),
        # StartJobRun Duration: 0 (no timeout) to 1,000,000 minutes.
        "executionTimeoutMinutes": Limit(0, 1_000_000, START_JOB_RUN),
        # From emr-7.11.0, batch runs: 1-10,080 minutes; 0 is refused.
        "executionTimeoutMinutes[batch, emr-7.11.0+]": Limit(1, 10_080, RELEASE_7110),
        # Batch maxAttempts and streaming maxFailedAttemptsPerHour: 1-10 (guide L3216, L3237).
        "retryPolicy.maxAttempts": Limit(1, 10, JOB_RESILIENCY),
        "retryPolicy.maxFailedAttemptsPerHour": Limit(1, 10, JOB_RESILIENCY),
        "tags": Limit(0, MAX_TAGS, "guide L5757"),
        "applicationConfiguration": Limit(0, 100, START_JOB_RUN),
        "properties": Limit(0, 100, START_JOB_RUN),
        "configurationText": Limit(1, 1024, START_JOB_RUN),
        "logUri": Limit(1, 10_280, START_JOB_RUN),
        "logGroupName": Limit(1, 512, START_JOB_RUN),
        "logStreamNamePrefix": Limit(1, 512, START_JOB_RUN),
        "logTypes": Limit(1, 4, START_JOB_RUN),
        "logTypes[]": Limit(1, 5, START_JOB_RUN),
    }
)

_APPLICATION_ID = re.compile(r"[0-9a-z]+")
_CLIENT_TOKEN = re.compile(r"[A-Za-z0-9._-]+")
_ROLE_ARN = re.compile(
    r"arn:(aws[a-zA-Z0-9-]*):iam::([0-9]{12}):(role((\u002F)|(\u002F[\u0021-\u007F]+\u002F))"
    r"[\w+=,.@-]+)"
)
_KEY_ARN = re.compile(r"arn:(aws[a-zA-Z0-9-]*):kms:[a-zA-Z0-9\-]*:([0-9]{12}):key\/[a-zA-Z0-9-]+")
_NOT_BLANK = re.compile(r".*\S.*", re.DOTALL)
_LOG_GROUP = re.compile(r"[\.\-_/#A-Za-z0-9]+")
_LOG_STREAM_PREFIX = re.compile(r"[^:*]*")
_LOG_TYPE = re.compile(r"[a-zA-Z]+[-_]*[a-zA-Z]+")
_PROMETHEUS_URL = re.compile(
    r"https://aps-workspaces.([a-z]{2}-[a-z-]{1,20}-[1-9]).amazonaws(.[0-9A-Za-z]{2,4})+"
    r"/workspaces/[-_.0-9A-Za-z]{1,100}/api/v1/remote_write"
)
#: How aws-cdk-lib encodes a token in a string; numbers near -1.89e289 are number tokens.
_TOKEN = re.compile(r"[$#]\{Token\[[^\]]+\]\}")
_TOKEN_DOUBLE_MAGNITUDE = 1e288


def is_token(value: object) -> bool:
    """Whether ``value`` is (or holds) a CDK token, recognised by its encoding alone."""
    if isinstance(value, str):
        return _TOKEN.search(value) is not None
    if isinstance(value, float):
        return abs(value) > _TOKEN_DOUBLE_MAGNITUDE
    return False


class JobMode(LenientEnum):
    """How a job runs (StartJobRun ``mode``)."""

    BATCH = "BATCH"
    STREAMING = "STREAMING"


@checked_fields
@dataclass(frozen=True)
class SparkSubmit:
    """A Spark job: ``sparkSubmit``.

    :param entry_point: ``s3://bucket/key`` of the script or JAR, or a path in the image.
    :param arguments: the entry point's arguments. Default: none.
    :param submit_parameters: ``spark-submit`` options, e.g. ``--class ...``. Default: none.
    """

    entry_point: str
    arguments: tuple[str, ...] = ()
    submit_parameters: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "arguments", tuple(self.arguments))

    @property
    def engine(self) -> EngineType:
        """Spark."""
        return EngineType.SPARK

    def render(self) -> dict[str, Any]:
        """The API's ``jobDriver``."""
        spark: dict[str, Any] = {"entryPoint": self.entry_point}
        if self.arguments:
            spark["entryPointArguments"] = list(self.arguments)
        if self.submit_parameters is not None:
            spark["sparkSubmitParameters"] = self.submit_parameters
        return {"sparkSubmit": spark}


@checked_fields
@dataclass(frozen=True)
class HiveQuery:
    """A Hive job: ``hive``.

    :param query: ``s3://bucket/key`` of the query file (or the query itself).
    :param init_query_file: ``s3://bucket/key`` run before the query. Default: none.
    :param parameters: Hive options, e.g. ``--hiveconf k=v``. Default: none.
    """

    query: str
    init_query_file: str | None = None
    parameters: str | None = None

    @property
    def engine(self) -> EngineType:
        """Hive."""
        return EngineType.HIVE

    def render(self) -> dict[str, Any]:
        """The API's ``jobDriver``."""
        hive: dict[str, Any] = {"query": self.query}
        if self.init_query_file is not None:
            hive["initQueryFile"] = self.init_query_file
        if self.parameters is not None:
            hive["parameters"] = self.parameters
        return {"hive": hive}


JobDriver = SparkSubmit | HiveQuery


@checked_fields
@dataclass(frozen=True)
class RetryPolicy:
    """A run's retry policy (emr-7.1.0+): one of the two, by the run's mode.

    :param max_attempts: batch runs: attempts in all, 1-10. Default: not set.
    :param max_failed_attempts_per_hour: streaming runs: failed attempts per hour before
        EMR Serverless stops retrying, 1-10. Default: not set (the service's 5).
    """

    max_attempts: int | None = None
    max_failed_attempts_per_hour: int | None = None

    def render(self) -> dict[str, int]:
        """The API's ``retryPolicy``."""
        rendered: dict[str, int] = {}
        if self.max_attempts is not None:
            rendered["maxAttempts"] = self.max_attempts
        if self.max_failed_attempts_per_hour is not None:
            rendered["maxFailedAttemptsPerHour"] = self.max_failed_attempts_per_hour
        return rendered


@checked_fields
@dataclass(frozen=True)
class JobMonitoring:
    """A run's ``monitoringConfiguration`` override; every part is optional.

    :param log_uri: ``s3://bucket/prefix/`` for the run's logs. Default: the application's.
    :param log_encryption_key_arn: KMS key of the S3 logs. Default: none.
    :param log_group_name: CloudWatch Logs group (turns CloudWatch logging on).
        Default: the application's.
    :param log_stream_prefix: prefix of the run's log streams. Default: none.
    :param cloudwatch_encryption_key_arn: KMS key of the CloudWatch logs. Default: none.
    :param log_types: per worker type (``SPARK_DRIVER``...), the logs to send.
        Default: the service's.
    :param managed_persistence: keep managed logs (``True``/``False``). Default: not set.
    :param managed_encryption_key_arn: KMS key of the managed logs. Default: none.
    :param prometheus_remote_write_url: Amazon Managed Service for Prometheus remote-write
        URL. Default: none.
    """

    log_uri: str | None = None
    log_encryption_key_arn: str | None = None
    log_group_name: str | None = None
    log_stream_prefix: str | None = None
    cloudwatch_encryption_key_arn: str | None = None
    log_types: Mapping[str, tuple[str, ...]] | None = None
    managed_persistence: bool | None = None
    managed_encryption_key_arn: str | None = None
    prometheus_remote_write_url: str | None = None

    def __post_init__(self) -> None:
        if self.log_types is not None:
            frozen = {key: tuple(values) for key, values in self.log_types.items()}
            object.__setattr__(self, "log_types", MappingProxyType(frozen))

    def render(self) -> dict[str, Any]:
        """The API's ``monitoringConfiguration`` (empty when nothing is set)."""
        rendered: dict[str, Any] = {}
        if self.log_uri is not None:
            s3: dict[str, Any] = {"logUri": self.log_uri}
            if self.log_encryption_key_arn is not None:
                s3["encryptionKeyArn"] = self.log_encryption_key_arn
            rendered["s3MonitoringConfiguration"] = s3
        if self.managed_persistence is not None:
            managed: dict[str, Any] = {"enabled": self.managed_persistence}
            if self.managed_encryption_key_arn is not None:
                managed["encryptionKeyArn"] = self.managed_encryption_key_arn
            rendered["managedPersistenceMonitoringConfiguration"] = managed
        if self.log_group_name is not None:
            cloudwatch: dict[str, Any] = {"enabled": True, "logGroupName": self.log_group_name}
            if self.log_stream_prefix is not None:
                cloudwatch["logStreamNamePrefix"] = self.log_stream_prefix
            if self.cloudwatch_encryption_key_arn is not None:
                cloudwatch["encryptionKeyArn"] = self.cloudwatch_encryption_key_arn
            if self.log_types is not None:
                cloudwatch["logTypes"] = {k: list(v) for k, v in self.log_types.items()}
            rendered["cloudWatchLoggingConfiguration"] = cloudwatch
        if self.prometheus_remote_write_url is not None:
            rendered["prometheusMonitoringConfiguration"] = {
                "remoteWriteUrl": self.prometheus_remote_write_url
            }
        return rendered


@checked_fields
@dataclass(frozen=True)
class JobRunSpec:
    """Everything a StartJobRun request holds but the client token.

    :param application_id: the application to run on.
    :param execution_role_arn: the runtime role the run assumes.
    :param driver: a :class:`SparkSubmit` or :class:`HiveQuery`.
    :param name: the run's name, 1-256 characters. Default: none (the service's).
    :param mode: batch or streaming. Default: not sent (batch).
    :param retry_policy: the run's retry policy (emr-7.1.0+). Default: none (no retries).
    :param execution_timeout_minutes: cancel the run after this long. Default: not sent
        (the service's 720).
    :param tags: at most 50 tags. Default: none.
    :param monitoring: where this run's logs go, overriding the application's.
        Default: none.
    :param application_configuration: per-run classifications, e.g. ``spark-defaults``.
        Default: none.
    """

    application_id: str
    execution_role_arn: str
    driver: JobDriver
    name: str | None = None
    mode: JobMode | None = None
    retry_policy: RetryPolicy | None = None
    execution_timeout_minutes: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    monitoring: JobMonitoring | None = None
    application_configuration: tuple[Classification, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        object.__setattr__(self, "application_configuration", tuple(self.application_configuration))

    @property
    def effective_mode(self) -> JobMode:
        """The mode the service runs: ``mode``, or batch when not sent."""
        return self.mode or JobMode.BATCH


@dataclass(frozen=True)
class Unchecked:
    """A value that is a token, so the rule was not checked at synth."""

    argument: str
    rule: str


# --------------------------------------------------------------------------- rendering


def start_job_run_request(
    spec: JobRunSpec,
    *,
    client_token: str | None,
    release: ReleaseLabel | None = None,
    engine: EngineType | None = None,
) -> dict[str, Any]:
    """The StartJobRun parameters (``boto3`` names) for ``spec``, checked.

    :param client_token: the idempotency token; ``None`` leaves it out, for a caller that
        adds its own (Step Functions' ``States.UUID()``, Scheduler's execution id).
    :param release: the application's release, for the release-dependent rules.
        Default: unknown (only the API model's limits apply).
    :param engine: the application's type, to refuse a Hive job on a Spark application
        and the reverse. Default: unknown.
    :raises EmrServerlessValidationError: for anything the service would refuse.
    """
    check_job_run(spec, release=release, engine=engine)
    request: dict[str, Any] = {
        "applicationId": spec.application_id,
        "executionRoleArn": spec.execution_role_arn,
    }
    if client_token is not None:
        _check_text(
            client_token, "clientToken", _CLIENT_TOKEN, argument="client_token", unchecked=[]
        )
        request["clientToken"] = client_token
    request["jobDriver"] = spec.driver.render()
    if spec.name is not None:
        request["name"] = spec.name
    if spec.mode is not None:
        request["mode"] = spec.mode.value
    overrides: dict[str, Any] = {}
    if spec.application_configuration:
        overrides["applicationConfiguration"] = [c.render() for c in spec.application_configuration]
    monitoring = spec.monitoring.render() if spec.monitoring else {}
    if monitoring:
        overrides["monitoringConfiguration"] = monitoring
    if overrides:
        request["configurationOverrides"] = overrides
    if spec.retry_policy is not None and spec.retry_policy.render():
        request["retryPolicy"] = spec.retry_policy.render()
    if spec.execution_timeout_minutes is not None:
        request["executionTimeoutMinutes"] = spec.execution_timeout_minutes
    if spec.tags:
        request["tags"] = dict(spec.tags)
    return request


#: Request members whose values are maps with the caller's keys (not renamed).
_USER_KEYED_MAPS = frozenset({"tags", "properties", "logTypes", "encryptionContext"})


def pascal_case_parameters(request: Mapping[str, Any]) -> dict[str, Any]:
    """``request`` with member names as Step Functions and EventBridge Scheduler take them.

    Service integrations name the API's members in PascalCase (``ApplicationId``,
    ``JobDriver.SparkSubmit.EntryPoint``); keys of maps the caller names (tags,
    classification properties, log types) stay as they are.
    """

    def convert(value: Any, *, user_keys: bool) -> Any:
        if isinstance(value, Mapping):
            return {
                (key if user_keys else key[:1].upper() + key[1:]): convert(
                    item, user_keys=key in _USER_KEYED_MAPS and not user_keys
                )
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [convert(item, user_keys=False) for item in value]
        return value

    converted: dict[str, Any] = convert(request, user_keys=False)
    return converted


# --------------------------------------------------------------------------- checks


def check_job_run(
    spec: JobRunSpec, *, release: ReleaseLabel | None = None, engine: EngineType | None = None
) -> list[Unchecked]:
    """Refuse what StartJobRun would refuse; return the rules skipped for tokens.

    :raises EmrServerlessValidationError: naming the argument, the value, the rule and fix.
    """
    unchecked: list[Unchecked] = []
    release = numbered(release)
    _check_text(
        spec.application_id,
        "applicationId",
        _APPLICATION_ID,
        argument="application_id",
        unchecked=unchecked,
    )
    _check_text(
        spec.execution_role_arn,
        "executionRoleArn",
        _ROLE_ARN,
        argument="execution_role_arn",
        unchecked=unchecked,
        what="an IAM role ARN, arn:<partition>:iam::<account>:role/<name>",
    )
    if spec.name is not None:
        _check_text(spec.name, "name", _NOT_BLANK, argument="name", unchecked=unchecked)
    _check_driver(spec, engine=engine, unchecked=unchecked)
    _check_mode(spec, release=release)
    _check_retry_policy(spec, release=release)
    _check_timeout(spec, release=release)
    _check_tags(spec.tags, unchecked=unchecked)
    _check_configuration(spec.application_configuration, engine=engine, unchecked=unchecked)
    if spec.monitoring is not None:
        _check_monitoring(spec.monitoring, unchecked=unchecked)
    return unchecked


def _check_text(
    value: object,
    member: str,
    pattern: re.Pattern[str],
    *,
    argument: str,
    unchecked: list[Unchecked],
    what: str | None = None,
) -> None:
    limit = JOB_RUN_RULES[member] if member in JOB_RUN_RULES else JOB_RUN_RULES["configurationText"]
    rule = (
        f"{member} is {what or 'text'} of {limit.low:,}-{limit.high:,} characters"
        + ("" if what or pattern is _NOT_BLANK else f" matching {pattern.pattern}")
        + (", not only spaces" if pattern is _NOT_BLANK else "")
        + f" ({limit.source})"
    )
    if is_token(value):
        if not _surely_fits(str(value), limit, pattern):
            unchecked.append(Unchecked(argument, rule))
        return
    if (
        not isinstance(value, str)
        or not limit.low <= len(value) <= limit.high
        or not pattern.fullmatch(value)
    ):
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule=rule,
            fix=f"pass {what or 'such text'}" if what else "shorten it or fix its characters",
        )


#: The longest a token in a text is taken to become (the longest ARN or name it may stand for).
_TOKEN_LENGTH_BOUND = 2048


def _surely_fits(value: str, limit: Limit, pattern: re.Pattern[str]) -> bool:
    """Whether a text with tokens meets a "not only spaces" rule whatever they resolve to."""
    if pattern is not _NOT_BLANK:
        return False
    literal = _TOKEN.sub("", value)
    tokens = len(_TOKEN.findall(value))
    return bool(literal.strip()) and len(literal) + tokens * _TOKEN_LENGTH_BOUND <= limit.high


def _check_optional_text(
    value: str | None,
    member: str,
    pattern: re.Pattern[str],
    *,
    argument: str,
    unchecked: list[Unchecked],
) -> None:
    if value is not None:
        _check_text(value, member, pattern, argument=argument, unchecked=unchecked)


def _check_driver(
    spec: JobRunSpec, *, engine: EngineType | None, unchecked: list[Unchecked]
) -> None:
    driver = spec.driver
    if engine is not None and driver.engine is not engine:
        kind = "Spark job (sparkSubmit)" if driver.engine is EngineType.SPARK else "Hive job"
        raise EmrServerlessValidationError(
            argument="driver",
            value=type(driver).__name__,
            rule=f"a {engine.value} application runs {engine.value} jobs only; this is a {kind} "
            f"({START_JOB_RUN})",
            fix=f"run it on a {driver.engine.value} application, or give a "
            + ("HiveQuery" if engine is EngineType.HIVE else "SparkSubmit")
            + " driver",
        )
    if isinstance(driver, SparkSubmit):
        _check_text(
            driver.entry_point,
            "entryPoint",
            _NOT_BLANK,
            argument="entry_point",
            unchecked=unchecked,
        )
        limit = JOB_RUN_RULES["entryPointArguments"]
        if len(driver.arguments) > limit.high:
            raise EmrServerlessValidationError(
                argument="arguments",
                value=f"{len(driver.arguments)} arguments",
                rule=f"a run takes at most {limit.high:,} entry point arguments ({limit.source})",
                fix="pass fewer arguments, e.g. a path to a file that lists them",
            )
        for index, argument in enumerate(driver.arguments):
            if not isinstance(argument, str):
                raise EmrServerlessValidationError(
                    argument=f"arguments[{index}]",
                    value=argument,
                    rule=f"entry point arguments are strings ({START_JOB_RUN})",
                    fix=f"pass {str(argument)!r}",
                )
        _check_optional_text(
            driver.submit_parameters,
            "sparkSubmitParameters",
            _NOT_BLANK,
            argument="submit_parameters",
            unchecked=unchecked,
        )
    else:
        _check_text(driver.query, "query", _NOT_BLANK, argument="query", unchecked=unchecked)
        _check_optional_text(
            driver.init_query_file,
            "initQueryFile",
            _NOT_BLANK,
            argument="init_query_file",
            unchecked=unchecked,
        )
        _check_optional_text(
            driver.parameters, "parameters", _NOT_BLANK, argument="parameters", unchecked=unchecked
        )


def _check_mode(spec: JobRunSpec, *, release: ReleaseLabel | None) -> None:
    if spec.effective_mode is not JobMode.STREAMING:
        return
    if isinstance(spec.driver, HiveQuery):
        raise EmrServerlessValidationError(
            argument="mode",
            value=JobMode.STREAMING.value,
            rule=f"streaming jobs are Spark jobs ({STREAMING_JOBS})",
            fix="run Hive jobs in batch mode (leave mode unset)",
        )
    if release is not None and release < RETRY_RELEASE:
        raise EmrServerlessValidationError(
            argument="mode",
            value=JobMode.STREAMING.value,
            rule=f"streaming jobs need {RETRY_RELEASE} or later ({STREAMING_JOBS}); "
            f"the application runs {release}",
            fix=f"run the job on an application of {RETRY_RELEASE} or later",
        )


def _check_retry_policy(spec: JobRunSpec, *, release: ReleaseLabel | None) -> None:
    policy = spec.retry_policy
    if policy is None:
        return
    streaming = spec.effective_mode is JobMode.STREAMING
    given = {
        "max_attempts": policy.max_attempts,
        "max_failed_attempts_per_hour": policy.max_failed_attempts_per_hour,
    }
    wrong = "max_attempts" if streaming else "max_failed_attempts_per_hour"
    if given[wrong] is not None:
        right = "max_failed_attempts_per_hour" if streaming else "max_attempts"
        raise EmrServerlessValidationError(
            argument=f"retry_policy.{wrong}",
            value=given[wrong],
            rule=f"{'streaming' if streaming else 'batch'} runs take retry_policy.{right} "
            f"only ({JOB_RESILIENCY})",
            fix=f"set retry_policy.{right} instead",
        )
    for name, member in (
        ("max_attempts", "retryPolicy.maxAttempts"),
        ("max_failed_attempts_per_hour", "retryPolicy.maxFailedAttemptsPerHour"),
    ):
        value = given[name]
        if value is None:
            continue
        limit = JOB_RUN_RULES[member]
        _check_integer(value, limit, argument=f"retry_policy.{name}", unit="attempts")
        if release is not None and release < RETRY_RELEASE:
            raise EmrServerlessValidationError(
                argument=f"retry_policy.{name}",
                value=value,
                rule=f"retry policies need {RETRY_RELEASE} or later (guide L4708); the "
                f"application runs {release}",
                fix=f"remove the retry policy, or use {RETRY_RELEASE} or later",
            )


def numbered(release: ReleaseLabel | None) -> ReleaseLabel | None:
    """``release`` when its version is known (ordered against the gates), else ``None``.

    A label of a form this library does not read has no version: only the API model's
    limits apply to it.
    """
    return release if release is not None and release.major is not None else None


def timeout_limit(*, mode: JobMode, release: ReleaseLabel | None) -> Limit:
    """The executionTimeoutMinutes range a run of ``mode`` on ``release`` may have.

    Batch runs on emr-7.11.0 and later (of the emr-X.Y.Z line: no source says so of
    emr-spark-8.x): 1-10,080 minutes (no 0). Otherwise, and when the release is unknown: the
    API model's 0-1,000,000.
    """
    release = numbered(release)
    if mode is JobMode.BATCH and release is not None and release.at_least(BATCH_TIMEOUT_RELEASE):
        return JOB_RUN_RULES["executionTimeoutMinutes[batch, emr-7.11.0+]"]
    return JOB_RUN_RULES["executionTimeoutMinutes"]


def _check_timeout(spec: JobRunSpec, *, release: ReleaseLabel | None) -> None:
    minutes = spec.execution_timeout_minutes
    if minutes is None or is_token(minutes):
        return
    limit = timeout_limit(mode=spec.effective_mode, release=release)
    bounded = limit.source == RELEASE_7110
    if bounded and minutes == 0 and not isinstance(minutes, bool):
        raise EmrServerlessValidationError(
            argument="execution_timeout_minutes",
            value=minutes,
            rule=f"from {BATCH_TIMEOUT_RELEASE}, a batch run cannot turn its timeout off with 0; "
            f"it runs 1-10,080 minutes ({RELEASE_7110}; the application runs {release})",
            fix="give a timeout of at most 10,080 minutes (7 days), or leave it unset for the "
            "service's 720",
        )
    where = f" for a batch run on {release}" if bounded else ""
    _check_integer(
        minutes, limit, argument="execution_timeout_minutes", unit="minutes", where=where
    )


def _check_integer(
    value: object, limit: Limit, *, argument: str, unit: str, where: str = ""
) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not limit.low <= value <= limit.high
    ):
        raise EmrServerlessValidationError(
            argument=argument,
            value=value,
            rule=f"{limit.low:,}-{limit.high:,} {unit}{where} ({limit.source})",
            fix=f"use a whole number from {limit.low:,} to {limit.high:,}",
        )


#: What a tag whose key or value is a token is not checked against (the rules themselves
#: are ``application_rules.tag_problem``'s, shared with the application and the CLI).
_TAG_RULE = f"a tag's key and value meet the TagKey and TagValue rules ({TAG_RULES})"


def check_job_run_tags(tags: Mapping[str, str]) -> list[Unchecked]:
    """Refuse job run tags StartJobRun would refuse; return the rules skipped for tokens.

    At most 50 tags, each within :func:`~constructs_lib.application_rules.tag_problem`'s
    rules. :func:`check_job_run` checks these too; the command line checks them early.

    :raises EmrServerlessValidationError: naming ``tags[<key>]``, the key or value, the
        rule and the fix.
    """
    unchecked: list[Unchecked] = []
    _check_tags(tags, unchecked=unchecked)
    return unchecked


def _check_tags(tags: Mapping[str, str], *, unchecked: list[Unchecked]) -> None:
    limit = JOB_RUN_RULES["tags"]
    if len(tags) > limit.high:
        raise EmrServerlessValidationError(
            argument="tags",
            value=f"{len(tags)} tags",
            rule=f"a job run has at most {limit.high} tags ({limit.source})",
            fix="remove tags, or combine values into fewer tags",
        )
    for key, value in tags.items():
        argument = f"tags[{key!r}]"
        if is_token(key) or is_token(value):
            unchecked.append(Unchecked(argument, _TAG_RULE))
            continue
        if not isinstance(key, str) or not isinstance(value, str):
            raise EmrServerlessValidationError(
                argument=argument,
                value=value,
                rule=f"tag keys and values are strings ({START_JOB_RUN} TagKey, TagValue)",
                fix="write the key and the value as strings",
            )
        problem = tag_problem(key, value)
        if problem is not None:
            raise EmrServerlessValidationError(
                argument=argument,
                value=key if problem.part == "key" else value,
                rule=problem.rule,
                fix=problem.fix,
            )


def _check_configuration(
    classifications: Sequence[Classification],
    *,
    engine: EngineType | None,
    unchecked: list[Unchecked],
    argument: str = "application_configuration",
) -> None:
    limit = JOB_RUN_RULES["applicationConfiguration"]
    if len(classifications) > limit.high:
        raise EmrServerlessValidationError(
            argument=argument,
            value=f"{len(classifications)} classifications",
            rule=f"at most {limit.high} classifications ({limit.source})",
            fix="merge properties into fewer classifications",
        )
    for index, classification in enumerate(classifications):
        where = f"{argument}[{index}]"
        name = classification.classification
        _check_text(
            name, "configurationText", _NOT_BLANK, argument=f"{where}.classification", unchecked=[]
        )
        if engine is EngineType.HIVE and name in SPARK_ONLY_CLASSIFICATIONS:
            raise EmrServerlessValidationError(
                argument=f"{where}.classification",
                value=name,
                rule=f"{name} configures Spark; Hive applications take hive-site, tez-site, "
                "emrfs-site and core-site (guide L9354)",
                fix="remove it, or run the job on a Spark application",
            )
        properties = JOB_RUN_RULES["properties"]
        if len(classification.properties) > properties.high:
            raise EmrServerlessValidationError(
                argument=f"{where}.properties",
                value=f"{len(classification.properties)} properties",
                rule=f"a classification holds at most {properties.high} properties "
                f"({properties.source})",
                fix="split them across classifications",
            )
        for key, value in classification.properties.items():
            _check_text(
                key, "configurationText", _NOT_BLANK, argument=f"{where}.properties", unchecked=[]
            )
            _check_text(
                value,
                "configurationText",
                _NOT_BLANK,
                argument=f"{where}.properties[{key!r}]",
                unchecked=unchecked,
            )
        _check_configuration(
            classification.configurations,
            engine=engine,
            unchecked=unchecked,
            argument=f"{where}.configurations",
        )


def _check_monitoring(monitoring: JobMonitoring, *, unchecked: list[Unchecked]) -> None:
    argument = "monitoring"
    _check_optional_text(
        monitoring.log_uri,
        "logUri",
        _NOT_BLANK,
        argument=f"{argument}.log_uri",
        unchecked=unchecked,
    )
    for name in (
        "log_encryption_key_arn",
        "cloudwatch_encryption_key_arn",
        "managed_encryption_key_arn",
    ):
        value = getattr(monitoring, name)
        if value is not None:
            _check_key_arn(value, argument=f"{argument}.{name}", unchecked=unchecked)
    _check_optional_text(
        monitoring.log_group_name,
        "logGroupName",
        _LOG_GROUP,
        argument=f"{argument}.log_group_name",
        unchecked=unchecked,
    )
    _check_optional_text(
        monitoring.log_stream_prefix,
        "logStreamNamePrefix",
        _LOG_STREAM_PREFIX,
        argument=f"{argument}.log_stream_prefix",
        unchecked=unchecked,
    )
    if monitoring.log_types is not None:
        outer, inner = JOB_RUN_RULES["logTypes"], JOB_RUN_RULES["logTypes[]"]
        problem = not outer.low <= len(monitoring.log_types) <= outer.high or any(
            not inner.low <= len(types) <= inner.high
            or not _LOG_TYPE.fullmatch(worker)
            or not all(_LOG_TYPE.fullmatch(t) for t in types)
            for worker, types in monitoring.log_types.items()
        )
        if problem:
            raise EmrServerlessValidationError(
                argument=f"{argument}.log_types",
                value=dict(monitoring.log_types),
                rule=f"1-{outer.high} worker types, each with 1-{inner.high} log types "
                f"({outer.source})",
                fix="name each worker type (e.g. SPARK_DRIVER) with its log types "
                "(e.g. STDOUT, STDERR)",
            )
    if (
        monitoring.managed_encryption_key_arn is not None
        and monitoring.managed_persistence is False
    ):
        raise EmrServerlessValidationError(
            argument=f"{argument}.managed_encryption_key_arn",
            value=monitoring.managed_encryption_key_arn,
            rule="a key encrypts managed logs only while managed persistence is on",
            fix="remove the key, or turn managed persistence on",
        )
    if monitoring.prometheus_remote_write_url is not None:
        _check_text(
            monitoring.prometheus_remote_write_url,
            "logUri",
            _PROMETHEUS_URL,
            argument=f"{argument}.prometheus_remote_write_url",
            unchecked=unchecked,
            what="an Amazon Managed Service for Prometheus remote-write URL",
        )


def _check_key_arn(value: str, *, argument: str, unchecked: list[Unchecked]) -> None:
    rule = f"a KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<id> ({START_JOB_RUN})"
    if is_token(value):
        unchecked.append(Unchecked(argument, rule))
        return
    if not isinstance(value, str) or not 20 <= len(value) <= 2048 or not _KEY_ARN.fullmatch(value):
        raise EmrServerlessValidationError(
            argument=argument, value=value, rule=rule, fix="pass the key's ARN (not an alias)"
        )


# --------------------------------------------------------------------------- reading back


def parse_start_job_run_request(document: Mapping[str, Any]) -> JobRunSpec:
    """The :class:`JobRunSpec` a rendered request (``boto3`` names) holds.

    Fields the service sets (``clientToken``) are ignored; members this library does not
    render are refused, so that nothing is silently dropped.

    :raises EmrServerlessValidationError: for a document that is not such a request.
    """
    reader = _Reader(document, "request")
    driver_node = reader.mapping("jobDriver", required=True)
    driver: JobDriver
    if "sparkSubmit" in driver_node.value:
        spark = driver_node.mapping("sparkSubmit", required=True)
        driver = SparkSubmit(
            entry_point=spark.text("entryPoint", required=True) or "",
            arguments=tuple(spark.strings("entryPointArguments")),
            submit_parameters=spark.text("sparkSubmitParameters"),
        )
        spark.done()
    else:
        hive = driver_node.mapping("hive", required=True)
        driver = HiveQuery(
            query=hive.text("query", required=True) or "",
            init_query_file=hive.text("initQueryFile"),
            parameters=hive.text("parameters"),
        )
        hive.done()
    driver_node.done()
    mode_text = reader.text("mode")
    retry = reader.mapping("retryPolicy")
    overrides = reader.mapping("configurationOverrides")
    spec = JobRunSpec(
        application_id=reader.text("applicationId", required=True) or "",
        execution_role_arn=reader.text("executionRoleArn", required=True) or "",
        driver=driver,
        name=reader.text("name"),
        mode=None if mode_text is None else JobMode.parse(mode_text, argument="request.mode"),
        retry_policy=None
        if not retry.value
        else RetryPolicy(
            max_attempts=retry.integer("maxAttempts"),
            max_failed_attempts_per_hour=retry.integer("maxFailedAttemptsPerHour"),
        ),
        execution_timeout_minutes=reader.integer("executionTimeoutMinutes"),
        tags=reader.string_map("tags"),
        monitoring=_parse_monitoring(overrides.mapping("monitoringConfiguration")),
        application_configuration=tuple(
            _parse_classification(item, f"{overrides.path}.applicationConfiguration[{index}]")
            for index, item in enumerate(overrides.items("applicationConfiguration"))
        ),
    )
    retry.done()
    overrides.done()
    reader.text("clientToken")
    reader.done()
    return spec


def _parse_monitoring(node: _Reader) -> JobMonitoring | None:
    if not node.value:
        return None
    s3 = node.mapping("s3MonitoringConfiguration")
    cloudwatch = node.mapping("cloudWatchLoggingConfiguration")
    managed = node.mapping("managedPersistenceMonitoringConfiguration")
    prometheus = node.mapping("prometheusMonitoringConfiguration")
    log_types = cloudwatch.value.get("logTypes")
    monitoring = JobMonitoring(
        log_uri=s3.text("logUri"),
        log_encryption_key_arn=s3.text("encryptionKeyArn"),
        log_group_name=cloudwatch.text("logGroupName")
        if cloudwatch.boolean("enabled") is not False
        else None,
        log_stream_prefix=cloudwatch.text("logStreamNamePrefix"),
        cloudwatch_encryption_key_arn=cloudwatch.text("encryptionKeyArn"),
        log_types=None
        if log_types is None
        else {str(k): tuple(str(t) for t in v) for k, v in dict(log_types).items()},
        managed_persistence=managed.boolean("enabled"),
        managed_encryption_key_arn=managed.text("encryptionKeyArn"),
        prometheus_remote_write_url=prometheus.text("remoteWriteUrl"),
    )
    cloudwatch.seen.add("logTypes")
    for part in (s3, cloudwatch, managed, prometheus, node):
        part.done()
    return monitoring


def _parse_classification(value: Any, path: str) -> Classification:
    node = _Reader(value, path)
    classification = Classification(
        classification=node.text("classification", required=True) or "",
        properties=node.string_map("properties"),
        configurations=tuple(
            _parse_classification(item, f"{path}.configurations[{index}]")
            for index, item in enumerate(node.items("configurations"))
        ),
    )
    node.done()
    return classification


class _Reader:
    """Typed reads of one mapping of a request; :meth:`done` refuses keys nobody read."""

    def __init__(self, value: Any, path: str) -> None:
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            _malformed(path, value, "must be an object")
        self.value: Mapping[str, Any] = value
        self.path = path
        self.seen: set[str] = set()

    def _get(self, key: str, kind: type | tuple[type, ...], what: str, required: bool) -> Any:
        self.seen.add(key)
        value = self.value.get(key)
        if value is None:
            if required:
                _malformed(f"{self.path}.{key}", None, "is required")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            _malformed(f"{self.path}.{key}", value, f"must be {what}")
        return value

    def text(self, key: str, *, required: bool = False) -> str | None:
        value: str | None = self._get(key, str, "a string", required)
        return value

    def integer(self, key: str) -> int | None:
        value: int | None = self._get(key, int, "a whole number", False)
        return value

    def boolean(self, key: str) -> bool | None:
        value: bool | None = self._get(key, bool, "true or false", False)
        return value

    def items(self, key: str) -> list[Any]:
        value: list[Any] | None = self._get(key, list, "a list", False)
        return value or []

    def strings(self, key: str) -> list[str]:
        values = self.items(key)
        for index, item in enumerate(values):
            if not isinstance(item, str):
                _malformed(f"{self.path}.{key}[{index}]", item, "must be a string")
        return values

    def string_map(self, key: str) -> dict[str, str]:
        value = self._get(key, Mapping, "an object of strings", False) or {}
        for item_key, item in value.items():
            if not isinstance(item, str):
                _malformed(f"{self.path}.{key}.{item_key}", item, "must be a string")
        return dict(value)

    def mapping(self, key: str, *, required: bool = False) -> _Reader:
        return _Reader(self._get(key, Mapping, "an object", required), f"{self.path}.{key}")

    def done(self) -> None:
        unknown = sorted(set(self.value) - self.seen)
        if unknown:
            _malformed(
                f"{self.path}.{unknown[0]}",
                self.value[unknown[0]],
                "is not a member this library renders",
            )


def _malformed(path: str, value: Any, problem: str) -> None:
    raise EmrServerlessValidationError(
        argument=path,
        value=value,
        rule=f"{path} {problem} in a StartJobRun request ({START_JOB_RUN})",
        fix="render the request with constructs_lib.job_runs.start_job_run_request",
    )
