"""Typed monitoring configuration of an application: S3, CloudWatch, managed storage, AMP.

Each block is a value; :class:`MonitoringConfiguration` combines them. The application
validates and renders them (guide L1460-1545, L4631-4912, L5411-5509).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib._arguments import checked_arguments, checked_fields
from constructs_lib._stack_facts import read_once, stack_facts
from constructs_lib._token_checks import check_literal
from constructs_lib.application_rules import (
    LOG_STREAM_PREFIX,
    PROMETHEUS_REMOTE_WRITE_URL,
    check_kms_key_arn,
    check_log_group_name,
    check_log_types,
)
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.prometheus_rules import remote_write_url
from constructs_lib.releases import Feature, ReleaseLabel, require
from constructs_lib.tokens import is_unresolved, warn
from constructs_lib.workers import EngineType, LogType, WorkerType, key_name

_PREFIX = "monitoring"


@checked_fields
@dataclass(frozen=True)
class S3Logs:
    """Job logs and Spark event logs written to an S3 bucket (guide L1539-1541, L4690).

    The runtime role writes them, so it needs ``s3:PutObject`` on the prefix.

    :param bucket: the log bucket, in the application's account and Region (guide L2847).
    :param prefix: key prefix under which logs go. Default: the bucket root.
    :param encryption_key: KMS key the logs are encrypted with. Default: the bucket's
        encryption.
    """

    bucket: s3.IBucket
    prefix: str = ""
    encryption_key: kms.IKey | None = None

    @property
    def log_uri(self) -> str:
        """``s3://<bucket>/<prefix>/``."""
        prefix = self.prefix if not self.prefix or self.prefix.endswith("/") else f"{self.prefix}/"
        return f"s3://{read_once(self.bucket, 'bucket_name')}/{prefix}"


@checked_fields
@dataclass(frozen=True)
class CloudWatchLogging:
    """Job logs sent to CloudWatch Logs (guide L4722-4823).

    :param log_group: where log streams go. Default: ``/aws/emr-serverless``.
    :param log_stream_prefix: prefix of every log stream name. Default: none.
    :param encryption_key: KMS key the logs are encrypted with. Default: the log group's.
    :param log_types: per worker type, the logs to send. Default: driver STDOUT and STDERR.
    """

    log_group: logs.ILogGroup | None = None
    log_stream_prefix: str | None = None
    encryption_key: kms.IKey | None = None
    log_types: Mapping[WorkerType | str, Sequence[LogType]] | None = None

    def __post_init__(self) -> None:
        if self.log_types is not None:
            frozen = {worker: tuple(types) for worker, types in self.log_types.items()}
            object.__setattr__(self, "log_types", MappingProxyType(frozen))


@checked_fields
@dataclass(frozen=True)
class ManagedPersistence:
    """Logs kept by EMR Serverless for 30 days, behind the Spark UI (guide L4642-4660).

    On by default in the service; without it the application UIs do not work
    (guide L4631-4638).

    :param enabled: keep managed logs. Default: ``True``.
    :param encryption_key: KMS key the managed logs are encrypted with. Default: an AWS
        owned key.
    """

    enabled: bool = True
    encryption_key: kms.IKey | None = None


@checked_fields
@dataclass(frozen=True)
class PrometheusRemoteWrite:
    """Spark metrics sent to Amazon Managed Service for Prometheus (emr-7.1.0+, L5411-5509).

    The runtime role needs ``aps:RemoteWrite`` on the workspace, which must be in the
    application's account.

    :param remote_write_url: ``https://aps-workspaces.<region>.amazonaws.com/workspaces/
        <workspace id>/api/v1/remote_write``.
    :param checked: the URL is well-formed by construction (built from a workspace's
        attributes), so a token URL is not reported as unchecked. Default: ``False``.
    """

    remote_write_url: str
    checked: bool = False

    @classmethod
    @checked_arguments
    def for_workspace(cls, *, workspace_id: str, region: str) -> PrometheusRemoteWrite:
        """The remote-write URL of workspace ``workspace_id`` in ``region``."""
        return cls(remote_write_url(region=region, workspace_id=workspace_id))


@checked_fields
@dataclass(frozen=True)
class MonitoringConfiguration:
    """Where an application's jobs send logs and metrics; every block is optional.

    :param s3_logs: logs to an S3 bucket. Default: none.
    :param cloudwatch_logging: logs to CloudWatch Logs. Default: off.
    :param managed_persistence: logs kept by EMR Serverless. Default: the service's, on.
    :param prometheus: Spark metrics to Amazon Managed Service for Prometheus. Default: off.
    """

    s3_logs: S3Logs | None = None
    cloudwatch_logging: CloudWatchLogging | None = None
    managed_persistence: ManagedPersistence | None = None
    prometheus: PrometheusRemoteWrite | None = None
    _keys: tuple[kms.IKey, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = (
            block.encryption_key
            for block in (self.s3_logs, self.cloudwatch_logging, self.managed_persistence)
            if block is not None
        )
        object.__setattr__(self, "_keys", tuple(k for k in keys if k is not None))

    @property
    def encryption_keys(self) -> tuple[kms.IKey, ...]:
        """The KMS keys logs are encrypted with (job submitters need to use them, L4924)."""
        return self._keys

    def bind(
        self, scope: Construct, *, engine: EngineType, release: ReleaseLabel
    ) -> emr.CfnApplication.MonitoringConfigurationProperty:
        """Validate every block for ``scope``'s application and render it."""
        return emr.CfnApplication.MonitoringConfigurationProperty(
            s3_monitoring_configuration=_bind_s3(scope, self.s3_logs),
            cloud_watch_logging_configuration=_bind_cloudwatch(
                scope, self.cloudwatch_logging, engine
            ),
            managed_persistence_monitoring_configuration=_bind_managed(
                scope, self.managed_persistence
            ),
            prometheus_monitoring_configuration=_bind_prometheus(scope, self.prometheus, release),
        )


def _bind_s3(
    scope: Construct, block: S3Logs | None
) -> emr.CfnApplication.S3MonitoringConfigurationProperty | None:
    if block is None:
        return None
    argument = f"{_PREFIX}.s3_logs"
    if not is_unresolved(block.prefix) and block.prefix.startswith("/"):
        warn(
            scope,
            "emr-serverless:s3-log-prefix",
            f"{argument}.prefix={block.prefix!r} starts with '/': the log URI gets an empty path "
            f"segment (s3://bucket//...), which S3 accepts but few tools expect; use "
            f"{block.prefix.lstrip('/')!r}",
        )
    _check_same_place(scope, block.bucket, argument=f"{argument}.bucket")
    return emr.CfnApplication.S3MonitoringConfigurationProperty(
        log_uri=block.log_uri,
        encryption_key_arn=_key_arn(block.encryption_key, argument=f"{argument}.encryption_key"),
    )


def _bind_cloudwatch(
    scope: Construct, block: CloudWatchLogging | None, engine: EngineType
) -> emr.CfnApplication.CloudWatchLoggingConfigurationProperty | None:
    if block is None:
        return None
    argument = f"{_PREFIX}.cloudwatch_logging"
    group_name = None if block.log_group is None else block.log_group.log_group_name
    if group_name is not None and not is_unresolved(group_name):
        check_log_group_name(group_name)
    if block.log_stream_prefix is not None:
        check_literal(scope, block.log_stream_prefix, LOG_STREAM_PREFIX)
    log_type_map = None
    if block.log_types is not None:
        log_types = {
            WorkerType.of(
                worker, engine=engine, argument=f"{argument}.log_types[{key_name(worker)}]"
            ): types
            for worker, types in block.log_types.items()
        }
        check_log_types(log_types, engine=engine)
        log_type_map = [
            emr.CfnApplication.LogTypeMapKeyValuePairProperty(
                key=worker.log_key, value=[t.value for t in types]
            )
            for worker, types in log_types.items()
        ]
    return emr.CfnApplication.CloudWatchLoggingConfigurationProperty(
        enabled=True,
        log_group_name=group_name,
        log_stream_name_prefix=block.log_stream_prefix,
        encryption_key_arn=_key_arn(block.encryption_key, argument=f"{argument}.encryption_key"),
        log_type_map=log_type_map,
    )


def _bind_managed(
    scope: Construct, block: ManagedPersistence | None
) -> emr.CfnApplication.ManagedPersistenceMonitoringConfigurationProperty | None:
    if block is None:
        return None
    argument = f"{_PREFIX}.managed_persistence"
    if not block.enabled and block.encryption_key is not None:
        warn(
            scope,
            "emr-serverless:managed-persistence-key",
            f"{argument}.encryption_key: a key encrypts managed logs only while managed "
            "persistence is on; with enabled=False it is passed to the service and unused. "
            "Remove encryption_key, or set enabled=True",
        )
    return emr.CfnApplication.ManagedPersistenceMonitoringConfigurationProperty(
        enabled=block.enabled,
        encryption_key_arn=_key_arn(block.encryption_key, argument=f"{argument}.encryption_key"),
    )


def _bind_prometheus(
    scope: Construct, block: PrometheusRemoteWrite | None, release: ReleaseLabel
) -> emr.CfnApplication.PrometheusMonitoringConfigurationProperty | None:
    if block is None:
        return None
    argument = f"{_PREFIX}.prometheus"
    require(release, Feature.PROMETHEUS, argument=argument, value=block.remote_write_url)
    if not (block.checked and is_unresolved(block.remote_write_url)):
        check_literal(scope, block.remote_write_url, PROMETHEUS_REMOTE_WRITE_URL)
    return emr.CfnApplication.PrometheusMonitoringConfigurationProperty(
        remote_write_url=block.remote_write_url
    )


def _key_arn(key: kms.IKey | None, *, argument: str) -> str | None:
    if key is None:
        return None
    if hasattr(key, "alias_name"):
        raise EmrServerlessValidationError(
            argument=argument,
            value=key.node.path,
            rule="log encryption takes a KMS key ARN, not an alias (CreateApplication "
            "EncryptionKeyArn)",
            fix="pass the kms.Key the alias points to",
        )
    arn: str = read_once(key, "key_arn")
    if not is_unresolved(arn):
        check_kms_key_arn(arn, argument=argument)
    return arn


def _check_same_place(scope: Construct, bucket: s3.IBucket, *, argument: str) -> None:
    here = stack_facts(scope)
    env = read_once(bucket, "env")
    for what, theirs, ours in (
        ("account", env.account, here.account),
        ("Region", env.region, here.region),
    ):
        if is_unresolved(theirs) or is_unresolved(ours) or theirs == ours:
            continue
        raise EmrServerlessValidationError(
            argument=argument,
            value=f"{what} {theirs}",
            rule=f"the S3 log bucket must be in the application's {what} ({ours}) (guide L2847)",
            fix=f"use a bucket in {ours}",
        )
