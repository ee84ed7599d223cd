"""The dead-letter queue the library's notification and scheduling constructs create."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib.compliance import acknowledge_findings
from constructs_lib.monitoring_rules import DEAD_LETTER_RETENTION_DAYS


def dead_letter_queue(
    scope: Construct,
    construct_id: str,
    *,
    reason: str,
    encryption_key: kms.IKey | None,
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
) -> sqs.Queue:
    """An SSL-only, KMS-encrypted queue keeping what could not be delivered for 14 days.

    It is itself a dead-letter queue, so the findings that ask for a queue behind it
    (``AwsSolutions-SQS3``, ``Serverless-SQSRedrivePolicy``) are acknowledged on it.

    :param reason: why it needs no queue behind it: what it holds, and for how long.
    :param encryption_key: its key. ``None``: a key SQS creates (``QueueEncryption.KMS``).
    """
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=encryption_key,
        enforce_ssl=True,
        retention_period=Duration.days(DEAD_LETTER_RETENTION_DAYS),
        removal_policy=removal_policy,
    )
    resource = queue.node.default_child
    assert resource is not None
    acknowledge_findings(
        resource, {"AwsSolutions-SQS3": reason, "Serverless-SQSRedrivePolicy": reason}
    )
    return queue
