"""ApplicationLifecycle: stops an EMR Serverless application around the CloudFormation changes
that need it, starts it again afterwards, and applies the settings only the API has.

Per application, two custom resources (``Custom::EmrServerlessBeforeUpdate``, on which the
application depends, and ``Custom::EmrServerlessAfterUpdate``, which depends on it); per
stack, one provider they share (:class:`LifecycleProvider`): the handler functions, aws-cdk-lib's
provider framework with its waiter, one role, one KMS key and one log group. See
:mod:`constructs_lib.lifecycle.handler` for what happens when.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsii
from aws_cdk import (
    Aws,
    CfnResource,
    CustomResource,
    Duration,
    Fn,
    IStableAnyProducer,
    IStableListProducer,
    Lazy,
    Names,
    RemovalPolicy,
    Stack,
)
from aws_cdk import CfnResource as CfnElementResource
from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import custom_resources as cr
from constructs import Construct, IConstruct

from constructs_lib import application_updates
from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import (
    child_singleton,
    jsii_key,
    remember_child,
    stack_facts,
    stack_of,
)
from constructs_lib.api_only_settings import (
    RenderedSetting,
    check_encryption_context,
    check_encryption_key_arn,
    render_digest_resolution,
    render_disk_encryption,
    render_job_level_cost_allocation,
    render_user_background_sessions,
    require_identity_center,
    require_image,
)
from constructs_lib.compliance import acknowledge_findings, acknowledge_wildcard_resource
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import policy_grantee
from constructs_lib.iam_actions import EMR_SERVERLESS_PRINCIPAL
from constructs_lib.lifecycle import DATA_PATH, handler_asset
from constructs_lib.lifecycle_policy import (
    CUSTOM_RESOURCE_TIMEOUT_MINUTES,
    DISK_KEY_SERVICE_ACTIONS,
    LIFECYCLE_APPLICATION_ACTIONS,
    LIFECYCLE_JOB_RUN_ACTIONS,
    LIFECYCLE_STACK_ACTIONS,
    LifecyclePolicy,
)
from constructs_lib.log_encryption import cloudwatch_logs_key_statement
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_rules import CLOUDWATCH_LOGS_KEY_ACTIONS, applications_arn
from constructs_lib.notification_topic import principal_name
from constructs_lib.releases import ReleaseLabel, application_level_digest_resolution_default
from constructs_lib.runtime_permissions import source_arn_patterns
from constructs_lib.tokens import is_unresolved, warn, warn_unchecked

#: The Lambda runtime of the handler functions (the newest Python aws-cdk-lib names).
HANDLER_RUNTIME = lambda_.Runtime.PYTHON_3_14
#: How often the provider framework polls ``is_complete``.
QUERY_INTERVAL = Duration.seconds(15)
#: Construct id of the per-stack provider, at the stack's root.
PROVIDER_ID = "EmrServerlessLifecycle"
#: Retention of the provider's log group (as :class:`ApplicationLogs`'s default).
LOG_RETENTION = logs.RetentionDays.ONE_YEAR
#: The warning recorded when a disk encryption key is defined outside this app.
DISK_KEY_POLICY_WARNING = "emr-serverless:disk-key-policy"


@dataclass(frozen=True)
class DiskEncryption:
    """Encrypt the workers' local disks with a customer managed KMS key (disk-encryption-cmk).

    :param key: a symmetric KMS key. A key defined in this app gets the key-policy
        statement EMR Serverless needs; for another, add it yourself (recorded as a warning).
    :param encryption_context: up to 8 pairs sent with every KMS request (visible in
        CloudTrail; no secrets). Default: none.
    """

    key: kms.IKey
    encryption_context: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.key, str) or not hasattr(self.key, "key_arn"):
            raise EmrServerlessValidationError(
                argument="disk_encryption.key",
                value=self.key,
                rule="disk_encryption.key takes a kms.IKey",
                fix="pass a kms.Key, or kms.Key.from_key_arn(scope, id, arn) for a key ARN",
            )
        if not isinstance(self.encryption_context, Mapping):
            raise EmrServerlessValidationError(
                argument="disk_encryption.encryption_context",
                value=self.encryption_context,
                rule="the encryption context is a mapping of strings to strings",
                fix="pass a dict such as {'team': 'analytics'}",
            )

    @checked_arguments
    def grant_use(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (a job runtime role) use the key for the disks of its job runs."""
        return self.key.grant(policy_grantee(grantee), *DISK_KEY_SERVICE_ACTIONS)


@checked_arguments
def attach_lifecycle(
    application: Construct,
    resource: emr.CfnApplication,
    *,
    release: ReleaseLabel,
    lifecycle: bool | LifecyclePolicy,
    has_image: bool,
    identity_center_instance_arn: str | None,
    monitoring_keys: Sequence[kms.IKey],
    disk_encryption: DiskEncryption | None,
    job_level_cost_allocation: bool | None,
    application_level_digest_resolution: bool | None,
    user_background_sessions: bool | None,
) -> ApplicationLifecycle | None:
    """Check the API-only settings and add the application's lifecycle (``None`` if off).

    The one call :class:`~constructs_lib.application.EmrServerlessApplication` makes.
    """
    settings: list[RenderedSetting] = []
    if disk_encryption is not None:
        settings.append(_disk_encryption(application, disk_encryption))
    if job_level_cost_allocation is not None:
        settings.append(render_job_level_cost_allocation(job_level_cost_allocation))
    if application_level_digest_resolution is not None:
        require_image(application_level_digest_resolution, has_image=has_image)
        settings.append(
            render_digest_resolution(
                application_level_digest_resolution,
                application_level_digest_resolution_default(release),
            )
        )
    if user_background_sessions is not None:
        require_identity_center(
            user_background_sessions, has_instance=identity_center_instance_arn is not None
        )
        settings.append(render_user_background_sessions(user_background_sessions))
    moved: dict[str, Any] = {}
    for setting in [s for s in settings if s.setting.cloudformation_property is not None]:
        # CloudFormation has it now: the resource sets it, the handler does not (but
        # BeforeUpdate still compares it, as an override is not among the rendered
        # properties).
        name = str(setting.setting.cloudformation_property)
        resource.add_property_override(name, setting.cloudformation_value)
        moved[name] = setting.cloudformation_value
        settings.remove(setting)
    if lifecycle is False:
        if settings:
            raise EmrServerlessValidationError(
                argument="lifecycle",
                value=False,
                rule="settings CloudFormation lacks ("
                + ", ".join(s.setting.argument for s in settings)
                + ") are applied by the lifecycle handler with UpdateApplication",
                fix="keep the lifecycle on (the default), or remove those settings",
            )
        return None
    policy = LifecyclePolicy() if lifecycle is True else lifecycle
    return ApplicationLifecycle(
        application,
        "Lifecycle",
        resource=resource,
        policy=policy,
        settings=settings,
        disk_encryption=disk_encryption,
        monitoring_keys=monitoring_keys,
        overrides=moved,
    )


def _disk_encryption(scope: Construct, disk: DiskEncryption) -> RenderedSetting:
    context = dict(disk.encryption_context)
    if is_unresolved(context):
        warn_unchecked(
            scope,
            argument="disk_encryption.encryption_context",
            rule="at most 8 pairs, keys of 1-128 and values of 1-384 characters",
        )
    else:
        check_encryption_context(context)
    arn = disk.key.key_arn
    if hasattr(disk.key, "alias_name"):
        raise EmrServerlessValidationError(
            argument="disk_encryption.key",
            value=disk.key.node.path,
            rule="disk encryption takes the ARN of a KMS key, not of an alias "
            "(DiskEncryptionConfiguration encryptionKeyArn)",
            fix="pass the key itself: kms.Key, or kms.Key.from_key_arn(...)",
        )
    if is_unresolved(arn):
        warn_unchecked(
            scope, argument="disk_encryption.key", rule="the ARN of a KMS key, not an alias"
        )
    else:
        check_encryption_key_arn(arn)
    return render_disk_encryption(arn, context)


class ApplicationLifecycle(Construct):
    """The lifecycle custom resources of one application (child ``Lifecycle`` of it).

    - ``BeforeUpdate``: the application depends on it. When an update changes a property
      that stops the application (:data:`constructs_lib.application_updates.UPDATE_RULES`),
      it stops the application first (waiting for, or cancelling, active job runs).
    - ``AfterUpdate``: depends on the application. It applies the API-only settings, then
      starts the application again if it was started, or if it keeps pre-initialized
      capacity with auto-start. Before CloudFormation deletes the application, it stops it.

    Both carry the application's properties, so both run whenever CloudFormation changes
    the application.
    """

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        resource: emr.CfnApplication,
        policy: LifecyclePolicy,
        settings: Sequence[RenderedSetting] = (),
        disk_encryption: DiskEncryption | None = None,
        monitoring_keys: Sequence[kms.IKey] = (),
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        """Add the custom resources; create the stack's provider if it has none yet.

        :param overrides: properties set on ``resource`` as overrides (settings that moved
            to CloudFormation), which its rendered properties lack; compared with them.
            Default: none.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        stack = stack_of(self)
        provider = LifecycleProvider.of(stack)
        #: The lifecycle policy (running jobs).
        self.policy = policy
        #: The API-only settings the handler applies.
        self.settings: tuple[RenderedSetting, ...] = tuple(settings)
        settings_json = {s.setting.name: s.to_json() for s in self.settings}
        common: dict[str, Any] = {
            "ApplicationLogicalId": stack.get_logical_id(resource),
            "Application": Lazy.any(_RenderedProperties(resource, overrides or {})),
            "RunningJobs": policy.running_jobs.value,
            "RunningJobsTimeoutMinutes": policy.running_jobs_timeout_minutes,
        }
        #: Stops the application before CloudFormation changes it (the application
        #: depends on it).
        self.before_update = CustomResource(
            self,
            "BeforeUpdate",
            service_token=provider.service_token,
            resource_type="Custom::EmrServerlessBeforeUpdate",
            properties={
                "Step": "BeforeUpdate",
                **common,
                # Compared only: references written as text, so that BeforeUpdate depends on
                # nothing the application does not (a key's policy may name the application).
                "ApiOnlySettings": Lazy.any(_InertSettings(stack, settings_json)),
            },
            service_timeout=_custom_resource_timeout(),
        )
        resource.node.add_dependency(self.before_update)
        #: Applies the API-only settings and restores the application's state afterwards;
        #: stops the application before CloudFormation deletes it.
        self.after_update = CustomResource(
            self,
            "AfterUpdate",
            service_token=provider.service_token,
            resource_type="Custom::EmrServerlessAfterUpdate",
            properties={
                "Step": "AfterUpdate",
                **common,
                "ApiOnlySettings": settings_json,
                "ApplicationId": resource.attr_application_id,
                "Marker": self.before_update.ref,
            },
            service_timeout=_custom_resource_timeout(),
        )
        if disk_encryption is not None:
            self._allow_emr_serverless(disk_encryption.key, resource, monitoring_keys)

    def _allow_emr_serverless(
        self, key: kms.IKey, resource: emr.CfnApplication, monitoring_keys: Sequence[kms.IKey]
    ) -> None:
        stack = stack_facts(self)
        # A key the application's logs use too is referenced by the application, so its
        # policy cannot name the application (a cycle): every application of the account.
        everyone = applications_arn(
            partition=stack.partition, region=stack.region, account=stack.account
        )
        shared = any(k is key for k in monitoring_keys)
        sources = [everyone] if shared else source_arn_patterns(resource.attr_arn)
        statement = iam.PolicyStatement(
            sid="EmrServerlessDiskEncryption",
            principals=[iam.ServicePrincipal(EMR_SERVERLESS_PRINCIPAL)],
            actions=list(DISK_KEY_SERVICE_ACTIONS),
            resources=["*"],
            conditions={"StringLike": {"aws:SourceArn": sources}},
        )
        added = key.add_to_resource_policy(statement, allow_no_op=True)
        if not added.statement_added:
            warn(
                self,
                DISK_KEY_POLICY_WARNING,
                "The disk encryption key is not defined in this app, so its policy was not "
                f"changed. Allow {principal_name(statement.principals[0])} "
                f"{', '.join(statement.actions)} there ({application_updates.USER_GUIDE}"
                "disk-encryption-cmk.html), or job runs will not start.",
            )


class LifecycleProvider(Construct):
    """The lifecycle provider of one stack, shared by every application in it.

    Two Python functions (``on_event`` and ``is_complete`` of
    :mod:`constructs_lib.lifecycle.handler`) behind aws-cdk-lib's ``custom_resources.Provider``,
    which polls ``is_complete`` every 15 seconds for up to an hour (CloudFormation's limit
    for a custom resource), so waits do not meet Lambda's 15 minutes. One role (managed
    policies only) may act on the account's applications in the Region, and the handler
    acts on those it finds in its own stack; one KMS key (rotation on) encrypts the log
    group and the functions' environment; the log group keeps a year of logs; key and log
    group are retained when the stack is deleted (the group's name ends in the stack's
    UUID, so the stack can be created again).
    """

    @classmethod
    @checked_arguments
    def of(cls, stack: Stack) -> LifecycleProvider:
        """The stack's provider, created on first use."""
        return child_singleton(stack, PROVIDER_ID, cls, lambda: cls(stack, PROVIDER_ID))

    @checked_arguments
    def __init__(self, scope: Construct, construct_id: str) -> None:
        """Create the functions, the provider framework, the role, the key and the log group."""
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        stack = stack_of(self)
        #: Encrypts the log group and the functions' environment variables.
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the EMR Serverless lifecycle logs of {stack.stack_name}",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # The stack's id ends in a UUID of its creation: a log group retained by a deleted
        # stack does not block the name when the stack is created again.
        stack_uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
        log_group_name = (
            "/aws/vendedlogs/emr-serverless-lifecycle/"
            + Names.unique_resource_name(
                self, max_length=200, separator="-", allowed_special_characters="-"
            )
            + f"-{stack_uuid}"
        )
        self.key.add_to_resource_policy(
            cloudwatch_logs_key_statement(
                self,
                sid="CloudWatchLogsLifecycleLogGroup",
                actions=CLOUDWATCH_LOGS_KEY_ACTIONS,
                log_group_name=log_group_name,
            )
        )
        #: Where the handler, the framework and its waiter log.
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=log_group_name,
            encryption_key=self.key,
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        #: The handler functions' role.
        self.role = ManagedPolicyRole(
            self,
            "HandlerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="EMR Serverless lifecycle handler: stops and starts this stack's "
            "applications around CloudFormation updates",
        )
        # Statements added to the role's policies together (one call per policy).
        with self.role.batched():
            self.role.add_to_principal_policy(
                iam.PolicyStatement(actions=list(LIFECYCLE_STACK_ACTIONS), resources=[Aws.STACK_ID])
            )
            self._allow_applications(stack)
            self.log_group.grant_write(self.role)
            # Byte code a local run may leave beside the sources is not part of the function:
            # the asset (and so the template) stays the same whatever ran there.
            code = lambda_.Code.from_asset(str(handler_asset()), exclude=["__pycache__", "*.pyc"])
            functions = [
                lambda_.Function(
                    self,
                    name,
                    runtime=HANDLER_RUNTIME,
                    code=code,
                    handler=f"handler.{entry}",
                    role=self.role,
                    timeout=Duration.minutes(1),
                    memory_size=256,
                    environment={"AWS_DATA_PATH": DATA_PATH},
                    environment_encryption=self.key,
                    log_group=self.log_group,
                    description=f"EMR Serverless lifecycle: {entry} of the custom resources",
                )
                for name, entry in (("OnEvent", "on_event"), ("IsComplete", "is_complete"))
            ]
        self.on_event, self.is_complete = functions
        on_event_role = ManagedPolicyRole(
            self, "FrameworkOnEventRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
        )
        complete_role = ManagedPolicyRole(
            self,
            "FrameworkCompleteRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )
        with on_event_role.batched(), complete_role.batched():
            for role in (on_event_role, complete_role):
                self.log_group.grant_write(role)
            #: aws-cdk-lib's provider framework with its waiter state machine.
            self.provider = cr.Provider(
                self,
                "Provider",
                on_event_handler=self.on_event,
                is_complete_handler=self.is_complete,
                query_interval=QUERY_INTERVAL,
                total_timeout=Duration.minutes(CUSTOM_RESOURCE_TIMEOUT_MINUTES),
                framework_on_event_role=on_event_role,
                framework_complete_and_timeout_role=complete_role,
                log_group=self.log_group,
                provider_function_env_encryption=self.key,
                waiter_state_machine_log_options=cr.LogOptions(
                    destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False
                ),
                disable_waiter_state_machine_logging=False,
            )
        #: The custom resources' service token.
        self.service_token = self.provider.service_token
        self._framework_roles = (on_event_role, complete_role)
        #: The provider framework's functions and waiter state machine, read once.
        self._framework = [
            c for c in self.provider.node.children if isinstance(c, lambda_.Function)
        ]
        self._waiter = self.provider.node.find_child("waiter-state-machine")
        self._waiter_role = self._waiter.node.find_child("Role")
        self._waiter_policy_managed()
        self._acknowledge()
        self._drop_redundant_depends_on()

    def _allow_applications(self, stack: Stack) -> None:
        """Let the handler act on the applications of this account and Region, and their runs.

        Not on each application's ARN: the application depends on its ``BeforeUpdate``
        step, so a statement naming the ARN would be created after the step it is needed
        for (an application deployed before it had a lifecycle is stopped at the step's
        creation) and changed before the step that needs it last (a removed application is
        stopped after CloudFormation updated the policy without it). The statements are in
        the role's own policy, on which the functions depend, so they hold before any step
        runs. The handler acts only on the applications it finds in its own stack.
        """
        applications = applications_arn(
            partition=stack.partition, region=stack.region, account=stack.account
        )
        job_runs = f"{applications}/jobruns/*"
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(LIFECYCLE_APPLICATION_ACTIONS), resources=[applications]
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(LIFECYCLE_JOB_RUN_ACTIONS), resources=[job_runs])
        )
        acknowledge_wildcard_resource(
            self.role,
            applications,
            "The handler stops and starts the applications of its own stack, which it finds "
            "with DescribeStackResource; a statement naming each application's ARN would be "
            "created after, or changed before, the step that needs it (each application "
            "depends on its BeforeUpdate step), so it is scoped to this account and Region.",
        )
        acknowledge_wildcard_resource(
            self.role,
            job_runs,
            "The handler lists and, with RunningJobs.CANCEL, cancels the active job runs of "
            "its stack's applications; their ids are known only at deploy time.",
        )

    def _waiter_policy_managed(self) -> None:
        """Move the waiter role's inline policy into a managed policy, as the library's roles.

        aws-cdk-lib's provider framework gives its waiter state machine a role of its own
        with an inline ``DefaultPolicy`` (complete by now: invoke the framework functions,
        deliver logs), which the NIST 800-53, HIPAA and PCI packs refuse.
        """
        role = self._waiter_role
        inline = role.node.find_child("DefaultPolicy")
        if not isinstance(role, iam.Role) or not isinstance(inline, iam.Policy):
            raise TypeError("aws-cdk-lib's provider framework changed: no waiter role policy")
        iam.ManagedPolicy(
            role,
            "Policy",
            description="EMR Serverless lifecycle: the provider framework's waiter",
            document=inline.document,
            roles=[role],
        )
        role.node.try_remove_child("DefaultPolicy")

    def _drop_redundant_depends_on(self) -> None:
        """Depend on the roles' policies only: ``Fn::GetAtt`` of the role already orders them.

        aws-cdk-lib makes each function (and the waiter) depend on its whole role, the role
        included, which cfn-lint reports as a redundant DependsOn (W3005).
        """
        pairs: list[tuple[IConstruct | None, IConstruct | None]] = [
            (f.node.default_child, f.role)
            for f in (self.on_event, self.is_complete, *self._framework)
        ]
        pairs.append((self._waiter.node.find_child("Resource"), self._waiter_role))
        # One token per role: the handler functions share a role, and so do two of the
        # framework's; its ids are produced once.
        policy_ids: dict[str, list[str]] = {}
        for resource, role in pairs:
            if isinstance(resource, CfnResource) and role is not None:
                key = jsii_key(role)
                if key not in policy_ids:
                    policy_ids[key] = Lazy.list(_PolicyIds(role))
                resource.add_override("DependsOn", policy_ids[key])

    def _acknowledge(self) -> None:
        """Acknowledge, per resource, the findings that are right for the provider."""
        for function in (self.on_event, self.is_complete):
            acknowledge_findings(function, _HANDLER_FINDINGS)
        for function in self._framework:
            acknowledge_findings(function, _FRAMEWORK_FINDINGS)
        handler_arns = [f"{f.function_arn}:*" for f in (self.on_event, self.is_complete)]
        for role in self._framework_roles:
            for arn in handler_arns:
                acknowledge_wildcard_resource(role, arn, _INVOKE)
        acknowledge_findings(self._waiter, _WAITER_FINDINGS)
        acknowledge_findings(self._waiter_role, _WAITER_ROLE_FINDINGS)
        for function in self._framework:
            if function.node.id != "framework-onEvent":
                acknowledge_wildcard_resource(
                    self._waiter_role, f"{function.function_arn}:*", _INVOKE
                )


_INVOKE = (
    "The provider framework invokes this function and its versions (aws-cdk-lib's "
    "grantInvoke adds the ':*' qualifier); the ARN names one function of this stack."
)
_VPC = (
    "The function calls only AWS APIs (EMR Serverless, CloudFormation, Lambda, Step "
    "Functions) and reaches no resource in a VPC; a VPC would need NAT or endpoints for nothing."
)
_CONCURRENCY = (
    "The function runs only while CloudFormation deploys the stack; reserving concurrency "
    "would fail deployments in accounts with the default low concurrency quota."
)
_SYNCHRONOUS_DLQ = (
    "The provider framework invokes this function synchronously and reports every error "
    "to CloudFormation as the custom resource's failure; a DLQ catches asynchronous calls only."
)
_FRAMEWORK_DLQ = (
    "aws-cdk-lib's provider framework answers CloudFormation SUCCESS or FAILED for every "
    "request, its own errors included; a DLQ would hold requests already answered."
)
_TRACING = (
    "A few control-plane calls per deployment, each logged to the KMS-encrypted log group; "
    "X-Ray would add cost and a wildcard xray permission, not diagnosis."
)

#: Findings that are right for the two handler functions, with the reason.
_HANDLER_FINDINGS = {
    "NIST.800.53.R5-LambdaInsideVPC": _VPC,
    "HIPAA.Security-LambdaInsideVPC": _VPC,
    "PCI.DSS.321-LambdaInsideVPC": _VPC,
    "NIST.800.53.R5-LambdaConcurrency": _CONCURRENCY,
    "HIPAA.Security-LambdaConcurrency": _CONCURRENCY,
    "NIST.800.53.R5-LambdaDLQ": _SYNCHRONOUS_DLQ,
    "HIPAA.Security-LambdaDLQ": _SYNCHRONOUS_DLQ,
    "Serverless-LambdaDLQ": _SYNCHRONOUS_DLQ,
    "Serverless-LambdaTracing": _TRACING,
}
#: ... and for aws-cdk-lib's three provider framework functions.
_FRAMEWORK_FINDINGS = {
    **_HANDLER_FINDINGS,
    "NIST.800.53.R5-LambdaDLQ": _FRAMEWORK_DLQ,
    "HIPAA.Security-LambdaDLQ": _FRAMEWORK_DLQ,
    "Serverless-LambdaDLQ": _FRAMEWORK_DLQ,
    "Serverless-LambdaDefaultMemorySize": "aws-cdk-lib's provider framework function, sized "
    "by aws-cdk-lib (no memory setting); it only relays requests to the handler.",
}
_WAITER_FINDINGS = {
    "AwsSolutions-SF2": "The waiter state machine polls the handler every 15 seconds; each "
    "step is logged to the KMS-encrypted log group, X-Ray would add cost only.",
    "Serverless-StepFunctionStateMachineXray": "The waiter state machine polls the handler "
    "every 15 seconds; each step is logged to the log group, X-Ray would add cost only.",
}
_WAITER_ROLE_FINDINGS = {
    "AwsSolutions-IAM5[Resource::*]": "Step Functions delivers logs through CloudWatch Logs "
    "vended log delivery, whose actions (logs:CreateLogDelivery and others) take no resource.",
}


@jsii.implements(IStableListProducer)
class _PolicyIds:
    """Logical ids of the policies under a role (not the role itself), sorted."""

    def __init__(self, role: IConstruct) -> None:
        self._role = role
        self._ids: list[str] | None = None

    def produce(self) -> list[str]:
        # Produced when the stack is synthesized, when the tree is complete; the stack is
        # resolved more than once, and the ids do not change between resolutions.
        if self._ids is None:
            stack = stack_of(self._role)
            node = self._role.node
            resources = [c for c in node.find_all() if isinstance(c, CfnElementResource)]
            role = node.default_child
            ids = stack.resolve(
                [stack.get_logical_id(r) for r in resources]
                + ([stack.get_logical_id(role)] if isinstance(role, CfnElementResource) else [None])
            )
            role_id = ids.pop()
            self._ids = sorted(i for i in ids if i != role_id)
        return self._ids


@jsii.implements(IStableAnyProducer)
class _InertSettings:
    """The settings with each reference replaced by its template text (``Ref: ...``)."""

    def __init__(self, stack: Stack, settings: Mapping[str, Any]) -> None:
        self._stack = stack
        self._settings = settings

    def produce(self) -> Any:
        return _inert(self._stack.resolve(self._settings))


def _inert(node: Any) -> Any:
    if isinstance(node, dict):
        if any(key == "Ref" or key.startswith("Fn::") for key in node):
            return "template:" + json.dumps(node, sort_keys=True, separators=(",", ":"))
        return {key: _inert(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inert(item) for item in node]
    return node


@jsii.implements(IStableAnyProducer)
class _RenderedProperties:
    """The application's properties as its template has them (after aspects add tags)."""

    def __init__(self, resource: emr.CfnApplication, overrides: Mapping[str, Any]) -> None:
        self._resource = resource
        self._overrides = dict(overrides)

    def produce(self) -> Any:
        rendered = self._resource._render_properties(self._resource._cfn_properties)
        return {**rendered, **self._overrides}


def _cfn(resource: CustomResource) -> Any:
    return resource.node.default_child


@functools.cache
def _custom_resource_timeout() -> Duration:
    """The custom resources' timeout (one object: each ``Duration`` is a call into jsii)."""
    return Duration.minutes(CUSTOM_RESOURCE_TIMEOUT_MINUTES)
