"""JobWorkflow: the state machine's ASL, its logging and tracing, and its role's exact IAM."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.application_logs import ApplicationLogs
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_definition import SparkJob
from constructs_lib.job_runs import JobMode, RetryPolicy
from constructs_lib.job_workflow import JobWorkflow
from constructs_lib.notification_topic import NotificationTopic
from constructs_lib.releases import ReleaseLabel
from constructs_lib.runtime_role import JobRuntimeRole
from tests.harness import Synthesis, new_app, synthesize
from tests.iam_checks import Environment, render

ACCOUNT, REGION = "123456789012", "eu-west-1"
BUILT: dict[str, Any] = {}


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Workflow")
    application_logs = ApplicationLogs(stack, "Logs")
    runtime = JobRuntimeRole(stack, "Runtime")
    application_logs.grant_write(runtime)
    application = EmrServerlessApplication(
        stack, "App", monitoring=application_logs.monitoring_configuration()
    )
    job = SparkJob(
        stack,
        "Job",
        application=application,
        runtime_role=runtime,
        entry_point="/usr/lib/spark/examples/src/main/python/pi.py",
        retry_policy=RetryPolicy(max_attempts=2),
        execution_timeout_minutes=60,
        name="pi",
    )
    topic = NotificationTopic(stack, "Topic")
    BUILT["notified"] = JobWorkflow(
        stack,
        "Notified",
        job=job,
        notification_topic=topic,
        retries=1,
        log_retention=logs.RetentionDays.THREE_MONTHS,
    )
    BUILT["plain"] = JobWorkflow(stack, "Plain", job=job, timeout_minutes=90)
    old = EmrServerlessApplication(stack, "OldApp", release=ReleaseLabel.EMR_7_10_0)
    forever = SparkJob(
        stack,
        "Forever",
        application=old,
        runtime_role=runtime,
        entry_point="/a.py",
        execution_timeout_minutes=0,
    )
    BUILT["forever"] = JobWorkflow(stack, "ForeverWorkflow", job=forever)
    return synthesize(app)


def resources(synthesis: Synthesis, kind: str, prefix: str) -> dict[str, Any]:
    return {
        k: r
        for k, r in synthesis.templates["Workflow"]["Resources"].items()
        if r["Type"] == kind and k.startswith(prefix)
    }


def the(synthesis: Synthesis, kind: str, prefix: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = resources(synthesis, kind, prefix).items()
    return logical_id, resource


def env(synthesis: Synthesis) -> Environment:
    names = {}
    for logical_id, resource in synthesis.templates["Workflow"]["Resources"].items():
        if resource["Type"] == "AWS::EMRServerless::Application" and logical_id.startswith("App"):
            names[logical_id] = "app"
        if resource["Type"] == "AWS::IAM::Role" and logical_id.startswith("Runtime"):
            names[logical_id] = "runtime"
        if resource["Type"] == "AWS::SNS::Topic":
            names[logical_id] = "topic"
        if resource["Type"] == "AWS::KMS::Key":
            names[logical_id] = logical_id.lower()
    return Environment(region=REGION, account=ACCOUNT, names=names)


def definition(synthesis: Synthesis, prefix: str) -> dict[str, Any]:
    _, machine = the(synthesis, "AWS::StepFunctions::StateMachine", prefix)
    template = synthesis.templates["Workflow"]
    return json.loads(render(machine["Properties"]["DefinitionString"], template, env(synthesis)))


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_no_warnings()


def test_the_definition(synthesis: Synthesis) -> None:
    asl = definition(synthesis, "NotifiedStateMachine")
    app_arn = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/app"
    assert asl["StartAt"] == "Run"
    # the execution's timeout is a backstop: both runs at their timeout, the 5-minute wait
    # between them and a 15-minute margin (it was the runs' time alone, which Catch never saw)
    assert asl["TimeoutSeconds"] == ((60 * 2 + 720) * 2 + 5 + 15) * 60
    run = asl["States"]["Run"]
    # the bound is the Run state's, per run: States.Timeout reaches the Catch (States.ALL)
    # and is not re-run (States.TaskFailed matches every error but States.Timeout)
    assert run["TimeoutSeconds"] == (60 * 2 + 720) * 60
    assert run["Resource"] == "arn:aws:states:::emr-serverless:startJobRun.sync"
    assert run["Parameters"] == {
        "ApplicationId": "app",
        "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/runtime",
        "JobDriver": {
            "SparkSubmit": {"EntryPoint": "/usr/lib/spark/examples/src/main/python/pi.py"}
        },
        "Name": "pi",
        "RetryPolicy": {"MaxAttempts": 2},
        "ExecutionTimeoutMinutes": 60,
        "ClientToken.$": "States.UUID()",
    }
    assert run["ResultPath"] == "$.JobRun"
    assert run["Retry"] == [
        {
            "ErrorEquals": ["States.TaskFailed"],
            "IntervalSeconds": 300,
            "MaxAttempts": 1,
            "BackoffRate": 2,
        }
    ]
    assert run["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.Error", "Next": "Notify"}
    ]
    assert run["Next"] == "Succeeded"
    assert asl["States"]["Succeeded"] == {
        "Type": "Pass",
        "Parameters": {"JobRun.$": "$.JobRun", "State": "SUCCESS"},
        "End": True,
    }
    notify = asl["States"]["Notify"]
    assert notify["Resource"] == "arn:aws:states:::sns:publish"
    assert notify["Parameters"]["TopicArn"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:topic"
    assert notify["Parameters"]["Message"] == {
        "job": "pi",
        "stateMachine.$": "$$.StateMachine.Name",
        "execution.$": "$$.Execution.Id",
        "error.$": "$.Error.Error",
        "cause.$": "$.Error.Cause",
    }
    assert notify["Next"] == "Failed"
    assert asl["States"]["Failed"] == {
        "Type": "Fail",
        "Error": "JobFailed",
        "Cause": "Job pi did not succeed",
    }
    assert app_arn  # the run's resources are checked in the IAM test


def test_without_topic_or_retries(synthesis: Synthesis) -> None:
    asl = definition(synthesis, "PlainStateMachine")
    # the Run state holds the bound; the execution's is the 15-minute-longer backstop
    assert asl["States"]["Run"]["TimeoutSeconds"] == 90 * 60
    assert asl["TimeoutSeconds"] == (90 + 15) * 60
    assert BUILT["plain"].execution_timeout_minutes == 90 + 15
    assert "Retry" not in asl["States"]["Run"]
    assert asl["States"]["Run"]["Catch"][0]["Next"] == "Failed"
    assert "Notify" not in asl["States"]
    forever = definition(synthesis, "ForeverWorkflowStateMachine")
    assert "TimeoutSeconds" not in forever
    assert "TimeoutSeconds" not in forever["States"]["Run"]
    assert BUILT["forever"].timeout_minutes is None
    assert BUILT["forever"].execution_timeout_minutes is None


def test_logging_and_tracing(synthesis: Synthesis) -> None:
    _, machine = the(synthesis, "AWS::StepFunctions::StateMachine", "NotifiedStateMachine")
    properties = machine["Properties"]
    group_id, group = the(synthesis, "AWS::Logs::LogGroup", "NotifiedLogs")
    key_id, key = the(synthesis, "AWS::KMS::Key", "NotifiedKey")
    policy_id, _ = the(synthesis, "AWS::IAM::ManagedPolicy", "NotifiedRolePolicy")
    assert machine["DependsOn"] == [policy_id]  # logging needs the policy at creation
    assert properties["TracingConfiguration"] == {"Enabled": True}
    assert properties["StateMachineType"] == "STANDARD"
    assert properties["LoggingConfiguration"] == {
        "Destinations": [
            {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": [group_id, "Arn"]}}}
        ],
        "IncludeExecutionData": True,
        "Level": "ALL",
    }
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert group["Properties"]["RetentionInDays"] == 90
    assert group["Properties"]["LogGroupName"].startswith("/aws/vendedlogs/states/")
    assert (group["DeletionPolicy"], key["DeletionPolicy"]) == ("Retain", "Retain")
    assert key["Properties"]["EnableKeyRotation"] is True
    (statement,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Sid", "").startswith("StateMachineLogs")
    ]
    rendered = render(statement, synthesis.templates["Workflow"], env(synthesis))
    assert rendered["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert rendered["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"
            + group["Properties"]["LogGroupName"]
        }
    }


def test_the_role_trusts_step_functions_of_this_account_only(synthesis: Synthesis) -> None:
    _, role = the(synthesis, "AWS::IAM::Role", "NotifiedRole")
    (statement,) = render(
        role["Properties"]["AssumeRolePolicyDocument"],
        synthesis.templates["Workflow"],
        env(synthesis),
    )["Statement"]
    assert statement == {
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnLike": {"aws:SourceArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:*"},
        },
        "Effect": "Allow",
        "Principal": {"Service": "states.amazonaws.com"},
    }


def test_the_roles_iam_is_exact(synthesis: Synthesis) -> None:
    _, policy = the(synthesis, "AWS::IAM::ManagedPolicy", "NotifiedRolePolicy")
    names = env(synthesis).names
    log_key = next(v for k, v in names.items() if k.startswith("LogsKey"))
    topic_key = next(v for k, v in names.items() if k.startswith("TopicKey"))
    app = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/app"
    statements = render(
        policy["Properties"]["PolicyDocument"], synthesis.templates["Workflow"], env(synthesis)
    )["Statement"]
    assert statements == [
        {
            # StartJobRun only: ListJobRuns is not what the task calls
            "Action": "emr-serverless:StartJobRun",
            "Effect": "Allow",
            "Resource": app,
        },
        {
            # what .sync calls (Step Functions' "IAM policies for Amazon EMR Serverless")
            "Action": ["emr-serverless:CancelJobRun", "emr-serverless:GetJobRun"],
            "Effect": "Allow",
            "Resource": f"{app}/jobruns/*",
        },
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/runtime",
        },
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Effect": "Allow",
            "Resource": [
                f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{log_key}",
                f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{topic_key}",
            ],
        },
        {
            "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
            "Effect": "Allow",
            "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/"
            "StepFunctionsGetEventsForEMRServerlessJobRule",
        },
        {
            "Action": "sns:Publish",
            "Effect": "Allow",
            "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic",
        },
        {
            "Action": [
                "logs:CreateLogDelivery",
                "logs:DeleteLogDelivery",
                "logs:DescribeLogGroups",
                "logs:DescribeResourcePolicies",
                "logs:GetLogDelivery",
                "logs:ListLogDeliveries",
                "logs:PutResourcePolicy",
                "logs:UpdateLogDelivery",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:PutTelemetryRecords",
                "xray:PutTraceSegments",
            ],
            "Effect": "Allow",
            "Resource": "*",
        },
    ]


def test_the_wildcard_for_log_delivery_and_tracing_is_acknowledged_with_its_reason(
    synthesis: Synthesis,
) -> None:
    found = [
        (path, reason)
        for path, rule, reason in synthesis.acknowledgements()
        if rule == "AwsSolutions-IAM5[Resource::*]"
        and path.split("/")[1] in ("Notified", "Plain", "ForeverWorkflow")
        and path.endswith("/Role")
    ]
    assert {path for path, _ in found} == {
        "Workflow/Notified/Role",
        "Workflow/Plain/Role",
        "Workflow/ForeverWorkflow/Role",
    }
    assert all("do not support resource-level permissions" in reason for _, reason in found)


# --- refusals and their valid neighbours -----------------------------------------------------


def _job() -> tuple[cdk.Stack, SparkJob]:
    stack = cdk.Stack(new_app(compliance=False), "Refusals")
    app = EmrServerlessApplication(stack, "App")
    role = iam.Role.from_role_arn(stack, "Role", f"arn:aws:iam::{ACCOUNT}:role/r")
    return stack, SparkJob(stack, "Job", application=app, runtime_role=role, entry_point="/a.py")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        # Step Functions' own ranges: MaxAttempts 0-99,999,999, TimeoutSeconds 1-99,999,999
        ({"retries": 100_000_000}, "0-99,999,999 re-runs"),
        ({"retries": -1}, "0-99,999,999 re-runs"),
        ({"timeout_minutes": 0}, "TimeoutSeconds takes 1-99,999,999 seconds"),
        ({"timeout_minutes": 1_666_667}, "TimeoutSeconds takes 1-99,999,999 seconds"),
    ],
)
def test_refused(kwargs: dict[str, Any], fragment: str) -> None:
    stack, job = _job()
    with pytest.raises(EmrServerlessValidationError, match=fragment):
        JobWorkflow(stack, "Workflow", job=job, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "minutes"),
    [
        # the bound is now per run (the Run state's), not the runs' total
        ({"retries": 10}, 720 + 720),
        ({"retries": 0}, 720 + 720),
        ({"retries": 99_999_999}, 720 + 720),
        ({"timeout_minutes": 1_666_666}, 1_666_666),
        ({"timeout_minutes": 1}, 1),
        ({"timeout_minutes": 525_600}, 525_600),
    ],
)
def test_valid_neighbours(kwargs: dict[str, Any], minutes: int) -> None:
    stack, job = _job()
    assert JobWorkflow(stack, "Workflow", job=job, **kwargs).timeout_minutes == minutes


def _warnings(workflow: JobWorkflow, warning_id: str) -> list[str]:
    return [
        str(entry.data)
        for entry in workflow.node.metadata
        if entry.type == "aws:cdk:warning" and warning_id in str(entry.data)
    ]


@pytest.mark.parametrize(
    ("kwargs", "warning_id", "warned"),
    [
        ({"retries": 11}, "workflow-retries", True),
        ({"retries": 10}, "workflow-retries", False),
        ({"timeout_minutes": 525_601}, "workflow-timeout", True),
        ({"timeout_minutes": 525_600}, "workflow-timeout", False),
    ],
)
def test_beyond_the_librarys_advice_is_a_warning(
    kwargs: dict[str, Any], warning_id: str, warned: bool
) -> None:
    stack, job = _job()
    workflow = JobWorkflow(stack, "Workflow", job=job, **kwargs)
    assert bool(_warnings(workflow, warning_id)) is warned


def test_a_long_bound_leaves_the_execution_to_step_functions_year() -> None:
    stack, job = _job()
    assert JobWorkflow(stack, "Long", job=job, timeout_minutes=300_000).timeout_minutes == 300_000
    # two runs of 300,000 minutes outlast a year: no execution timeout but the service's
    assert (
        JobWorkflow(
            stack, "Retried", job=job, timeout_minutes=300_000, retries=1
        ).execution_timeout_minutes
        is None
    )
    assert (
        JobWorkflow(stack, "Once", job=job, timeout_minutes=300_000).execution_timeout_minutes
        == 300_015
    )


def test_a_streaming_job_runs_without_a_timeout() -> None:
    stack = cdk.Stack(new_app(compliance=False), "Streaming")
    app = EmrServerlessApplication(stack, "App", release=ReleaseLabel.EMR_7_12_0)
    role = iam.Role.from_role_arn(stack, "Role", f"arn:aws:iam::{ACCOUNT}:role/r")
    streaming = SparkJob(
        stack,
        "Stream",
        application=app,
        runtime_role=role,
        entry_point="/a.py",
        mode=JobMode.STREAMING,
    )
    workflow = JobWorkflow(stack, "Workflow", job=streaming)
    assert workflow.timeout_minutes is None
    assert workflow.execution_timeout_minutes is None
    assert "TimeoutSeconds" not in workflow.task.to_state_json()
    # a batch job on the same application keeps its derived bound
    batch = SparkJob(stack, "Batch", application=app, runtime_role=role, entry_point="/a.py")
    assert JobWorkflow(stack, "BatchWorkflow", job=batch).timeout_minutes == 720 + 720
    # and a streaming job's bound can still be given
    assert (
        JobWorkflow(stack, "Bounded", job=streaming, timeout_minutes=60).task.to_state_json()[
            "TimeoutSeconds"
        ]
        == 3600
    )
