"""PrometheusWorkspace: an Amazon Managed Service for Prometheus workspace for Spark metrics."""

from __future__ import annotations

import jsii
from aws_cdk import Arn, ArnFormat, RemovalPolicy, Resource
from aws_cdk import aws_aps as aps
from aws_cdk import aws_iam as iam
from aws_cdk.interfaces.aws_aps import IWorkspaceRef, WorkspaceReference
from constructs import Construct

from constructs_lib._arguments import checked_arguments
from constructs_lib._stack_facts import remember_child, stack_facts, stack_of
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import add_to_principal
from constructs_lib.monitoring_configuration import PrometheusRemoteWrite
from constructs_lib.prometheus_rules import (
    DEFAULT_HEAP_USAGE_RATIO,
    DEFAULT_RULES_NAMESPACE,
    QUERY_ACTIONS,
    check_rules_namespace_name,
    check_workspace_alias,
    check_workspace_id,
    remote_write_url,
    rules_yaml,
    spark_alert_rules,
)
from constructs_lib.runtime_permissions import PROMETHEUS_ACTIONS, check_workspace_arn
from constructs_lib.tokens import is_unresolved


@jsii.implements(IWorkspaceRef)
class PrometheusWorkspaceBase(Resource):
    """What a defined and an imported workspace share: identity, remote write, grants, rules."""

    @property
    def workspace_id(self) -> str:
        """The workspace id, ``ws-...``."""
        raise NotImplementedError

    @property
    def workspace_arn(self) -> str:
        """``arn:<partition>:aps:<region>:<account>:workspace/<workspace id>``."""
        raise NotImplementedError

    @property
    def workspace_ref(self) -> WorkspaceReference:
        """This workspace as aws-cdk-lib's ``IWorkspaceRef`` reference."""
        return WorkspaceReference(workspace_arn=self.workspace_arn)

    @property
    def remote_write_url(self) -> str:
        """``https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write``."""
        return remote_write_url(region=self.env.region, workspace_id=self.workspace_id)

    @property
    def remote_write(self) -> PrometheusRemoteWrite:
        """The application's Prometheus block: pass it to
        ``ApplicationLogs.monitoring_configuration(prometheus=...)`` or
        ``MonitoringConfiguration(prometheus=...)`` (the application needs emr-7.1.0+)."""
        return PrometheusRemoteWrite(self.remote_write_url, checked=True)

    @checked_arguments
    def grant_remote_write(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (a job runtime role) send metrics here: ``aps:RemoteWrite``.

        The grantee must be in the workspace's account (guide L5506-5509); a known other
        account is refused.
        """
        self._check_same_account(grantee)
        return add_to_principal(
            grantee, actions=PROMETHEUS_ACTIONS, resource_arns=[self.workspace_arn]
        )

    @checked_arguments
    def grant_query(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` (e.g. an Amazon Managed Grafana workspace role) read the metrics.

        ``aps:QueryMetrics``, ``aps:GetSeries``, ``aps:GetLabels`` and
        ``aps:GetMetricMetadata`` on this workspace.
        """
        return add_to_principal(grantee, actions=QUERY_ACTIONS, resource_arns=[self.workspace_arn])

    @checked_arguments
    def add_rule_groups_namespace(
        self, construct_id: str, *, namespace_name: str, rules: str
    ) -> aps.CfnRuleGroupsNamespace:
        """Add a rule-groups namespace (a Prometheus rule file) to this workspace.

        :param namespace_name: 1-64 characters of ``[-.0-9A-Z_a-z]``, unique in the workspace.
        :param rules: the rule file, YAML with ``groups:``.
        """
        if not is_unresolved(namespace_name):
            check_rules_namespace_name(namespace_name)
        return aps.CfnRuleGroupsNamespace(
            self, construct_id, name=namespace_name, workspace=self.workspace_arn, data=rules
        )

    @checked_arguments
    def add_spark_alert_rules(
        self,
        *,
        namespace_name: str = DEFAULT_RULES_NAMESPACE,
        heap_usage_ratio: float = DEFAULT_HEAP_USAGE_RATIO,
    ) -> aps.CfnRuleGroupsNamespace:
        """Add the alerting rules of :func:`constructs_lib.prometheus_rules.spark_alert_rules`.

        Failed stages, driver and executor heap above ``heap_usage_ratio``, dropped listener
        events, and executors that dynamic allocation needs but cannot get.

        :param namespace_name: Default: ``emr-serverless-spark``.
        :param heap_usage_ratio: in (0, 1]. Default: 0.9.
        """
        rules = rules_yaml(
            spark_alert_rules(heap_usage_ratio=heap_usage_ratio), group_name=namespace_name
        )
        return self.add_rule_groups_namespace(
            "SparkAlertRules", namespace_name=namespace_name, rules=rules
        )

    def _check_same_account(self, grantee: iam.IGrantable) -> None:
        if not isinstance(grantee, Construct):
            return
        theirs, ours = stack_facts(grantee).account, self.env.account
        if is_unresolved(theirs) or is_unresolved(ours) or theirs == ours:
            return
        raise EmrServerlessValidationError(
            argument="grantee",
            value=grantee.node.path,
            rule=f"EMR Serverless writes Spark metrics only to a workspace in the job's own "
            f"account ({theirs}); this workspace is in {ours} (guide L5506-5509)",
            fix=f"create a workspace in account {theirs}",
        )


class _ImportedWorkspace(PrometheusWorkspaceBase):
    def __init__(self, scope: Construct, construct_id: str, *, workspace_arn: str) -> None:
        super().__init__(scope, construct_id, environment_from_arn=workspace_arn)
        remember_child(self, scope, construct_id)
        self._arn = workspace_arn
        self._id = Arn.split(workspace_arn, ArnFormat.SLASH_RESOURCE_NAME).resource_name or ""

    @property
    def workspace_id(self) -> str:
        """The workspace id."""
        return self._id

    @property
    def workspace_arn(self) -> str:
        """The workspace ARN."""
        return self._arn


class PrometheusWorkspace(PrometheusWorkspaceBase):
    """An Amazon Managed Service for Prometheus workspace (``AWS::APS::Workspace``).

    Spark jobs of applications on emr-7.1.0+ send metrics to it through the remote-write
    URL the application is configured with (guide L5411-5509)::

        metrics = PrometheusWorkspace(self, "Metrics", spark_alert_rules=True)
        logs = ApplicationLogs(self, "Logs")
        app = EmrServerlessApplication(
            self, "App", release=ReleaseLabel.EMR_7_12_0,
            monitoring=logs.monitoring_configuration(prometheus=metrics.remote_write),
        )
        metrics.grant_remote_write(runtime_role)

    The workspace must be in the jobs' account (guide L5506). Data is encrypted at rest
    with an AWS owned key. Retained on stack deletion unless ``removal_policy`` says
    otherwise.
    """

    @classmethod
    @checked_arguments
    def from_workspace_id(
        cls, scope: Construct, construct_id: str, workspace_id: str
    ) -> PrometheusWorkspaceBase:
        """An existing workspace in this stack's account and Region, by id."""
        if not is_unresolved(workspace_id):
            check_workspace_id(workspace_id)
        arn = stack_of(scope).format_arn(
            service="aps",
            resource="workspace",
            resource_name=workspace_id,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )
        return _ImportedWorkspace(scope, construct_id, workspace_arn=arn)

    @classmethod
    @checked_arguments
    def from_workspace_arn(
        cls, scope: Construct, construct_id: str, workspace_arn: str
    ) -> PrometheusWorkspaceBase:
        """An existing workspace by ARN; one in another account than this stack is refused."""
        if not is_unresolved(workspace_arn):
            account = stack_facts(scope).account
            try:
                check_workspace_arn(
                    workspace_arn, account=None if is_unresolved(account) else account
                )
            except EmrServerlessValidationError as error:
                raise EmrServerlessValidationError(
                    argument="workspace_arn", value=error.value, rule=error.rule, fix=error.fix
                ) from error
        return _ImportedWorkspace(scope, construct_id, workspace_arn=workspace_arn)

    @checked_arguments
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alias: str | None = None,
        spark_alert_rules: bool = False,
        removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
    ) -> None:
        """Create the workspace.

        :param alias: a name to tell workspaces apart, 1-100 characters. Default: none.
        :param spark_alert_rules: add the rule-groups namespace of
            :meth:`add_spark_alert_rules`. Default: ``False``.
        :param removal_policy: what happens to the workspace (and its metrics) when it
            leaves the stack. Default: ``RETAIN``.
        """
        super().__init__(scope, construct_id)
        remember_child(self, scope, construct_id)
        if alias is not None and not is_unresolved(alias):
            check_workspace_alias(alias)
        self._resource = aps.CfnWorkspace(self, "Resource", alias=alias)
        self._resource.apply_removal_policy(removal_policy)
        if spark_alert_rules:
            self.add_spark_alert_rules()

    @property
    def workspace_id(self) -> str:
        """The workspace id (a token)."""
        return self._resource.attr_workspace_id

    @property
    def workspace_arn(self) -> str:
        """The workspace ARN (a token)."""
        return self._resource.attr_arn

    @property
    def prometheus_endpoint(self) -> str:
        """The workspace's endpoint, ``https://aps-workspaces.<region>.../workspaces/<id>/``."""
        return self._resource.attr_prometheus_endpoint
