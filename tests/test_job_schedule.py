"""JobSchedule: schedules through a workflow and directly, with exact IAM and their queue."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk.assertions import Template

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_definition import SparkJob
from constructs_lib.job_schedule import JobSchedule
from constructs_lib.job_workflow import JobWorkflow
from constructs_lib.runtime_role import JobRuntimeRole
from tests.harness import Synthesis, iam_action_exists, new_app, synthesize
from tests.iam_checks import Environment, Request, is_allowed, render

ACCOUNT, REGION = "123456789012", "eu-west-1"
APP = f"arn:aws:emr-serverless:{REGION}:{ACCOUNT}:/applications/app"
RUNTIME = f"arn:aws:iam::{ACCOUNT}:role/runtime"
BUILT: dict[str, Any] = {}


def _job(stack: cdk.Stack) -> SparkJob:
    application = EmrServerlessApplication(stack, "App")
    runtime = JobRuntimeRole(stack, "Runtime")
    runtime.grant_s3_read(cdk.aws_s3.Bucket.from_bucket_name(stack, "Jobs", "lake-jobs"), "j/")
    return SparkJob(
        stack,
        "Job",
        application=application,
        runtime_role=runtime,
        entry_point="s3://lake-jobs/j/a.py",
        name="nightly",
    )


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Schedules")
    job = _job(stack)
    workflow = JobWorkflow(stack, "Workflow", job=job)
    BUILT["via"] = JobSchedule(
        stack,
        "Via",
        job=job,
        workflow=workflow,
        expression="cron(0 2 * * ? *)",
        time_zone="Europe/Paris",
        flexible_window_minutes=30,
        retry_attempts=5,
        max_event_age_seconds=7200,
    )
    BUILT["direct"] = JobSchedule(stack, "Direct", job=job, expression="rate(6 hours)")
    return synthesize(app)


def env(synthesis: Synthesis) -> Environment:
    names: dict[str, str] = {}
    for logical_id, resource in synthesis.templates["Schedules"]["Resources"].items():
        kind = resource["Type"]
        if kind == "AWS::EMRServerless::Application":
            names[logical_id] = "app"
        elif kind == "AWS::IAM::Role" and logical_id.startswith("Runtime"):
            names[logical_id] = "runtime"
        elif kind == "AWS::StepFunctions::StateMachine":
            names[logical_id] = "workflow"
        elif kind in ("AWS::KMS::Key", "AWS::SQS::Queue"):
            names[logical_id] = logical_id.lower()
    return Environment(region=REGION, account=ACCOUNT, names=names)


def the(synthesis: Synthesis, kind: str, prefix: str) -> tuple[str, dict[str, Any]]:
    ((found),) = [
        (k, r)
        for k, r in synthesis.templates["Schedules"]["Resources"].items()
        if r["Type"] == kind and k.startswith(prefix)
    ]
    return found


def rendered(synthesis: Synthesis, value: Any) -> Any:
    return render(value, synthesis.templates["Schedules"], env(synthesis))


def key_arn(synthesis: Synthesis, prefix: str) -> str:
    key_id, _ = the(synthesis, "AWS::KMS::Key", prefix)
    return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id.lower()}"


def queue_arn(synthesis: Synthesis, prefix: str) -> str:
    queue_id, _ = the(synthesis, "AWS::SQS::Queue", prefix)
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_id.lower()}"


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_no_warnings()


def test_the_schedule_through_the_workflow(synthesis: Synthesis) -> None:
    _, schedule = the(synthesis, "AWS::Scheduler::Schedule", "Via")
    properties = rendered(synthesis, schedule["Properties"])
    assert properties == {
        "Description": "Starts EMR Serverless job nightly",
        "FlexibleTimeWindow": {"MaximumWindowInMinutes": 30, "Mode": "FLEXIBLE"},
        "KmsKeyArn": key_arn(synthesis, "ViaKey"),
        "ScheduleExpression": "cron(0 2 * * ? *)",
        "ScheduleExpressionTimezone": "Europe/Paris",
        "State": "ENABLED",
        "Target": {
            "Arn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:workflow",
            "DeadLetterConfig": {"Arn": queue_arn(synthesis, "ViaDeadLetterQueue")},
            "Input": '{"scheduledBy":"<aws.scheduler.schedule-arn>"}',
            "RetryPolicy": {"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 5},
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/"
            + the(synthesis, "AWS::IAM::Role", "ViaRole")[0].lower(),
        },
    }


def _statements(synthesis: Synthesis, prefix: str) -> list[dict[str, Any]]:
    _, policy = the(synthesis, "AWS::IAM::ManagedPolicy", prefix)
    statements: list[dict[str, Any]] = rendered(synthesis, policy["Properties"]["PolicyDocument"])[
        "Statement"
    ]
    return statements


def test_through_the_workflow_the_role_may_only_start_it(synthesis: Synthesis) -> None:
    key = key_arn(synthesis, "ViaKey")
    assert _statements(synthesis, "ViaRolePolicy") == [
        {
            "Action": "states:StartExecution",
            "Effect": "Allow",
            "Resource": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:workflow",
        },
        {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": queue_arn(synthesis, "ViaDeadLetterQueue"),
        },
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key},
    ]


def test_the_direct_schedule_calls_start_job_run_with_a_token_per_invocation(
    synthesis: Synthesis,
) -> None:
    _, schedule = the(synthesis, "AWS::Scheduler::Schedule", "Direct")
    target = rendered(synthesis, schedule["Properties"]["Target"])
    assert target["Arn"] == "arn:aws:scheduler:::aws-sdk:emrserverless:startJobRun"
    assert json.loads(target["Input"]) == {
        "ApplicationId": "app",
        "ExecutionRoleArn": RUNTIME,
        "JobDriver": {"SparkSubmit": {"EntryPoint": "s3://lake-jobs/j/a.py"}},
        "Name": "nightly",
        "ClientToken": "<aws.scheduler.execution-id>",
    }
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}
    assert rendered(synthesis, schedule["Properties"])["FlexibleTimeWindow"] == {"Mode": "OFF"}


def test_directly_the_role_gets_the_real_iam_action(synthesis: Synthesis) -> None:
    key = key_arn(synthesis, "DirectKey")
    statements = _statements(synthesis, "DirectRolePolicy")
    assert statements == [
        # StartJobRun only, nothing on the runs: Scheduler neither follows nor cancels them
        {"Action": "emr-serverless:StartJobRun", "Effect": "Allow", "Resource": APP},
        {
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "emr-serverless.amazonaws.com"}},
            "Effect": "Allow",
            "Resource": RUNTIME,
        },
        {
            "Action": "sqs:SendMessage",
            "Effect": "Allow",
            "Resource": queue_arn(synthesis, "DirectDeadLetterQueue"),
        },
        {"Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Effect": "Allow", "Resource": key},
    ]
    documents = [{"Statement": statements}]
    assert is_allowed(documents, Request("emr-serverless:StartJobRun", APP))
    assert not is_allowed(documents, Request("emrserverless:startJobRun", APP))
    assert is_allowed(
        documents,
        Request("iam:PassRole", RUNTIME, {"iam:PassedToService": "emr-serverless.amazonaws.com"}),
    )
    assert not is_allowed(
        documents, Request("iam:PassRole", RUNTIME, {"iam:PassedToService": "ec2.amazonaws.com"})
    )


def test_aws_cdk_libs_universal_target_grants_start_job_run_on_everything() -> None:
    """Why JobSchedule brings its own target: aws-cdk-lib's grants on ``*``, without PassRole.

    The pinned aws-cdk-lib maps the SDK name to the IAM prefix (``emr-serverless``; the
    SDK's ``emrserverless:startJobRun`` is no IAM action), but on every resource, and the
    role it makes cannot pass the runtime role.
    """
    stack = cdk.Stack(new_app(compliance=False), "Universal")
    scheduler.Schedule(
        stack,
        "Schedule",
        schedule=scheduler.ScheduleExpression.rate(cdk.Duration.hours(6)),
        target=targets.Universal(service="emrserverless", action="startJobRun"),
    )
    statements = [
        s
        for r in Template.from_stack(stack).to_json()["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        ("emr-serverless:StartJobRun", "*")
    ]
    assert not iam_action_exists("emrserverless:startJobRun")
    assert iam_action_exists("emr-serverless:StartJobRun")


def test_the_role_trusts_scheduler_of_this_account(synthesis: Synthesis) -> None:
    _, role = the(synthesis, "AWS::IAM::Role", "DirectRole")
    (statement,) = rendered(synthesis, role["Properties"]["AssumeRolePolicyDocument"])["Statement"]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {
            "aws:SourceAccount": ACCOUNT,
            "aws:SourceArn": f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule-group/default",
        }
    }


def test_the_dead_letter_queue_is_encrypted_ssl_only_and_retained(synthesis: Synthesis) -> None:
    queue_id, queue = the(synthesis, "AWS::SQS::Queue", "DirectDeadLetterQueue")
    key_id, key = the(synthesis, "AWS::KMS::Key", "DirectKey")
    assert queue["Properties"] == {
        "KmsMasterKeyId": {"Fn::GetAtt": [key_id, "Arn"]},
        "MessageRetentionPeriod": 14 * 24 * 3600,
    }
    assert (queue["DeletionPolicy"], key["DeletionPolicy"]) == ("Retain", "Retain")
    assert key["Properties"]["EnableKeyRotation"] is True
    _, policy = the(synthesis, "AWS::SQS::QueuePolicy", "DirectDeadLetterQueue")
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Condition"]) == (
        "Deny",
        {"Bool": {"aws:SecureTransport": "false"}},
    )
    assert queue_id


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"expression": "cron(0 2 * * *)"}, "six fields"),
        ({"time_zone": "Paris"}, "IANA"),
        ({"flexible_window_minutes": 1441}, "1-1,440"),
        ({"retry_attempts": 186}, "0-185"),
        ({"max_event_age_seconds": 59}, "60-86,400"),
    ],
)
def test_refused(kwargs: dict[str, Any], fragment: str) -> None:
    stack = cdk.Stack(new_app(compliance=False), "Refusals")
    arguments = {"expression": "rate(1 day)", **kwargs}
    with pytest.raises(EmrServerlessValidationError, match=fragment):
        JobSchedule(stack, "Schedule", job=_job(stack), **arguments)


def test_valid_neighbours() -> None:
    stack = cdk.Stack(new_app(compliance=False), "Neighbours")
    job = _job(stack)
    schedule = JobSchedule(
        stack,
        "Schedule",
        job=job,
        expression="at(2026-12-01T02:00:00)",
        time_zone="UTC",
        flexible_window_minutes=1440,
        retry_attempts=185,
        max_event_age_seconds=86_400,
        dead_letter_queue=cdk.aws_sqs.Queue(stack, "Queue"),
        encryption_key=cdk.aws_kms.Key(stack, "Key"),
    )
    assert schedule.schedule_arn
    assert isinstance(schedule.role, iam.Role)
