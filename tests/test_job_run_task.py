"""The optimized-integration tasks: their Amazon States Language and their exact IAM."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_definition import SparkJob
from constructs_lib.job_run_task import (
    ApplicationAction,
    EmrServerlessApplicationTask,
    EmrServerlessStartJobRun,
    Integration,
)
from constructs_lib.managed_policy_role import ManagedPolicyRole
from constructs_lib.runtime_role import JobRuntimeRole
from tests.harness import Synthesis, iam_action_exists, new_app, synthesize
from tests.iam_checks import Environment, Request, identity_policies, is_allowed, render

ENV = Environment(region="eu-west-1", account="123456789012")


def _env(synthesis: Synthesis) -> Environment:
    """The environment, naming the application ``app`` and the runtime role ``runtime``."""
    names = {}
    for logical_id, resource in synthesis.templates["Tasks"]["Resources"].items():
        if resource["Type"] == "AWS::EMRServerless::Application":
            names[logical_id] = "app"
        if resource["Type"] == "AWS::IAM::Role" and logical_id.startswith("Runtime"):
            names[logical_id] = "runtime"
    return Environment(region=ENV.region, account=ENV.account, names=names)


BUILT: dict[str, Any] = {}


def _role(stack: cdk.Stack, name: str) -> ManagedPolicyRole:
    return ManagedPolicyRole(stack, name, assumed_by=iam.ServicePrincipal("states.amazonaws.com"))


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Tasks")
    application = EmrServerlessApplication(stack, "App")
    runtime = JobRuntimeRole(stack, "Runtime")
    runtime.grant_s3_read(cdk.aws_s3.Bucket.from_bucket_name(stack, "Jobs", "lake-jobs"), "j/")
    job = SparkJob(
        stack,
        "Job",
        application=application,
        runtime_role=runtime,
        entry_point="s3://lake-jobs/j/a.py",
        tags={"team": "analytics"},
    )
    for name, integration in (
        ("Sync", Integration.RUN_JOB),
        ("Start", Integration.REQUEST_RESPONSE),
    ):
        task = EmrServerlessStartJobRun(stack, f"{name}Task", job=job, integration=integration)
        BUILT[name] = task
        task.grant_to(_role(stack, f"{name}Role"))
    for action in ApplicationAction:
        for integration in Integration:
            name = f"{action.name.title()}{integration.name.title().replace('_', '')}"
            task = EmrServerlessApplicationTask(
                stack, name, application=application, action=action, integration=integration
            )
            BUILT[name] = task
            task.grant_to(_role(stack, f"{name}Role"))
    return synthesize(app)


def state(name: str) -> dict[str, Any]:
    task = BUILT[name]
    resolved = cdk.Stack.of(task).resolve(task.to_state_json())
    return json.loads(json.dumps(resolved))


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()


def test_start_job_run_sync_state(synthesis: Synthesis) -> None:
    rendered = state("Sync")
    assert rendered["Type"] == "Task"
    assert rendered["Resource"] == {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, ":states:::emr-serverless:startJobRun.sync"],
        ]
    }
    parameters = rendered["Parameters"]
    assert parameters["ClientToken.$"] == "States.UUID()"
    assert "ClientToken" not in parameters
    assert parameters["ApplicationId"] == {"Fn::GetAtt": [_id(synthesis, "App"), "ApplicationId"]}
    assert parameters["JobDriver"] == {"SparkSubmit": {"EntryPoint": "s3://lake-jobs/j/a.py"}}
    assert parameters["Tags"] == {"team": "analytics"}
    assert rendered["ResultPath"] == "$.JobRun"


def test_request_response_state(synthesis: Synthesis) -> None:
    resource = state("Start")["Resource"]["Fn::Join"][1][-1]
    assert resource == ":states:::emr-serverless:startJobRun"


@pytest.mark.parametrize(
    ("name", "api"),
    [
        ("StartRunJob", "startApplication.sync"),
        ("StartRequestResponse", "startApplication"),
        ("StopRunJob", "stopApplication.sync"),
        ("StopRequestResponse", "stopApplication"),
    ],
)
def test_application_task_states(synthesis: Synthesis, name: str, api: str) -> None:
    rendered = state(name)
    assert rendered["Resource"]["Fn::Join"][1][-1] == f":states:::emr-serverless:{api}"
    assert rendered["Parameters"] == {
        "ApplicationId": {"Fn::GetAtt": [_id(synthesis, "App"), "ApplicationId"]}
    }


def _id(synthesis: Synthesis, prefix: str) -> str:
    template = synthesis.templates["Tasks"]
    (found,) = [
        k
        for k, r in template["Resources"].items()
        if k.startswith(prefix)
        and r["Type"] != "AWS::IAM::ManagedPolicy"
        and r["Type"] in ("AWS::EMRServerless::Application", "AWS::IAM::Role")
    ]
    return found


def _statements(synthesis: Synthesis, role: str) -> list[dict[str, Any]]:
    template = synthesis.templates["Tasks"]
    (policy,) = [
        r["Properties"]["PolicyDocument"]
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::ManagedPolicy" and k.startswith(f"{role}Policy")
    ]
    return json.loads(json.dumps(render(policy, template, _env(synthesis))))["Statement"]


APP_ARN = "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/app"
RUNTIME_ARN = "arn:aws:iam::123456789012:role/runtime"
JOB_RULE = (
    "arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForEMRServerlessJobRule"
)
APP_RULE = (
    "arn:aws:events:eu-west-1:123456789012:rule/"
    "StepFunctionsGetEventsForEMRServerlessApplicationRule"
)


def test_sync_task_iam_is_exact(synthesis: Synthesis) -> None:
    assert _statements(synthesis, "SyncRole") == [
        {
            # StartJobRun only: ListJobRuns is not what the task calls
            "Action": "emr-serverless:StartJobRun",
            "Effect": "Allow",
            "Resource": APP_ARN,
        },
        {
            # what .sync calls (Step Functions' "IAM policies for Amazon EMR Serverless")
            "Action": ["emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"],
            "Effect": "Allow",
            "Resource": f"{APP_ARN}/jobruns/*",
        },
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": RUNTIME_ARN,
        },
        {
            "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
            "Effect": "Allow",
            "Resource": JOB_RULE,
        },
    ]


def test_request_response_task_needs_no_rule(synthesis: Synthesis) -> None:
    statements = _statements(synthesis, "StartRole")
    assert [s for s in statements if "events:PutRule" in s["Action"]] == []
    # StartJobRun and iam:PassRole only (was 3: the job-run actions it never calls)
    assert len(statements) == 2
    assert not [s for s in statements if str(s["Resource"]).endswith("/jobruns/*")]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "StartRunJobRole",
            [
                {
                    "Action": ["emr-serverless:GetApplication", "emr-serverless:StartApplication"],
                    "Effect": "Allow",
                    "Resource": APP_ARN,
                },
                {
                    "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
                    "Effect": "Allow",
                    "Resource": APP_RULE,
                },
            ],
        ),
        (
            "StopRequestResponseRole",
            [{"Action": "emr-serverless:StopApplication", "Effect": "Allow", "Resource": APP_ARN}],
        ),
    ],
)
def test_application_task_iam_is_exact(
    synthesis: Synthesis, role: str, expected: list[dict[str, Any]]
) -> None:
    assert _statements(synthesis, role) == expected


def test_the_prefix_is_emr_serverless_not_the_sdk_name(synthesis: Synthesis) -> None:
    template = synthesis.templates["Tasks"]
    env = _env(synthesis)
    documents = list(identity_policies(template, env).values())
    assert "emrserverless:" not in json.dumps(documents)
    assert not iam_action_exists("emrserverless:StartJobRun")
    assert iam_action_exists("emr-serverless:StartJobRun")
    sync = [d for k, d in identity_policies(template, env).items() if k.startswith("SyncRole")]
    allowed = [
        Request("emr-serverless:StartJobRun", APP_ARN),
        Request("emr-serverless:GetJobRun", f"{APP_ARN}/jobruns/run1"),
        Request("emr-serverless:CancelJobRun", f"{APP_ARN}/jobruns/run1"),
        Request("events:PutRule", JOB_RULE),
        Request(
            "iam:PassRole", RUNTIME_ARN, {"iam:PassedToService": "emr-serverless.amazonaws.com"}
        ),
    ]
    denied = [
        Request("emr-serverless:StartJobRun", APP_ARN.replace("/app", "/other")),
        Request("iam:PassRole", RUNTIME_ARN, {"iam:PassedToService": "ec2.amazonaws.com"}),
        Request("events:PutRule", JOB_RULE.replace("Job", "Other")),
        Request("emr-serverless:StopApplication", APP_ARN),
    ]
    assert [r for r in allowed if not is_allowed(sync, r)] == []
    assert [r for r in denied if is_allowed(sync, r)] == []


def test_integration_strings_are_accepted() -> None:
    assert Integration.parse("run_job", argument="integration") is Integration.RUN_JOB
    assert Integration.parse(".sync", argument="integration") is Integration.RUN_JOB
    with pytest.raises(EmrServerlessValidationError, match="integration is a Integration"):
        Integration.parse("callback", argument="integration")


def test_aws_cdk_libs_sdk_task_would_grant_an_action_that_does_not_exist() -> None:
    """Why these tasks are custom states: ``CallAwsService`` derives ``emrserverless:...``."""
    stack = cdk.Stack(new_app(compliance=False), "Sdk")
    task = cdk.aws_stepfunctions_tasks.CallAwsService(
        stack,
        "Start",
        service="emrserverless",
        action="startJobRun",
        iam_resources=["*"],
        parameters={"ApplicationId": "app"},
    )
    cdk.aws_stepfunctions.StateMachine(
        stack, "Machine", definition_body=cdk.aws_stepfunctions.DefinitionBody.from_chainable(task)
    )
    actions = [
        s["Action"]
        for r in cdk.assertions.Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert actions == ["emrserverless:startJobRun"]
    assert not iam_action_exists("emrserverless:startJobRun")
