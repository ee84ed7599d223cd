"""NotificationTopic: KMS with a rotating key, SSL-only publishing, retained key."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs

from constructs_lib.compliance import acknowledge
from constructs_lib.notification_topic import NotificationTopic, principal_name
from tests.harness import Synthesis, new_app, synthesize


@pytest.fixture(scope="module")
def synthesis() -> Synthesis:
    app = new_app()
    stack = cdk.Stack(app, "Topics")
    NotificationTopic(stack, "Ops", display_name="EMR Serverless")
    NotificationTopic(
        stack,
        "Shared",
        master_key=kms.Key(stack, "TeamKey", enable_key_rotation=True),
    )
    NotificationTopic(stack, "Short", removal_policy=cdk.RemovalPolicy.DESTROY)
    subscribed = cdk.Stack(app, "Subscribed")
    topic = NotificationTopic(subscribed, "Alerts")
    topic.add_subscription(subscriptions.EmailSubscription("data-ops@example.com"))
    topic.add_subscription(subscriptions.EmailSubscription("oncall@example.com"))
    own = sqs.Queue(
        subscribed,
        "OwnQueue",
        encryption=sqs.QueueEncryption.KMS_MANAGED,
        enforce_ssl=True,
    )
    acknowledge(own.node.default_child, "AwsSolutions-SQS3", "x" * 40)  # type: ignore[arg-type]
    acknowledge(own.node.default_child, "Serverless-SQSRedrivePolicy", "x" * 40)  # type: ignore[arg-type]
    topic.add_subscription(
        subscriptions.EmailSubscription("own@example.com", dead_letter_queue=own)
    )
    return synthesize(app)


def _resources(synthesis: Synthesis, resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        name: r
        for name, r in synthesis.templates["Topics"]["Resources"].items()
        if r["Type"] == resource_type
    }


def test_each_topic_is_encrypted_with_its_key(synthesis: Synthesis) -> None:
    topics = _resources(synthesis, "AWS::SNS::Topic")
    keys = {
        name[: -len("Key") - 8]: name
        for name in _resources(synthesis, "AWS::KMS::Key")
        if not name.startswith("TeamKey")
    }
    for name, topic in topics.items():
        prefix = name[:-8]
        expected = (
            next(k for k in _resources(synthesis, "AWS::KMS::Key") if k.startswith("TeamKey"))
            if prefix == "Shared"
            else keys[prefix]
        )
        assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [expected, "Arn"]}, name
    assert topics[next(n for n in topics if n.startswith("Ops"))]["Properties"]["DisplayName"] == (
        "EMR Serverless"
    )


def test_keys_rotate_and_are_retained_unless_told(synthesis: Synthesis) -> None:
    keys = _resources(synthesis, "AWS::KMS::Key")
    assert all(key["Properties"]["EnableKeyRotation"] is True for key in keys.values())
    policies = {name[:-8]: key["DeletionPolicy"] for name, key in keys.items()}
    assert policies == {"OpsKey": "Retain", "TeamKey": "Retain", "ShortKey": "Delete"}


def test_subscriptions_without_a_queue_get_the_topics_dead_letter_queue(
    synthesis: Synthesis,
) -> None:
    template = synthesis.templates["Subscribed"]["Resources"]
    queues = {n: r for n, r in template.items() if r["Type"] == "AWS::SQS::Queue"}
    (dead_letter,) = [n for n in queues if n.startswith("AlertsSubscriptionsDeadLetterQueue")]
    assert queues[dead_letter]["Properties"]["KmsMasterKeyId"] == {
        "Fn::GetAtt": [next(n for n in template if n.startswith("AlertsKey")), "Arn"]
    }
    redrive = {
        r["Properties"]["Endpoint"]: r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
        for r in template.values()
        if r["Type"] == "AWS::SNS::Subscription"
    }
    own = next(n for n in queues if n.startswith("OwnQueue"))
    assert redrive == {
        "data-ops@example.com": {"Fn::GetAtt": [dead_letter, "Arn"]},
        "oncall@example.com": {"Fn::GetAtt": [dead_letter, "Arn"]},
        "own@example.com": {"Fn::GetAtt": [own, "Arn"]},
    }


def test_sns_may_use_the_topic_key_for_its_dead_letter_queue(synthesis: Synthesis) -> None:
    template = synthesis.templates["Subscribed"]["Resources"]
    key = next(r for n, r in template.items() if n.startswith("AlertsKey"))
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    sns_statements = [
        s for s in statements if s.get("Principal") == {"Service": "sns.amazonaws.com"}
    ]
    assert sns_statements == [
        {
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Resource": "*",
        }
    ]


def test_publishing_without_tls_is_denied(synthesis: Synthesis) -> None:
    policies = _resources(synthesis, "AWS::SNS::TopicPolicy")
    assert len(policies) == 3
    for policy in policies.values():
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Action"] == "sns:Publish"
        assert statement["Principal"] == "*"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_principal_names_for_messages() -> None:
    from aws_cdk import aws_iam as iam  # noqa: PLC0415

    assert principal_name(iam.ServicePrincipal("events.amazonaws.com")) == "events.amazonaws.com"
    assert "123456789012" in principal_name(iam.AccountPrincipal("123456789012"))


def test_gates(synthesis: Synthesis) -> None:
    synthesis.assert_nag_clean()
    synthesis.assert_acknowledgements_specific()
    synthesis.assert_iam_actions_exist()
    synthesis.assert_cfn_lint_clean()
    synthesis.assert_no_warnings()
