"""PrometheusWorkspace: the workspace, its remote-write URL on the application, grants, rules."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk import aws_iam as iam

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_logs import ApplicationLogs
from constructs_lib.application_rules import PROMETHEUS_REMOTE_WRITE_URL
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.monitoring_configuration import MonitoringConfiguration
from constructs_lib.prometheus_rules import QUERY_ACTIONS, rules_yaml, spark_alert_rules
from constructs_lib.prometheus_workspace import PrometheusWorkspace, PrometheusWorkspaceBase
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_role import JobRuntimeRole
from tests.harness import Synthesis, new_app, synthesize
from tests.iam_checks import (
    Request,
    attached_policies,
    identity_policies,
    is_allowed,
    render,
    resource_type_problems,
)
from tests.monitoring_support import ACCOUNT, REGION, STACK_ENV, one, refusal_stack
from tests.monitoring_support import RENDER_ENV as ENV

OTHER_ACCOUNT = "210987654321"
EXISTING_ID = "ws-1234abcd-12ab-34cd-56ef-1234567890ab"
EXISTING_ARN = f"arn:aws:aps:us-west-2:{ACCOUNT}:workspace/{EXISTING_ID}"
BUILT: dict[str, Any] = {}


def _metrics(stack: cdk.Stack) -> None:
    workspace = PrometheusWorkspace(
        stack, "Metrics", alias="emr-serverless", spark_alert_rules=True
    )
    application = EmrServerlessApplication(
        stack,
        "App",
        release=ReleaseLabel.EMR_7_1_0,
        monitoring=MonitoringConfiguration(prometheus=workspace.remote_write),
    )
    role = JobRuntimeRole(stack, "Runtime", source_applications=[application])
    BUILT["remote_write_grant"] = workspace.grant_remote_write(role)
    grafana = ManagedPolicyRole(
        stack, "Grafana", assumed_by=iam.ServicePrincipal("grafana.amazonaws.com")
    )
    BUILT["query_grant"] = workspace.grant_query(grafana)
    BUILT["workspace"] = workspace


def _existing(stack: cdk.Stack) -> None:
    by_id = PrometheusWorkspace.from_workspace_id(stack, "ById", EXISTING_ID)
    by_arn = PrometheusWorkspace.from_workspace_arn(stack, "ByArn", EXISTING_ARN)
    app_logs = ApplicationLogs(stack, "Logs")
    EmrServerlessApplication(
        stack, "App", monitoring=app_logs.monitoring_configuration(prometheus=by_id.remote_write)
    )
    role = JobRuntimeRole(stack, "Runtime")
    by_id.grant_remote_write(role)
    by_arn.grant_remote_write(role)
    by_id.add_spark_alert_rules(namespace_name="team-a", heap_usage_ratio=0.8)
    BUILT["by_id"], BUILT["by_arn"] = by_id, by_arn
    # A plain iam.Role (not a ManagedPolicyRole) granted both ways.
    plain = iam.Role(stack, "Dashboards", assumed_by=iam.ServicePrincipal("grafana.amazonaws.com"))
    BUILT["plain grants"] = [by_id.grant_query(plain), by_arn.grant_remote_write(plain)]


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    env = STACK_ENV
    _metrics(cdk.Stack(app, "Metrics", env=env))
    _existing(cdk.Stack(app, "Existing", env=env))
    agnostic = cdk.Stack(app, "Agnostic")
    workspace = PrometheusWorkspace(agnostic, "Metrics", removal_policy=cdk.RemovalPolicy.DESTROY)
    EmrServerlessApplication(
        agnostic, "App", monitoring=MonitoringConfiguration(prometheus=workspace.remote_write)
    )
    return synthesize(app)


def test_workspace_is_retained_by_default(synthesis: Synthesis) -> None:
    _, workspace = one(synthesis.templates["Metrics"], "AWS::APS::Workspace")
    assert workspace["Properties"] == {"Alias": "emr-serverless"}
    assert workspace["DeletionPolicy"] == "Retain"
    _, agnostic = one(synthesis.templates["Agnostic"], "AWS::APS::Workspace")
    assert agnostic["DeletionPolicy"] == "Delete"


def test_remote_write_url_resolves_from_the_workspace(synthesis: Synthesis) -> None:
    template = synthesis.templates["Metrics"]
    workspace_id, _ = one(template, "AWS::APS::Workspace")
    _, application = one(template, "AWS::EMRServerless::Application")
    url = application["Properties"]["MonitoringConfiguration"]["PrometheusMonitoringConfiguration"][
        "RemoteWriteUrl"
    ]
    assert url == {
        "Fn::Join": [
            "",
            [
                f"https://aps-workspaces.{REGION}.amazonaws.com/workspaces/",
                {"Fn::GetAtt": [workspace_id, "WorkspaceId"]},
                "/api/v1/remote_write",
            ],
        ]
    }
    rendered = render(url, template, ENV)
    PROMETHEUS_REMOTE_WRITE_URL.check(rendered)
    assert rendered == (
        f"https://aps-workspaces.{REGION}.amazonaws.com/workspaces/ws-{ENV.name_of(workspace_id)}"
        "/api/v1/remote_write"
    )


def test_environment_agnostic_url_takes_the_stacks_region(synthesis: Synthesis) -> None:
    template = synthesis.templates["Agnostic"]
    _, application = one(template, "AWS::EMRServerless::Application")
    url = application["Properties"]["MonitoringConfiguration"]["PrometheusMonitoringConfiguration"][
        "RemoteWriteUrl"
    ]
    assert {"Ref": "AWS::Region"} in url["Fn::Join"][1]


def test_a_url_built_from_a_workspace_is_not_reported_unchecked(synthesis: Synthesis) -> None:
    assert synthesis.warnings("emr-serverless:unchecked") == []


def test_existing_workspaces_by_id_and_arn(synthesis: Synthesis) -> None:
    by_id, by_arn = BUILT["by_id"], BUILT["by_arn"]
    assert isinstance(by_id, PrometheusWorkspaceBase)
    assert by_id.workspace_arn == f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/{EXISTING_ID}"
    assert by_id.remote_write_url == (
        f"https://aps-workspaces.{REGION}.amazonaws.com/workspaces/{EXISTING_ID}/api/v1/remote_write"
    )
    assert by_arn.workspace_id == EXISTING_ID
    assert by_arn.remote_write_url.startswith("https://aps-workspaces.us-west-2.amazonaws.com/")
    template = synthesis.templates["Existing"]
    _, application = one(template, "AWS::EMRServerless::Application")
    monitoring = application["Properties"]["MonitoringConfiguration"]
    assert monitoring["PrometheusMonitoringConfiguration"] == {
        "RemoteWriteUrl": by_id.remote_write_url
    }


def _role_documents(template: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    role_id, _ = one(template, "AWS::IAM::Role", prefix)
    documents = identity_policies(template, ENV)
    return [documents[policy] for policy in attached_policies(template, role_id)]


def test_runtime_role_may_remote_write_to_this_workspace_only(synthesis: Synthesis) -> None:
    template = synthesis.templates["Metrics"]
    workspace_id, _ = one(template, "AWS::APS::Workspace")
    (document,) = _role_documents(template, "Runtime")
    assert document["Statement"] == [
        {
            "Action": "aps:RemoteWrite",
            "Effect": "Allow",
            "Resource": f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/ws-{ENV.name_of(workspace_id)}",
        }
    ]
    assert BUILT["remote_write_grant"].success
    other = f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/ws-other"
    assert not is_allowed([document], Request("aps:RemoteWrite", other))


def test_existing_workspaces_are_granted_by_arn(synthesis: Synthesis) -> None:
    documents = _role_documents(synthesis.templates["Existing"], "Runtime")
    for arn in (BUILT["by_id"].workspace_arn, EXISTING_ARN):
        assert is_allowed(documents, Request("aps:RemoteWrite", arn))


def test_grafana_may_query_and_nothing_else(synthesis: Synthesis) -> None:
    (document,) = _role_documents(synthesis.templates["Metrics"], "Grafana")
    (statement,) = document["Statement"]
    assert statement["Action"] == list(QUERY_ACTIONS)
    assert statement["Resource"].startswith(f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/ws-")
    assert not is_allowed([document], Request("aps:RemoteWrite", statement["Resource"]))
    assert BUILT["query_grant"].success


def test_a_plain_role_is_granted_in_a_managed_policy_not_an_inline_one(
    synthesis: Synthesis,
) -> None:
    template = synthesis.templates["Existing"]
    assert [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy"] == []
    (document,) = _role_documents(template, "Dashboards")
    assert [(s["Action"], s["Resource"]) for s in document["Statement"]] == [
        (list(QUERY_ACTIONS), BUILT["by_id"].workspace_arn),
        ("aps:RemoteWrite", EXISTING_ARN),
    ]
    assert all(grant.success for grant in BUILT["plain grants"])


def test_spark_alert_rules_namespace(synthesis: Synthesis) -> None:
    template = synthesis.templates["Metrics"]
    workspace_id, _ = one(template, "AWS::APS::Workspace")
    _, namespace = one(template, "AWS::APS::RuleGroupsNamespace")
    properties = namespace["Properties"]
    assert properties["Name"] == "emr-serverless-spark"
    assert properties["Workspace"] == {"Fn::GetAtt": [workspace_id, "Arn"]}
    assert properties["Data"] == rules_yaml(spark_alert_rules())
    assert yaml.safe_load(properties["Data"])["groups"][0]["name"] == "emr-serverless-spark"


def test_rules_on_an_existing_workspace(synthesis: Synthesis) -> None:
    _, namespace = one(synthesis.templates["Existing"], "AWS::APS::RuleGroupsNamespace")
    properties = namespace["Properties"]
    assert properties["Workspace"] == BUILT["by_id"].workspace_arn
    assert properties["Name"] == "team-a"
    group = yaml.safe_load(properties["Data"])["groups"][0]
    assert group["name"] == "team-a"
    assert any(rule["expr"].endswith("> 0.8") for rule in group["rules"])


def test_workspace_ref(synthesis: Synthesis) -> None:
    workspace = BUILT["workspace"]
    stack = cdk.Stack.of(workspace)
    assert stack.resolve(workspace.workspace_ref.workspace_arn) == stack.resolve(
        workspace.workspace_arn
    )
    assert stack.resolve(workspace.prometheus_endpoint)["Fn::GetAtt"][1] == "PrometheusEndpoint"


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()
    for name, template in synthesis.templates.items():
        assert resource_type_problems(template, ENV, every_pair=False) == [], name


# --- Refusals (construct only) --------------------------------------------------------------


def test_the_release_gate_refuses_7_0_0() -> None:
    stack = refusal_stack()
    workspace = PrometheusWorkspace(stack, "Metrics")
    with pytest.raises(EmrServerlessValidationError, match=r"emr-7\.1\.0 or later") as error:
        EmrServerlessApplication(
            stack,
            "Old",
            release=ReleaseLabel.EMR_7_0_0,
            monitoring=MonitoringConfiguration(prometheus=workspace.remote_write),
        )
    assert error.value.argument == "monitoring.prometheus"


def test_the_release_gate_accepts_7_1_0() -> None:
    stack = refusal_stack()
    workspace = PrometheusWorkspace(stack, "Metrics")
    application = EmrServerlessApplication(
        stack,
        "New",
        release=ReleaseLabel.EMR_7_1_0,
        monitoring=MonitoringConfiguration(prometheus=workspace.remote_write),
    )
    assert application.release == ReleaseLabel.EMR_7_1_0


@pytest.mark.parametrize("alias", ["", "a" * 101])
def test_aliases_outside_1_to_100_characters_are_refused(alias: str) -> None:
    with pytest.raises(EmrServerlessValidationError, match="1-100 characters"):
        PrometheusWorkspace(refusal_stack(), "Metrics", alias=alias)


def test_aliases_of_1_and_100_characters_pass() -> None:
    stack = refusal_stack()
    PrometheusWorkspace(stack, "Short", alias="a")
    PrometheusWorkspace(stack, "Long", alias="a" * 100)


def test_malformed_workspace_ids_are_refused() -> None:
    with pytest.raises(EmrServerlessValidationError) as error:
        PrometheusWorkspace.from_workspace_id(refusal_stack(), "Existing", "ws 1")
    assert error.value.argument == "workspace_id"
    PrometheusWorkspace.from_workspace_id(refusal_stack(), "Existing", "ws-1")


def test_a_workspace_in_another_account_is_refused() -> None:
    other = f"arn:aws:aps:{REGION}:{OTHER_ACCOUNT}:workspace/{EXISTING_ID}"
    with pytest.raises(EmrServerlessValidationError, match="monitor-with-prometheus") as error:
        PrometheusWorkspace.from_workspace_arn(refusal_stack(), "Existing", other)
    assert error.value.argument == "workspace_arn"
    PrometheusWorkspace.from_workspace_arn(refusal_stack(), "Existing", EXISTING_ARN)


def test_a_malformed_workspace_arn_is_refused() -> None:
    with pytest.raises(EmrServerlessValidationError, match="workspace ARN has the form"):
        PrometheusWorkspace.from_workspace_arn(
            refusal_stack(), "Existing", f"arn:aws:aps::{ACCOUNT}:ws"
        )


def test_granting_a_role_of_another_account_is_refused() -> None:
    workspace = PrometheusWorkspace(refusal_stack(), "Metrics")
    jobs = refusal_stack(cdk.Environment(account=OTHER_ACCOUNT, region=REGION))
    with pytest.raises(EmrServerlessValidationError, match="own account") as error:
        workspace.grant_remote_write(JobRuntimeRole(jobs, "Runtime"))
    assert error.value.argument == "grantee"
    assert workspace.grant_remote_write(JobRuntimeRole(refusal_stack(), "Runtime")).success


def test_malformed_namespace_names_are_refused() -> None:
    workspace = PrometheusWorkspace(refusal_stack(), "Metrics")
    with pytest.raises(EmrServerlessValidationError, match="RuleGroupsNamespace Name"):
        workspace.add_spark_alert_rules(namespace_name="spark alerts")
    workspace.add_spark_alert_rules(namespace_name="spark-alerts")
