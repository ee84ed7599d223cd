"""JobStateNotifications: the event pattern, the target and dead-letter queue, their policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from constructs_lib.application import EmrServerlessApplication
from constructs_lib.errors import EmrServerlessValidationError
from constructs_lib.job_state_notifications import JobStateNotifications
from constructs_lib.monitoring_rules import JobRunState
from constructs_lib.notification_topic import POLICY_WARNING, NotificationTopic
from tests.harness import Synthesis, new_app, synthesize
from tests.monitoring_support import (
    ACCOUNT,
    EXISTING_APP,
    REGION,
    STACK_ENV,
    existing_application,
    one,
    refusal_stack,
)

BUILT: dict[str, Any] = {}


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    env = STACK_ENV
    defaults = cdk.Stack(app, "Defaults", env=env)
    application = EmrServerlessApplication(defaults, "App")
    BUILT["defaults"] = JobStateNotifications(defaults, "JobStates", application=application)

    shared = cdk.Stack(app, "Shared", env=env)
    existing = EmrServerlessApplication.from_application_id(shared, "Existing", EXISTING_APP)
    BUILT["shared"] = JobStateNotifications(
        shared,
        "JobStates",
        application=existing,
        states=[JobRunState.SUCCESS, JobRunState.FAILED],
        topic=NotificationTopic(shared, "Ops"),
    )

    imported = cdk.Stack(app, "Imported", env=env)
    JobStateNotifications(
        imported,
        "JobStates",
        application=EmrServerlessApplication.from_application_id(imported, "App", EXISTING_APP),
        topic=sns.Topic.from_topic_arn(imported, "Ops", f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"),
        dead_letter_queue=sqs.Queue.from_queue_arn(
            imported, "Failed", f"arn:aws:sqs:{REGION}:{ACCOUNT}:failed"
        ),
    )
    return synthesize(app)


def test_rule_matches_failed_and_cancelled_runs_of_this_application(synthesis: Synthesis) -> None:
    template = synthesis.templates["Defaults"]
    app_id, _ = one(template, "AWS::EMRServerless::Application")
    _, rule = one(template, "AWS::Events::Rule")
    assert rule["Properties"]["EventPattern"] == {
        "source": ["aws.emr-serverless"],
        "detail-type": ["EMR Serverless Job Run State Change"],
        "detail": {
            "applicationId": [{"Fn::GetAtt": [app_id, "ApplicationId"]}],
            "state": ["FAILED", "CANCELLED"],
        },
    }
    assert rule["Properties"]["State"] == "ENABLED"


def test_rule_targets_the_topic_with_the_dead_letter_queue(synthesis: Synthesis) -> None:
    template = synthesis.templates["Defaults"]
    topic_id, _ = one(template, "AWS::SNS::Topic")
    queue_id, _ = one(template, "AWS::SQS::Queue")
    _, rule = one(template, "AWS::Events::Rule")
    assert rule["Properties"]["Targets"] == [
        {
            "Arn": {"Ref": topic_id},
            "Id": "Target0",
            "DeadLetterConfig": {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}},
        }
    ]


@pytest.mark.parametrize(
    ("policy_type", "target_type", "action", "target_ref"),
    [
        ("AWS::SNS::TopicPolicy", "AWS::SNS::Topic", "sns:Publish", lambda i: {"Ref": i}),
        (
            "AWS::SQS::QueuePolicy",
            "AWS::SQS::Queue",
            "sqs:SendMessage",
            lambda i: {"Fn::GetAtt": [i, "Arn"]},
        ),
    ],
    ids=["topic", "dead-letter queue"],
)
def test_only_this_rule_may_deliver_and_only_over_tls(
    synthesis: Synthesis,
    policy_type: str,
    target_type: str,
    action: str,
    target_ref: Callable[[str], Any],
) -> None:
    template = synthesis.templates["Defaults"]
    rule_id, _ = one(template, "AWS::Events::Rule")
    target_id, _ = one(template, target_type)
    _, policy = one(template, policy_type)
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert {k: v for k, v in allow.items() if k != "Sid"} == {
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": action,
        "Resource": target_ref(target_id),
        "Condition": {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}},
    }


def test_one_rotating_key_encrypts_topic_and_queue(synthesis: Synthesis) -> None:
    template = synthesis.templates["Defaults"]
    key_id, key = one(template, "AWS::KMS::Key")
    _, topic = one(template, "AWS::SNS::Topic")
    _, queue = one(template, "AWS::SQS::Queue")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert queue["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert key["Properties"]["EnableKeyRotation"] is True
    assert (key["DeletionPolicy"], queue["DeletionPolicy"]) == ("Retain", "Retain")
    assert key["Properties"]["KeyPolicy"]["Statement"][1:] == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Resource": "*",
        }
    ]


def test_the_dead_letter_queue_acknowledges_having_no_queue_behind_it(
    synthesis: Synthesis,
) -> None:
    found = {(path, rule) for path, rule, _ in synthesis.acknowledgements() if "JobStates" in path}
    assert found == {
        ("Defaults/JobStates/DeadLetterQueue/Resource", "AwsSolutions-SQS3"),
        ("Defaults/JobStates/DeadLetterQueue/Resource", "Serverless-SQSRedrivePolicy"),
        ("Shared/JobStates/DeadLetterQueue/Resource", "AwsSolutions-SQS3"),
        ("Shared/JobStates/DeadLetterQueue/Resource", "Serverless-SQSRedrivePolicy"),
    }


def test_chosen_states_and_a_shared_topic(synthesis: Synthesis) -> None:
    template = synthesis.templates["Shared"]
    _, rule = one(template, "AWS::Events::Rule")
    assert rule["Properties"]["EventPattern"]["detail"] == {
        "applicationId": [EXISTING_APP],
        "state": ["SUCCESS", "FAILED"],
    }
    assert BUILT["shared"].states == (JobRunState.SUCCESS, JobRunState.FAILED)
    topic_key_id, topic_key = one(template, "AWS::KMS::Key", "OpsKey")
    queue_key_id, queue_key = one(template, "AWS::KMS::Key", "JobStatesKey")
    _, queue = one(template, "AWS::SQS::Queue")
    assert queue["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [queue_key_id, "Arn"]}
    assert [s["Action"] for s in topic_key["Properties"]["KeyPolicy"]["Statement"][1:]] == [
        ["kms:Decrypt", "kms:GenerateDataKey*"]
    ]
    assert [s["Action"] for s in queue_key["Properties"]["KeyPolicy"]["Statement"][1:]] == [
        ["kms:Decrypt", "kms:GenerateDataKey"]
    ]
    assert topic_key_id != queue_key_id


def test_topic_and_queue_defined_elsewhere_are_reported_not_changed(
    synthesis: Synthesis,
) -> None:
    warned = {
        f.rule.removeprefix(f"Annotation::{POLICY_WARNING}:")
        for f in synthesis.warnings(POLICY_WARNING)
        if f.path == "Imported/JobStates"
    }
    assert warned == {"topic", "dead-letter-queue"}
    assert [f.path for f in synthesis.warnings()] == ["Imported/JobStates"] * 2


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()


# --- Refusals (construct only) --------------------------------------------------------------


def _notify(states: Any) -> JobStateNotifications:
    stack = refusal_stack()
    return JobStateNotifications(
        stack, "JobStates", application=existing_application(stack), states=states
    )


@pytest.mark.parametrize(
    "states", [[], [JobRunState.FAILED, JobRunState.FAILED], ["NOT_A_STATE"]], ids=str
)
def test_no_repeated_or_unknown_states_are_refused(states: Any) -> None:
    with pytest.raises(EmrServerlessValidationError) as error:
        _notify(states)
    assert error.value.argument.startswith("states")


def test_states_may_be_given_by_name_in_any_case() -> None:
    assert _notify(["failed", "Cancelled"]).states == (JobRunState.FAILED, JobRunState.CANCELLED)


def test_a_single_state_passes() -> None:
    assert _notify([JobRunState.CANCELLED]).states == (JobRunState.CANCELLED,)
