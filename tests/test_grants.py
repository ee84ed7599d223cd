"""grant_job_submission: job-run actions on one application, PassRole on named roles only."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_emrserverless as emr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match

from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.grants import grant_job_submission
from constructs_lib.iam_actions import JOB_RUN_ACTIONS, JOB_SUBMIT_APPLICATION_ACTIONS
from constructs_lib.managed_policy_role import ManagedPolicyRole
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
