"""grant_job_submission: job-run actions on one application, PassRole on named roles only."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_logs import ApplicationLogs
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import grant_job_submission
from constructs_lib.iam_actions import JOB_RUN_ACTIONS, JOB_SUBMIT_APPLICATION_ACTIONS
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.runtime_role import JobRuntimeRole
from tests.harness import Synthesis, new_app, synthesize


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Grants")
    application = emr.CfnApplication(stack, "App", release_label="emr-7.9.0", type="SPARK")
    runtime = iam.Role(
        stack, "Runtime", assumed_by=iam.ServicePrincipal("emr-serverless.amazonaws.com")
    )
    submitter = ManagedPolicyRole(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    grant = grant_job_submission(
        submitter, application_arn=application.attr_arn, runtime_roles=[runtime]
    )
    assert grant.success
    other = cdk.Stack(app, "OtherStack")
    remote = ManagedPolicyRole(other, "RemoteSubmitter", assumed_by=iam.AccountRootPrincipal())
    grant_job_submission(remote, application_arn=application.attr_arn, runtime_roles=[runtime])
    return synthesize(app)


def test_action_lists() -> None:
    assert JOB_SUBMIT_APPLICATION_ACTIONS == (
        "emr-serverless:StartJobRun",
        "emr-serverless:ListJobRuns",
    )
    assert JOB_RUN_ACTIONS == (
        "emr-serverless:GetJobRun",
        "emr-serverless:CancelJobRun",
        "emr-serverless:GetDashboardForJobRun",
        "emr-serverless:ListJobRunAttempts",
    )


def test_submitter_policy(synthesis: Synthesis) -> None:
    app_arn = {"Fn::GetAtt": ["App", "Arn"]}
    synthesis.template("Grants").has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": sorted(JOB_SUBMIT_APPLICATION_ACTIONS),
                        "Effect": "Allow",
                        "Resource": app_arn,
                    },
                    {
                        "Action": sorted(JOB_RUN_ACTIONS),
                        "Effect": "Allow",
                        "Resource": {"Fn::Join": ["", [app_arn, "/jobruns/*"]]},
                    },
                    {
                        "Action": "iam:PassRole",
                        "Condition": {
                            "StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}
                        },
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [Match.string_like_regexp("^Runtime"), "Arn"]},
                    },
                ]
            },
            "Roles": [{"Ref": Match.string_like_regexp("^Submitter")}],
            "Description": "Grants of role Grants/Submitter",
        },
    )


def test_only_the_job_run_wildcard_is_acknowledged(synthesis: Synthesis) -> None:
    acks = sorted((path, rule) for path, rule, _ in synthesis.acknowledgements())
    assert len(acks) == 2
    assert acks[0] == ("Grants/Submitter", "AwsSolutions-IAM5[Resource::<App.Arn>/jobruns/*]")
    # In another stack the ARN arrives as a cross-stack reference, named as cdk-nag sees it.
    path, rule = acks[1]
    assert path == "OtherStack/RemoteSubmitter"
    assert rule.startswith("AwsSolutions-IAM5[Resource::")
    assert rule.endswith("/jobruns/*]")
    assert "<App.Arn>" not in rule


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()


def test_refuses_no_runtime_role() -> None:
    app = new_app(compliance=False)
    stack = cdk.Stack(app, "S")
    submitter = iam.Role(stack, "Submitter", assumed_by=iam.AccountRootPrincipal())
    with pytest.raises(EmrServerlessValidationError, match="runtime_roles=\\[\\]"):
        grant_job_submission(submitter, application_arn="arn:aws:x", runtime_roles=[])


# --- every principal kind, both grant forms, one implementation ---------------------------


@pytest.fixture(scope="module")
def principals() -> Synthesis:
    """Grants to principals that are not ManagedPolicyRoles, from both grant forms."""
    app = new_app()
    stack = cdk.Stack(app, "Principals")
    logs = ApplicationLogs(stack, "Logs")
    runtime = JobRuntimeRole(stack, "Runtime")
    logs.grant_write(runtime)
    spark = EmrServerlessApplication(stack, "Spark", monitoring=logs.monitoring_configuration())
    imported = iam.Role.from_role_arn(stack, "Airflow", "arn:aws:iam::123456789012:role/airflow")
    spark.grant_start_job_run(imported, runtime)
    own = iam.Role(stack, "Own", assumed_by=iam.AccountRootPrincipal())
    runtime.grant_start_job_run(own, application=spark)
    user = iam.User.from_user_name(stack, "Analyst", "analyst")
    spark.grant_start_job_run(user, runtime)
    group = iam.Group.from_group_name(stack, "Engineers", "engineers")
    runtime.grant_start_job_run(group, application=spark)
    spark.grant_operate(imported)
    return synthesize(app, require_clean=False)


#: What NIST 800-53 R5, HIPAA and PCI DSS say about any policy attached to an IAM user.
USER_POLICY_RULES = {
    "NIST.800.53.R5-IAMUserNoPolicies",
    "HIPAA.Security-IAMUserNoPolicies",
    "PCI.DSS.321-IAMUserNoPolicies",
}


def _statements_attached_to(synthesis: Synthesis, key: str, value: object) -> list[dict]:
    policies = synthesis.template("Principals").find_resources("AWS::IAM::ManagedPolicy")
    found = [p["Properties"] for p in policies.values() if p["Properties"].get(key) == [value]]
    assert len(found) == 1, found
    return found[0]["PolicyDocument"]["Statement"]


def _without_principal(statements: list[dict]) -> list[str]:
    return sorted(repr(sorted(s.items())) for s in statements)


def test_principals_get_managed_policies_not_inline_ones(principals: Synthesis) -> None:
    template = principals.template("Principals")
    template.resource_count_is("AWS::IAM::Policy", 0)
    for key, value in (
        ("Roles", "airflow"),
        ("Roles", {"Ref": Match.string_like_regexp("^Own")}),
        ("Users", "analyst"),
        ("Groups", "engineers"),
    ):
        if isinstance(value, dict):
            policies = template.find_resources(
                "AWS::IAM::ManagedPolicy", {"Properties": {"Roles": [value]}}
            )
            assert len(policies) == 1
        else:
            assert _statements_attached_to(principals, key, value)


def test_both_grant_forms_grant_the_same_including_the_log_key(principals: Synthesis) -> None:
    by_application = _statements_attached_to(principals, "Users", "analyst")
    by_role = _statements_attached_to(principals, "Groups", "engineers")
    assert _without_principal(by_application) == _without_principal(by_role)
    key_statements = [s for s in by_role if s["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]]
    assert len(key_statements) == 1
    logical_id, attribute = key_statements[0]["Resource"]["Fn::GetAtt"]
    assert logical_id.startswith("LogsKey")
    assert attribute == "Arn"


def test_an_imported_role_gets_submission_and_operation(principals: Synthesis) -> None:
    statements = _statements_attached_to(principals, "Roles", "airflow")
    actions = sorted(
        action
        for statement in statements
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    )
    assert actions == sorted(
        [
            *JOB_SUBMIT_APPLICATION_ACTIONS,
            *JOB_RUN_ACTIONS,
            "iam:PassRole",
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "emr-serverless:GetApplication",
            "emr-serverless:StartApplication",
            "emr-serverless:StopApplication",
            "emr-serverless:UpdateApplication",
        ]
    )


def test_a_user_grant_is_the_only_finding_and_it_is_the_packs_rule(principals: Synthesis) -> None:
    """Granting to an IAM user is the user's choice, which three packs refuse; not hidden."""
    findings = [f for f in principals.findings if f.plugin != "Construct Annotations"]
    assert {f.rule for f in findings} == USER_POLICY_RULES
    assert {f.path for f in findings} == {"Principals/AnalystEmrServerlessGrants/Policy/Resource"}


def test_principal_grants_pass_every_gate_without_user_acknowledgements(
    principals: Synthesis,
) -> None:
    principals.assert_acknowledgements_specific()
    principals.assert_iam_actions_exist()
    principals.assert_cfn_lint_clean()
    on_holders = [
        (path, rule)
        for path, rule, _ in principals.acknowledgements()
        if "EmrServerlessGrants" in path
    ]
    # One job-run wildcard per principal outside the library's own roles, on our policy.
    assert sorted(path for path, _ in on_holders) == [
        "Principals/AirflowEmrServerlessGrants",
        "Principals/AnalystEmrServerlessGrants",
        "Principals/EngineersEmrServerlessGrants",
        "Principals/Own/EmrServerlessGrants",
    ]
    assert {rule.split("[")[0] for _, rule in on_holders} == {"AwsSolutions-IAM5"}


# --- principals imported from another account; grants through a Grantee -------------------

#: The stack's account and another one, both literal (TokenComparison.DIFFERENT).
HOME_ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"


@pytest.fixture(scope="module")
def accounts() -> Synthesis:
    """Submission granted to principals of another account and to a same-account neighbour."""
    app = new_app()
    stack = cdk.Stack(
        app, "Accounts", env=cdk.Environment(account=HOME_ACCOUNT, region="eu-west-1")
    )
    logs = ApplicationLogs(stack, "Logs")
    runtime = JobRuntimeRole(stack, "Runtime")
    logs.grant_write(runtime)
    spark = EmrServerlessApplication(stack, "Spark", monitoring=logs.monitoring_configuration())
    remote = iam.Role.from_role_arn(stack, "Remote", f"arn:aws:iam::{OTHER_ACCOUNT}:role/Submitter")
    remote_user = iam.User.from_user_arn(
        stack, "RemoteUser", f"arn:aws:iam::{OTHER_ACCOUNT}:user/analyst"
    )
    remote_group = iam.Group.from_group_arn(
        stack, "RemoteGroup", f"arn:aws:iam::{OTHER_ACCOUNT}:group/engineers"
    )
    neighbour = iam.Role.from_role_arn(
        stack, "Neighbour", f"arn:aws:iam::{HOME_ACCOUNT}:role/Submitter"
    )
    BUILT_GRANTS["remote"] = spark.grant_start_job_run(remote, runtime)
    BUILT_GRANTS["aws-cdk-lib remote"] = iam.Grant.add_to_principal(
        grantee=remote, actions=["emr-serverless:GetApplication"], resource_arns=["*"]
    )
    BUILT_GRANTS["remote user"] = runtime.grant_start_job_run(remote_user, application=spark)
    BUILT_GRANTS["remote group"] = spark.grant_start_job_run(remote_group, runtime)
    BUILT_GRANTS["neighbour"] = spark.grant_start_job_run(neighbour, runtime)
    # A plain iam.Role through grant_pass_role (which wraps its IPrincipal in a Grantee).
    plain = iam.Role(stack, "Plain", assumed_by=iam.AccountRootPrincipal())
    BUILT_GRANTS["pass"] = runtime.grant_pass_role(plain)
    return synthesize(app)


BUILT_GRANTS: dict[str, iam.Grant] = {}


def _attached_policies(synthesis: Synthesis) -> list[dict]:
    policies = synthesis.template("Accounts").find_resources("AWS::IAM::ManagedPolicy")
    return [policy["Properties"] for policy in policies.values()]


def test_principals_of_another_account_get_no_policy_of_ours(accounts: Synthesis) -> None:
    attached = [
        (key, value)
        for properties in _attached_policies(accounts)
        for key in ("Roles", "Users", "Groups")
        for value in properties.get(key, [])
    ]
    # Only the same-account neighbour, the plain role and the runtime role have policies.
    assert ("Roles", "Submitter") in attached
    assert attached.count(("Roles", "Submitter")) == 1  # the neighbour's, not the remote's
    assert not [v for k, v in attached if k in {"Users", "Groups"}]
    paths = [path for path, _, _ in accounts.acknowledgements()]
    assert not [p for p in paths if "Remote" in p]
    nodes = accounts.app.node.find_child("Accounts").node
    for name in ("Remote", "RemoteUser", "RemoteGroup"):
        assert nodes.try_find_child(f"{name}EmrServerlessGrants") is None
    assert nodes.try_find_child("NeighbourEmrServerlessGrants") is not None


def test_the_neighbour_gets_the_whole_submission(accounts: Synthesis) -> None:
    (neighbour,) = [
        properties
        for properties in _attached_policies(accounts)
        if properties.get("Roles") == ["Submitter"]
    ]
    actions = {
        action
        for statement in neighbour["PolicyDocument"]["Statement"]
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    }
    assert {*JOB_SUBMIT_APPLICATION_ACTIONS, *JOB_RUN_ACTIONS, "iam:PassRole"} <= actions


def test_a_grant_to_another_account_reads_as_aws_cdk_libs(accounts: Synthesis) -> None:
    """aws-cdk-lib's ImmutableRole reports the statement as added and adds it nowhere."""
    ours, theirs = BUILT_GRANTS["remote"], BUILT_GRANTS["aws-cdk-lib remote"]
    assert ours.success == theirs.success
    assert ours.principal_statement is not None
    for name in ("remote user", "remote group", "neighbour", "pass"):
        assert BUILT_GRANTS[name].success
    # The log key's policy still names the other account's principals (the resource half).
    key_policies = accounts.template("Accounts").find_resources("AWS::KMS::Key")
    principals = json.dumps([key["Properties"]["KeyPolicy"] for key in key_policies.values()])
    for arn in ("role/Submitter", "user/analyst", "group/engineers"):
        assert f"arn:aws:iam::{OTHER_ACCOUNT}:{arn}" in principals


def test_grant_pass_role_to_a_plain_role_is_not_inline(accounts: Synthesis) -> None:
    template = accounts.template("Accounts")
    template.resource_count_is("AWS::IAM::Policy", 0)
    policies = template.find_resources(
        "AWS::IAM::ManagedPolicy",
        {"Properties": {"Roles": [{"Ref": Match.string_like_regexp("^Plain")}]}},
    )
    ((_, policy),) = policies.items()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement == {
        "Action": "iam:PassRole",
        "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [statement["Resource"]["Fn::GetAtt"][0], "Arn"]},
    }
    assert statement["Resource"]["Fn::GetAtt"][0].startswith("Runtime")


def test_accounts_pass_every_gate(accounts: Synthesis) -> None:
    accounts.assert_nag_clean()
    accounts.assert_acknowledgements_specific()
    accounts.assert_iam_actions_exist()
    accounts.assert_cfn_lint_clean()
