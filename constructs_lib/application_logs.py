"""ApplicationLogs: where an application's jobs write logs, encrypted with a key EMR Serverless
and CloudWatch Logs may use, as a :class:`MonitoringConfiguration`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration, Names, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import path_of, remember_child, stack_facts
from constructs_lib._token_checks import check_literal
from constructs_lib.application_rules import LOG_GROUP_NAME, LOG_STREAM_PREFIX
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.iam_actions import EMR_SERVERLESS_PRINCIPAL
from constructs_lib.interfaces import IEmrServerlessApplication
from constructs_lib.log_encryption import cloudwatch_logs_key_statement
from constructs_lib.monitoring_configuration import (
    CloudWatchLogging,
    ManagedPersistence,
    MonitoringConfiguration,
    PrometheusRemoteWrite,
    S3Logs,
)
from constructs_lib.monitoring_rules import (
    CLOUDWATCH_LOGS_KEY_ACTIONS,
    DEFAULT_LOG_GROUP_PREFIX,
    EMR_SERVERLESS_LOG_KEY_ACTIONS,
    applications_arn,
    expiration_days,
)
from constructs_lib.notification_topic import principal_name
from constructs_lib.runtime_permissions import check_s3_prefix, source_arn_patterns
from constructs_lib.runtime_role import JobRuntimeRole
from constructs_lib.secure_bucket import SecureBucket
from constructs_lib.tokens import is_unresolved, warn, warn_unchecked
from constructs_lib.workers import LogType, WorkerType

#: The warning recorded when the log key is defined outside this app.
KEY_POLICY_WARNING = "emr-serverless:log-key-policy"

#: The key prefix logs go under unless another is given (as in the guide's example, L4693).
DEFAULT_PREFIX = "logs/"


class ApplicationLogs(Construct):
    """The log destinations of an EMR Serverless application, created before it.

    - an S3 bucket (a :class:`SecureBucket`) or yours, with a key prefix, as the
      application's S3 logs (guide L4666-4712);
    - a KMS key (rotation on) that encrypts those logs, the managed-storage logs and the
      log group. Its policy lets ``emr-serverless.amazonaws.com`` use it for this account's
      applications in this Region (``aws:SourceArn``, guide L4980-5004) and
      ``logs.<region>.amazonaws.com`` use it for the log group only
      (``kms:EncryptionContext:aws:logs:arn``, guide L5055-5078);
    - a CloudWatch log group (KMS, with retention) for CloudWatch logging with log types
      (guide L4722-4823);
    - managed persistence on or off, encrypted with the key while on (guide L4642-4660).

    Pass :meth:`monitoring_configuration` to the application, and let each runtime role
    write with :meth:`grant_write`::

        logs = ApplicationLogs(self, "Logs")
        app = EmrServerlessApplication(self, "App", monitoring=logs.monitoring_configuration())
        logs.grant_write(runtime_role)

    The key cannot name the application in ``aws:SourceArn``: the application references
    the key, so the key policy would reference it back, a cycle CloudFormation refuses.
    Name applications that already exist with ``source_applications`` to narrow it.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        bucket: s3.IBucket | None = None,
        prefix: str = DEFAULT_PREFIX,
        encryption_key: kms.IKey | None = None,
        source_applications: Sequence[IEmrServerlessApplication] | None = None,
        cloudwatch_logging: bool = True,
        log_group_name: str | None = None,
        log_stream_prefix: str | None = None,
        log_types: Mapping[WorkerType | str, Sequence[LogType]] | None = None,
        retention: logs.RetentionDays = logs.RetentionDays.ONE_YEAR,
        managed_persistence: bool = True,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the key, bucket and log group.

        :param bucket: the bucket for S3 logs, in the application's account and Region
            (guide L2847). Default: a new :class:`SecureBucket` encrypted with the log key,
            whose objects expire after ``retention``.
        :param prefix: the key prefix logs go under: not empty, ending with ``/``.
            Default: ``logs/``.
        :param encryption_key: the key for logs. Default: a new key with rotation on. A key
            defined outside this app keeps its policy; the statements it needs are recorded
            as a warning.
        :param source_applications: the only applications that may use the key (their ARNs
            and job runs in ``aws:SourceArn``), for applications that already exist.
            Default: every application of this account in this Region.
        :param cloudwatch_logging: send logs to CloudWatch Logs too. Default: ``True``.
        :param log_group_name: the log group's name. Default:
            ``/aws/emr-serverless/<unique id>``.
        :param log_stream_prefix: prefix of the log stream names. Default: none.
        :param log_types: per worker type, the logs to send to CloudWatch Logs (checked
            against the application's engine when it binds). Default: the service's
            (driver STDOUT and STDERR).
        :param retention: how long the log group, and a bucket this creates, keep logs;
            not ``INFINITE`` (the compliance packs require a retention). Default: one year.
        :param managed_persistence: keep logs in EMR Serverless managed storage for 30 days,
            which the Spark UI and history need (guide L4631-4660). Default: ``True``.
        :param removal_policy: what happens to the key, bucket and log group this creates
            when they leave the stack. Default: ``RETAIN``.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        if is_unresolved(prefix):
            warn_unchecked(self, argument="prefix", rule="a key prefix ending with '/'")
        else:
            check_s3_prefix(prefix, whole_bucket=False, argument="prefix")
        if not cloudwatch_logging:
            _refuse_without_cloudwatch(
                log_group_name=log_group_name,
                log_stream_prefix=log_stream_prefix,
                log_types=log_types,
            )
        if log_stream_prefix is not None:
            check_literal(self, log_stream_prefix, LOG_STREAM_PREFIX)
        if source_applications is not None and not source_applications:
            raise EmrServerlessValidationError(
                argument="source_applications",
                value=[],
                rule="an empty list would let no application use the log key",
                fix="name the applications, or omit source_applications for every "
                "application of this account and Region",
            )
        _refuse_cycles(encryption_key, source_applications or ())
        retention_days = expiration_days(retention.name)

        #: The prefix logs go under.
        self.prefix = prefix
        #: Whether logs are kept in managed storage.
        self.managed_persistence = managed_persistence
        self._log_stream_prefix = log_stream_prefix
        self._log_types = log_types
        #: The key logs are encrypted with.
        self.encryption_key: kms.IKey = encryption_key or kms.Key(
            self,
            "Key",
            description=f"Encrypts the EMR Serverless logs of {path_of(self)}",
            enable_key_rotation=True,
            removal_policy=removal_policy,
        )
        self._allow_emr_serverless(source_applications)
        #: The bucket logs go to.
        self.bucket: s3.IBucket = bucket or self._bucket(retention_days, removal_policy)
        #: The log group logs go to (``None`` without CloudWatch logging).
        self.log_group: logs.ILogGroup | None = None
        if cloudwatch_logging:
            name = log_group_name or self._default_log_group_name()
            check_literal(self, name, LOG_GROUP_NAME)
            self._allow_cloudwatch_logs(name)
            self.log_group = logs.LogGroup(
                self,
                "LogGroup",
                log_group_name=name,
                encryption_key=self.encryption_key,
                retention=retention,
                removal_policy=removal_policy,
            )

    @checked_arguments
    def monitoring_configuration(
        self, *, prometheus: PrometheusRemoteWrite | None = None
    ) -> MonitoringConfiguration:
        """The application's ``monitoring`` argument: these logs, and Prometheus if given.

        :param prometheus: Spark metrics to Amazon Managed Service for Prometheus, e.g.
            ``workspace.remote_write``. Default: none.
        """
        cloudwatch = None
        if self.log_group is not None:
            cloudwatch = CloudWatchLogging(
                log_group=self.log_group,
                log_stream_prefix=self._log_stream_prefix,
                log_types=self._log_types,
            )
        return MonitoringConfiguration(
            s3_logs=S3Logs(
                bucket=self.bucket, prefix=self.prefix, encryption_key=self.encryption_key
            ),
            cloudwatch_logging=cloudwatch,
            managed_persistence=ManagedPersistence(
                enabled=self.managed_persistence,
                encryption_key=self.encryption_key if self.managed_persistence else None,
            ),
            prometheus=prometheus,
        )

    @checked_arguments
    def grant_write(self, runtime_role: JobRuntimeRole) -> iam.Grant:
        """Let jobs running as ``runtime_role`` write these logs.

        ``s3:PutObject`` under the prefix (and the bucket key through S3), the log key's
        ``kms:GenerateDataKey`` and ``kms:Decrypt``, and the log group's create-stream,
        describe and put actions (guide L4666-4685, L4732-4763, L5010-5024). The log group
        is encrypted when it is created, so the role needs no ``logs:AssociateKmsKey``.
        """
        grant = runtime_role.grant_s3_logs(self.bucket, self.prefix).combine(
            runtime_role.grant_log_encryption_key(self.encryption_key)
        )
        if self.log_group is not None:
            grant = grant.combine(runtime_role.grant_cloudwatch_logs(self.log_group))
        return grant

    def _bucket(self, retention_days: int, removal_policy: RemovalPolicy) -> s3.IBucket:
        expire = s3.LifecycleRule(
            prefix=self.prefix,
            expiration=Duration.days(retention_days),
            noncurrent_version_expiration=Duration.days(1),
        )
        return SecureBucket(
            self,
            "Bucket",
            encryption_key=self.encryption_key,
            lifecycle_rules=[expire],
            removal_policy=removal_policy,
        )

    def _default_log_group_name(self) -> str:
        unique = Names.unique_resource_name(
            self, max_length=128, separator="-", allowed_special_characters="-"
        )
        return f"{DEFAULT_LOG_GROUP_PREFIX}/{unique}"

    def _allow_emr_serverless(
        self, applications: Sequence[IEmrServerlessApplication] | None
    ) -> None:
        stack = stack_facts(self)
        sources = (
            [
                applications_arn(
                    partition=stack.partition, region=stack.region, account=stack.account
                )
            ]
            if applications is None
            else [p for a in applications for p in source_arn_patterns(a.application_arn)]
        )
        self._add_to_key_policy(
            iam.PolicyStatement(
                sid="EmrServerlessLogs",
                principals=[iam.ServicePrincipal(EMR_SERVERLESS_PRINCIPAL)],
                actions=list(EMR_SERVERLESS_LOG_KEY_ACTIONS),
                resources=["*"],
                conditions={"StringLike": {"aws:SourceArn": sources}},
            )
        )

    def _allow_cloudwatch_logs(self, log_group_name: str) -> None:
        self._add_to_key_policy(
            cloudwatch_logs_key_statement(
                self,
                sid="CloudWatchLogsLogGroup",
                actions=CLOUDWATCH_LOGS_KEY_ACTIONS,
                log_group_name=log_group_name,
            )
        )

    def _add_to_key_policy(self, statement: iam.PolicyStatement) -> None:
        added = self.encryption_key.add_to_resource_policy(statement, allow_no_op=True)
        if not added.statement_added:
            warn(
                self,
                f"{KEY_POLICY_WARNING}:{statement.sid}",
                f"The log key is not defined in this app, so its policy was not changed. Allow "
                f"{', '.join(principal_name(p) for p in statement.principals)} "
                f"{', '.join(statement.actions)} there (guide L4980-5078), or logs will not "
                "be written.",
            )


def _refuse_without_cloudwatch(**settings: object) -> None:
    given = sorted(name for name, value in settings.items() if value is not None)
    if given:
        raise EmrServerlessValidationError(
            argument=given[0],
            value=settings[given[0]],
            rule="log group settings apply only with CloudWatch logging",
            fix=f"remove {', '.join(given)}, or set cloudwatch_logging=True",
        )


def _refuse_cycles(key: kms.IKey | None, applications: Sequence[IEmrServerlessApplication]) -> None:
    """Refuse a source application whose logs already use ``key`` (each would need the other)."""
    if key is None:
        return
    for application in applications:
        monitoring = getattr(application, "monitoring", None)
        keys = () if monitoring is None else monitoring.encryption_keys
        if any(k is key for k in keys) and is_unresolved(application.application_arn):
            raise EmrServerlessValidationError(
                argument="source_applications",
                value=application.node.path if isinstance(application, Construct) else None,
                rule="the application's monitoring references this key, so the key policy "
                "cannot reference the application (a dependency cycle)",
                fix="omit source_applications (every application of this account and Region), "
                "or name applications that already exist, e.g. "
                "EmrServerlessApplication.from_application_id(...)",
            )
