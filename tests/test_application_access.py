"""The application's access grants: interactive endpoints, EMR.secret@ secrets, the SLR.

One synthesis holds an application with every interactive endpoint and one with none, the
grants each endpoint needs, a secret with its key granted to EMR Serverless and the
runtime role, an imported secret, and a deployer allowed to create the service-linked role.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Match

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.compliance import acknowledge
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.iam_actions import (
    LIVY_ACTIONS,
    LIVY_JOB_RUN_ACTIONS,
    SESSION_ACTIONS,
    SESSION_APPLICATION_ACTIONS,
    STUDIO_ACTIONS,
)
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.runtime_role import JobRuntimeRole
from tests.application_examples import ACCOUNT, ENV, REGION
from tests.harness import Synthesis, iam_action_exists, new_app, synthesize
from tests.iam_catalogue import EXTRA_ACTIONS
from tests.iam_checks import Environment, resource_type_problems

APP_ARN = {"Fn::GetAtt": [Match.string_like_regexp("^Interactive"), "Arn"]}
PASSED_TO_EMR = {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}}
VIA_SECRETS_MANAGER = {
    "StringEquals": {
        "kms:ViaService": {
            "Fn::Join": ["", [f"secretsmanager.{REGION}.", {"Ref": "AWS::URLSuffix"}]]
        }
    }
}
ROTATION_FINDINGS = (
    "AwsSolutions-SMG4",
    "NIST.800.53.R5-SecretsManagerRotationEnabled",
    "HIPAA.Security-SecretsManagerRotationEnabled",
)
IMPORTED_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:imported-AbCdEf"


class Built:
    apps: dict[str, Any]

    def __init__(self) -> None:
        self.apps = {}


BUILT = Built()


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Access", env=ENV)
    interactive = EmrServerlessApplication(
        stack, "Interactive", studio=True, livy_endpoint=True, interactive_sessions=True
    )
    batch = EmrServerlessApplication(stack, "Batch")
    runtime = JobRuntimeRole(stack, "Runtime")
    root = iam.AccountRootPrincipal()
    for name in ("Studio", "Livy", "Sessions", "Everything"):
        BUILT.apps[name] = ManagedPolicyRole(stack, f"{name}User", assumed_by=root)
    interactive.grant_studio_access(BUILT.apps["Studio"], runtime)
    interactive.grant_livy_access(BUILT.apps["Livy"], runtime)
    interactive.grant_session_access(BUILT.apps["Sessions"], runtime)
    interactive.grant_interactive_access(BUILT.apps["Everything"], runtime)
    key = kms.Key(stack, "SecretKey", enable_key_rotation=True)
    secret = secretsmanager.Secret(stack, "Metastore", encryption_key=key)
    for finding in ROTATION_FINDINGS:  # the user's secret, not something the library adds
        acknowledge(secret, finding, "A test secret: rotation is the secret owner's choice.")
    BUILT.apps["secret_grant"] = interactive.grant_secret_read(secret, runtime_role=runtime)
    imported = secretsmanager.Secret.from_secret_complete_arn(stack, "Imported", IMPORTED_SECRET)
    batch.grant_secret_read(imported)
    deployer = ManagedPolicyRole(stack, "Deployer", assumed_by=root)
    EmrServerlessApplication.grant_create_service_linked_role(deployer)
    BUILT.apps.update(interactive=interactive, batch=batch, runtime=runtime)
    return synthesize(app, require_clean=False)


def _policy(synthesis: Synthesis, user: str) -> list[dict[str, Any]]:
    template = synthesis.template("Access").to_json()
    (policy,) = [
        r
        for logical_id, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and logical_id.startswith(f"{user}User")
    ]
    statements: list[dict[str, Any]] = policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _resolved(statements: list[dict[str, Any]]) -> list[tuple[list[str], Any]]:
    return [
        (sorted(s["Action"]) if isinstance(s["Action"], list) else [s["Action"]], s["Resource"])
        for s in statements
    ]


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()
    template = synthesis.template("Access").to_json()
    assert resource_type_problems(template, Environment(region=REGION, account=ACCOUNT)) == []


def test_studio_users_get_exactly_the_guides_statements(synthesis: Synthesis) -> None:
    # Guide L4187-4213: AccessInteractiveEndpoints on the application, PassRole to EMR.
    statements = _policy(synthesis, "Studio")
    assert len(statements) == 2
    assert statements[0]["Action"] == STUDIO_ACTIONS[0]
    assert "Condition" not in statements[0]
    assert statements[1]["Action"] == "iam:PassRole"
    assert statements[1]["Condition"] == PASSED_TO_EMR
    assert statements[1]["Resource"]["Fn::GetAtt"][0].startswith("Runtime")


def test_livy_users_get_the_endpoint_and_the_job_run_dashboards(synthesis: Synthesis) -> None:
    # Guide L4271-4306: AccessLivyEndpoints, PassRole, GetDashboardForJobRun.
    actions = [a for actions, _ in _resolved(_policy(synthesis, "Livy")) for a in actions]
    assert sorted(actions) == sorted([*LIVY_ACTIONS, *LIVY_JOB_RUN_ACTIONS, "iam:PassRole"])
    (dashboard,) = [s for s in _policy(synthesis, "Livy") if s["Action"] == LIVY_JOB_RUN_ACTIONS[0]]
    assert dashboard["Resource"]["Fn::Join"][1][-1] == "/jobruns/*"


def test_session_users_get_the_session_actions(synthesis: Synthesis) -> None:
    # spark-connect page and the Service Authorization Reference: StartSession and
    # ListSessions on the application, the rest on its sessions.
    statements = _policy(synthesis, "Sessions")
    by_action = {tuple(sorted(a)): r for a, r in _resolved(statements)}
    assert sorted(by_action) == sorted(
        [
            tuple(sorted(SESSION_APPLICATION_ACTIONS)),
            tuple(sorted(SESSION_ACTIONS)),
            ("iam:PassRole",),
        ]
    )
    assert by_action[tuple(sorted(SESSION_ACTIONS))]["Fn::Join"][1][-1] == "/sessions/*"
    assert by_action[tuple(sorted(SESSION_APPLICATION_ACTIONS))]["Fn::GetAtt"][1] == "Arn"


def test_interactive_access_is_every_enabled_endpoint(synthesis: Synthesis) -> None:
    every = {a for actions, _ in _resolved(_policy(synthesis, "Everything")) for a in actions}
    parts = {
        a
        for user in ("Studio", "Livy", "Sessions")
        for actions, _ in _resolved(_policy(synthesis, user))
        for a in actions
    }
    assert every == parts


def test_grants_for_endpoints_the_application_does_not_enable_are_refused() -> None:
    batch, runtime = BUILT.apps["batch"], BUILT.apps["runtime"]
    stack = cdk.Stack.of(batch)
    user = iam.Role(stack, "Refused", assumed_by=iam.AccountRootPrincipal())
    for grant in (batch.grant_studio_access, batch.grant_livy_access, batch.grant_session_access):
        with pytest.raises(EmrServerlessValidationError, match="does not enable"):
            grant(user, runtime)
    with pytest.raises(EmrServerlessValidationError, match="enables no interactive endpoint"):
        batch.grant_interactive_access(user, runtime)


def test_session_actions_are_real_and_a_made_up_one_is_not() -> None:
    for action in (*SESSION_ACTIONS, *SESSION_APPLICATION_ACTIONS, *EXTRA_ACTIONS):
        assert iam_action_exists(action)
    assert not iam_action_exists("emr-serverless:StartSessions")
    assert not iam_action_exists("emr-serverless:GetSessionDashboard")


def test_secret_resource_policy_is_the_guides_scoped_to_the_application(
    synthesis: Synthesis,
) -> None:
    # Guide L8712-8750: GetSecretValue and DescribeSecret for emr-serverless.amazonaws.com,
    # with aws:SourceArn the application.
    synthesis.template("Access").has_resource_properties(
        "AWS::SecretsManager::ResourcePolicy",
        {
            "SecretId": {"Ref": Match.string_like_regexp("^Metastore")},
            "ResourcePolicy": {
                "Statement": [
                    {
                        "Action": [
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:GetSecretValue",
                        ],
                        "Effect": "Allow",
                        "Principal": {"Service": "emr-serverless.amazonaws.com"},
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:SourceArn": APP_ARN}},
                    }
                ],
            },
        },
    )


def test_secret_key_policy_is_the_guides_through_secrets_manager(synthesis: Synthesis) -> None:
    # Guide L8758-8778: kms:Decrypt and kms:DescribeKey, kms:ViaService Secrets Manager.
    template = synthesis.template("Access").to_json()
    (key,) = [
        r
        for k, r in template["Resources"].items()
        if k.startswith("SecretKey") and r["Type"] == "AWS::KMS::Key"
    ]
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    (service,) = [
        s for s in statements if s.get("Principal") == {"Service": "emr-serverless.amazonaws.com"}
    ]
    assert service["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert service["Resource"] == "*"
    assert service["Condition"] == VIA_SECRETS_MANAGER


def test_the_runtime_role_reads_the_secret_and_its_key(synthesis: Synthesis) -> None:
    template = synthesis.template("Access").to_json()
    (policy,) = [
        r
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and k.startswith("Runtime")
    ]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = {
        tuple(sorted(s["Action"])) if isinstance(s["Action"], list) else (s["Action"],)
        for s in statements
    }
    assert ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue") in actions
    (decrypt,) = [s for s in statements if s["Action"] == "kms:Decrypt"]
    assert decrypt["Condition"] == VIA_SECRETS_MANAGER
    assert BUILT.apps["secret_grant"].success


def test_an_imported_secret_gets_a_warning_quoting_the_statement(synthesis: Synthesis) -> None:
    (warning,) = synthesis.warnings("emr-serverless:secret-policy")
    assert IMPORTED_SECRET in warning.description
    assert "secretsmanager:GetSecretValue" in warning.description
    assert "aws:SourceArn" in warning.description


def test_deployers_create_the_service_linked_role_as_the_guide_writes_it(
    synthesis: Synthesis,
) -> None:
    # Guide L7623-7637.
    template = synthesis.template("Access").to_json()
    (policy,) = [
        r
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and k.startswith("Deployer")
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "iam:CreateServiceLinkedRole"
    assert statement["Condition"] == {
        "StringLike": {"iam:AWSServiceName": "ops.emr-serverless.amazonaws.com"}
    }
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":iam::*:role/aws-service-role/ops.emr-serverless.amazonaws.com/"
                "AWSServiceRoleForAmazonEMRServerless*",
            ],
        ]
    }
