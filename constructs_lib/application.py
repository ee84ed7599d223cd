"""EmrServerlessApplication: an EMR Serverless application, validated at synth time."""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Concatenate, ParamSpec, TypedDict, TypeVar, Unpack

import jsii
from aws_cdk import (
    Aws,
    CfnTag,
    Duration,
    Fn,
    Names,
    RemovalPolicy,
    Resource,
    Stack,
    Token,
)
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.interfaces.aws_emrserverless import ApplicationReference, IApplicationRef
from constructs import Construct, IValidation

from constructs_lib._advice import advise, collecting
from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import path_of, read_once, remember_child, stack_facts, stack_of
from constructs_lib._token_checks import check_literal
from constructs_lib.application_image import ApplicationImage
from constructs_lib.application_lifecycle import (
    ApplicationLifecycle,
    DiskEncryption,
    attach_lifecycle,
)
from constructs_lib.application_rules import (
    APPLICATION_NAME,
    DEFAULT_IDLE_TIMEOUT_MINUTES,
    IDENTITY_CENTER_INSTANCE_ARN,
    OPEN_CIDRS,
    MaximumCapacity,
    check_identity_center,
    check_idle_timeout,
    check_image_region,
    check_ingress_sources,
    check_initial_capacity,
    check_interactive,
    check_lake_formation,
    check_maximum_capacity,
    check_network_counts,
    check_scheduler,
    check_spark_containers_fit,
    check_tags,
    check_whole_minutes,
    check_worker_images,
    open_ingress_error,
    smallest_worker_vcpu,
)
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import (
    acknowledge_grant_wildcard,
    add_to_principal,
    grant_job_submission,
)
from constructs_lib.iam_actions import (
    APPLICATION_OPERATOR_ACTIONS,
    EMR_SERVERLESS_PRINCIPAL,
    LIVY_ACTIONS,
    LIVY_JOB_RUN_ACTIONS,
    PASS_ROLE_ACTIONS,
    SERVICE_LINKED_ROLE_ACTIONS,
    SERVICE_LINKED_ROLE_SERVICE,
    SESSION_ACTIONS,
    SESSION_APPLICATION_ACTIONS,
    STUDIO_ACTIONS,
)
from constructs_lib.lifecycle_policy import LifecyclePolicy
from constructs_lib.metrics import (
    METRICS,
    PUBLISH_PERIOD_SECONDS,
    VCPU_USAGE_METRIC,
    CapacityAllocationType,
    Dimension,
    MetricGroup,
    WorkerTypeDimension,
    application_dimensions,
)
from constructs_lib.monitoring_configuration import MonitoringConfiguration
from constructs_lib.network import (
    EmrServerlessNetwork,
    check_subnet_capacity,
    register_application,
)
from constructs_lib.releases import (
    DEFAULT_RELEASE,
    Feature,
    ReleaseLabel,
    check_engine,
    check_region,
    require,
)
from constructs_lib.runtime_configuration import (
    Classification,
    check_runtime_configuration,
    lake_formation_enabled,
)
from constructs_lib.runtime_permissions import (
    SECRET_KEY_SERVICE_ACTIONS,
    SECRET_READ_ACTIONS,
    secret_key_condition,
)
from constructs_lib.runtime_role import grant_runtime_secret_read
from constructs_lib.subnet_planning import workers_for
from constructs_lib.tokens import is_unresolved, warn, warn_unchecked
from constructs_lib.workers import (
    Architecture,
    EngineType,
    InitialWorkers,
    WorkerConfiguration,
    WorkerType,
    key_name,
)

_V = TypeVar("_V")
#: Interactive endpoint -> (actions on the application, child resource kind, its actions).
_INTERACTIVE_GRANTS: Mapping[str, tuple[tuple[str, ...], str | None, tuple[str, ...]]] = {
    "studio": (STUDIO_ACTIONS, None, ()),
    "livy_endpoint": (LIVY_ACTIONS, "jobruns", LIVY_JOB_RUN_ACTIONS),
    "interactive_sessions": (SESSION_APPLICATION_ACTIONS, "sessions", SESSION_ACTIONS),
}

_S = TypeVar("_S", bound=Construct)
_P = ParamSpec("_P")


def _records_advice(
    init: Callable[Concatenate[_S, _P], None],
) -> Callable[Concatenate[_S, _P], None]:
    """Record the warnings the pure rules give during ``init`` on the construct.

    Each :class:`~constructs_lib._advice.Advice` becomes
    ``warn(self, "emr-serverless:<id>", text)``.
    """

    @functools.wraps(init)
    def wrapper(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> None:
        with collecting() as advice:
            init(self, *args, **kwargs)
        for item in advice:
            warn(self, f"emr-serverless:{item.id}", item.text)

    return wrapper


class MetricOptions(TypedDict, total=False):
    """Options of :meth:`EmrServerlessApplication.metric` and the ``metric_*`` helpers."""

    #: Only this worker type (capacity metrics). Default: all.
    worker_type: WorkerTypeDimension
    #: Only pre-initialized or on-demand capacity (capacity metrics). Default: both.
    capacity_allocation_type: CapacityAllocationType
    #: The statistic. Default: the table's (see :mod:`constructs_lib.metrics`).
    statistic: str
    #: The period. Default: 1 minute, how often EMR Serverless publishes.
    period: Duration
    #: A label for graphs. Default: the metric name.
    label: str


@jsii.implements(IApplicationRef)
class EmrServerlessApplicationBase(Resource):
    """What a defined and an imported application share: identity, grants and metrics."""

    _release: ReleaseLabel | None = None
    _name: str | None = None

    @property
    def application_id(self) -> str:
        """The application id."""
        raise NotImplementedError

    @property
    def application_arn(self) -> str:
        """``arn:<partition>:emr-serverless:<region>:<account>:/applications/<id>``."""
        raise NotImplementedError

    @property
    def application_ref(self) -> ApplicationReference:
        """This application as aws-cdk-lib's ``IApplicationRef`` reference."""
        return ApplicationReference(
            application_arn=self.application_arn, application_id=self.application_id
        )

    @property
    def log_encryption_keys(self) -> Sequence[kms.IKey]:
        """The keys job logs are encrypted with (job submitters need to use them)."""
        return self._log_keys

    _log_keys: Sequence[kms.IKey] = ()

    @checked_arguments
    def grant_start_job_run(self, grantee: iam.IGrantable, runtime_role: iam.IRole) -> iam.Grant:
        """Let ``grantee`` run jobs here as ``runtime_role``, and follow and cancel them.

        ``StartJobRun`` and ``ListJobRuns`` on the application; ``GetJobRun``,
        ``CancelJobRun``, ``GetDashboardForJobRun`` and ``ListJobRunAttempts`` on its job
        runs; ``iam:PassRole`` on ``runtime_role`` towards EMR Serverless only; and
        ``kms:GenerateDataKey``/``kms:Decrypt`` on the log encryption keys, without which
        EMR Serverless refuses the submission (guide L4924-4960). The same grant as
        ``JobRuntimeRole.grant_start_job_run(grantee, application=self)``.
        """
        return grant_job_submission(
            grantee,
            application_arn=self.application_arn,
            runtime_roles=[runtime_role],
            log_encryption_keys=self.log_encryption_keys,
        )

    @checked_arguments
    def grant_operate(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read, start, stop and update this application."""
        return add_to_principal(
            grantee,
            actions=APPLICATION_OPERATOR_ACTIONS,
            resource_arns=[self.application_arn],
        )

    # --- fidelity grants (issue 14): interactive endpoints, secrets, service-linked role ---
    # Kept together; the action lists are in constructs_lib.iam_actions.

    #: Which interactive endpoints the application enables; ``None`` when unknown (imported).
    _interactive: Mapping[str, bool] | None = None

    @checked_arguments
    def grant_studio_access(self, grantee: iam.IGrantable, runtime_role: iam.IRole) -> iam.Grant:
        """Let ``grantee`` attach EMR Studio Workspaces here, running as ``runtime_role``.

        ``AccessInteractiveEndpoints`` on the application and ``iam:PassRole`` on
        ``runtime_role`` towards EMR Serverless only (guide L4187-4213). Refused when the
        application does not enable Studio.
        """
        return self._grant_interactive("studio", grantee, runtime_role)

    @checked_arguments
    def grant_livy_access(self, grantee: iam.IGrantable, runtime_role: iam.IRole) -> iam.Grant:
        """Let ``grantee`` use the Livy endpoint here, its sessions running as ``runtime_role``.

        ``AccessLivyEndpoints`` on the application; ``GetDashboardForJobRun`` on its job
        runs (the Spark UI and driver logs of Livy results); ``iam:PassRole`` on
        ``runtime_role`` towards EMR Serverless only (guide L4271-4306). Refused when the
        application does not enable the Livy endpoint.
        """
        return self._grant_interactive("livy_endpoint", grantee, runtime_role)

    @checked_arguments
    def grant_session_access(self, grantee: iam.IGrantable, runtime_role: iam.IRole) -> iam.Grant:
        """Let ``grantee`` start and use interactive sessions (Spark Connect) here.

        ``StartSession`` and ``ListSessions`` on the application; ``GetSession``,
        ``GetSessionEndpoint``, ``TerminateSession`` and ``GetResourceDashboard`` on its
        sessions; ``iam:PassRole`` on ``runtime_role`` towards EMR Serverless only
        (the Spark Connect page and the Service Authorization Reference). Refused when the
        application does not enable sessions.
        """
        return self._grant_interactive("interactive_sessions", grantee, runtime_role)

    @checked_arguments
    def grant_interactive_access(
        self, grantee: iam.IGrantable, runtime_role: iam.IRole
    ) -> iam.Grant:
        """Every endpoint the application enables: :meth:`grant_studio_access`,
        :meth:`grant_livy_access` and :meth:`grant_session_access` as they apply.

        Refused when the application enables none; for an imported application, whose
        endpoints are unknown, all three.
        """
        enabled = self._interactive
        kinds = [k for k in _INTERACTIVE_GRANTS if enabled is None or enabled.get(k, False)]
        if not kinds:
            raise EmrServerlessValidationError(
                argument="grantee",
                value=dict(enabled or {}),
                rule="the application enables no interactive endpoint (studio, livy_endpoint, "
                "interactive_sessions), so there is nothing to grant",
                fix="enable the endpoint on the application first",
            )
        grant = self._grant_interactive(kinds[0], grantee, runtime_role)
        for kind in kinds[1:]:
            grant = grant.combine(self._grant_interactive(kind, grantee, runtime_role))
        return grant

    @checked_arguments
    def grant_secret_read(
        self,
        secret: secretsmanager.ISecret,
        *,
        runtime_role: iam.IGrantable | None = None,
        encryption_key: kms.IKey | None = None,
    ) -> iam.Grant:
        """Let this application's jobs resolve ``EMR.secret@<name>`` references to ``secret``.

        On the secret's resource policy, for ``emr-serverless.amazonaws.com`` and only for
        this application (``aws:SourceArn``): ``secretsmanager:GetSecretValue`` and
        ``DescribeSecret``; on the key's policy: ``kms:Decrypt`` and ``kms:DescribeKey``
        through Secrets Manager only (``kms:ViaService``) (guide L8712-8778). With
        ``runtime_role``, that role's grant too (the secret, and its key through Secrets
        Manager). An imported secret or key, whose policy this app cannot change, gets a
        warning that quotes the statement to add.

        :param runtime_role: the role the jobs run as. Default: none (only the service's
            grant).
        :param encryption_key: the secret's customer-managed key (``EMR.secret@``
            references need one, guide L8712). Default: ``secret.encryption_key``.
        """
        key = encryption_key or secret.encryption_key
        stack = stack_of(self)
        service = iam.PrincipalWithConditions(
            iam.ServicePrincipal(EMR_SERVERLESS_PRINCIPAL),
            {"StringEquals": {"aws:SourceArn": self.application_arn}},
        )
        grant = iam.Grant.add_to_principal_or_resource(
            grantee=service,
            actions=list(SECRET_READ_ACTIONS),
            resource_arns=[secret.secret_arn],
            resource_self_arns=["*"],
            resource=secret,
        )
        if not isinstance(secret, secretsmanager.Secret) and grant.resource_statement:
            self._policy_not_added("secret", secret.secret_arn, grant.resource_statement)
        if key is not None:
            key_statement = iam.PolicyStatement(
                principals=[iam.ServicePrincipal(EMR_SERVERLESS_PRINCIPAL)],
                actions=list(SECRET_KEY_SERVICE_ACTIONS),
                resources=["*"],
                conditions=secret_key_condition(region=stack.region, url_suffix=stack.url_suffix),
            )
            if not key.add_to_resource_policy(key_statement).statement_added:
                self._policy_not_added("key", key.key_arn, key_statement)
        if runtime_role is not None:
            grant = grant.combine(
                grant_runtime_secret_read(runtime_role, secret, encryption_key=key)
            )
        return grant

    @staticmethod
    @checked_arguments
    def grant_create_service_linked_role(grantee: iam.IGrantable) -> iam.Grant:
        """Let a deployer create EMR Serverless's service-linked role, as the guide writes it.

        ``iam:CreateServiceLinkedRole`` on
        ``arn:<partition>:iam::*:role/aws-service-role/ops.emr-serverless.amazonaws.com/
        AWSServiceRoleForAmazonEMRServerless*`` with ``iam:AWSServiceName`` like
        ``ops.emr-serverless.amazonaws.com`` (guide L7623-7637). EMR Serverless creates the
        role with the account's first application.
        """
        arn = (
            f"arn:{Aws.PARTITION}:iam::*:role/aws-service-role/{SERVICE_LINKED_ROLE_SERVICE}/"
            "AWSServiceRoleForAmazonEMRServerless*"
        )
        grant = add_to_principal(
            grantee,
            actions=SERVICE_LINKED_ROLE_ACTIONS,
            resource_arns=[arn],
            conditions={"StringLike": {"iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICE}},
        )
        if grant.principal_statement is not None:
            acknowledge_grant_wildcard(
                grantee,
                arn,
                "The guide's statement for creating EMR Serverless's service-linked role: the "
                "role name is fixed by the service, the account is the caller's, and "
                "iam:AWSServiceName limits it to ops.emr-serverless.amazonaws.com.",
            )
        return grant

    def _grant_interactive(
        self, kind: str, grantee: iam.IGrantable, runtime_role: iam.IRole
    ) -> iam.Grant:
        enabled = self._interactive
        if enabled is not None and not enabled.get(kind, False):
            raise EmrServerlessValidationError(
                argument=kind,
                value=False,
                rule=f"the application does not enable {kind.replace('_', ' ')}, so there is "
                "no endpoint to grant access to",
                fix=f"set {kind}=True on the application, or drop this grant",
            )
        application_actions, child, child_actions = _INTERACTIVE_GRANTS[kind]
        grant = add_to_principal(
            grantee, actions=application_actions, resource_arns=[self.application_arn]
        )
        if child is not None:
            child_arn = f"{self.application_arn}/{child}/*"
            on_children = add_to_principal(
                grantee, actions=child_actions, resource_arns=[child_arn]
            )
            if on_children.principal_statement is not None:
                acknowledge_grant_wildcard(
                    grantee,
                    child_arn,
                    f"{child.capitalize()} ids are generated when they start, so these actions "
                    f"are scoped to this one application's {child} (<application ARN>/{child}/*), "
                    "the narrowest ARN.",
                )
            grant = grant.combine(on_children)
        pass_role = add_to_principal(
            grantee,
            actions=PASS_ROLE_ACTIONS,
            resource_arns=[runtime_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": EMR_SERVERLESS_PRINCIPAL}},
        )
        return grant.combine(pass_role)

    def _policy_not_added(self, what: str, arn: str, statement: iam.PolicyStatement) -> None:
        warn(
            self,
            f"emr-serverless:{what}-policy",
            f"The {what} {arn} is imported, so this app cannot change its policy: add "
            f"{json.dumps(stack_of(self).resolve(statement.to_statement_json()))} to it "
            "(guide L8712-8778), or EMR Serverless cannot read the secret",
        )

    # --- end of fidelity grants ----------------------------------------------------------

    @checked_arguments
    def metric(self, metric_name: str, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """A capacity or job-state metric of this application (``AWS/EMRServerless``).

        :param metric_name: a name from :data:`constructs_lib.metrics.APPLICATION_CAPACITY_METRICS`
            or :data:`constructs_lib.metrics.JOB_STATE_METRICS`.
        """
        spec = METRICS.get(metric_name)
        if spec is None or spec.group not in (
            MetricGroup.APPLICATION_CAPACITY,
            MetricGroup.JOB_STATE,
        ):
            raise EmrServerlessValidationError(
                argument="metric_name",
                value=metric_name,
                rule="an application publishes the capacity and job-state metrics of "
                "constructs_lib.metrics (guide L5312-5345); worker metrics are per job run",
                fix="use a name such as 'RunningWorkerCount' or 'FailedJobs'",
            )
        dimensions = application_dimensions(self.application_id, self._name, self._release)
        worker_type = options.get("worker_type")
        allocation = options.get("capacity_allocation_type")
        if worker_type is not None:
            dimensions[Dimension.WORKER_TYPE] = worker_type.value
        if allocation is not None:
            dimensions[Dimension.CAPACITY_ALLOCATION_TYPE] = allocation.value
        breakdown = tuple(d for d in dimensions if d != Dimension.APPLICATION_NAME)
        if breakdown not in spec.dimension_sets:
            raise EmrServerlessValidationError(
                argument="worker_type/capacity_allocation_type",
                value=breakdown,
                rule=f"{metric_name} is published per "
                f"{' or per '.join(map(str, spec.dimension_sets))} (guide L5312-5327)",
                fix="drop the breakdown this metric does not have",
            )
        return cloudwatch.Metric(
            namespace=spec.namespace,
            metric_name=spec.name,
            dimensions_map=dimensions,
            statistic=options.get("statistic", spec.statistic),
            period=options.get("period") or _publish_period(),
            label=options.get("label"),
        )

    @checked_arguments
    def metric_cpu_allocated(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """vCPU allocated to workers."""
        return self.metric("CPUAllocated", **options)

    @checked_arguments
    def metric_memory_allocated(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Memory allocated to workers, in GB."""
        return self.metric("MemoryAllocated", **options)

    @checked_arguments
    def metric_storage_allocated(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Disk allocated to workers, in GB."""
        return self.metric("StorageAllocated", **options)

    @checked_arguments
    def metric_max_cpu_allowed(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """The maximum vCPU (maximum capacity)."""
        return self.metric("MaxCPUAllowed", **options)

    @checked_arguments
    def metric_max_memory_allowed(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """The maximum memory in GB (maximum capacity)."""
        return self.metric("MaxMemoryAllowed", **options)

    @checked_arguments
    def metric_max_storage_allowed(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """The maximum disk in GB (maximum capacity)."""
        return self.metric("MaxStorageAllowed", **options)

    @checked_arguments
    def metric_total_worker_count(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Workers available, idle or in use."""
        return self.metric("TotalWorkerCount", **options)

    @checked_arguments
    def metric_running_worker_count(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Workers in use by jobs."""
        return self.metric("RunningWorkerCount", **options)

    @checked_arguments
    def metric_idle_worker_count(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Idle workers."""
        return self.metric("IdleWorkerCount", **options)

    @checked_arguments
    def metric_pending_creation_worker_count(
        self, **options: Unpack[MetricOptions]
    ) -> cloudwatch.Metric:
        """Workers being created."""
        return self.metric("PendingCreationWorkerCount", **options)

    @checked_arguments
    def metric_submitted_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Submitted state."""
        return self.metric("SubmittedJobs", **options)

    @checked_arguments
    def metric_pending_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Pending state."""
        return self.metric("PendingJobs", **options)

    @checked_arguments
    def metric_scheduled_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Scheduled state."""
        return self.metric("ScheduledJobs", **options)

    @checked_arguments
    def metric_running_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Running state."""
        return self.metric("RunningJobs", **options)

    @checked_arguments
    def metric_success_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Success state."""
        return self.metric("SuccessJobs", **options)

    @checked_arguments
    def metric_failed_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Failed state."""
        return self.metric("FailedJobs", **options)

    @checked_arguments
    def metric_cancelling_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Cancelling state."""
        return self.metric("CancellingJobs", **options)

    @checked_arguments
    def metric_cancelled_jobs(self, **options: Unpack[MetricOptions]) -> cloudwatch.Metric:
        """Job runs in the Cancelled state."""
        return self.metric("CancelledJobs", **options)


def account_vcpu_usage_metric(*, period: Duration | None = None) -> cloudwatch.Metric:
    """vCPU EMR Serverless runs in the account and Region (``AWS/Usage``, guide L5513).

    Compare with the service quota (16 vCPU by default, guide L9071).

    :param period: Default: 1 minute.
    """
    spec = VCPU_USAGE_METRIC
    return cloudwatch.Metric(
        namespace=spec.namespace,
        metric_name=spec.name,
        dimensions_map=dict(spec.fixed_dimensions),
        statistic=spec.statistic,
        period=period or Duration.seconds(PUBLISH_PERIOD_SECONDS),
    )


class _ImportedApplication(EmrServerlessApplicationBase):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        application_id: str,
        application_arn: str,
        application_name: str | None,
        release: ReleaseLabel | None,
        log_encryption_keys: Sequence[kms.IKey],
    ) -> None:
        super().__init__(scope, construct_id, environment_from_arn=application_arn)
        remember_child(self, scope, construct_id)
        self._id = application_id
        self._arn = application_arn
        self._name = application_name
        self._release = release
        self._log_keys = tuple(log_encryption_keys)

    @property
    def application_id(self) -> str:
        """The application id."""
        return self._id

    @property
    def application_arn(self) -> str:
        """The application ARN."""
        return self._arn


@jsii.implements(ec2.IConnectable)
class EmrServerlessApplication(EmrServerlessApplicationBase):
    """An EMR Serverless application (``AWS::EMRServerless::Application``).

    Every property of the resource is an argument; each is checked at synth against the
    rules of the EMR Serverless guide, the API and CloudFormation, and refused with
    :class:`~constructs_lib.errors.EmrServerlessValidationError` naming the fix.

    The application needs no IAM role of its own. Jobs run as a runtime role passed by
    the submitter: see :meth:`grant_start_job_run`.
    """

    @classmethod
    @checked_arguments
    def from_application_id(
        cls, scope: Construct, construct_id: str, application_id: str
    ) -> EmrServerlessApplicationBase:
        """An existing application in this stack's account and Region, by id."""
        arn = stack_of(scope).format_arn(
            service="emr-serverless",
            resource="/applications",
            resource_name=application_id,
        )
        return cls.from_application_attributes(
            scope, construct_id, application_id=application_id, application_arn=arn
        )

    @classmethod
    @checked_arguments
    def from_application_attributes(
        cls,
        scope: Construct,
        construct_id: str,
        *,
        application_id: str | None = None,
        application_arn: str | None = None,
        application_name: str | None = None,
        release: ReleaseLabel | None = None,
        log_encryption_keys: Sequence[kms.IKey] = (),
    ) -> EmrServerlessApplicationBase:
        """An existing application, by id and/or ARN (the other is derived).

        :param application_name: its name; with ``release`` emr-7.10.0+, metrics select
            by it too. Default: unknown.
        :param release: its release. Default: unknown.
        :param log_encryption_keys: the keys its job logs are encrypted with, which
            ``grant_start_job_run`` grants submitters. Default: none.
        """
        if application_arn is None:
            if application_id is None:
                raise EmrServerlessValidationError(
                    argument="application_id",
                    value=None,
                    rule="an imported application is identified by its id or its ARN",
                    fix="pass application_id or application_arn",
                )
            return cls.from_application_id(scope, construct_id, application_id)
        if application_id is None:
            application_id = _id_from_arn(application_arn)
        return _ImportedApplication(
            scope,
            construct_id,
            application_id=application_id,
            application_arn=application_arn,
            application_name=application_name,
            release=release,
            log_encryption_keys=log_encryption_keys,
        )

    @classmethod
    @checked_arguments
    def from_application_ref(
        cls, scope: Construct, construct_id: str, application: IApplicationRef
    ) -> EmrServerlessApplicationBase:
        """Wrap aws-cdk-lib's ``IApplicationRef`` (e.g. a ``CfnApplication``) for grants."""
        reference = application.application_ref
        return cls.from_application_attributes(
            scope,
            construct_id,
            application_id=reference.application_id,
            application_arn=reference.application_arn,
        )

    @checked_arguments
    @_records_advice
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        engine: EngineType = EngineType.SPARK,
        release: ReleaseLabel | str = DEFAULT_RELEASE,
        application_name: str | None = None,
        architecture: Architecture = Architecture.X86_64,
        initial_capacity: Mapping[WorkerType | str, InitialWorkers] | None = None,
        maximum_capacity: MaximumCapacity | None = None,
        auto_start: bool = True,
        auto_stop: bool = True,
        idle_timeout: Duration | None = None,
        network: EmrServerlessNetwork | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        image: ApplicationImage | None = None,
        worker_images: Mapping[WorkerType | str, ApplicationImage] | None = None,
        monitoring: MonitoringConfiguration | None = None,
        runtime_configuration: Sequence[Classification] = (),
        studio: bool = False,
        livy_endpoint: bool = False,
        interactive_sessions: bool = False,
        max_concurrent_runs: int | None = None,
        queue_timeout: Duration | None = None,
        identity_center_instance_arn: str | None = None,
        tags: Mapping[str, str] | None = None,
        removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
        lifecycle: bool | LifecyclePolicy = True,
        disk_encryption: DiskEncryption | None = None,
        job_level_cost_allocation: bool | None = None,
        application_level_digest_resolution: bool | None = None,
        user_background_sessions: bool | None = None,
    ) -> None:
        """Validate every argument and create the application.

        :param engine: Spark or Hive. Default: ``EngineType.SPARK``.
        :param release: the EMR release, a :class:`ReleaseLabel` or any label the API takes
            (``"emr-7.14.0"``, ``"emr-spark-8.1.0"``); a label this library does not know
            is accepted with a warning. Default:
            :data:`constructs_lib.releases.DEFAULT_RELEASE` (emr-7.14.0).
        :param application_name: 1-64 characters of ``[A-Za-z0-9._/#-]``. Default: a
            unique name from the construct path (metrics select by name from emr-7.10.0).
        :param architecture: the workers' CPU architecture. Default: ``X86_64``; ``ARM64``
            needs emr-6.8.0+.
        :param initial_capacity: pre-initialized workers per worker type of the engine.
            Default: none (workers start on demand).
        :param maximum_capacity: the most vCPU, memory and disk the application holds at
            once; must hold the initial capacity. Default: none (the application scales up
            to the account's vCPU quota; subnets cannot be sized for that, see
            :attr:`peak_workers`).
        :param auto_start: start on job submission. Default: ``True``.
        :param auto_stop: stop after ``idle_timeout`` without jobs. Default: ``True``.
        :param idle_timeout: whole minutes, 1-10,080 (used only with ``auto_stop``).
            Default: 15 minutes.
        :param network: an :class:`~constructs_lib.network.EmrServerlessNetwork`: its
            subnets and security group. Default: no VPC access.
        :param vpc: the VPC to connect to, instead of ``network``. Default: none.
        :param vpc_subnets: subnets of ``vpc`` (1-16). Default: aws-cdk-lib's default
            selection (the private subnets).
        :param security_groups: 1-5 groups for the workers in ``vpc``, with no inbound
            rule from 0.0.0.0/0 or ::/0. Default: a new group with no inbound rules.
        :param image: a custom image for every worker (emr-6.9.0+). Default: the EMR image.
        :param worker_images: a custom image per worker type, covering every worker type
            of the engine (emr-6.9.0+). Default: none.
        :param monitoring: where jobs send logs and metrics. Default: the service's
            (managed log storage).
        :param runtime_configuration: default configuration of every job, e.g.
            ``[spark_defaults({...}), java17(Architecture.X86_64)]``. Default: none.
        :param studio: allow EMR Studio notebooks (Spark, emr-6.14.0+). Default: ``False``.
        :param livy_endpoint: enable the Livy endpoint (Spark, emr-6.14.0+).
            Default: ``False``.
        :param interactive_sessions: enable interactive sessions, the session APIs and
            Spark Connect (Spark, emr-7.13.0+). Default: ``False``.
        :param max_concurrent_runs: job runs at once, 1-1,000 (emr-7.0.0+). Default: the
            service's: 15 where scheduling is on (by default from emr-7.3.0), no limit
            where it is off.
        :param queue_timeout: how long a job may wait queued, 15-720 whole minutes
            (emr-7.0.0+). Default: the service's: 6 hours where scheduling is on (by
            default from emr-7.3.0).
        :param identity_center_instance_arn: IAM Identity Center instance for trusted
            identity propagation (Spark, emr-7.8.0+; it applies to the Livy endpoint
            only). Default: none.
        :param tags: at most 50 tags; keys 1-128 characters, no ``aws:`` prefix.
            Default: none.
        :param removal_policy: what happens to the application when it leaves the stack.
            Default: ``DESTROY`` (an application holds no data; its managed logs expire
            after 30 days either way).
        :param lifecycle: stop the application before CloudFormation changes what EMR
            Serverless changes only on a stopped application, start it again afterwards,
            and stop it before deletion (see :mod:`constructs_lib.application_lifecycle`);
            a :class:`~constructs_lib.lifecycle_policy.LifecyclePolicy` says what happens
            to active job runs; ``False`` turns it off. Default: ``True`` (wait up to 5
            minutes for job runs, then fail the deployment naming them).
        :param disk_encryption: encrypt the workers' disks with your KMS key (API only,
            applied by the lifecycle). Default: the service's own key.
        :param job_level_cost_allocation: job-level cost allocation (API only, applied by
            the lifecycle). Default: the service's (off).
        :param application_level_digest_resolution: resolve the custom image at application
            start (``True``) or at each job submission (``False``) (API only, applied by
            the lifecycle; needs an image). Default: the service's (``True`` before
            emr-7.14.0, ``False`` from it).
        :param user_background_sessions: let Livy sessions outlive the user's Identity
            Center session (API only, applied by the lifecycle; needs
            ``identity_center_instance_arn``). Default: the service's (off).
        """
        release = _release(release)
        super().__init__(scope, construct_id, physical_name=application_name)
        remember_child(self, scope, construct_id)
        if release.warning is not None:
            advise("release", release.warning)
        name = application_name or Names.unique_resource_name(
            self, max_length=64, separator="-", allowed_special_characters="-"
        )
        self._release = release
        self._name = name
        #: Spark or Hive.
        self.engine = engine
        #: The EMR release.
        self.release = release
        #: The workers' CPU architecture.
        self.architecture = architecture
        #: The application name (metrics select by it from emr-7.10.0).
        self.application_name = name
        #: Pre-initialized workers per worker type.
        self.initial_capacity: Mapping[WorkerType, InitialWorkers] = _by_worker_type(
            initial_capacity, engine=engine, argument="initial_capacity"
        )
        #: Where jobs send logs and metrics.
        self.monitoring = monitoring
        #: Default configuration of every job.
        self.runtime_configuration: tuple[Classification, ...] = tuple(runtime_configuration)
        self._network = network

        self._check_identity(name)
        #: The maximum capacity; ``None`` when not set (the account's vCPU quota applies).
        self.maximum_capacity = self._check_capacity(maximum_capacity)
        idle_minutes = self._check_auto_stop(auto_stop, idle_timeout)
        queue_minutes = self._minutes(queue_timeout, argument="queue_timeout")
        self._check_scheduler(max_concurrent_runs, queue_minutes)
        interactive = {
            "studio": studio,
            "livy_endpoint": livy_endpoint,
            "interactive_sessions": interactive_sessions,
        }
        check_interactive(interactive, engine=engine, release=release)
        self._interactive = dict(interactive)
        self._check_identity_center(identity_center_instance_arn, livy_endpoint=livy_endpoint)
        check_runtime_configuration(
            self.runtime_configuration, engine=engine, release=release, architecture=architecture
        )
        check_spark_containers_fit(self.runtime_configuration, self.initial_capacity, engine=engine)
        images_by_type = _by_worker_type(worker_images, engine=engine, argument="worker_images")
        images = self._check_images(image, images_by_type or None)
        groups, subnets = self._check_network(network, vpc, vpc_subnets, security_groups)
        #: The workers' security groups (empty without VPC access).
        self.security_groups: tuple[ec2.ISecurityGroup, ...] = groups
        self._connections = ec2.Connections(security_groups=list(groups))
        if lake_formation_enabled(self.runtime_configuration):
            check_lake_formation(
                engine=engine,
                release=release,
                has_custom_image=bool(images),
                initial=self.initial_capacity,
                public_subnets=_has_public_subnets(subnets, network.vpc if network else vpc),
            )
        self._check_tags(tags or {})

        self._resource = emr.CfnApplication(
            self,
            "Resource",
            name=name,
            type=engine.value,
            release_label=release.label,
            architecture=architecture.value,
            initial_capacity=_initial_capacity(self.initial_capacity),
            maximum_capacity=None
            if self.maximum_capacity is None
            else _maximum_capacity(self.maximum_capacity),
            auto_start_configuration=emr.CfnApplication.AutoStartConfigurationProperty(
                enabled=auto_start
            ),
            auto_stop_configuration=emr.CfnApplication.AutoStopConfigurationProperty(
                enabled=auto_stop, idle_timeout_minutes=idle_minutes
            ),
            network_configuration=_network_configuration(subnets, groups),
            image_configuration=None if image is None else _image_configuration(image),
            worker_type_specifications=_worker_specifications(images_by_type),
            monitoring_configuration=None
            if monitoring is None
            else monitoring.bind(self, engine=engine, release=release),
            runtime_configuration=[_configuration(c) for c in self.runtime_configuration] or None,
            interactive_configuration=emr.CfnApplication.InteractiveConfigurationProperty(
                studio_enabled=studio,
                livy_endpoint_enabled=livy_endpoint,
                session_enabled=interactive_sessions,
            )
            if any(interactive.values())
            else None,
            scheduler_configuration=emr.CfnApplication.SchedulerConfigurationProperty(
                max_concurrent_runs=max_concurrent_runs, queue_timeout_minutes=queue_minutes
            )
            if max_concurrent_runs is not None or queue_minutes is not None
            else None,
            identity_center_configuration=emr.CfnApplication.IdentityCenterConfigurationProperty(
                identity_center_instance_arn=identity_center_instance_arn
            )
            if identity_center_instance_arn is not None
            else None,
            tags=[CfnTag(key=k, value=v) for k, v in sorted((tags or {}).items())] or None,
        )
        self._application_id: str = self._resource.attr_application_id
        self._application_arn: str = self._resource.attr_arn
        self._resource.apply_removal_policy(removal_policy)
        for dependable in (d for each in images for d in each.dependables):
            self.node.add_dependency(dependable)
        self.node.add_validation(_Validation(self._late_problems))
        #: The lifecycle custom resources (``None`` with ``lifecycle=False``).
        self.lifecycle: ApplicationLifecycle | None = attach_lifecycle(
            self,
            self._resource,
            release=release,
            lifecycle=lifecycle,
            has_image=bool(images),
            identity_center_instance_arn=identity_center_instance_arn,
            monitoring_keys=list(self.log_encryption_keys),
            disk_encryption=disk_encryption,
            job_level_cost_allocation=job_level_cost_allocation,
            application_level_digest_resolution=application_level_digest_resolution,
            user_background_sessions=user_background_sessions,
        )

    # --- identity ---------------------------------------------------------------------------

    @property
    def application_id(self) -> str:
        """The application id (a token)."""
        return self._application_id

    @property
    def application_arn(self) -> str:
        """The application ARN (a token)."""
        return self._application_arn

    @property
    def connections(self) -> ec2.Connections:
        """The workers' security groups, e.g. ``database.connections.allow_from(app, port)``."""
        return self._connections

    @property
    def worker_types(self) -> tuple[WorkerType, ...]:
        """The engine's worker types."""
        return self.engine.worker_types

    @property
    def peak_workers(self) -> int | None:
        """Most workers at once: maximum vCPU over the smallest configured worker size.

        ``None`` without a maximum capacity: the application then scales up to the
        account's vCPU quota (16 vCPU by default, raised on request and automatically with
        use, guide L9071), which no subnet size can be checked against.
        """
        if self.maximum_capacity is None:
            return None
        return workers_for(self.maximum_capacity.vcpu, self._smallest_worker_vcpu())

    @property
    def log_encryption_keys(self) -> Sequence[kms.IKey]:
        """The keys job logs are encrypted with (job submitters need to use them)."""
        return () if self.monitoring is None else self.monitoring.encryption_keys

    # --- checks -----------------------------------------------------------------------------

    def _check_identity(self, name: str) -> None:
        check_literal(self, name, APPLICATION_NAME)
        check_engine(self.release, self.engine.value)
        region = _known(stack_facts(self).region)
        if region is not None:
            check_region(self.release, region)
        if self.architecture is Architecture.ARM64:
            require(
                self.release, Feature.ARM64, argument="architecture", value=self.architecture.value
            )

    def _check_capacity(self, maximum: MaximumCapacity | None) -> MaximumCapacity | None:
        initial = self.initial_capacity
        numbers = [v for w in initial.values() for v in (w.count, *_sizes(w))]
        if maximum is not None:
            numbers += [maximum.vcpu, maximum.memory_gb, maximum.disk_gb]
        if any(is_unresolved(n) for n in numbers):
            warn_unchecked(
                self,
                argument="initial_capacity/maximum_capacity",
                rule="worker sizes from the guide's table, and a maximum that holds the initial "
                "capacity",
            )
            return maximum
        check_initial_capacity(initial, engine=self.engine, release=self.release)
        if maximum is not None:
            check_maximum_capacity(maximum, initial)
        return maximum

    def _check_auto_stop(self, auto_stop: bool, idle_timeout: Duration | None) -> float | None:
        if not auto_stop and idle_timeout is not None:
            warn(
                self,
                "emr-serverless:idle-timeout-without-auto-stop",
                f"idle_timeout={idle_timeout.to_human_string()}: the idle timeout applies only "
                "while auto-stop is on; with auto_stop=False it is passed to the service and "
                "unused. Remove idle_timeout, or set auto_stop=True",
            )
        elif not auto_stop:
            return None
        minutes = self._minutes(idle_timeout, argument="idle_timeout")
        if minutes is None:
            return DEFAULT_IDLE_TIMEOUT_MINUTES
        if not is_unresolved(minutes):
            check_idle_timeout(int(minutes))
        return minutes

    def _minutes(self, duration: Duration | None, *, argument: str) -> float | None:
        """Whole minutes of ``duration``; a token is passed on unchecked, with a warning."""
        if duration is None:
            return None
        if not duration.is_unresolved():
            return check_whole_minutes(duration.to_seconds(), argument=argument)
        try:
            minutes = duration.to_minutes(integral=False)
        except RuntimeError as error:  # jsii: a token duration converts only in its own unit
            raise EmrServerlessValidationError(
                argument=argument,
                value=duration.to_string(),
                rule="a duration from a token converts to minutes only if given in minutes",
                fix="use Duration.minutes(<token>)",
            ) from error
        warn_unchecked(self, argument=argument, rule="whole minutes within the API's range")
        return minutes

    def _check_scheduler(self, runs: float | None, queue_minutes: float | None) -> None:
        known: dict[str, int | None] = {}
        for argument, value in (("max_concurrent_runs", runs), ("queue_timeout", queue_minutes)):
            token = value is not None and is_unresolved(value)
            if token:
                require(self.release, Feature.SCHEDULER, argument=argument, value=value)
                warn_unchecked(self, argument=argument, rule="the scheduler's range (guide L2153)")
            known[argument] = None if value is None or token else int(value)
        check_scheduler(
            max_concurrent_runs=known["max_concurrent_runs"],
            queue_timeout_minutes=known["queue_timeout"],
            release=self.release,
        )

    def _check_identity_center(self, instance_arn: str | None, *, livy_endpoint: bool) -> None:
        if instance_arn is None:
            return
        require(
            self.release,
            Feature.IDENTITY_CENTER,
            argument="identity_center_instance_arn",
            value=instance_arn,
        )
        check_literal(self, instance_arn, IDENTITY_CENTER_INSTANCE_ARN)
        check_identity_center(engine=self.engine, livy_endpoint=livy_endpoint)

    def _check_images(
        self,
        image: ApplicationImage | None,
        worker_images: Mapping[WorkerType, ApplicationImage] | None,
    ) -> list[ApplicationImage]:
        given = [("image", image)] if image is not None else []
        given += [(f"worker_images[{w.name}]", i) for w, i in (worker_images or {}).items()]
        if not given:
            return []
        first_argument, first = given[0]
        require(self.release, Feature.CUSTOM_IMAGES, argument=first_argument, value=first.image_uri)
        if worker_images:
            check_worker_images(
                list(worker_images), engine=self.engine, has_image=image is not None
            )
        region = _known(stack_facts(self).region)
        for argument, each in given:
            if not each.checked:
                warn_unchecked(
                    self,
                    argument=argument,
                    rule="a private ECR image URI with a tag or digest, in the application's "
                    "Region",
                )
            check_image_region(each.region, region, argument=argument)
            if each.warning is not None:
                warn(self, f"emr-serverless:image:{argument}", each.warning)
        return [each for _, each in given]

    def _check_network(
        self,
        network: EmrServerlessNetwork | None,
        vpc: ec2.IVpc | None,
        vpc_subnets: ec2.SubnetSelection | None,
        security_groups: Sequence[ec2.ISecurityGroup] | None,
    ) -> tuple[tuple[ec2.ISecurityGroup, ...], ec2.SelectedSubnets | None]:
        separate = {"vpc": vpc, "vpc_subnets": vpc_subnets, "security_groups": security_groups}
        passed = sorted(name for name, value in separate.items() if value is not None)
        if network is not None and passed:
            raise EmrServerlessValidationError(
                argument=passed[0],
                value=passed,
                rule="the network is given either as network (an EmrServerlessNetwork) or as "
                "vpc with vpc_subnets and security_groups",
                fix=f"remove {', '.join(passed)}, or remove network",
            )
        if network is None and vpc is None:
            if passed:
                raise EmrServerlessValidationError(
                    argument=passed[0],
                    value=passed,
                    rule="subnets and security groups belong to a VPC",
                    fix="pass vpc too (or network)",
                )
            return (), None
        groups: tuple[ec2.ISecurityGroup, ...]
        if network is not None:
            argument, subnets, groups = "network", network.subnets, (network.security_group,)
        else:
            assert vpc is not None
            argument, subnets = "vpc_subnets", _select_subnets(vpc, vpc_subnets)
            groups = (
                tuple(security_groups)
                if security_groups is not None
                else (self._default_security_group(vpc),)
            )
        check_network_counts(
            subnets=len(subnets.subnet_ids), security_groups=len(groups), argument=argument
        )
        for group in groups:
            check_ingress_sources(
                _ingress_sources(group), argument=_group_argument(network), group=path_of(group)
            )
        self._check_subnet_capacity(subnets, argument=argument)
        return groups, subnets

    def _check_subnet_capacity(self, subnets: ec2.SelectedSubnets, *, argument: str) -> None:
        """Warn when a subnet cannot hold the peak: the service accepts it (guide L1940)."""
        peak = self.peak_workers
        if peak is None:
            register_application(self, subnets.subnets, workers=None, argument=argument)
            warn(
                self,
                "emr-serverless:subnet-capacity-unchecked",
                f"{argument}: without maximum_capacity the application scales up to the "
                "account's vCPU quota, and each worker takes one IP address in its subnet "
                "(guide L1940): set maximum_capacity so that EMR Serverless stops where the "
                "subnets are full, and the subnets can be checked against it",
            )
            return
        check_subnet_capacity(self, subnets.subnets, workers=peak, argument=argument, refuse=False)

    def _check_tags(self, tags: Mapping[str, str], *, warn: bool = True) -> None:
        """Check literal tags; a tag with a token key or value is skipped (with a warning)."""
        literal = {k: v for k, v in tags.items() if not is_unresolved(k) and not is_unresolved(v)}
        check_tags(literal, tokens=len(tags) - len(literal))
        if warn and len(literal) < len(tags):
            warn_unchecked(self, argument="tags", rule="tag keys and values (guide L5757-5765)")

    def _default_security_group(self, vpc: ec2.IVpc) -> ec2.ISecurityGroup:
        return ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description="EMR Serverless workers: no inbound rules, all outbound",
            allow_all_outbound=True,
        )

    def _smallest_worker_vcpu(self) -> int:
        return smallest_worker_vcpu(
            engine=self.engine,
            initial=self.initial_capacity,
            runtime_configuration=self.runtime_configuration,
        )

    def _late_problems(self) -> list[str]:
        """Rules that settings added after construction (ingress rules, tags) can break."""
        problems = [
            str(open_ingress_error(_group_argument(self._network), path_of(group), source))
            for group in self.security_groups
            for source in _ingress_sources(group, final=True)
            if source in OPEN_CIDRS
        ]
        try:
            self._check_tags(self._resource.tags.tag_values(), warn=False)
        except EmrServerlessValidationError as error:
            problems.append(str(error))
        return problems


@jsii.implements(IValidation)
class _Validation:
    def __init__(self, problems: Callable[[], list[str]]) -> None:
        self._problems = problems

    def validate(self) -> list[str]:
        return self._problems()


@cache
def _publish_period() -> Duration:
    """The period metrics are published at (one object: each Duration is a call into jsii)."""
    return Duration.seconds(PUBLISH_PERIOD_SECONDS)


def _release(release: ReleaseLabel | str) -> ReleaseLabel:
    if isinstance(release, ReleaseLabel):
        return release
    if is_unresolved(release):
        raise EmrServerlessValidationError(
            argument="release",
            value=release,
            rule="the release decides which settings are valid, so it must be known at synth",
            fix="pass a ReleaseLabel constant or a literal label such as 'emr-7.14.0'",
        )
    return ReleaseLabel.of(release)


def _by_worker_type(
    values: Mapping[WorkerType | str, _V] | None, *, engine: EngineType, argument: str
) -> dict[WorkerType, _V]:
    """``values`` keyed by worker type; keys may be any API name (``DRIVER``, ``TEZ_TASK``)."""
    resolved: dict[WorkerType, _V] = {}
    for key, value in (values or {}).items():
        worker_type = WorkerType.of(key, engine=engine, argument=f"{argument}[{key_name(key)}]")
        if worker_type in resolved:
            raise EmrServerlessValidationError(
                argument=argument,
                value=key,
                rule=f"{worker_type.name} is named twice",
                fix="name each worker type once",
            )
        resolved[worker_type] = value
    return resolved


def _known(value: str) -> str | None:
    return None if is_unresolved(value) else value


def _id_from_arn(arn: str) -> str:
    """``<id>`` of ``arn:<partition>:emr-serverless:<region>:<account>:/applications/<id>``."""
    if not Token.is_unresolved(arn):
        return arn.rsplit("/", 1)[-1]
    return Fn.select(2, Fn.split("/", arn))


def _sizes(workers: InitialWorkers) -> tuple[int | None, ...]:
    configuration = workers.configuration
    return configuration.vcpu, configuration.memory_gb, configuration.disk_gb


def _select_subnets(vpc: ec2.IVpc, selection: ec2.SubnetSelection | None) -> ec2.SelectedSubnets:
    try:
        return vpc.select_subnets(**_selection_arguments(selection))
    except Exception as error:  # jsii raises a plain error naming the missing subnet group
        raise EmrServerlessValidationError(
            argument="vpc_subnets",
            value=str(error).splitlines()[0],
            rule="the selection must match subnets of the VPC",
            fix="select subnets the VPC has, e.g. SubnetSelection(subnet_type=PRIVATE_WITH_EGRESS)",
        ) from error


def _selection_arguments(selection: ec2.SubnetSelection | None) -> dict[str, Any]:
    if selection is None:
        return {}
    names = (
        "availability_zones",
        "one_per_az",
        "subnet_filters",
        "subnet_group_name",
        "subnet_type",
        "subnets",
    )
    return {
        name: getattr(selection, name) for name in names if getattr(selection, name) is not None
    }


def _group_argument(network: object) -> str:
    return "network" if network is not None else "security_groups"


def _ingress_sources(group: ec2.ISecurityGroup, *, final: bool = False) -> list[str]:
    """CIDR sources of the group's inbound rules known in this app (inline and separate).

    :param final: the tree is complete (at synth): separate rules are read as they are
        then, not as an application's construction found them.
    """
    stack = stack_of(group)
    sources: list[str] = []
    # The group's L1 and resolved id never change; its inline rules may grow.
    child = read_once(read_once(group, "node"), "default_child")
    if isinstance(child, ec2.CfnSecurityGroup):
        for rule in stack.resolve(child.security_group_ingress) or []:
            sources += [
                rule[k] for k in ("cidrIp", "cidrIpv6", "CidrIp", "CidrIpv6") if rule.get(k)
            ]
    group_id = read_once(group, "_resolved_id", lambda: _resolved_id(stack, group))
    return sources + _separate_ingress_sources(stack, final=final).get(group_id, [])


def _resolved_id(stack: Stack, group: ec2.ISecurityGroup) -> str:
    return json.dumps(stack.resolve(group.security_group_id), sort_keys=True)


#: Per stack: CIDR sources of its separate ``AWS::EC2::SecurityGroupIngress`` rules by
#: resolved group id. Built once per stack as the first application is constructed (every
#: application on a shared network checks the same groups), and once more at synth, when
#: the tree is complete, for rules added after the applications.
_SEPARATE_INGRESS: weakref.WeakKeyDictionary[Stack, dict[str, list[str]]] = (
    weakref.WeakKeyDictionary()
)
_FINAL_SEPARATE_INGRESS: weakref.WeakKeyDictionary[Stack, dict[str, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _separate_ingress_sources(stack: Stack, *, final: bool) -> dict[str, list[str]]:
    cache = _FINAL_SEPARATE_INGRESS if final else _SEPARATE_INGRESS
    if stack not in cache:
        index: dict[str, list[str]] = {}
        for construct in stack.node.find_all():
            if isinstance(construct, ec2.CfnSecurityGroupIngress) and stack_of(construct) is stack:
                key = json.dumps(stack.resolve(construct.group_id), sort_keys=True)
                index.setdefault(key, []).extend(
                    s for s in (construct.cidr_ip, construct.cidr_ipv6) if s
                )
        cache[stack] = index
    return cache[stack]


def _worker_configuration(
    configuration: WorkerConfiguration,
) -> emr.CfnApplication.WorkerConfigurationProperty:
    rendered = configuration.render()
    return emr.CfnApplication.WorkerConfigurationProperty(
        cpu=rendered["cpu"],
        memory=rendered["memory"],
        disk=rendered.get("disk"),
        disk_type=rendered.get("diskType"),
    )


def _initial_capacity(
    initial: Mapping[WorkerType, InitialWorkers],
) -> list[emr.CfnApplication.InitialCapacityConfigKeyValuePairProperty] | None:
    pairs = [
        emr.CfnApplication.InitialCapacityConfigKeyValuePairProperty(
            key=worker_type.capacity_key,
            value=emr.CfnApplication.InitialCapacityConfigProperty(
                worker_count=workers.count,
                worker_configuration=_worker_configuration(workers.configuration),
            ),
        )
        for worker_type, workers in initial.items()
    ]
    return pairs or None


def _maximum_capacity(
    maximum: MaximumCapacity,
) -> emr.CfnApplication.MaximumAllowedResourcesProperty:
    rendered = maximum.render()
    return emr.CfnApplication.MaximumAllowedResourcesProperty(
        cpu=rendered["cpu"], memory=rendered["memory"], disk=rendered.get("disk")
    )


def _network_configuration(
    subnets: ec2.SelectedSubnets | None, groups: Iterable[ec2.ISecurityGroup]
) -> emr.CfnApplication.NetworkConfigurationProperty | None:
    if subnets is None:
        return None
    return emr.CfnApplication.NetworkConfigurationProperty(
        subnet_ids=subnets.subnet_ids,
        security_group_ids=[group.security_group_id for group in groups],
    )


def _image_configuration(
    image: ApplicationImage,
) -> emr.CfnApplication.ImageConfigurationInputProperty:
    return emr.CfnApplication.ImageConfigurationInputProperty(image_uri=image.image_uri)


def _worker_specifications(
    worker_images: Mapping[WorkerType, ApplicationImage] | None,
) -> dict[str, emr.CfnApplication.WorkerTypeSpecificationInputProperty] | None:
    if not worker_images:
        return None
    return {
        worker_type.specification_key: emr.CfnApplication.WorkerTypeSpecificationInputProperty(
            image_configuration=_image_configuration(image)
        )
        for worker_type, image in worker_images.items()
    }


def _configuration(
    classification: Classification,
) -> emr.CfnApplication.ConfigurationObjectProperty:
    return emr.CfnApplication.ConfigurationObjectProperty(
        classification=classification.classification,
        properties=dict(classification.properties) or None,
        configurations=[_configuration(c) for c in classification.configurations] or None,
    )


def _has_public_subnets(subnets: ec2.SelectedSubnets | None, vpc: ec2.IVpc | None) -> bool:
    if subnets is None or vpc is None:
        return False
    public = {subnet.subnet_id for subnet in vpc.public_subnets}
    return any(subnet_id in public for subnet_id in subnets.subnet_ids)
